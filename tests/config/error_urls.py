"""A test-only URLconf: the app's URLs plus views that fail in each way the error pages answer."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from config.urls import urlpatterns as app_urlpatterns

# Each failure carries a detail that must never reach the page.
SECRET = "内部细节-secret-detail-7731"


def server_error(request):
    raise RuntimeError(SECRET)


def forbidden(request):
    raise PermissionDenied(SECRET)


def bad_request(request):
    raise SuspiciousOperation(SECRET)


urlpatterns = [
    path("test-errors/500/", server_error),
    path("test-errors/403/", forbidden),
    path("test-errors/400/", bad_request),
    *app_urlpatterns,
]
