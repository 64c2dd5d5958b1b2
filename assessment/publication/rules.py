"""The rules of publishing a rating (docs/domain-publication.md) as plain functions over plain data.

No database: the services feed these from the models and store what they return; the tests call
them directly. Texts that end up stored or in the workbook are built here in Chinese, like the
rating's own reasons (assessment/rating.py): they are data everyone reads.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

# Working days are counted by core's rules (core/workdays.py), shared with recruitment's 公示; the
# names are kept here too, as the publication's calendar (rules.Calendar, rules.is_working_day …).
from core.workdays import SEARCH_LIMIT as SEARCH_LIMIT
from core.workdays import Calendar, working_days_after, working_days_between
from core.workdays import is_working_day as is_working_day

from .. import rating

# The 公示 lasts at least this many working days (DOMAIN.md: "at least 5 working days").
MIN_WORKING_DAYS = 5
DEFAULT_WORKING_DAYS = 5
MAX_WORKING_DAYS = 30


@dataclass(frozen=True)
class NoticePeriod:
    opened_on: date  # the day the year was approved and the notice put up
    starts_on: date  # the first working day counted
    ends_on: date  # the last working day counted: objections are taken until the end of this day
    working_days: int


def notice_period(opened_on: date, working_days: int, calendar: Calendar) -> NoticePeriod:
    """The 公示 of a year approved on `opened_on`: `working_days` full working days, counted from the
    next working day, so a notice put up late on a Friday still gets five whole working days."""
    if not MIN_WORKING_DAYS <= working_days <= MAX_WORKING_DAYS:
        raise ValueError(f"公示期须为 {MIN_WORKING_DAYS}–{MAX_WORKING_DAYS} 个工作日，不能是 {working_days}")
    days = working_days_after(opened_on, working_days, calendar)
    return NoticePeriod(opened_on, days[0], days[-1], working_days)


def working_days_left(today: date, ends_on: date, calendar: Calendar) -> int:
    """Working days still to come in the period, today included if it is one."""
    return working_days_between(today, ends_on, calendar)


# --- the notice's state ----------------------------------------------------------------------------


class NoticeState(StrEnum):
    OPEN = "open"  # 公示中: objections are taken
    AWAITING = "awaiting"  # 待答复: the period has ended, an objection still has no answer
    FINAL = "final"  # 已公示（最终）: the period has ended and every objection is answered
    WITHDRAWN = "withdrawn"  # 已撤回: the approval was reversed; a new notice follows the new approval


def notice_state(*, ends_on: date, today: date, withdrawn: bool, unanswered: int) -> NoticeState:
    if withdrawn:
        return NoticeState.WITHDRAWN
    if today <= ends_on:
        return NoticeState.OPEN
    return NoticeState.AWAITING if unanswered else NoticeState.FINAL


def objection_refusal(*, state: NoticeState, ends_on: date, text: str, about_rated_branch: bool) -> str | None:
    """Why an objection cannot be raised now (None: it can). Chinese, like the rating's reasons;
    the services translate the cases a user can meet (see services.objection_raise)."""
    if state == NoticeState.WITHDRAWN:
        return "本次公示已撤回，不能再提出异议"
    if state != NoticeState.OPEN:
        return f"公示期已于 {ends_on:%Y-%m-%d} 结束，不能再提出异议"
    if not about_rated_branch:
        return "只能对本次公示的党支部提出异议"
    if not (text or "").strip():
        return "请写明异议的内容和理由"
    return None


# --- why a level differs from its band ------------------------------------------------------------


@dataclass(frozen=True)
class LevelFacts:
    """What a stored rating line says about how its level came about (BranchRating's columns)."""

    band_level: int
    level: int | None  # the level that counts: the committee's where it adjusted one; None: lagging
    applied_level: int | None
    vetoed: bool = False
    capped: bool = False
    over_quota: bool = False
    quota_rank: int | None = None
    override_level: int | None = None
    override_reason: str = ""
    override_warnings: Sequence[str] = ()
    band_reason: str = ""  # the rating's first reason, e.g. 综合得分 97.40（90 ≤ 得分）→ 五星
    action_reason: str = ""  # the rating's first consequence, e.g. 上次核定（2024年）四星 → 五星：升星授牌


def level_notes(facts: LevelFacts, veto_aspect: str = rating.QUOTA_TIEBREAK_ASPECT) -> list[str]:
    """Why the level is not simply the score's band: 一票否决, 申报星级封顶, 超过五星比例, 委员会调整.

    Empty when the band gave the level. An adjusted line says so last, with the committee's reason
    and the rules its adjustment broke (confirmed when it was made).
    """
    if facts.applied_level is None:
        return ["未申报星级，列为后进党支部"]
    notes = []
    if facts.vetoed:
        notes.append(f"一票否决（{veto_aspect or rating.QUOTA_TIEBREAK_ASPECT}项未满分）")
    if facts.capped:
        notes.append("申报星级封顶")
    if facts.over_quota:
        rank = f"（排名第{facts.quota_rank}）" if facts.quota_rank else ""
        notes.append(f"超过五星比例{rank}")
    if facts.override_level is not None:
        broke = f"（{'、'.join(facts.override_warnings)}）" if facts.override_warnings else ""
        notes.append(f"委员会调整{broke}：{facts.override_reason}")
    return notes


def explanation(facts: LevelFacts, veto_aspect: str = rating.QUOTA_TIEBREAK_ASPECT) -> str:
    """The level's whole story in one line (the workbook's 说明, the 公示): the band, what moved the
    level from it, and the rule that gave the action."""
    if facts.applied_level is None:
        return facts.band_reason or "未申报星级，列为后进党支部"
    parts = [f"分数段{rating.LEVEL_LABELS[facts.band_level]}", *level_notes(facts, veto_aspect)]
    if facts.action_reason:
        parts.append(facts.action_reason)
    return "；".join(parts)


def is_adjusted(facts: LevelFacts) -> bool:
    return facts.override_level is not None


# --- the committee's adjustment (调整) -------------------------------------------------------------


class OverrideBreak(StrEnum):
    VETO = "veto"
    QUOTA = "quota"


# Stored with an adjustment that breaks a rule (data, shown with 调整 everywhere).
BREAK_LABELS = {OverrideBreak.VETO: "突破一票否决", OverrideBreak.QUOTA: "超出五星比例"}


@dataclass(frozen=True)
class OverrideCheck:
    above_application: bool  # refused: never more than the level applied for
    breaks: tuple[OverrideBreak, ...]  # allowed only when the committee confirms it

    @property
    def labels(self) -> list[str]:
        return [BREAK_LABELS[b] for b in self.breaks]


def override_check(
    *,
    level: int,
    applied_level: int | None,
    veto_earned: Decimal | None,
    veto_points: Decimal | None,
    other_five_stars: int,
    places: int,
) -> OverrideCheck:
    """What setting a branch's level to `level` by hand would break.

    `veto_earned`/`veto_points`: the branch's annual points on the veto aspect and the aspect's full
    points (None: the standard has no veto); `other_five_stars`: the year's other branches at five
    stars (adjustments counted); `places`: the five-star places of the year.
    """
    above = applied_level is not None and level > applied_level
    breaks = []
    if veto_points is not None and rating.is_vetoed(level, veto_earned, veto_points):
        breaks.append(OverrideBreak.VETO)
    if level == 5 and other_five_stars + 1 > places:
        breaks.append(OverrideBreak.QUOTA)
    return OverrideCheck(above, tuple(breaks))


# --- interviews (约谈) ----------------------------------------------------------------------------


def interviews_to_hold(on_list: Iterable[int], held: Iterable[int]) -> list[int]:
    """Branches on the year's interview list with no interview recorded yet, in the list's order."""
    done = set(held)
    return [branch_id for branch_id in on_list if branch_id not in done]
