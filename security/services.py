"""Writes to the sign-in log."""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from .models import SignInEvent
from .proxy import client_ip

USER_AGENT_LENGTH = SignInEvent._meta.get_field("user_agent").max_length
USERNAME_LENGTH = SignInEvent._meta.get_field("username").max_length


def signin_record(*, kind: str, request, username: str | None = None, user=None, at: datetime | None = None):
    """Log one event of `request`. `user` when known; else the account named `username`, if any."""
    username = (username if username is not None else user.get_username() if user is not None else "") or ""
    username = username.replace("\0", "")[:USERNAME_LENGTH]
    if user is None and username:
        user = get_user_model().objects.filter(username=username).first()
    meta = request.META if request is not None else {}
    return SignInEvent.objects.create(
        at=at or timezone.now(),
        kind=kind,
        username=username,
        user=user,
        ip_address=client_ip(request) if request is not None else None,
        user_agent=meta.get("HTTP_USER_AGENT", "").replace("\0", "")[:USER_AGENT_LENGTH],
    )


def signin_log_purge(*, days: int, now: datetime | None = None) -> int:
    """Delete the events older than `days` days; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=days)
    deleted, _ = SignInEvent.objects.filter(at__lt=cutoff).delete()
    return deleted
