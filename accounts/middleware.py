"""Until a user has replaced their one-time password, every page sends them to the change page."""

from django.shortcuts import redirect
from django.urls import reverse

from .services import must_change_password

# What a user with a one-time password may still reach: the change itself, leaving, the language.
ALLOWED_URL_NAMES = ("password_change", "password_change_done", "logout", "set_language", "login")


class PasswordChangeRequiredMiddleware:
    """After AuthenticationMiddleware. One indexed query per request of a signed-in user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and self._must_change(request):
            allowed = {reverse(name) for name in ALLOWED_URL_NAMES}
            if request.path not in allowed and not request.path.startswith(("/static/", "/admin/jsi18n")):
                return redirect("password_change")
        return self.get_response(request)

    @staticmethod
    def _must_change(request) -> bool:
        cached = getattr(request, "_must_change_password", None)
        if cached is None:
            cached = request._must_change_password = must_change_password(request.user)
        return cached
