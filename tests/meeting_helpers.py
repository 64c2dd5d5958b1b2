"""Builders for meeting tests. They go through activities.services like the pages do."""

import datetime as dt
from datetime import date

from django.utils import timezone

from activities import services
from activities.models import Meeting


def at(day: date, hour: int = 15) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, 0))


def log_meeting(
    unit,
    kind=Meeting.Kind.THEME_DAY,
    day: date | None = None,
    *,
    by=None,
    marks=None,
    submit=True,
    logged: date | None = None,
    **fields,
) -> Meeting:
    """A meeting of `unit` on `day` (default: yesterday), logged the next day (or on `logged`)."""
    day = day or timezone.localdate() - dt.timedelta(days=1)
    fields.setdefault("topic", f"{day:%Y年%m月}会议")
    if kind == Meeting.Kind.PARTY_LESSON:
        fields.setdefault("lecturer", "王书记")
    now = at(logged or day + dt.timedelta(days=1), 9)
    meeting = services.meeting_create(by=by, unit=unit, kind=kind, held_at=at(day), marks=marks, now=now, **fields)
    if submit:
        meeting = services.meeting_submit(meeting=meeting, by=by, now=now)
    return meeting
