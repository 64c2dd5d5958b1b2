"""Reads of the sign-in log."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from .models import SignInEvent


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def signin_events(*, username: str = "", kind: str = "", since: date | None = None, until: date | None = None):
    """The log, newest first, narrowed by account name (exact, any case), result and days (inclusive)."""
    events = SignInEvent.objects.select_related("user")
    if username:
        events = events.filter(username__iexact=username)
    if kind:
        events = events.filter(kind=kind)
    if since:
        events = events.filter(at__gte=_start_of(since))
    if until:
        events = events.filter(at__lt=_start_of(until + timedelta(days=1)))
    return events
