"""Rules of pledges, democratic appraisal and study notes (DOMAIN.md, "Pledges and appraisal"), and
the indicators C2, C5 and E1 of the five-star standard, as plain functions over plain data.

Nothing here touches the database: selectors gather the facts, services act on what these return,
and tests call them directly.
"""

import functools
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import PurePath
from typing import NamedTuple

from django.utils.translation import gettext_noop

from core.periods import Period, month_end
from core.scoring import IndicatorScore, make_score

# --- Pledges (公开承诺) --------------------------------------------------------------------------

FULFILLED = "fulfilled"
PARTIAL = "partial"
UNFULFILLED = "unfulfilled"
RATING_LABELS = {
    FULFILLED: gettext_noop("已兑现"),
    PARTIAL: gettext_noop("部分兑现"),
    UNFULFILLED: gettext_noop("未兑现"),
}

# "A few items each" (DOMAIN.md): enough room for a real pledge, not enough for a wall of slogans.
MAX_MEMBER_PLEDGES = 5
MAX_BRANCH_PLEDGES = 10

RATE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class RatingCounts:
    """How a set of pledge items was rated at year end (评诺)."""

    fulfilled: int = 0
    partial: int = 0
    unfulfilled: int = 0
    unrated: int = 0

    @property
    def rated(self) -> int:
        return self.fulfilled + self.partial + self.unfulfilled

    @property
    def total(self) -> int:
        return self.rated + self.unrated

    @classmethod
    def of(cls, ratings: Iterable[str | None]) -> "RatingCounts":
        counts = Counter(r or None for r in ratings)
        return cls(
            fulfilled=counts[FULFILLED],
            partial=counts[PARTIAL],
            unfulfilled=counts[UNFULFILLED],
            unrated=counts[None],
        )

    def __add__(self, other: "RatingCounts") -> "RatingCounts":
        return RatingCounts(
            self.fulfilled + other.fulfilled,
            self.partial + other.partial,
            self.unfulfilled + other.unfulfilled,
            self.unrated + other.unrated,
        )


