"""三会一课 compliance and the meeting indicators of the five-star standard, written once.

DOMAIN.md ("三会一课 and the other regular activities", "The five-star branch standard") is the
specification. Everything here is a plain function over plain data, tested without a database; the
facts come from activities.selectors.meeting_facts, the periods and scores from core.

Who uses what:
- the assessment: `meeting_indicator_scores` (B1–B6, C1, C3, E2) over facts from `meeting_facts`;
- the year-end workbook: `BranchMeetingFacts.tally` (counts per kind, attendance, 补录, 未达法定人数);
- the compliance pages: `requirement_rows`, `branch_compliance` (held / missing / due in N days).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import NamedTuple

from django.utils.translation import gettext_noop

from core.periods import Period, month_end
from core.scoring import IndicatorScore, make_score

# Meeting kinds. Stored values are English; labels are what users read: as they are in the reasons
# the rules write, translated in Meeting.Kind.
GENERAL_MEETING = "general_meeting"
COMMITTEE_MEETING = "committee_meeting"
GROUP_MEETING = "group_meeting"
PARTY_LESSON = "party_lesson"
THEME_DAY = "theme_day"
LIFE_MEETING = "life_meeting"
APPRAISAL_MEETING = "appraisal_meeting"
VOLUNTEER = "volunteer"

KIND_LABELS = {
    GENERAL_MEETING: gettext_noop("支部党员大会"),
    COMMITTEE_MEETING: gettext_noop("支部委员会"),
    GROUP_MEETING: gettext_noop("党小组会"),
    PARTY_LESSON: gettext_noop("党课"),
    THEME_DAY: gettext_noop("主题党日"),
    LIFE_MEETING: gettext_noop("组织生活会"),
    APPRAISAL_MEETING: gettext_noop("民主评议党员会"),
    VOLUNTEER: gettext_noop("志愿服务/结对共建"),
}
# A 党小组会 is held by a group; every other kind by a branch.
GROUP_KINDS = frozenset({GROUP_MEETING})
# Kinds whose attendance makes up C1 (三会一课).
ATTENDANCE_KINDS = (GENERAL_MEETING, COMMITTEE_MEETING, GROUP_MEETING, PARTY_LESSON)
# Kinds that need a quorum of voting members (DOMAIN.md: more than half).
QUORUM_KINDS = frozenset({GENERAL_MEETING, COMMITTEE_MEETING})

# A record logged more than this many days after the meeting is flagged 补录.
BACKFILL_DAYS = 15
# 7 or more full members → the branch elects a committee (机关基层组织工作条例). Below that it has a
# secretary only, so it holds no 支委会 and B2 gives it full points.
COMMITTEE_MIN_FULL_MEMBERS = 7
# C1 reaches full points at this attendance rate.
C1_TARGET_RATE = Decimal("0.90")

DEFAULT_POINTS: Mapping[str, Decimal] = MappingProxyType(
    {
        "B1": Decimal("6"),
        "B2": Decimal("6"),
        "B3": Decimal("5"),
        "B4": Decimal("5"),
        "B5": Decimal("4"),
        "B6": Decimal("4"),
        "C1": Decimal("5"),
        "C3": Decimal("3"),
        "E2": Decimal("4"),
    }
)
INDICATOR_CODES = tuple(DEFAULT_POINTS)
# The meeting kinds each indicator reads: facts gathered for some codes only hold these kinds.
CODE_KINDS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "B1": frozenset({GENERAL_MEETING}),
        "B2": frozenset({COMMITTEE_MEETING}),
        "B3": frozenset({GROUP_MEETING}),
        "B4": frozenset({PARTY_LESSON}),
        "B5": frozenset({THEME_DAY}),
        "B6": frozenset({LIFE_MEETING}),
        "C1": frozenset(ATTENDANCE_KINDS),
        "C3": frozenset(),
        "E2": frozenset({VOLUNTEER}),
    }
)


def wants(codes: Iterable[str] | None, *some: str) -> bool:
    """Whether facts gathered for `codes` (None: every code) must cover any of `some`."""
    return codes is None or any(code in codes for code in some)


# Which indicators need the branch's groups, its members on the last day, and who had a talk.
GROUP_CODES = frozenset({"B3", "C1"})
MEMBER_CODES = frozenset({"B2", "C3"})
TALK_CODES = frozenset({"C3"})

# ---------------------------------------------------------------------------------------------
# Facts about a branch's submitted records in a period (built by activities.selectors.meeting_facts)


class Tally(NamedTuple):
    """Sums over submitted meetings. A named tuple: meeting_facts builds hundreds of thousands."""

    meetings: int = 0
    expected: int = 0  # attendance rows: everyone expected
    present: int = 0
    backfilled: int = 0  # 补录
    below_quorum: int = 0  # 未达法定人数

    def __add__(self, other: Tally) -> Tally:  # type: ignore[override]
        return Tally(
            self.meetings + other.meetings,
            self.expected + other.expected,
            self.present + other.present,
            self.backfilled + other.backfilled,
            self.below_quorum + other.below_quorum,
        )

    @property
    def attendance_rate(self) -> Decimal | None:
        """present ÷ expected, or None when nobody was expected."""
        if not self.expected:
            return None
        return Decimal(self.present) / Decimal(self.expected)


@dataclass(frozen=True)
class GroupFacts:
    id: int
    name: str = ""
    founded_on: date | None = None

    def existed_in(self, year: int, month: int) -> bool:
        """A group founded during a month is expected to meet from that month on."""
        return self.founded_on is None or self.founded_on <= month_end(year, month)


@dataclass(frozen=True)
class BranchMeetingFacts:
    """What the records say about one branch in one period.

    `tallies` maps (unit id, kind, (year, month)) to the tally of that unit's submitted meetings of
    that kind in that month; the unit is the branch itself or one of its groups.

    `codes` are the indicators the facts were gathered for (None: all of them, every kind of meeting);
    a job that scores only the yearly B6, C3 and E2 need not read a province's every meeting.
    """

    branch_id: int
    period: Period
    full_members: int = 0  # voting members on the period's last day
    members: int = 0  # members on the period's last day (retired ones only where flagged)
    members_talked: int = 0  # of those, how many had a 谈心谈话 in the period
    groups: tuple[GroupFacts, ...] = ()
    tallies: Mapping[tuple[int, str, tuple[int, int]], Tally] = field(default_factory=dict)
    codes: frozenset[str] | None = None

    @property
    def has_committee(self) -> bool:
        return self.full_members >= COMMITTEE_MIN_FULL_MEMBERS

    def tally(
        self,
        *,
        kinds: Iterable[str] | None = None,
        unit_ids: Iterable[int] | None = None,
        months: Iterable[tuple[int, int]] | None = None,
    ) -> Tally:
        kinds = None if kinds is None else set(kinds)
        unit_ids = None if unit_ids is None else set(unit_ids)
        months = None if months is None else set(months)
        # Plain integers rather than Tally additions: this runs for every branch of a province.
        meetings = expected = present = backfilled = below_quorum = 0
        for (unit_id, kind, month), tally in self.tallies.items():
            if kinds is not None and kind not in kinds:
                continue
            if unit_ids is not None and unit_id not in unit_ids:
                continue
            if months is not None and month not in months:
                continue
            meetings += tally.meetings
            expected += tally.expected
            present += tally.present
            backfilled += tally.backfilled
            below_quorum += tally.below_quorum
        return Tally(meetings, expected, present, backfilled, below_quorum)

    @property
    def _by_unit_kind(self) -> dict[tuple[int, str], dict[tuple[int, int], int]]:
        # The compliance pages ask count() for every requirement and window of thousands of branches.
        # Kept in the instance's __dict__ by hand: Python 3.11's cached_property takes a lock on every
        # first access, which cost more than building the index when a province is scored.
        # (activities.selectors.meeting_facts puts it there as it reads the tallies.)
        index = self.__dict__.get("_index")
        if index is None:
            index = {}
            for (unit_id, kind, month), tally in self.tallies.items():
                per_month = index.get((unit_id, kind))
                if per_month is None:
                    per_month = index[unit_id, kind] = {}
                per_month[month] = tally[0]  # meetings
            self.__dict__["_index"] = index
        return index

    def months_held(self, kind: str, unit_id: int | None = None) -> set[tuple[int, int]]:
        """Months of the period with at least one submitted meeting of `kind` by the unit (default: the branch)."""
        unit_id = self.branch_id if unit_id is None else unit_id
        return {month for month, n in self._by_unit_kind.get((unit_id, kind), {}).items() if n > 0}

    def count(self, kind: str, unit_id: int | None = None, months: Iterable[tuple[int, int]] | None = None) -> int:
        """Submitted meetings of `kind` by the unit (default: the branch), in `months` (default: all)."""
        unit_id = self.branch_id if unit_id is None else unit_id
        per_month = self._by_unit_kind.get((unit_id, kind), {})
        if months is None:
            return sum(per_month.values())
        return sum(per_month.get(month, 0) for month in months)


# ---------------------------------------------------------------------------------------------
# Rules about one record

PRESENT, LEAVE, ABSENT = "present", "leave", "absent"
ATTENDANCE_LABELS = {PRESENT: gettext_noop("出席"), LEAVE: gettext_noop("请假"), ABSENT: gettext_noop("缺席")}


@dataclass(frozen=True)
class AttendanceCounts:
    expected: int = 0
    present: int = 0
    leave: int = 0
    absent: int = 0
    voting_expected: int = 0  # full members expected (probationary members have no vote)
    voting_present: int = 0


def attendance_counts(rows: Iterable[tuple[str, bool]]) -> AttendanceCounts:
    """Counts from (status, is_voting) pairs, one per member expected."""
    counts = {PRESENT: 0, LEAVE: 0, ABSENT: 0}
    expected = voting_expected = voting_present = 0
    for status, is_voting in rows:
        expected += 1
        counts[status] += 1
        if is_voting:
            voting_expected += 1
            voting_present += status == PRESENT
    return AttendanceCounts(expected, counts[PRESENT], counts[LEAVE], counts[ABSENT], voting_expected, voting_present)


def quorum_met(kind: str, voting_expected: int, voting_present: int) -> bool:
    """More than half of the voting members present. Kinds without a quorum rule always pass.

    Probationary members have no vote, so callers count only full members on the meeting's day.
    """
    if kind not in QUORUM_KINDS:
        return True
    return 2 * voting_present > voting_expected


def is_backfilled(held_on: date, logged_on: date) -> bool:
    """补录: logged more than BACKFILL_DAYS days after the meeting."""
    return (logged_on - held_on).days > BACKFILL_DAYS


# ---------------------------------------------------------------------------------------------
# Indicator scores


def _share(points: Decimal, met: int, total: int) -> Decimal:
    return points * Decimal(met) / Decimal(total) if total else Decimal(0)


def _quarters_with(facts: BranchMeetingFacts, kind: str, period: Period) -> int:
    held = {(y, (m - 1) // 3 + 1) for y, m in facts.months_held(kind)}
    return len(held & set(period.quarters))


def meeting_indicator_scores(
    facts: BranchMeetingFacts, period: Period, points: Mapping[str, Decimal] | None = None
) -> dict[str, IndicatorScore]:
    """B1 B2 B3 B4 B5 B6 C1 C3 E2 for one branch and one period, by DOMAIN.md's formulas.

    `points` gives each indicator's points for the year; a missing code takes DOMAIN.md's default.
    `facts` must describe the same period (B6, C3 and E2 are meant for a year; given a quarter they
    look at that quarter only). Facts gathered for some codes only (`facts.codes`) score those codes.
    """
    points = {**DEFAULT_POINTS, **(points or {})}
    wanted = INDICATOR_CODES if facts.codes is None else facts.codes
    months = period.months
    n_months, n_quarters = len(months), len(period.quarters)
    scores: dict[str, IndicatorScore] = {}

    def per_quarter(code: str, kind: str) -> None:
        met = _quarters_with(facts, kind, period)
        reason = f"{KIND_LABELS[kind]}：{met}/{n_quarters} 个季度召开"
        scores[code] = make_score(code, _share(points[code], met, n_quarters), points[code], reason)

    def per_month(code: str, kind: str) -> None:
        met = len(facts.months_held(kind) & set(months))
        reason = f"{KIND_LABELS[kind]}：{met}/{n_months} 个月达标"
        scores[code] = make_score(code, _share(points[code], met, n_months), points[code], reason)

    if "B1" in wanted:
        per_quarter("B1", GENERAL_MEETING)
    if "B2" in wanted and facts.has_committee:
        per_month("B2", COMMITTEE_MEETING)
    elif "B2" in wanted:
        reason = (
            f"支部委员会：正式党员{facts.full_members}人（不足{COMMITTEE_MIN_FULL_MEMBERS}人），未设支委会，按满分计"
        )
        scores["B2"] = make_score("B2", points["B2"], points["B2"], reason)
    if "B3" in wanted:
        scores["B3"] = _group_meetings(facts, months, points["B3"])
    if "B4" in wanted:
        per_quarter("B4", PARTY_LESSON)
    if "B5" in wanted:
        per_month("B5", THEME_DAY)
    if "B6" in wanted:
        held = facts.count(LIFE_MEETING, months=months)
        if held:
            scores["B6"] = make_score("B6", points["B6"], points["B6"], f"组织生活会：已召开 {held} 次")
        else:
            scores["B6"] = make_score("B6", Decimal(0), points["B6"], "组织生活会：未召开")
    if "C1" in wanted:
        scores["C1"] = _attendance(facts, months, points["C1"])
    if "C3" in wanted and facts.members:
        reason = f"谈心谈话：{facts.members_talked}/{facts.members} 名党员已谈"
        scores["C3"] = make_score("C3", _share(points["C3"], facts.members_talked, facts.members), points["C3"], reason)
    elif "C3" in wanted:
        scores["C3"] = make_score("C3", Decimal(0), points["C3"], "谈心谈话：支部没有党员")
    if "E2" in wanted:
        volunteer = facts.count(VOLUNTEER, months=months)
        if volunteer >= 2:
            raw = points["E2"]
        elif volunteer == 1:
            raw = points["E2"] / 2
        else:
            raw = Decimal(0)
        reason = f"志愿服务/结对共建：{volunteer} 次（2次及以上满分，1次得一半）"
        scores["E2"] = make_score("E2", raw, points["E2"], reason)
    return scores


def _group_meetings(facts: BranchMeetingFacts, months, points: Decimal) -> IndicatorScore:
    """B3 over group-months. A month before a group was founded is not counted for it."""
    if not facts.groups:
        return make_score("B3", points, points, "党小组会：未设党小组，按满分计")
    due = met = 0
    for group in facts.groups:
        held = facts.months_held(GROUP_MEETING, group.id)
        for year, month in months:
            if group.existed_in(year, month):
                due += 1
                met += (year, month) in held
    if not due:
        return make_score("B3", points, points, "党小组会：党小组本期尚未成立，按满分计")
    reason = f"党小组会：{met}/{due} 个小组·月达标（{len(facts.groups)} 个党小组）"
    return make_score("B3", _share(points, met, due), points, reason)


def _attendance(facts: BranchMeetingFacts, months, points: Decimal) -> IndicatorScore:
    """C1: the attendance rate of 三会一课, full points from C1_TARGET_RATE."""
    unit_ids = [facts.branch_id, *(g.id for g in facts.groups)]
    attendance = facts.tally(kinds=ATTENDANCE_KINDS, unit_ids=unit_ids, months=months)
    rate = attendance.attendance_rate
    if not attendance.meetings or rate is None:
        return make_score("C1", Decimal(0), points, "三会一课出勤率：本期无党员大会、支委会、党小组会、党课记录")
    factor = min(Decimal(1), rate / C1_TARGET_RATE)
    percent = (rate * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    reason = (
        f"三会一课出勤率：实到 {attendance.present}/应到 {attendance.expected} = {percent}%"
        f"（{C1_TARGET_RATE * 100:.0f}%及以上得满分）"
    )
    return make_score("C1", points * factor, points, reason)


# ---------------------------------------------------------------------------------------------
# Compliance: which required meetings are held, missing or due (DOMAIN.md's table)

HELD = "held"
MISSING = "missing"
DUE = "due"  # the window is running and nothing is held yet
UPCOMING = "upcoming"  # the window has not started
NOT_REQUIRED = "not_required"

STATE_LABELS = {HELD: "已开", MISSING: "缺", DUE: "待开", UPCOMING: "未到", NOT_REQUIRED: "不适用"}
# Worst first, for summaries and sorting.
_STATE_RANK = {MISSING: 0, DUE: 1, UPCOMING: 2, HELD: 3, NOT_REQUIRED: 4}

MONTHLY, QUARTERLY, YEARLY = "month", "quarter", "year"


@dataclass(frozen=True)
class Requirement:
    kind: str
    frequency: str

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


# Order is the order the pages show. 民主评议党员会 is usually held with the 组织生活会 and is not
# a separate requirement in DOMAIN.md's table; 谈心谈话 are counted per member, not per meeting.
REQUIREMENTS = (
    Requirement(GENERAL_MEETING, QUARTERLY),
    Requirement(COMMITTEE_MEETING, MONTHLY),
    Requirement(GROUP_MEETING, MONTHLY),
    Requirement(PARTY_LESSON, QUARTERLY),
    Requirement(THEME_DAY, MONTHLY),
    Requirement(LIFE_MEETING, YEARLY),
)


@dataclass(frozen=True)
class Cell:
    """One requirement in one window (a month, the quarter or the year)."""

    label: str
    start: date
    end: date
    state: str
    count: int = 0
    days_left: int | None = None  # for DUE: days to the window's end, today excluded


def window_cell(label: str, start: date, end: date, count: int, today: date) -> Cell:
    if count > 0:
        return Cell(label, start, end, HELD, count)
    if end < today:
        return Cell(label, start, end, MISSING)
    if start <= today:
        return Cell(label, start, end, DUE, 0, (end - today).days)
    return Cell(label, start, end, UPCOMING)


@dataclass(frozen=True)
class RequirementRow:
    """One requirement of one unit for a quarter: a cell per month and a summary cell.

    For a monthly requirement the month cells carry the states and the summary counts months met;
    for a quarterly or yearly one the month cells only show what was held, and the summary cell is
    the quarter's or the year's state.
    """

    unit_id: int
    unit_name: str  # the group's name; "" for the branch itself
    requirement: Requirement
    months: tuple[Cell, ...]
    summary: Cell
    met: int  # windows met (months for a monthly requirement, else 0 or 1)
    required: int  # windows that count so far (months that have started; 1 otherwise)

    @property
    def missing(self) -> int:
        if self.requirement.frequency == MONTHLY:
            return sum(c.state == MISSING for c in self.months)
        return int(self.summary.state == MISSING)

    @property
    def due(self) -> int:
        if self.requirement.frequency == MONTHLY:
            return sum(c.state == DUE for c in self.months)
        return int(self.summary.state == DUE)


def _worst(cells: Iterable[Cell]) -> str:
    return min((c.state for c in cells), key=_STATE_RANK.__getitem__, default=NOT_REQUIRED)


def requirement_rows(facts: BranchMeetingFacts, year: int, quarter: int, today: date) -> list[RequirementRow]:
    """Every requirement of a branch and its groups for one quarter, as of `today`.

    `facts` must cover the quarter; to judge the yearly 组织生活会 it must cover the year (build it
    with Period.for_year).
    """
    q = Period.for_quarter(year, quarter)
    month_windows = [(f"{m}月", date(y, m, 1), month_end(y, m)) for y, m in q.months]
    rows = []

    def row(unit_id: int, unit_name: str, req: Requirement, existed=lambda y, m: True) -> RequirementRow:
        months = []
        for (label, start, end), (y, m) in zip(month_windows, q.months, strict=True):
            count = facts.count(req.kind, unit_id, months=[(y, m)])
            if req.frequency == MONTHLY and not existed(y, m):
                months.append(Cell(label, start, end, NOT_REQUIRED, count))
            elif req.frequency == MONTHLY:
                months.append(window_cell(label, start, end, count, today))
            else:
                months.append(Cell(label, start, end, HELD if count else NOT_REQUIRED, count))
        if req.frequency == MONTHLY:
            counted = [c for c in months if c.state not in (UPCOMING, NOT_REQUIRED)]
            met = sum(c.state == HELD for c in counted)
            state = (
                _worst(counted) if counted else (UPCOMING if any(c.state == UPCOMING for c in months) else NOT_REQUIRED)
            )
            total = sum(c.count for c in months)
            summary = Cell(f"第{quarter}季度", q.start, q.end, state, total)
            return RequirementRow(unit_id, unit_name, req, tuple(months), summary, met, len(counted))
        if req.frequency == QUARTERLY:
            count = facts.count(req.kind, unit_id, months=q.months)
            summary = window_cell(f"第{quarter}季度", q.start, q.end, count, today)
        else:
            whole = Period.for_year(year)
            count = facts.count(req.kind, unit_id, months=whole.months)
            summary = window_cell(f"{year}年", whole.start, whole.end, count, today)
        required = int(summary.state not in (UPCOMING, NOT_REQUIRED))
        return RequirementRow(unit_id, unit_name, req, tuple(months), summary, int(summary.state == HELD), required)

    for req in REQUIREMENTS:
        if req.kind == GROUP_MEETING:
            for group in facts.groups:
                rows.append(row(group.id, group.name, req, group.existed_in))
        elif req.kind == COMMITTEE_MEETING and not facts.has_committee:
            cells = tuple(Cell(label, start, end, NOT_REQUIRED) for label, start, end in month_windows)
            summary = Cell(f"第{quarter}季度", q.start, q.end, NOT_REQUIRED)
            rows.append(RequirementRow(facts.branch_id, "", req, cells, summary, 0, 0))
        else:
            rows.append(row(facts.branch_id, "", req))
    return rows


@dataclass(frozen=True)
class RequirementSummary:
    """One requirement across a branch and its groups: e.g. 党小组会 5/6 个小组·月."""

    requirement: Requirement
    met: int
    required: int
    state: str
    days_left: int | None = None

    @property
    def text(self) -> str:
        if self.state == NOT_REQUIRED:
            return STATE_LABELS[NOT_REQUIRED]
        return f"{self.met}/{self.required}" if self.required else STATE_LABELS[self.state]


@dataclass(frozen=True)
class BranchCompliance:
    branch_id: int
    rows: tuple[RequirementRow, ...]
    summaries: tuple[RequirementSummary, ...]

    @property
    def missing(self) -> int:
        return sum(r.missing for r in self.rows)

    @property
    def due(self) -> int:
        return sum(r.due for r in self.rows)

    @property
    def sort_key(self) -> tuple[int, int]:
        """Worst first: most missing windows, then most due."""
        return (-self.missing, -self.due)


def branch_compliance(facts: BranchMeetingFacts, year: int, quarter: int, today: date) -> BranchCompliance:
    rows = requirement_rows(facts, year, quarter, today)
    summaries = []
    for req in REQUIREMENTS:
        mine = [r for r in rows if r.requirement == req]
        if not mine:  # a branch without groups
            summaries.append(RequirementSummary(req, 0, 0, NOT_REQUIRED))
            continue
        cells = [c for r in mine for c in (r.months if req.frequency == MONTHLY else (r.summary,))]
        relevant = [c for c in cells if c.state != NOT_REQUIRED]
        state = _worst(relevant) if relevant else NOT_REQUIRED
        days = min((c.days_left for c in relevant if c.state == DUE and c.days_left is not None), default=None)
        summaries.append(RequirementSummary(req, sum(r.met for r in mine), sum(r.required for r in mine), state, days))
    return BranchCompliance(facts.branch_id, tuple(rows), tuple(summaries))


@dataclass(frozen=True)
class OpenWindow:
    """A window of one requirement that counts as missing or due while nothing is held in it.

    The compliance overview ranks a province's branches by counting, in the database, the open
    windows in which a unit held no submitted meeting (activities.selectors.compliance_ranking): the
    same counts `requirement_rows` gives as `missing` and `due`, without building every branch's rows.
    """

    kind: str
    per_group: bool  # held by each of the branch's groups (from the month it was founded), not the branch
    start: date
    end: date
    state: str  # MISSING or DUE; "" for year_windows, whose state is decided when read


def _windows(year: int, quarters: Iterable[int]) -> list[OpenWindow]:
    """The windows of the requirements over some quarters of a year, state unset: monthly ones each
    month, quarterly ones each quarter, the yearly one the year."""
    periods = [Period.for_quarter(year, q) for q in quarters]
    whole = Period.for_year(year)
    windows = []
    for req in REQUIREMENTS:
        if req.frequency == MONTHLY:
            spans = [(date(y, m, 1), month_end(y, m)) for p in periods for y, m in p.months]
        elif req.frequency == QUARTERLY:
            spans = [(p.start, p.end) for p in periods]
        else:
            spans = [(whole.start, whole.end)]
        windows += [OpenWindow(req.kind, req.kind in GROUP_KINDS, start, end, "") for start, end in spans]
    return windows


def open_windows(year: int, quarter: int, today: date) -> list[OpenWindow]:
    """The windows of a quarter's requirements that are missing or due when empty, as of `today`.

    Monthly requirements: the quarter's months; quarterly: the quarter; yearly: the year. Windows that
    have not started are neither. 支委会 counts only where the branch has a committee
    (`COMMITTEE_MIN_FULL_MEMBERS`), which the caller decides per branch.
    """
    windows = []
    for w in _windows(year, [quarter]):
        state = window_cell("", w.start, w.end, 0, today).state
        if state in (MISSING, DUE):
            windows.append(replace(w, state=state))
    return windows


def year_windows(year: int) -> list[OpenWindow]:
    """Every window of a year's requirements: each month, quarter or the year, by frequency.

    The windows whose empty ones activities.gaps stores; their state is decided when read (open_windows
    gives the missing and due ones of a quarter as of a day, which are among these), so it is left "".
    """
    return _windows(year, range(1, 5))
