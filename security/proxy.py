"""Who is on the other end of a request, believing forwarded headers only from the trusted proxy.

Behind a reverse proxy every request comes from the proxy's address, and the client's address is in
X-Forwarded-For, a header anyone can also send. So the header counts only when the connection itself
comes from an address in TRUSTED_PROXIES, and then only its right-hand end counts: each proxy appends
the address it saw, so entries left of the last untrusted one were written by the client and may be
lies. With no proxy configured (TRUSTED_PROXIES=none) the header is never read.

Used by the sign-in log, by django-axes (AXES_CLIENT_IP_CALLABLE) and by TrustedProxyMiddleware,
which drops X-Forwarded-* from every other peer so nothing downstream (Django's
SECURE_PROXY_SSL_HEADER included) can be fooled by them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def trusted_networks(entries: Iterable[str] | None = None) -> tuple[Network, ...]:
    return _networks(tuple(settings.TRUSTED_PROXIES if entries is None else entries))


def parse_address(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address from a header entry: IPv4, IPv6, `[v6]`, with or without a port; None if it is not one."""
    if not text:
        return None
    text = text.strip()
    if text.startswith("["):  # [2001:db8::1]:443
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:  # 203.0.113.9:51234
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket reads ::ffff:a.b.c.d; compare and log it as IPv4.
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def is_trusted(address, networks: Sequence[Network]) -> bool:
    return address is not None and any(address in network for network in networks)


def client_address(remote_addr: str | None, forwarded_for: str | None, networks: Sequence[Network]) -> str | None:
    """The client's address: the peer's, or, when the peer is a trusted proxy, the last address the
    chain of trusted proxies vouches for."""
    peer = parse_address(remote_addr)
    if peer is None:
        return None
    if not forwarded_for or not is_trusted(peer, networks):
        return str(peer)
    client = peer
    for entry in reversed(forwarded_for.split(",")):
        address = parse_address(entry)
        if address is None:
            # Garbage in the chain: nothing left of it can be vouched for; stop at the last good hop.
            break
        client = address
        if not is_trusted(address, networks):
            break
    return str(client)


def client_ip(request) -> str | None:
    """The request's client address (django-axes calls this through AXES_CLIENT_IP_CALLABLE)."""
    cached = getattr(request, "_client_ip", None)
    if cached is not None:
        return cached
    address = client_address(
        request.META.get("REMOTE_ADDR"), request.META.get("HTTP_X_FORWARDED_FOR"), trusted_networks()
    )
    request._client_ip = address
    return address
