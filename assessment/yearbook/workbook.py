"""The year-end workbook (年度考核表): its sheets, headers and rows, as plain functions over plain data.

Nothing here touches the database: yearbook.selectors reads many branches at once into the plain
types below, and yearbook.services streams the rows these functions make into a write-only
workbook (core.spreadsheets). A row is a list of cell values: int for levels and counts,
Decimal (2 decimals) for scores, Percent for rates, date for dates, str for text, None for blank.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from activities import compliance
from activities.compliance import Tally
from activities.pledges.rules import GRADE_LABELS
from core.periods import QUARTER_LABELS, QUARTERS
from core.scoring import round2
from core.spreadsheets import Percent

from .. import rating

RATE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class SheetSpec:
    title: str
    headers: tuple[str, ...]
    widths: tuple[float, ...]


SUMMARY = SheetSpec(
    "汇总",
    (
        "支部编码",
        "支部名称",
        "上级党组织",
        "申报星级",
        "季度检查平均分",
        "年度考评得分",
        "综合得分",
        "评定星级",
        "上年星级",
        "变动",
        "标记",
        "审批状态",
        "说明",
    ),
    (12, 28, 22, 10, 14, 14, 12, 10, 10, 12, 26, 10, 70),
)
INDICATORS = SheetSpec(
    "指标明细",
    (
        "支部编码",
        "支部名称",
        "指标编码",
        "指标名称",
        "分值",
        "第一季度",
        "第二季度",
        "第三季度",
        "第四季度",
        "年度考评",
        "说明",
        "佐证材料",
    ),
    (12, 28, 10, 26, 8, 10, 10, 10, 10, 10, 60, 10),
)
MEETINGS = SheetSpec(
    "三会一课",
    (
        "支部编码",
        "支部名称",
        "季度",
        "支部党员大会",
        "支部委员会",
        "党小组会",
        "党课",
        "主题党日",
        "出勤率",
        "补录条数",
        "未达法定人数条数",
    ),
    (12, 28, 10, 12, 12, 10, 8, 10, 10, 10, 16),
)
MEMBERS = SheetSpec(
    "党员评议",
    ("支部编码", "姓名", "党员类别", "评议等次", "出勤率", "承诺兑现率"),
    (12, 12, 10, 10, 10, 12),
)
PROBLEMS = SheetSpec(
    "问题整改",
    ("支部编码", "问题", "发现日期", "整改期限", "状态", "销号日期"),
    (12, 60, 12, 12, 12, 12),
)
HISTORY_TITLE = "星级历史"
SHEET_TITLES = (SUMMARY.title, INDICATORS.title, MEETINGS.title, MEMBERS.title, PROBLEMS.title, HISTORY_TITLE)

# The meeting columns of 三会一课, in header order.
MEETING_KINDS = (
    compliance.GENERAL_MEETING,
    compliance.COMMITTEE_MEETING,
    compliance.GROUP_MEETING,
    compliance.PARTY_LESSON,
    compliance.THEME_DAY,
)


def workbook_title(year: int) -> str:
    return f"{year}年度星级党支部考核表"


def history_spec(years: Sequence[int]) -> SheetSpec:
    """星级历史: code, name, then one column per year with an approved level."""
    return SheetSpec(
        HISTORY_TITLE,
        ("支部编码", "支部名称", *(f"{year}年" for year in years)),
        (12, 28, *(8 for _ in years)),
    )


def rate_cell(rate: Decimal | float | None) -> Percent | None:
    """A rate as a number shown as a percentage; blank when there was nothing to count."""
    if rate is None:
        return None
    return Percent(Decimal(rate).quantize(RATE_PLACES))


def score_cell(value: Decimal | None) -> Decimal | None:
    return None if value is None else round2(value)


@dataclass(frozen=True)
class Branch:
    id: int
    code: str
    name: str
    parent: str  # the name of the general branch or committee above it


# --- 汇总 ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SummaryLine:
    """A branch's line of the year's rating, as far as the reader may see it.

    `rated` is False when there is no rating line to show (not rated yet, or not approved and the
    reader is not the committee): the numbers, level, action and flags are then blank.
    """

    status: str  # the year's approval status: pending / proposed / approved
    applied_level: int | None = None
    previous_year_level: int | None = None
    rated: bool = False
    quarter_mean: Decimal | None = None
    annual: Decimal | None = None
    score: Decimal | None = None
    level: int | None = None  # the committee's override where there is one; None for a lagging branch
    action: str = ""  # rating.Action value, "" for a lagging branch
    # Why the level (publication.rules.explanation): the band, what moved it, the rule of the action.
    notes: str = ""


def summary_row(branch: Branch, line: SummaryLine) -> list:
    flags = "、".join(rating.flags_for(line.level).labels) if line.rated else ""
    action = rating.ACTION_LABELS[rating.Action(line.action)] if line.rated and line.action else None
    return [
        branch.code,
        branch.name,
        branch.parent,
        line.applied_level,
        score_cell(line.quarter_mean) if line.rated else None,
        score_cell(line.annual) if line.rated else None,
        score_cell(line.score) if line.rated else None,
        line.level if line.rated else None,
        line.previous_year_level,
        action,
        flags or None,
        rating.YEAR_STATUS_LABELS.get(line.status, line.status),
        (line.notes or None) if line.rated else None,
    ]


# --- 指标明细 ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorInfo:
    code: str
    name: str
    aspect: str
    points: Decimal
    quarterly: bool
    manual: bool = False  # scored by a checker: backed by the branch's supporting documents

    def as_def(self) -> rating.IndicatorDef:
        return rating.IndicatorDef(self.code, self.aspect, self.points, self.quarterly)


@dataclass
class BranchScores:
    """One branch's effective scores of the year in whole cents, cents[code, quarter], and their notes,
    notes[code][quarter]; quarter 0 = the year. Cents (scores have 2 decimals): the annual points are
    rating.branch_numbers' integer arithmetic (which reads them under these pairs), and a province's
    295,000 scores are not each a Decimal to read and round."""

    cents: dict[tuple[str, int], int] = field(default_factory=dict)
    notes: dict[str, dict[int, str]] = field(default_factory=dict)

    def add(self, code: str, quarter: int, value: Decimal | None, note: str) -> None:
        if value is not None:
            self.cents[code, quarter] = rating.to_cents(value, code)
        if note:
            self.notes.setdefault(code, {})[quarter] = note


@dataclass(frozen=True)
class IndicatorLayout:
    """The sheet's indicators with what every branch's rows share, made once for an export."""

    indicators: tuple[IndicatorInfo, ...]
    points: tuple[Decimal, ...]  # each indicator's points cell
    # For the annual points only, which the weights do not change: the standard's default weights.
    scheme: rating.Scheme


def indicator_layout(indicators: Sequence[IndicatorInfo]) -> IndicatorLayout:
    return IndicatorLayout(
        indicators=tuple(indicators),
        points=tuple(round2(i.points) for i in indicators),
        scheme=rating.scheme([i.as_def() for i in indicators], rating.Rules()),
    )


def explanation(notes: Mapping[int, str]) -> str:
    """The notes of a quarterly indicator prefixed with their quarter; a yearly one's note as it is."""
    if notes.keys() <= {0}:
        return notes.get(0, "")
    return "；".join(f"{QUARTER_LABELS[q]}：{notes[q]}" for q in sorted(notes) if q in QUARTER_LABELS)


