"""The rules of the five-star rating (DOMAIN.md, "Quarterly checks, the year's score, and star levels").

Plain data in, plain data out: the services feed these functions from the database and store what
they return; tests call them directly. Scores are rounded and clamped as core.scoring says, so the
workbook adds up by hand.
"""

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum
from functools import cached_property
from typing import Any

from django.utils.translation import gettext_noop

from core.periods import QUARTERS
from core.scoring import HUNDRED, ZERO, clamp, fmt, plain, round2

LEVELS = (1, 2, 3, 4, 5)
# The labels here are the rules' Chinese, written into the reasons they give; the models' choices
# translate the same labels for the pages (core.choices).
LEVEL_LABELS = {
    1: gettext_noop("一星"),
    2: gettext_noop("二星"),
    3: gettext_noop("三星"),
    4: gettext_noop("四星"),
    5: gettext_noop("五星"),
}
# The quota's second tie-breaker is aspect B (制度执行) by name in DOMAIN.md, whatever the veto aspect.
QUOTA_TIEBREAK_ASPECT = "B"
# A branch whose level is below this puts its secretary on the interview list (约谈名单).
INTERVIEW_BELOW = 3
# What a vetoed branch can get at most: four or five stars need full points on the veto aspect.
VETO_MAX_LEVEL = 3


class Action(StrEnum):
    UP = "up"
    DOWN = "down"
    RESTORE = "restore"
    SAME = "same"
    FIRST = "first"


ACTION_LABELS = {
    Action.UP: gettext_noop("升星授牌"),
    Action.DOWN: gettext_noop("降星摘牌"),
    Action.RESTORE: gettext_noop("复星复牌"),
    Action.SAME: gettext_noop("保持"),
    Action.FIRST: gettext_noop("首次评定"),
}
# The flags a level raises (Flags' fields), in the order they are listed.
FLAG_LABELS = {
    "lagging": gettext_noop("后进党支部"),
    "interview": gettext_noop("约谈"),
    "five_star": gettext_noop("五星激励"),
}

# A year's rating: not yet computed, proposed to the committee, approved (published and final).
PENDING, PROPOSED, APPROVED = "pending", "proposed", "approved"
YEAR_STATUS_LABELS = {
    PENDING: gettext_noop("未生成"),
    PROPOSED: gettext_noop("待审批"),
    APPROVED: gettext_noop("已审批"),
}


@dataclass(frozen=True)
class Rules:
    """The year's parameters (the Standard row), as plain data."""

    five: Decimal = Decimal("90")
    four: Decimal = Decimal("80")
    three: Decimal = Decimal("70")
    two: Decimal = Decimal("60")
    quarter_weight: Decimal = Decimal("40")
    annual_weight: Decimal = Decimal("60")
    quota_percent: Decimal = Decimal("30")
    veto_aspect: str | None = "B"
    veto_aspect_name: str = "制度执行"
    lagging_deadline_days: int = 60


@dataclass(frozen=True)
class IndicatorDef:
    code: str
    aspect: str
    points: Decimal
    quarterly: bool


# --- scores -------------------------------------------------------------------------------------


def quarter_score(earned: Mapping[str, Decimal], indicators: Iterable[IndicatorDef]) -> Decimal:
    """Quarter score = points earned on the q indicators ÷ their points (43 by default) × 100."""
    quarterly = [i for i in indicators if i.quarterly]
    total = sum((i.points for i in quarterly), ZERO)
    if total == 0:
        return ZERO
    got = ZERO
    for i in quarterly:
        got += clamp(earned.get(i.code, ZERO), i.points)
    return round2(got / total * HUNDRED)


def annual_indicator_points(
    quarterly: Mapping[str, Mapping[int, Decimal]],
    yearly: Mapping[str, Decimal],
    indicators: Iterable[IndicatorDef],
) -> dict[str, Decimal]:
    """Each indicator's points in the annual assessment (年度考评).

    A q indicator counts the mean of its four quarters (a quarter with no score counts 0); a y
    indicator counts the year's score.
    """
    result = {}
    for ind in indicators:
        if ind.quarterly:
            by_quarter = quarterly.get(ind.code, {})
            total = ZERO
            for q in QUARTERS:
                total += clamp(by_quarter.get(q, ZERO), ind.points)
            result[ind.code] = round2(total / len(QUARTERS))
        else:
            result[ind.code] = clamp(yearly.get(ind.code, ZERO), ind.points)
    return result


