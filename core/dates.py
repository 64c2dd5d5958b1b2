"""The dates a user may type: from 1900 to 2100, the bounds the spreadsheet imports already apply
(年份不合理). A date outside them is a typing slip (0001-01-01, 20250-01-01) that Python, PostgreSQL
and the time-zone shift cannot all handle, so every date field of every form refuses it
(`core.forms.DateField` / `DateTimeField`), and stored records outside them are clamped to the bounds
by a data migration (`clamp_date`)."""

from __future__ import annotations

from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

FIRST_YEAR = 1900
LAST_YEAR = 2100
FIRST_DAY = date(FIRST_YEAR, 1, 1)
LAST_DAY = date(LAST_YEAR, 12, 31)

OUT_OF_BOUNDS = _("年份不合理：日期应在 %(first)s 至 %(last)s 之间")


def year_is_sensible(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR


def date_is_sensible(value: date) -> bool:
    """A date or a datetime within the bounds."""
    return year_is_sensible(value.year)


def clamp_date(value: date) -> date:
    """The nearest date within the bounds (a datetime stays a datetime, at the bound's midnight or last
    minute, with its time zone)."""
    if date_is_sensible(value):
        return value
    bound = FIRST_DAY if value.year < FIRST_YEAR else LAST_DAY
    if isinstance(value, datetime):
        moment = time(0, 0) if bound == FIRST_DAY else time(23, 59)
        return datetime.combine(bound, moment, tzinfo=value.tzinfo)
    return bound


def validate_sensible_date(value: date) -> None:
    """A form or model validator: the date (or datetime) lies within FIRST_YEAR–LAST_YEAR."""
    if value is not None and not date_is_sensible(value):
        raise ValidationError(
            OUT_OF_BOUNDS,
            code="year_out_of_bounds",
            params={"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
        )