_UNSCORED = (None,) * len(QUARTERS)


def indicator_rows(
    branch: Branch,
    layout: IndicatorLayout,
    scores: BranchScores,
    documents: Mapping[str, int] | None = None,
) -> Iterator[list]:
    """One row per indicator: its points, each quarter's score, its points in the annual assessment,
    and for a manual indicator the number of supporting documents (`documents` by code; blank for an
    auto indicator, which is computed from the records)."""
    documents = documents or {}
    annual = rating.branch_numbers(scores.cents, layout.scheme).annual_by_code
    cell = rating.from_cents
    get = scores.cents.get
    for ind, points in zip(layout.indicators, layout.points, strict=True):
        if ind.quarterly:
            code = ind.code
            quarters: Sequence[Decimal | None] = [
                None if (cents := get((code, q))) is None else cell(cents) for q in QUARTERS
            ]
        else:
            quarters = _UNSCORED
        notes = scores.notes.get(ind.code)
        yield [
            branch.code,
            branch.name,
            ind.code,
            ind.name,
            points,
            *quarters,
            annual[ind.code],
            (explanation(notes) or None) if notes else None,
            documents.get(ind.code, 0) if ind.manual else None,
        ]


# --- 三会一课 ---------------------------------------------------------------------------------------


_ATTENDANCE_KINDS = frozenset(compliance.ATTENDANCE_KINDS)


