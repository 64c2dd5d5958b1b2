"""gunicorn settings for production: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

Every value can be changed from the environment, like the app's own settings (docs/configuration.md).
"""

import ipaddress
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Pages are rendered on the server and spend most of their time in PostgreSQL: the classic
# 2 × cores + 1 sync workers keep the cores busy. gunicorn also reads WEB_CONCURRENCY itself.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# Long jobs (ratings, the year-end workbook) run in Celery, so no request needs long.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
# Recycle workers now and then so a slow leak in any library cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 1000))
max_requests_jitter = max_requests // 10


def trusted_proxies() -> str:
    """TRUSTED_PROXIES (or FORWARDED_ALLOW_IPS), read as config/settings.py reads it: loopback by
    default (the proxy on this host), `none` for no proxy, never `*` (anyone could claim HTTPS)."""
    raw = os.environ.get("TRUSTED_PROXIES") or os.environ.get("FORWARDED_ALLOW_IPS") or "127.0.0.1,::1"
    if raw.strip().lower() in ("none", "off"):
        return ""
    items = [item.strip() for item in raw.split(",") if item.strip()]
    for item in items:
        ipaddress.ip_network(item)  # ValueError for "*" or a typo: gunicorn refuses to start
    return ",".join(items)


# Only the proxy may tell us a request came over HTTPS (X-Forwarded-Proto) or, with the PROXY
# protocol, who the client is; from any other peer those are ignored. Django drops X-Forwarded-For
# from other peers too (security/middleware.py), reading the same TRUSTED_PROXIES.
forwarded_allow_ips = trusted_proxies()
proxy_allow_ips = forwarded_allow_ips
proxy_protocol = "off"
# One header, the one the documented nginx setup sends and Django's SECURE_PROXY_SSL_HEADER reads;
# gunicorn's default also believes X-Forwarded-Protocol and X-Forwarded-Ssl.
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}
# Header names with underscores (X_Forwarded_For) could pose as the proxy's; drop them.
header_map = "drop"
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