def fulfilment_rate(counts: RatingCounts | Mapping[str, int]) -> Decimal | None:
    """(已兑现 + ½ × 部分兑现) ÷ rated items, 4 decimals; None when nothing has been rated yet.

    Items not yet rated are left out rather than counted as failures: until the branch rates an
    item nobody knows whether it was kept, and a half-rated year should not read as a bad one.
    """
    if isinstance(counts, Mapping):
        counts = RatingCounts(
            fulfilled=counts.get(FULFILLED, 0), partial=counts.get(PARTIAL, 0), unfulfilled=counts.get(UNFULFILLED, 0)
        )
    if counts.rated == 0:
        return None
    rate = (Decimal(counts.fulfilled) + Decimal(counts.partial) / 2) / Decimal(counts.rated)
    return rate.quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def format_rate(rate: Decimal | None) -> str:
    """87.5% for a rate of 0.875; a dash when there is nothing to rate."""
    if rate is None:
        return "—"
    percent = (rate * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{percent.normalize():f}%" if percent == percent.to_integral() else f"{percent}%"


def rates_by_member(counts: Iterable[tuple[int, str | None, int]]) -> dict[int, Decimal | None]:
    """Fulfilment rate per member from (member id, rating, number of items) counts of their pledge
    items (counted by the database: a province has a quarter of a million items)."""
    # [fulfilled, partial, unfulfilled] per member; items not rated yet are left out of the rate.
    slot: dict[str | None, int] = {FULFILLED: 0, PARTIAL: 1, UNFULFILLED: 2}
    per_member: dict[int, list[int]] = {}
    for member_id, rating, n in counts:
        by_rating = per_member.get(member_id)
        if by_rating is None:
            by_rating = per_member[member_id] = [0, 0, 0]
        if (i := slot.get(rating)) is not None:
            by_rating[i] += n
    # A province's 125,000 members have a few dozen distinct counts (most made one to three items).
    rates: dict[tuple[int, ...], Decimal | None] = {}
    result = {}
    for member_id, by_rating in per_member.items():
        key = tuple(by_rating)
        if key not in rates:
            rates[key] = fulfilment_rate(RatingCounts(*key))
        result[member_id] = rates[key]
    return result


def pledge_year_error(year: int, today: date) -> str | None:
    """Pledges are made for this year, or in December for the next one."""
    allowed = {today.year, today.year + 1} if today.month == 12 else {today.year}
    if year in allowed:
        return None
    return f"承诺年度只能是{'或'.join(str(y) for y in sorted(allowed))}年，不能是{year}年"


def pledge_limit_error(existing: int, *, for_branch: bool) -> str | None:
    limit = MAX_BRANCH_PLEDGES if for_branch else MAX_MEMBER_PLEDGES
    if existing < limit:
        return None
    who = "支部" if for_branch else "每名党员"
    return f"{who}每年最多 {limit} 项承诺，已有 {existing} 项；请修改已有承诺，或删去一项再添加"


def rating_year_error(year: int, today: date) -> str | None:
    if year > today.year:
        return f"{year}年尚未开始，不能评诺"
    return None


# --- Democratic appraisal (民主评议党员) ------------------------------------------------------------

EXCELLENT = "excellent"
COMPETENT = "competent"
BASIC = "basic"
INCOMPETENT = "incompetent"
GRADES = (EXCELLENT, COMPETENT, BASIC, INCOMPETENT)
GRADE_LABELS = {
    EXCELLENT: gettext_noop("优秀"),
    COMPETENT: gettext_noop("合格"),
    BASIC: gettext_noop("基本合格"),
    INCOMPETENT: gettext_noop("不合格"),
}

OPEN = "open"  # members write self-appraisals and cast ballots; nothing per member is shown
DECIDING = "deciding"  # voting has ended: the branch sees the peer results and decides the grades
CLOSED = "closed"  # the grades are final
CLOSED_ERROR = "本次评议已结束，等次已确定，不能再修改"
VOTING_ENDED_ERROR = "互评投票已截止，不能再投票"
VOTING_OPEN_ERROR = "互评投票尚未截止：请先结束投票，再评定等次"

# Peer results per member are published only from this many ballots on. With fewer, a secretary who
# voted, or two or three voters comparing notes, could tell from a member's result how the few
# others graded them; with five or more a result is the view of at least four other people.
RESULTS_MIN_BALLOTS = 5


def majority_grade(votes: Mapping[str, int]) -> str | None:
    """The best grade that more than half of the votes reach (优秀 > 合格 > 基本合格 > 不合格).

    This is the one number per member the branch sees, and only once voting has ended. Unlike the
    counts it does not say how many votes a member received, so it cannot show who voted: a voter
    never grades themselves, and a count one short of the ballots would give them away. None when
    the member received no vote.
    """
    total = sum(votes.get(grade, 0) for grade in GRADES)
    if total == 0:
        return None
    reached = 0
    for grade in GRADES:
        reached += votes.get(grade, 0)
        if reached * 2 > total:
            return grade
    return GRADES[-1]  # unreachable: the last grade brings `reached` to `total`


def results_published(status: str, ballots: int) -> bool:
    """Whether the branch may see each member's peer result: never while ballots may still come in
    (two looks at the page would tell how the ballot cast in between graded everyone), and only
    from RESULTS_MIN_BALLOTS ballots."""
    return status != OPEN and ballots >= RESULTS_MIN_BALLOTS


def grade_tally(grades: Iterable[str]) -> dict[str, int]:
    """Counts per grade, every grade present (0 where nobody gave it)."""
    counts = Counter(grades)
    return {grade: counts[grade] for grade in GRADES}


def excellent_share_warning(final_grades: Iterable[str | None]) -> str | None:
    """A warning (never a block) when 优秀 passes one third of those graded (DOMAIN.md)."""
    decided = [g for g in final_grades if g]
    excellent = sum(1 for g in decided if g == EXCELLENT)
    if excellent * 3 <= len(decided):
        return None
    return (
        f"评为优秀的 {excellent} 人，超过已评定 {len(decided)} 人的三分之一"
        f"（一般不超过 {len(decided) // 3} 人），请再斟酌"
    )


def ballot_errors(grader_id: int, participant_ids: Iterable[int], grades: Mapping[int, str]) -> list[str]:
    """What is wrong with a peer ballot: it grades every other participant once, and never oneself."""
    others = set(participant_ids) - {grader_id}
    errors = []
    if grader_id in grades:
        errors.append("不能给自己评定等次，请在自我评价中写明")
    missing = others - set(grades)
    if missing:
        errors.append(f"还有 {len(missing)} 名党员未评定等次")
    if set(grades) - others - {grader_id}:
        errors.append("只能评议本次参加评议的党员")
    if any(g not in GRADES for g in grades.values()):
        errors.append("等次只能是优秀、合格、基本合格或不合格")
    return errors


def close_errors(undecided_names: Iterable[str]) -> list[str]:
    names = list(undecided_names)
    if not names:
        return []
    return [f"以下党员尚未确定评议等次：{'、'.join(names)}"]


# --- Study notes (学习心得) ---------------------------------------------------------------------

# The same limits as meeting attachments (activities.services): a test keeps the two in step.
ATTACHMENT_KINDS = {"jpg": "jpeg", "jpeg": "jpeg", "png": "png", "pdf": "pdf", "docx": "docx", "xlsx": "xlsx"}
ATTACHMENT_EXTENSIONS = tuple(f".{ext}" for ext in ATTACHMENT_KINDS)
KIND_NAMES = {"jpeg": "JPG图片", "png": "PNG图片", "pdf": "PDF文件", "docx": "Word文档", "xlsx": "Excel工作簿"}
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


def attachment_error(filename: str, size: int) -> str | None:
    """Type by name, and size: what can be told before reading the file."""
    ext = PurePath(filename).suffix.lower().lstrip(".")
    if ext not in ATTACHMENT_KINDS:
        return f"附件“{filename}”的类型不允许，只能上传 {'、'.join(ATTACHMENT_KINDS)} 文件"
    if size > MAX_ATTACHMENT_BYTES:
        return f"附件“{filename}”超过 {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB，请压缩后再上传"
    if size == 0:
        return f"附件“{filename}”是空文件"
    return None


def attachment_content_error(filename: str, sniffed_kind: str | None) -> str | None:
    """The bytes must be what the name says: a renamed .exe is not a PDF."""
    expected = ATTACHMENT_KINDS.get(PurePath(filename).suffix.lower().lstrip("."))
    if expected is None or sniffed_kind == expected:
        return None
    return f"附件“{filename}”的内容不是{KIND_NAMES[expected]}，文件可能已损坏或扩展名不对"


def note_month_error(month: date, today: date) -> str | None:
    if (month.year, month.month) > (today.year, today.month):
        return f"{month.year}年{month.month}月还没到，不能提前提交学习心得"
    return None


# --- Coverage and the indicators C2, C5, E1 ------------------------------------------------------


@functools.cache
def _all_months(months: tuple[tuple[int, int], ...]) -> frozenset[tuple[int, int]]:
    return frozenset(months)


def months_in_branch(
    spans: Iterable[tuple[date | None, date | None]],
    months: Iterable[tuple[int, int]],
    joined_on: date | None = None,
) -> frozenset[tuple[int, int]]:
    """The months a member counts for a branch: those whose last day falls in one of the member's
    spans in the branch (and after they joined the Party).

    Judging each month by its last day gives every month to exactly one branch when a member
    transfers, so nobody is asked for the same month's note twice.
    """
    spans = list(spans)
    months = tuple(months)
    if not months:
        return frozenset()
    # The usual case, taken without looking at each month: a member who was in the Party and in the
    # branch from before the first month's last day to after the last month's.
    first, last = month_end(*min(months)), month_end(*max(months))
    if joined_on is None or joined_on <= first:
        for start, end in spans:
            if (start is None or start <= first) and (end is None or end >= last):
                return _all_months(months)
    result = set()
    for year, month in months:
        day = month_end(year, month)
        if joined_on is not None and joined_on > day:
            continue
        if any((start is None or start <= day) and (end is None or end >= day) for start, end in spans):
            result.add((year, month))
    return frozenset(result)


def counts_in_roll(status: str, counts_when_retired: bool) -> bool:
    """Retired members count only where the branch says so (DOMAIN.md, as for attendance)."""
    return status != "retired" or counts_when_retired


class MemberPeriodFacts(NamedTuple):
    """One member of a branch over a period. A named tuple: a province's year builds 125,000."""

    required_months: frozenset[tuple[int, int]]  # months the member belonged to the branch
    note_months: frozenset[tuple[int, int]] = frozenset()  # months with at least one study note
    has_pledge: bool = False  # at least one pledge item in the period's year

    @property
    def notes_every_month(self) -> bool:
        return bool(self.required_months) and self.required_months <= self.note_months


@dataclass(frozen=True)
class BranchPledgeFacts:
    """What C2, C5 and E1 need about one branch over a period (built by selectors.pledge_facts)."""

    branch_id: int
    year: int
    members: Mapping[int, MemberPeriodFacts] = field(default_factory=dict)
    ratings: RatingCounts = RatingCounts()  # the branch's and its members' items of `year`
    codes: frozenset[str] | None = None  # the indicators the facts were gathered for (None: all)

    @property
    def counted_members(self) -> list[MemberPeriodFacts]:
        return [m for m in self.members.values() if m.required_months]

    @property
    def counts(self) -> "PledgeCounts":
        return PledgeCounts(
            self.branch_id, self.year, study_note_coverage(self), pledge_coverage(self), self.ratings, self.codes
        )


@dataclass(frozen=True)
class PledgeCounts:
    """The numbers C2, C5 and E1 are computed from, for one branch over a period.

    BranchPledgeFacts.counts derives them member by member; for every branch of a province
    selectors.pledge_counts has the database count them by the same rules.
    """

    branch_id: int
    year: int
    note_coverage: tuple[int, int] = (0, 0)  # (members with a note in each of their months, members counted)
    pledge_coverage: tuple[int, int] = (0, 0)  # (members with a pledge item in the year, members counted)
    ratings: RatingCounts = RatingCounts()
    codes: frozenset[str] | None = None  # the indicators the counts were gathered for (None: all)


def study_note_coverage(facts: BranchPledgeFacts) -> tuple[int, int]:
    """(members with a note in each month they belonged to the branch, members counted)."""
    counted = facts.counted_members
    return sum(1 for m in counted if m.notes_every_month), len(counted)


def pledge_coverage(facts: BranchPledgeFacts) -> tuple[int, int]:
    """(members with at least one pledge item in the year, members counted)."""
    counted = facts.counted_members
    return sum(1 for m in counted if m.has_pledge), len(counted)


def is_whole_year(period: Period) -> bool:
    return len(period.months) == 12 and period.start == date(period.start.year, 1, 1)


def _share_score(code: str, name: str, covered: int, total: int, points: Decimal, what: str) -> IndicatorScore:
    if total == 0:
        return make_score(code, Decimal(0), points, f"{name}：本期没有应计的党员")
    earned = Decimal(points) * min(Decimal(1), Decimal(covered) / Decimal(total))
    return make_score(code, earned, points, f"{name}：{covered}/{total} 名党员{what}")


def pledge_indicator_scores(
    facts: BranchPledgeFacts | PledgeCounts, period: Period, points: Mapping[str, Decimal]
) -> dict[str, IndicatorScore]:
    """C2 for any period; C5 and E1 for a whole year (they are yearly indicators).

    An indicator is computed only when `points` holds its code (and the facts were gathered for it),
    so a caller asking for a quarter's q indicators gets C2 alone.

    E1 counts the year's items of the branch itself and of its members alike: both are pledges the
    branch made in public and rated at year end, and DOMAIN.md speaks of "the year's pledge items".
    """
    counts = facts.counts if isinstance(facts, BranchPledgeFacts) else facts
    if counts.codes is not None:
        points = {code: value for code, value in points.items() if code in counts.codes}
    scores = {}
    if "C2" in points:
        covered, total = counts.note_coverage
        scores["C2"] = _share_score("C2", "学习心得", covered, total, points["C2"], "每月都有学习心得")
    if not is_whole_year(period):
        return scores
    if "C5" in points:
        covered, total = counts.pledge_coverage
        scores["C5"] = _share_score("C5", "党员承诺全覆盖", covered, total, points["C5"], "作出了公开承诺")
    if "E1" in points:
        scores["E1"] = _fulfilment_score(counts.ratings, points["E1"])
    return scores


def _fulfilment_score(counts: RatingCounts, points: Decimal) -> IndicatorScore:
    rate = fulfilment_rate(counts)
    unrated = f"（另有 {counts.unrated} 项未评诺，不计入）" if counts.unrated else ""
    if rate is None:
        why = "本年度没有承诺事项" if counts.total == 0 else f"本年度 {counts.unrated} 项承诺均未评诺"
        return make_score("E1", Decimal(0), points, f"践诺率：{why}")
    return make_score(
        "E1",
        Decimal(points) * (Decimal(counts.fulfilled) + Decimal(counts.partial) / 2) / Decimal(counts.rated),
        points,
        f"践诺率：已兑现 {counts.fulfilled}、部分兑现 {counts.partial}、未兑现 {counts.unfulfilled}，"
        f"兑现率 {format_rate(rate)}{unrated}",
    )


# --- The member's record: attendance by year ---------------------------------------------------------


@dataclass(frozen=True)
class YearAttendance:
    """One member's attendance at 三会一课 in one year (the meetings C1 counts)."""

    year: int
    expected: int = 0
    present: int = 0
    leave: int = 0
    absent: int = 0

    @property
    def rate(self) -> Decimal | None:
        if not self.expected:
            return None
        return (Decimal(self.present) / Decimal(self.expected)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)

    @property
    def rate_display(self) -> str:
        return format_rate(self.rate)


def attendance_by_year(rows: Iterable[tuple[date, str, str]], kinds: Iterable[str]) -> list[YearAttendance]:
    """Per year, newest first, from (meeting day, meeting kind, attendance status) of submitted meetings.

    Only `kinds` count (三会一课, as for C1), so a rate here reads the same as the branch's C1.
    """
    kinds = set(kinds)
    per_year: dict[int, Counter] = {}
    for held_on, kind, status in rows:
        if kind not in kinds:
            continue
        per_year.setdefault(held_on.year, Counter())[status] += 1
    return [
        YearAttendance(
            year=year,
            expected=sum(c.values()),
            present=c["present"],
            leave=c["leave"],
            absent=c["absent"],
        )
        for year, c in sorted(per_year.items(), reverse=True)
    ]
