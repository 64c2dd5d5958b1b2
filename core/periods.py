"""Months, quarters and years: the periods every rule of the app is stated over.

Plain data, no database. A quarter is (year, 1–4); a Period is a span of whole months (a quarter
or a year) with its end day included.
"""

from __future__ import annotations

import calendar
import functools
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_noop

QUARTERS = (1, 2, 3, 4)
# As the workbook writes them (Chinese, stored) and, translated, as the forms offer them.
QUARTER_LABELS = {
    1: gettext_noop("第一季度"),
    2: gettext_noop("第二季度"),
    3: gettext_noop("第三季度"),
    4: gettext_noop("第四季度"),
}


@functools.cache
def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def previous_quarter(day: date) -> tuple[int, int]:
    """The (year, quarter) that ended last before `day`."""
    current = (day.month - 1) // 3 + 1
    return (day.year, current - 1) if current > 1 else (day.year - 1, 4)


@dataclass(frozen=True)
class Period:
    """A span of whole months: a quarter or a year. `end` is inclusive."""

    start: date
    end: date
    months: tuple[tuple[int, int], ...]
    quarters: tuple[tuple[int, int], ...]

    @classmethod
    def for_quarter(cls, year: int, quarter: int) -> Period:
        if quarter not in QUARTERS:
            raise ValueError(f"quarter must be 1–4, not {quarter!r}")
        first = 3 * (quarter - 1) + 1
        months = tuple((year, m) for m in range(first, first + 3))
        return cls(date(year, first, 1), month_end(year, first + 2), months, ((year, quarter),))

    @classmethod
    def for_year(cls, year: int) -> Period:
        months = tuple((year, m) for m in range(1, 13))
        return cls(date(year, 1, 1), date(year, 12, 31), months, tuple((year, q) for q in QUARTERS))

    @property
    def is_year(self) -> bool:
        return len(self.months) == 12

    @property
    def label(self) -> str:
        if self.is_year:
            return f"{self.start.year}年"
        if len(self.quarters) == 1:
            year, q = self.quarters[0]
            return f"{year}年第{q}季度"
        return f"{self.start:%Y-%m-%d}至{self.end:%Y-%m-%d}"

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end