def aspect_totals(points_by_code: Mapping[str, Decimal], indicators: Iterable[IndicatorDef]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for ind in indicators:
        totals[ind.aspect] = totals.get(ind.aspect, ZERO) + points_by_code.get(ind.code, ZERO)
    return totals


def quarter_mean(quarter_scores: Mapping[int, Decimal]) -> Decimal:
    """The mean of the four quarter scores; a quarter never checked counts 0."""
    return round2(sum((Decimal(quarter_scores.get(q, ZERO)) for q in QUARTERS), ZERO) / len(QUARTERS))


def combined_score(mean_of_quarters: Decimal, annual: Decimal, rules: Rules) -> Decimal:
    """Score = 40% × mean of the quarter scores + 60% × annual assessment, 2 decimals."""
    return round2(mean_of_quarters * rules.quarter_weight / HUNDRED + annual * rules.annual_weight / HUNDRED)


@dataclass(frozen=True)
class BranchNumbers:
    quarter_scores: dict[int, Decimal]
    quarter_mean: Decimal
    annual_cents: dict[str, int]  # each indicator's points in the annual assessment, in cents
    annual: Decimal
    aspects: dict[str, Decimal]
    score: Decimal

    @cached_property
    def annual_by_code(self) -> dict[str, Decimal]:
        """Each indicator's annual points as Decimals, made when asked: the workbook shows them, the
        proposal stores only the totals (a province's 145,000 Decimals it never reads)."""
        return {code: from_cents(cents) for code, cents in self.annual_cents.items()}


@dataclass(frozen=True)
class Scheme:
    """A standard's indicators and weights in cents, for branch_numbers: made once for a province."""

    # (the slots of the indicator's scores in branch_numbers' `cents` — its four quarters', or the
    # year's alone —, code, aspect, points in cents, quarterly)
    indicators: tuple[tuple[tuple[Hashable, ...], str, str, int, bool], ...]
    aspects: tuple[str, ...]  # in the order of their first indicator
    quarterly_points: int
    quarter_weight: int
    annual_weight: int


def to_cents(value: Decimal, what: str = "value") -> int:
    """A number of at most 2 decimals (a score, points, a weight) as whole cents."""
    cents = Decimal(value) * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{what} {value} has more than 2 decimals")
    return int(cents)


def pair_slot(key: Hashable, quarter: int) -> Hashable:
    """A score's slot in branch_numbers' `cents` by default: (the indicator's key, the quarter)."""
    return (key, quarter)


def scheme(
    indicators: Sequence[IndicatorDef],
    rules: Rules,
    keys: Sequence[Hashable] | None = None,
    slot: Callable[[Any, int], Hashable] = pair_slot,
) -> Scheme:
    """`keys`: what each indicator is known by (by default its code), and `slot(key, quarter)` where one
    of its scores is found in branch_numbers' `cents` (by default the pair; rate_year reads a province's
    scores keyed by one integer of indicator id and quarter, selectors.score_slot)."""
    keys = keys if keys is not None else [i.code for i in indicators]
    rows = tuple(
        (
            tuple(slot(key, q) for q in (QUARTERS if i.quarterly else (0,))),  # quarter 0: the year
            i.code,
            i.aspect,
            to_cents(i.points, i.code),
            i.quarterly,
        )
        for key, i in zip(keys, indicators, strict=True)
    )
    return Scheme(
        indicators=rows,
        aspects=tuple(dict.fromkeys(row[2] for row in rows)),
        quarterly_points=sum(row[3] for row in rows if row[4]),
        quarter_weight=to_cents(rules.quarter_weight, "quarter_weight"),
        annual_weight=to_cents(rules.annual_weight, "annual_weight"),
    )


def _half_up(numerator: int, denominator: int) -> int:
    """numerator ÷ denominator (> 0) rounded half away from zero, as ROUND_HALF_UP rounds."""
    whole, rest = divmod(abs(numerator), denominator)
    if 2 * rest >= denominator:
        whole += 1
    return whole if numerator >= 0 else -whole


# Cents as the Decimals the rules return (2 decimals): a province's numbers are a few thousand values.
_DECIMALS: dict[int, Decimal] = {}


def from_cents(cents: int) -> Decimal:
    """Whole cents as the Decimal of 2 decimals the rules return (one object per value)."""
    value = _DECIMALS.get(cents)
    if value is None:
        value = Decimal(cents).scaleb(-2)
        if len(_DECIMALS) < 65536:
            _DECIMALS[cents] = value
    return value


def branch_numbers(cents: Mapping[Any, int], scheme: Scheme) -> BranchNumbers:
    """All of a branch's numbers for a year from its scores in cents, each under its slot (by default
    `cents[key, quarter]`, quarter 0 = year; key: the indicator's code, or what the scheme was given).

    What quarter_score, annual_indicator_points, quarter_mean and combined_score compute, in one pass
    over whole cents: rate_year does this for every branch of a province, and the same rules in
    Decimal took most of its Python. Scores, points and weights have 2 decimals (the columns), so
    integer cents with half-up division give exactly the Decimals' results; a test holds the two
    equal on random scores, points and weights. One flat mapping rather than one per indicator: a
    province's scores come as one dict a branch, built by the driver's arrays in C.
    """
    get = cents.get
    e1 = e2 = e3 = e4 = 0
    annual_by_code: dict[str, int] = {}
    aspects = dict.fromkeys(scheme.aspects, 0)
    for slots, code, aspect, points, quarterly in scheme.indicators:
        if quarterly:
            k1, k2, k3, k4 = slots
            # clamp(value, points): below 0 counts 0, above the points counts the points.
            v = get(k1, 0)
            v = 0 if v < 0 else points if v > points else v
            e1 += v
            total = v
            v = get(k2, 0)
            v = 0 if v < 0 else points if v > points else v
            e2 += v
            total += v
            v = get(k3, 0)
            v = 0 if v < 0 else points if v > points else v
            e3 += v
            total += v
            v = get(k4, 0)
            v = 0 if v < 0 else points if v > points else v
            e4 += v
            total += v
            value = (total + 2) // 4  # the mean of the four quarters, half up (_half_up; total >= 0)
        else:
            v = get(slots[0], 0)
            value = 0 if v < 0 else points if v > points else v
        annual_by_code[code] = value
        aspects[aspect] += value
    q = scheme.quarterly_points
    # quarter score = earned ÷ points × 100, in cents: earned × 10,000 ÷ points
    quarters = {1: e1, 2: e2, 3: e3, 4: e4}
    quarter_scores = {n: _half_up(earned * 10000, q) if q else 0 for n, earned in quarters.items()}
    mean = _half_up(sum(quarter_scores.values()), 4)
    annual = sum(annual_by_code.values())
    # 40% × mean + 60% × annual, weights in cents too: ÷ 100 (percent) ÷ 100 (the weights' cents)
    score = _half_up(mean * scheme.quarter_weight + annual * scheme.annual_weight, 10000)
    d = from_cents
    return BranchNumbers(
        quarter_scores={n: d(v) for n, v in quarter_scores.items()},
        quarter_mean=d(mean),
        annual_cents=annual_by_code,
        annual=d(annual),
        aspects={aspect: d(v) for aspect, v in aspects.items()},
        score=d(score),
    )


# --- levels -------------------------------------------------------------------------------------


def band(score: Decimal, rules: Rules) -> int:
    """≥90 five stars, ≥80 four, ≥70 three, ≥60 two, below 60 one (thresholds from the standard)."""
    for level, threshold in ((5, rules.five), (4, rules.four), (3, rules.three), (2, rules.two)):
        if score >= threshold:
            return level
    return 1


def band_reason(score: Decimal, level: int, rules: Rules) -> str:
    thresholds = {5: rules.five, 4: rules.four, 3: rules.three, 2: rules.two}
    if level == 1:
        return f"综合得分 {fmt(score)}，低于 {plain(rules.two)} → 一星"
    upper = thresholds.get(level + 1)
    bound = f"{plain(thresholds[level])} ≤ 得分" + (f" < {plain(upper)}" if upper is not None else "")
    return f"综合得分 {fmt(score)}（{bound}）→ {LEVEL_LABELS[level]}"


def is_vetoed(level: int, veto_earned: Decimal | None, veto_points: Decimal | None) -> bool:
    """Four or five stars only with full points on the veto aspect in the annual assessment."""
    if level <= VETO_MAX_LEVEL or veto_points is None:
        return False
    return (veto_earned or ZERO) < veto_points


def quota_size(rated: int, quota_percent: Decimal) -> int:
    """Five-star places: quota% of the branches rated, rounded down."""
    return int((Decimal(rated) * Decimal(quota_percent) / HUNDRED).to_integral_value(rounding=ROUND_FLOOR))


@dataclass(frozen=True)
class QuotaCandidate:
    branch_id: int
    code: str
    score: Decimal
    aspect_b: Decimal
    overdue_problems: int


def quota_ranking(candidates: Iterable[QuotaCandidate]) -> list[QuotaCandidate]:
    """Rank by score, then aspect B (both higher first), then fewer overdue problems, then branch code."""
    return sorted(candidates, key=lambda c: (-c.score, -c.aspect_b, c.overdue_problems, c.code))


@dataclass(frozen=True)
class ActionResult:
    action: Action
    previous_level: int | None
    previous_year: int | None
    # For a restore: the level held before the latest demotion, which a restore may not exceed.
    ceiling: int | None = None


def action_for(level: int, history: Sequence[tuple[int, int]]) -> ActionResult:
    """The action against the last approved level. `history`: (year, level) of earlier approved years."""
    ordered = sorted(history)
    if not ordered:
        return ActionResult(Action.FIRST, None, None)
    previous_year, previous = ordered[-1]
    if level == previous:
        return ActionResult(Action.SAME, previous, previous_year)
    if level < previous:
        return ActionResult(Action.DOWN, previous, previous_year)
    ceiling = level_before_latest_demotion(ordered)
    if ceiling is not None and level <= ceiling:
        return ActionResult(Action.RESTORE, previous, previous_year, ceiling)
    return ActionResult(Action.UP, previous, previous_year, ceiling)


def level_before_latest_demotion(history: Sequence[tuple[int, int]]) -> int | None:
    ordered = sorted(history)
    for (_, before), (_, after) in zip(reversed(ordered[:-1]), reversed(ordered[1:]), strict=True):
        if after < before:
            return before
    return None


def action_reason(level: int, result: ActionResult) -> str:
    label = ACTION_LABELS[result.action]
    if result.action == Action.FIRST or result.previous_level is None:  # action_for: only FIRST has none
        return f"此前无核定星级 → {LEVEL_LABELS[level]}：{label}"
    before = f"上次核定（{result.previous_year}年）{LEVEL_LABELS[result.previous_level]}"
    if result.action == Action.RESTORE and result.ceiling is not None:  # action_for: a RESTORE has one
        return f"{before} → {LEVEL_LABELS[level]}，回升后不高于最近一次降星前的{LEVEL_LABELS[result.ceiling]}：{label}"
    if result.action == Action.UP and result.ceiling is not None:
        return (
            f"{before} → {LEVEL_LABELS[level]}，高于最近一次降星前的{LEVEL_LABELS[result.ceiling]}，不属复星：{label}"
        )
    return f"{before} → {LEVEL_LABELS[level]}：{label}"


@dataclass(frozen=True)
class Flags:
    lagging: bool = False
    interview: bool = False
    five_star: bool = False

    @property
    def labels(self) -> list[str]:
        return [label for name, label in FLAG_LABELS.items() if getattr(self, name)]


def flags_for(level: int | None) -> Flags:
    """Lagging (no level), interview (below three stars), five-star (bonus and nomination)."""
    if level is None:
        return Flags(lagging=True)
    return Flags(interview=level < INTERVIEW_BELOW, five_star=level == 5)


def flag_reasons(flags: Flags) -> list[str]:
    reasons = []
    if flags.interview:
        reasons.append("评定低于三星：支部书记列入约谈名单")
    if flags.five_star:
        reasons.append("五星党支部：绩效考核加分，推荐参评先进基层党组织")
    return reasons


def lagging_deadline(today: date, rules: Rules) -> date:
    return today + timedelta(days=rules.lagging_deadline_days)


# --- the year ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BranchYear:
    """What the rating of one branch for one year needs to know."""

    branch_id: int
    code: str
    applied_level: int | None
    score: Decimal
    aspects: Mapping[str, Decimal]  # annual assessment points per aspect code
    overdue_problems: int = 0
    history: Sequence[tuple[int, int]] = ()  # (year, level) approved before this year


@dataclass(frozen=True)
class Outcome:
    branch_id: int
    band_level: int
    level: int | None  # None: lagging, no level this year
    action: Action | None
    previous_level: int | None
    vetoed: bool = False
    capped: bool = False
    over_quota: bool = False
    quota_rank: int | None = None  # the place among the five-star candidates, when there were any to rank
    flags: Flags = field(default_factory=Flags)
    reasons: tuple[str, ...] = ()  # why this level: band, veto, cap, quota (or why none: lagging)
    consequences: tuple[str, ...] = ()  # what the level means: the action, interview, five-star flags


def consequences(level: int, history: Sequence[tuple[int, int]]) -> tuple[ActionResult, list[str]]:
    """The action against the last approved level and the flags of `level`, with their explanations.

    Used by the proposal and again when the committee overrides a branch's level.
    """
    result = action_for(level, history)
    return result, [action_reason(level, result), *flag_reasons(flags_for(level))]


def rate_year(branches: Sequence[BranchYear], rules: Rules, veto_points: Decimal | None) -> dict[int, Outcome]:
    """Band, veto, application cap, quota, action and flags of each branch, each explained.

    `veto_points` is the veto aspect's full points (None: no veto aspect in the standard).
    """
    staged: dict[int, tuple[int, int, bool, bool, list[str]]] = {}
    for b in branches:
        band_level = band(b.score, rules)
        reasons = [band_reason(b.score, band_level, rules)]
        level = band_level
        vetoed = capped = False
        veto_earned = b.aspects.get(rules.veto_aspect, ZERO) if rules.veto_aspect else None
        if rules.veto_aspect and is_vetoed(level, veto_earned, veto_points):
            vetoed = True
            level = VETO_MAX_LEVEL
            reasons.append(
                f"{rules.veto_aspect} {rules.veto_aspect_name}年度得分 {fmt(veto_earned)}，未得满分"
                f" {plain(veto_points)}：一票否决，最高{LEVEL_LABELS[VETO_MAX_LEVEL]}"
            )
        if b.applied_level is not None and level > b.applied_level:
            capped = True
            level = b.applied_level
            reasons.append(f"申报{LEVEL_LABELS[b.applied_level]}，评定星级不高于申报星级 → {LEVEL_LABELS[level]}")
        staged[b.branch_id] = (band_level, level, vetoed, capped, reasons)

    rated = [b for b in branches if b.applied_level is not None]
    places = quota_size(len(rated), rules.quota_percent)
    candidates = [
        QuotaCandidate(b.branch_id, b.code, b.score, b.aspects.get(QUOTA_TIEBREAK_ASPECT, ZERO), b.overdue_problems)
        for b in rated
        if staged[b.branch_id][1] == 5
    ]
    rank_of = {c.branch_id: n for n, c in enumerate(quota_ranking(candidates), start=1)}

    outcomes = {}
    for b in branches:
        band_level, level, vetoed, capped, reasons = staged[b.branch_id]
        if b.applied_level is None:
            last = sorted(b.history)[-1][1] if b.history else None
            reasons = [
                "未申报星级：列为后进党支部，本年度不评定星级，"
                f"开具整改问题（整改期限 {rules.lagging_deadline_days} 天）"
            ]
            outcomes[b.branch_id] = Outcome(
                b.branch_id, band_level, None, None, last, flags=flags_for(None), reasons=tuple(reasons)
            )
            continue
        over_quota = rank_of.get(b.branch_id, 0) > places
        if b.branch_id in rank_of:
            verdict = "超出名额 → 四星" if over_quota else "在名额内 → 五星"
            reasons.append(
                f"五星名额 {places} 个（参评 {len(rated)} 个 × {plain(rules.quota_percent)}%，向下取整）；"
                f"按综合得分、B项得分、逾期问题数、支部编码排名第 {rank_of[b.branch_id]}，{verdict}"
            )
        if over_quota:
            level = 4
        result, explained = consequences(level, b.history)
        outcomes[b.branch_id] = Outcome(
            branch_id=b.branch_id,
            band_level=band_level,
            level=level,
            action=result.action,
            previous_level=result.previous_level,
            vetoed=vetoed,
            capped=capped,
            over_quota=over_quota,
            quota_rank=rank_of.get(b.branch_id),
            flags=flags_for(level),
            reasons=tuple(reasons),
            consequences=tuple(explained),
        )
    return outcomes
