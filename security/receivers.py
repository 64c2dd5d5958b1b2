"""Feeds the sign-in log from Django's auth signals and axes' lockout signal; each receiver is one call.

Connected after axes' own receivers (axes comes first in INSTALLED_APPS), so by the time a failure
arrives here axes has counted it and noted on the request whether it locked or was refused.
"""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import services
from .lockout import USERNAME
from .models import SignInEvent


@receiver(user_logged_in, dispatch_uid="security.signin_success")
def _logged_in(sender, request, user, **kwargs):
    services.signin_record(kind=SignInEvent.Kind.SUCCESS, request=request, user=user)


@receiver(user_logged_out, dispatch_uid="security.signin_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        services.signin_record(kind=SignInEvent.Kind.LOGOUT, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="security.signin_failure")
def _login_failed(sender, credentials, request=None, **kwargs):
    refused = getattr(request, "refused_while_locked", False)
    kind = SignInEvent.Kind.REFUSED if refused else SignInEvent.Kind.FAILURE
    services.signin_record(kind=kind, request=request, username=credentials.get("username"))


@receiver(user_locked_out, dispatch_uid="security.signin_locked")
def _locked_out(sender, request, username, **kwargs):
    if getattr(request, "refused_while_locked", False):
        return  # already locked: the refusal is logged by _login_failed
    tier = getattr(request, "lockout_tier", None)
    kind = SignInEvent.Kind.LOCKED_USERNAME if tier == USERNAME else SignInEvent.Kind.LOCKED_ADDRESS
    services.signin_record(kind=kind, request=request, username=username)
