"""Period and scoring types shared by the activities and the assessment (COMMON.md contract).

PLACEHOLDER written by PLEDGES while MEETINGS' version had not landed: the lead keeps MEETINGS'
file on merge. Only the contract's names are defined here.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Period:
    """A span of whole months: a quarter or a year. `end` is inclusive."""

    start: date
    end: date
    months: tuple[tuple[int, int], ...]
    quarters: tuple[tuple[int, int], ...]

    @classmethod
    def for_quarter(cls, year: int, q: int) -> "Period":
        if q not in (1, 2, 3, 4):
            raise ValueError(f"quarter must be 1..4, not {q}")
        first = 3 * (q - 1) + 1
        months = tuple((year, m) for m in range(first, first + 3))
        return cls(start=date(year, first, 1), end=_month_end(year, first + 2), months=months, quarters=((year, q),))

    @classmethod
    def for_year(cls, year: int) -> "Period":
        months = tuple((year, m) for m in range(1, 13))
        quarters = tuple((year, q) for q in range(1, 5))
        return cls(start=date(year, 1, 1), end=date(year, 12, 31), months=months, quarters=quarters)


def _month_end(year: int, month: int) -> date:
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)


@dataclass(frozen=True)
class IndicatorScore:
    code: str
    earned: Decimal
    points: Decimal
    explanation: str

    def __post_init__(self):
        points = Decimal(self.points).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
        earned = min(max(Decimal(self.earned), Decimal(0)), points).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
        object.__setattr__(self, "points", points)
        object.__setattr__(self, "earned", earned)
