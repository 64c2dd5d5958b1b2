from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "security"
    verbose_name = _("安全")

    def ready(self):
        # Django's auth signals and axes' lockout signal feed the sign-in log (receivers.py).
        from . import receivers  # noqa: F401
