"""A WSGI app that answers with what gunicorn told it: the scheme and the peer (test_proxy.py)."""

import json


def application(environ, start_response):
    body = json.dumps(
        {
            "scheme": environ["wsgi.url_scheme"],
            "remote_addr": environ.get("REMOTE_ADDR"),
            "forwarded_for": environ.get("HTTP_X_FORWARDED_FOR"),
        }
    ).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
