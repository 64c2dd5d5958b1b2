"""The auto indicators the assessment computes itself: D1, D3 and E4 (DOMAIN.md formulas), and C6
from the dues ledger's counts.

Pure functions over plain facts; selectors.own_indicator_facts gathers the facts for many branches
at once, dues.selectors.on_time_counts C6's. The others (B*, C1–C5, E1, E2) come from activities
(compliance and pledges).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from branches.rules import TermStatus
from core.periods import Period
from core.scoring import IndicatorScore, make_score
from dues.rules import OnTimeCounts


@dataclass(frozen=True)
class OwnFacts:
    """What D1, D3 and E4 need to know about one branch for one period."""

    cadres: tuple[str, ...]  # names of the branch's part-time party-affairs cadres (兼职党务干部)
    term: TermStatus  # the committee's term, as of the period's end (or today, if earlier)
    problems_due: int  # problems whose deadline fell in the period (and has passed)
    problems_closed_on_time: int  # of those, closed (销号) by their deadline


def d1_party_cadre(facts: OwnFacts, points: Decimal) -> IndicatorScore:
    """Full points if the branch has a part-time party-affairs cadre."""
    if facts.cadres:
        return make_score("D1", points, points, f"兼职党务干部：{'、'.join(facts.cadres)}")
    return make_score("D1", Decimal(0), points, "兼职党务干部：未配备")


def d3_term(facts: OwnFacts, points: Decimal) -> IndicatorScore:
    """Full points if the committee's term has not expired."""
    term = facts.term
    if term.level == "expired":
        return make_score("D3", Decimal(0), points, f"按期换届：任期已于{term.ends_on:%Y-%m-%d}届满，未换届")
    if term.level == "unknown":
        return make_score("D3", Decimal(0), points, "按期换届：未登记换届日期，无法确认")
    until = f"任期至{term.ends_on:%Y-%m-%d}" if term.ends_on else "未到换届期"
    return make_score("D3", points, points, f"按期换届：{until}")


def e4_rectification(facts: OwnFacts, points: Decimal) -> IndicatorScore:
    """points × problems closed by their deadline ÷ problems due in the period; none due: full."""
    if facts.problems_due == 0:
        return make_score("E4", points, points, "问题整改：本期无到期问题")
    earned = points * Decimal(facts.problems_closed_on_time) / Decimal(facts.problems_due)
    return make_score(
        "E4", earned, points, f"问题整改：{facts.problems_closed_on_time}/{facts.problems_due} 个到期问题按期销号"
    )


def c6_dues(counts: OnTimeCounts, points: Decimal) -> IndicatorScore:
    """points × member-months paid on time ÷ member-months due in the year (months with an approved
    免交/缓交 are not counted). Nothing due at all reads as a ledger not kept: 0, for a checker to look."""
    if counts.due == 0:
        return make_score("C6", Decimal(0), points, "按时交纳党费：本年度党费台账中没有应交的人月")
    earned = points * Decimal(counts.on_time) / Decimal(counts.due)
    return make_score("C6", earned, points, f"按时交纳党费：{counts.on_time}/{counts.due} 人月按时")


OWN_RULES = {"D1": d1_party_cadre, "D3": d3_term, "E4": e4_rectification}


def own_indicator_scores(facts: OwnFacts, period: Period, points: dict[str, Decimal]) -> dict[str, IndicatorScore]:
    """The scores of D1, D3 and E4 that `points` asks for (the year's auto indicators of the period)."""
    return {code: rule(facts, points[code]) for code, rule in OWN_RULES.items() if code in points}


def as_of(period: Period, today: date) -> date:
    """The day a period is judged on: its last day, or today while it is still running."""
    return min(period.end, today)
