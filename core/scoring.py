"""Scores as every rule writes them: Decimals kept within their points, 2 decimals, half up.

Every number a person reads is rounded to 2 decimals (ROUND_HALF_UP) and the next step works from
that rounded number, so the workbook adds up by hand. An indicator's score carries its explanation
("B1 支部党员大会：4/4 个季度召开 → 6.00/6"), written once here for every indicator rule.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
HUNDRED = Decimal("100")
CENT = Decimal("0.01")


def round2(value) -> Decimal:
    if type(value) is not Decimal:
        value = Decimal(value)
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# clamp's answers for Decimal arguments: rating a province clamps each of its 195,000 scores twice (the
# quarter score and the annual points), and most are the same few values (6.00, 4.50, 0.00 of 6).
# Equal Decimals clamp to the same Decimal (quantize depends on the value only), except that -0 keeps
# its sign: a zero answer is therefore recomputed for a signed argument.
_CLAMPED: dict[tuple[Decimal, Decimal], Decimal] = {}
_CLAMPED_MAX = 65536


def clamp(value, points) -> Decimal:
    """A score kept within 0..points, with 2 decimals."""
    if type(value) is Decimal and type(points) is Decimal:
        key = (value, points)
        hit = _CLAMPED.get(key)
        if hit is not None and (hit or not value.is_signed()):
            return hit
        result = _clamp(value, points)
        if len(_CLAMPED) < _CLAMPED_MAX and not value.is_nan() and not value.is_signed():
            _CLAMPED[key] = result
        return result
    return _clamp(value, points)


def _clamp(value, points) -> Decimal:
    if type(value) is not Decimal:
        value = Decimal(value)
    if type(points) is not Decimal:
        points = Decimal(points)
    if value < ZERO:
        value = ZERO
    elif value > points:
        value = points
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(value) -> str:
    """A score as the pages and the workbook print it: 2 decimals (85.50)."""
    return f"{round2(value):.2f}"


def plain(value) -> str:
    """Points as people write them: 30, 2.5, 4.25 (no trailing zeros)."""
    return fmt(value).rstrip("0").rstrip(".") or "0"


@dataclass(frozen=True)
class IndicatorScore:
    code: str
    earned: Decimal  # clamped to 0..points, 2 decimals, ROUND_HALF_UP
    points: Decimal
    explanation: str


# Most branches of a province share their scores and reasons ("支部党员大会：1/1 个季度召开"): a
# pure function of its arguments, so the answers are kept.
@functools.lru_cache(maxsize=8192)
def make_score(code: str, raw: Decimal, points: Decimal, reason: str) -> IndicatorScore:
    """Clamp `raw` to 0..points, round to 2 decimals (half up), and write the explanation."""
    points = Decimal(points)
    earned = clamp(raw, points)
    return IndicatorScore(code, earned, points, f"{code} {reason} → {earned}/{plain(points)}")
