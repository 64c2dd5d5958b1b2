"""Rules about members (DOMAIN.md, "Members") as plain functions."""

from dataclasses import dataclass
from datetime import date

from branches.rules import add_years

PROBATION_YEARS = 1


def probation_due(joined_on: date | None, extended_until: date | None = None) -> date | None:
    """The day a probationary member is due for 转正: a year after admission, or the extension's end."""
    if joined_on is None:
        return None
    due = add_years(joined_on, PROBATION_YEARS)
    if extended_until is not None:
        # An extension is at most one more year (党章 第七条).
        return min(max(extended_until, due), add_years(due, 1))
    return due


def is_full_on(day: date, joined_on: date | None, full_on: date | None, category_is_full: bool) -> bool:
    """Was the member a full member (with a vote) on `day`?

    With a 转正 date we know exactly; without one we fall back to the recorded category, which is
    what a roster imported without dates tells us.
    """
    if full_on is not None:
        return full_on <= day
    return category_is_full


PROBATION_WARNING_DAYS = 30


@dataclass(frozen=True)
class ProbationStatus:
    due: date | None
    days_left: int | None
    level: str  # "ok", "due" (within the warning window), "overdue", "unknown"
    message: str


def probation_status(due: date | None, today: date) -> ProbationStatus:
    """How close a probationary member is to 转正: warn 30 days before the due date and after it."""
    if due is None:
        return ProbationStatus(None, None, "unknown", "未登记入党日期，无法计算转正日期")
    days_left = (due - today).days
    if days_left < 0:
        return ProbationStatus(
            due, days_left, "overdue", f"预备期已于{due:%Y-%m-%d}届满，已过{-days_left}天，请及时讨论转正"
        )
    if days_left <= PROBATION_WARNING_DAYS:
        return ProbationStatus(due, days_left, "due", f"将于{due:%Y-%m-%d}预备期满，还有{days_left}天，请准备转正")
    return ProbationStatus(due, days_left, "ok", f"预备期至{due:%Y-%m-%d}")
