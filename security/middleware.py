"""Request and response hardening: forwarded headers only from the trusted proxy; Permissions-Policy."""

from django.conf import settings

from .proxy import client_ip, is_trusted, parse_address, trusted_networks

# Everything a proxy (or a client pretending to be one) might say about the original request.
FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_PROTOCOL",
    "HTTP_X_FORWARDED_SSL",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
)


class TrustedProxyMiddleware:
    """First in the chain: a request not from a trusted proxy loses its X-Forwarded-* headers.

    Django's SECURE_PROXY_SSL_HEADER would otherwise take `X-Forwarded-Proto: https` from anyone who
    can reach gunicorn directly, and a library reading X-Forwarded-For would take any address.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_trusted(parse_address(request.META.get("REMOTE_ADDR")), trusted_networks()):
            for header in FORWARDED_HEADERS:
                request.META.pop(header, None)
        request.client_ip = client_ip(request)
        return self.get_response(request)


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """`{"camera": [], "fullscreen": ["self"]}` -> `camera=(), fullscreen=(self)`."""
    return ", ".join(f"{feature}=({' '.join(allow)})" for feature, allow in policy.items())


class PermissionsPolicyMiddleware:
    """Sends Permissions-Policy (settings.PERMISSIONS_POLICY): features no page uses are switched off."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = permissions_policy_header(settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response
