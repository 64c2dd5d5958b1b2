"""The client's address and scheme come from forwarded headers only when a trusted proxy sent them."""

import json
import os
import runpy
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from config import settings as app_settings
from security.middleware import TrustedProxyMiddleware
from security.proxy import client_address, trusted_networks
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
LOOPBACK = trusted_networks(["127.0.0.1", "::1"])
LAN_PROXIES = trusted_networks(["10.0.0.0/8"])


@pytest.mark.parametrize(
    "peer,forwarded,networks,expected",
    [
        # Straight from a client: whatever it writes in the header is ignored.
        ("203.0.113.7", "198.51.100.1", LOOPBACK, "203.0.113.7"),
        ("203.0.113.7", None, LOOPBACK, "203.0.113.7"),
        # Through the proxy on this host: the address it appended.
        ("127.0.0.1", "198.51.100.1", LOOPBACK, "198.51.100.1"),
        # A client that sends its own X-Forwarded-For through the proxy: only the proxy's entry counts.
        ("127.0.0.1", "6.6.6.6, 198.51.100.1", LOOPBACK, "198.51.100.1"),
        # Two trusted proxies in a row: the first untrusted address from the right.
        ("10.0.0.2", "6.6.6.6, 198.51.100.1, 10.0.0.9", LAN_PROXIES, "198.51.100.1"),
        # Garbage at the end of the chain: nothing the proxy vouches for, so the proxy itself.
        ("127.0.0.1", "198.51.100.1, not-an-address", LOOPBACK, "127.0.0.1"),
        ("127.0.0.1", "\x00", LOOPBACK, "127.0.0.1"),
        # Ports and IPv6 as proxies write them; IPv4 through an IPv6 socket reads as IPv4.
        ("127.0.0.1", "198.51.100.1:50123", LOOPBACK, "198.51.100.1"),
        ("::1", "[2001:db8::5]:443", LOOPBACK, "2001:db8::5"),
        ("::ffff:203.0.113.7", "198.51.100.1", LOOPBACK, "203.0.113.7"),
        # No proxy configured: even the loopback peer's header is ignored.
        ("127.0.0.1", "198.51.100.1", trusted_networks([]), "127.0.0.1"),
        ("not-an-address", "198.51.100.1", LOOPBACK, None),
    ],
)
def test_client_address(peer, forwarded, networks, expected):
    assert client_address(peer, forwarded, networks) == expected


def _through_middleware(settings, remote_addr, **headers):
    seen = {}

    def view(request):
        seen["secure"] = request.is_secure()
        seen["client_ip"] = request.client_ip
        seen["forwarded_for"] = request.META.get("HTTP_X_FORWARDED_FOR")
        return HttpResponse()

    request = RequestFactory().get("/", REMOTE_ADDR=remote_addr, **headers)
    TrustedProxyMiddleware(view)(request)
    return seen


def test_forwarded_headers_from_an_untrusted_peer_are_dropped(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    spoofed = _through_middleware(
        settings, "203.0.113.7", HTTP_X_FORWARDED_PROTO="https", HTTP_X_FORWARDED_FOR="10.9.9.9"
    )
    assert spoofed == {"secure": False, "client_ip": "203.0.113.7", "forwarded_for": None}
    proxied = _through_middleware(settings, "10.0.0.5", HTTP_X_FORWARDED_PROTO="https", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert proxied == {"secure": True, "client_ip": "10.9.9.9", "forwarded_for": "10.9.9.9"}


@pytest.mark.django_db
def test_axes_counts_failures_against_the_resolved_address(client, settings, org):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    login = reverse("login")
    client.post(login, {"username": "secretary", "password": "wrong"}, REMOTE_ADDR="203.0.113.7",
                HTTP_X_FORWARDED_FOR="10.1.1.1")  # fmt: skip
    client.post(login, {"username": "secretary", "password": "wrong"}, REMOTE_ADDR="10.0.0.5",
                HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.1")  # fmt: skip
    assert sorted(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["198.51.100.1", "203.0.113.7"]
    assert client.post(login, {"username": "secretary", "password": PASSWORD}).status_code == 302


# gunicorn reads the same variable the same way, and trusts only the proxy with the scheme.


def _gunicorn_config(monkeypatch, **env):
    for name in ("TRUSTED_PROXIES", "FORWARDED_ALLOW_IPS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "config" / "gunicorn.conf.py"))


@pytest.mark.parametrize(
    "env,expected",
    [
        ({}, ["127.0.0.1", "::1"]),
        ({"TRUSTED_PROXIES": "10.0.0.5, 10.1.0.0/16"}, ["10.0.0.5", "10.1.0.0/16"]),
        ({"FORWARDED_ALLOW_IPS": "10.0.0.5"}, ["10.0.0.5"]),
        ({"TRUSTED_PROXIES": "none"}, []),
    ],
)
def test_gunicorn_and_django_trust_the_same_proxies(monkeypatch, env, expected):
    config = _gunicorn_config(monkeypatch, **env)
    assert [item for item in config["forwarded_allow_ips"].split(",") if item] == expected
    assert config["proxy_allow_ips"] == config["forwarded_allow_ips"]
    assert config["secure_scheme_headers"] == {"X-FORWARDED-PROTO": "https"}
    assert app_settings.env_proxies() == expected


def test_trusting_everyone_is_refused(monkeypatch):
    with pytest.raises(ValueError):
        _gunicorn_config(monkeypatch, TRUSTED_PROXIES="*")
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        app_settings.env_proxies()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ask_gunicorn(trusted: str, headers: dict) -> dict:
    port = _free_port()
    env = {
        "PATH": os.environ["PATH"],
        "TRUSTED_PROXIES": trusted,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
    }
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "config/gunicorn.conf.py", "tests.security.echo_wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers=headers)
                with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310
                    return json.loads(response.read())
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_gunicorn_believes_the_scheme_only_from_the_configured_proxy():
    https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.1"}
    # The test connects from 127.0.0.1: a proxy when that address is configured, a stranger when not.
    assert _ask_gunicorn("127.0.0.1", https)["scheme"] == "https"
    assert _ask_gunicorn("10.0.0.5", https)["scheme"] == "http"
    assert _ask_gunicorn("none", https)["scheme"] == "http"
    # Only X-Forwarded-Proto counts, not gunicorn's other default scheme headers.
    assert _ask_gunicorn("127.0.0.1", {"X-Forwarded-Ssl": "on"})["scheme"] == "http"
