"""Feeds the sign-in log from Django's auth signals and axes' lockout signal; each receiver is one call.

Connected after axes' own receivers (axes comes first in INSTALLED_APPS), so by the time a failure
arrives here axes has counted it. axes sends its lockout signal from inside its own failure receiver,
that is before ours: the lockout receiver only notes the lock on the request, and the failure
receiver writes the failure and then the lock, in the order they happened.
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
    username = credentials.get("username")
    if getattr(request, "refused_while_locked", False):
        services.signin_record(kind=SignInEvent.Kind.REFUSED, request=request, username=username)
        return
    services.signin_record(kind=SignInEvent.Kind.FAILURE, request=request, username=username)
    lock = getattr(request, "signin_lock", None)
    if lock is not None:
        services.signin_record(kind=lock, request=request, username=username)


@receiver(user_locked_out, dispatch_uid="security.signin_locked")
def _locked_out(sender, request, username, **kwargs):
    if request is not None and not getattr(request, "refused_while_locked", False):
        tier = getattr(request, "lockout_tier", None)
        request.signin_lock = SignInEvent.Kind.LOCKED_USERNAME if tier == USERNAME else SignInEvent.Kind.LOCKED_ADDRESS
