"""Rules about members (DOMAIN.md, "Members") as plain functions."""

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
