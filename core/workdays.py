"""Working days: Monday to Friday, corrected by the calendar the committee keeps (official holidays
放假, and weekend days worked instead 调休上班).

The counting rules are plain functions over a `Calendar` (plain data, tested without a database), used
by the ratings' 公示 (assessment/publication) and by recruitment's 公示 before the pre-review.

The calendar itself is the `Holiday` model of assessment/publication, above recruitment in the apps'
order. So that an app below it counts by the same calendar without importing it, the assessment app
provides its reader here at start-up (`provide_calendar`, in AssessmentConfig.ready) and everyone
asks `calendar_between`; without a provider (a project without the assessment app) the calendar is
empty and only weekends are days off. This module names no app and imports none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

# How far to look for working days before deciding the calendar is wrong (every day entered as off).
SEARCH_LIMIT = 366


@dataclass(frozen=True)
class Calendar:
    """The days the committee entered: holidays (放假) and weekend days worked instead (调休上班)."""

    off: frozenset[date] = frozenset()
    worked: frozenset[date] = frozenset()


WEEKDAYS_ONLY = Calendar()


def is_working_day(day: date, calendar: Calendar) -> bool:
    """Monday to Friday, unless entered as a holiday; a weekend day only if entered as worked (调休)."""
    if day in calendar.worked:
        return True
    if day in calendar.off:
        return False
    return day.weekday() < 5


def working_days_after(day: date, count: int, calendar: Calendar) -> list[date]:
    """The first `count` working days after `day` (not counting `day` itself)."""
    days: list[date] = []
    current = day
    for _ in range(SEARCH_LIMIT):
        if len(days) == count:
            return days
        current += timedelta(days=1)
        if is_working_day(current, calendar):
            days.append(current)
    if len(days) == count:
        return days
    raise ValueError(f"{day} 之后 {SEARCH_LIMIT} 天内不足 {count} 个工作日，请检查节假日设置")


def working_days_between(first: date, last: date, calendar: Calendar) -> int:
    """Working days from `first` to `last`, both included (0 when `last` is before `first`)."""
    count, day = 0, first
    while day <= last:
        count += is_working_day(day, calendar)
        day += timedelta(days=1)
    return count


# --- where the calendar comes from ----------------------------------------------------------------

CalendarSource = Callable[[date, date], Calendar]
_source: CalendarSource | None = None


def provide_calendar(source: CalendarSource | None) -> None:
    """Set the reader of the entered days: `source(first, last)` returns those from `first` to `last`.
    The assessment app calls this once at start-up; None goes back to weekdays only."""
    global _source
    _source = source


def calendar_between(first: date, last: date) -> Calendar:
    """The entered holidays and worked weekend days from `first` to `last` (empty without a provider)."""
    if _source is None or last < first:
        return WEEKDAYS_ONLY
    return _source(first, last)