def meeting_rows(branch: Branch, tallies: Mapping[tuple[int, str], Tally]) -> Iterator[list]:
    """One row per quarter from the tallies of submitted meetings, keyed (quarter, kind).

    The tallies cover the branch and its groups, so 党小组会 counts every group's meetings. 出勤率 is
    C1's: present ÷ expected over 党员大会, 支委会, 党小组会 and 党课 (blank when nobody was expected).
    """
    # One pass over the tallies, then plain sums: a province's 20,000 rows (Tally's + builds a tuple).
    by_quarter: dict[int, dict[str, Tally]] = {quarter: {} for quarter in QUARTERS}
    for (quarter, kind), tally in tallies.items():
        if quarter in by_quarter:
            by_quarter[quarter][kind] = tally
    for quarter, of_quarter in by_quarter.items():
        expected = present = backfilled = below_quorum = 0
        for kind, tally in of_quarter.items():
            backfilled += tally.backfilled
            below_quorum += tally.below_quorum
            if kind in _ATTENDANCE_KINDS:
                expected += tally.expected
                present += tally.present
        yield [
            branch.code,
            branch.name,
            QUARTER_LABELS[quarter],
            *(of_quarter[kind].meetings if kind in of_quarter else 0 for kind in MEETING_KINDS),
            _attendance_cell(present, expected),
            backfilled,
            below_quorum,
        ]


# --- 党员评议 ---------------------------------------------------------------------------------------


@dataclass(slots=True)  # not frozen: a province's 125,000 lines, and a frozen __init__ sets each field by hand
class MemberLine:
    branch_code: str
    name: str
    is_full: bool  # a full member at the year's end (or when they left the branch)
    grade: str = ""  # the yearly appraisal's final grade (activities.pledges.rules.GRADES), "" if none
    present: int = 0  # 三会一课 attendance in this branch over the year
    expected: int = 0
    fulfilment: Decimal | None = None  # the member's pledges of the year


# The cells of the rates members share: a province's 125,000 members have a few thousand distinct
# (present, expected) pairs and fulfilment rates, each computed once (Percent is an immutable float).
_ATTENDANCE_CELLS: dict[tuple[int, int], Percent | None] = {}
_RATE_CELLS: dict[Decimal, Percent | None] = {}
_CELLS_MAX = 65536


def _attendance_cell(present: int, expected: int) -> Percent | None:
    """rate_cell of present ÷ expected (Tally.attendance_rate), made once per pair."""
    key = (present, expected)
    if key in _ATTENDANCE_CELLS:
        return _ATTENDANCE_CELLS[key]
    attendance = rate_cell(Tally(expected=expected, present=present).attendance_rate)
    if len(_ATTENDANCE_CELLS) < _CELLS_MAX:
        _ATTENDANCE_CELLS[key] = attendance
    return attendance


def member_row(line: MemberLine) -> list:
    attendance = _attendance_cell(line.present, line.expected)
    fulfilment = None
    if line.fulfilment is not None:
        if line.fulfilment in _RATE_CELLS:
            fulfilment = _RATE_CELLS[line.fulfilment]
        else:
            fulfilment = rate_cell(line.fulfilment)
            if len(_RATE_CELLS) < _CELLS_MAX:
                _RATE_CELLS[line.fulfilment] = fulfilment
    return [
        line.branch_code,
        line.name,
        "正式党员" if line.is_full else "预备党员",
        GRADE_LABELS.get(line.grade),
        attendance,
        fulfilment,
    ]


# --- 问题整改 ---------------------------------------------------------------------------------------


def problem_status(deadline: date, closed_on: date | None, today: date) -> str:
    """按期销号 / 逾期销号 for closed problems; 整改中 / 已逾期 for open ones, as of `today`."""
    if closed_on is not None:
        return "按期销号" if closed_on <= deadline else "逾期销号"
    return "已逾期" if deadline < today else "整改中"


def problem_row(
    branch_code: str, description: str, found_on: date, deadline: date, closed_on: date | None, today: date
) -> list:
    return [branch_code, description, found_on, deadline, problem_status(deadline, closed_on, today), closed_on]


# --- 星级历史 ---------------------------------------------------------------------------------------


def history_row(branch: Branch, levels: Mapping[int, int], years: Iterable[int]) -> list:
    return [branch.code, branch.name, *(levels.get(year) for year in years)]
