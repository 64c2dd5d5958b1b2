"""党费 (Party dues) by 《关于中国共产党党费收缴、使用和管理的规定》(中组发〔2008〕3号), as plain functions.

Everything here works on plain data (Decimals, dates, tuples), so it is tested without a database;
dues.selectors feeds it what the database holds and dues.services stores what it returns. The rules
in words are in docs/domain-dues.md. Messages are Chinese and stay Chinese (like every pure rule
module's: they are stored or shown as data).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

# --- categories and rates ------------------------------------------------------------------------

EMPLOYED = "employed"  # 在职: by salary
RETIRED = "retired"  # 离退休: by pension
STUDENT = "student"  # 学生: a fixed 0.20 a month
FIXED = "fixed"  # 其他固定额: farmers, the unemployed, minimum living allowance — 0.20–1.00 set per member

CATEGORY_LABELS = {EMPLOYED: "在职", RETIRED: "离退休", STUDENT: "学生", FIXED: "其他固定额"}
CATEGORY_BY_LABEL = {label: key for key, label in CATEGORY_LABELS.items()}

# (upper bound inclusive, rate); the last band has no bound. "Each bound inclusive on its band":
# 3,000.00 is 0.5 %, 3,000.01 is 1 %.
EMPLOYED_BANDS: tuple[tuple[Decimal | None, Decimal], ...] = (
    (Decimal("3000"), Decimal("0.005")),
    (Decimal("5000"), Decimal("0.01")),
    (Decimal("10000"), Decimal("0.015")),
    (None, Decimal("0.02")),
)
RETIRED_BANDS: tuple[tuple[Decimal | None, Decimal], ...] = (
    (Decimal("5000"), Decimal("0.005")),
    (None, Decimal("0.01")),
)
STUDENT_AMOUNT = Decimal("0.20")
FIXED_MIN = Decimal("0.20")
FIXED_MAX = Decimal("1.00")
CENT = Decimal("0.01")
# A base is a monthly income in yuan; anything above this is a typing error, not a salary.
MAX_BASE = Decimal("1000000")

# --- rounding (the committee chooses per year) ---------------------------------------------------

FEN = "fen"
JIAO = "jiao"
YUAN = "yuan"
DEFAULT_ROUNDING = FEN
ROUNDING_LABELS = {FEN: "四舍五入到分", JIAO: "四舍五入到角", YUAN: "四舍五入到元"}
_QUANTUM = {FEN: Decimal("0.01"), JIAO: Decimal("0.1"), YUAN: Decimal("1")}


def round_amount(amount: Decimal, rounding: str = DEFAULT_ROUNDING) -> Decimal:
    """Half up to the fen, the jiao or the yuan; always returned with two decimals (12.30, 12.00)."""
    return Decimal(amount).quantize(_QUANTUM[rounding], rounding=ROUND_HALF_UP).quantize(CENT)


def rate(category: str, base: Decimal | None) -> Decimal | None:
    """The share of the base paid each month, or None where the amount is fixed (学生, 其他固定额)."""
    if category == EMPLOYED:
        bands = EMPLOYED_BANDS
    elif category == RETIRED:
        bands = RETIRED_BANDS
    else:
        return None
    base = Decimal(base or 0)
    for bound, share in bands:
        if bound is None or base <= bound:
            return share
    raise AssertionError("the last band has no bound")


def monthly_due(category: str, base: Decimal | None, rounding: str = DEFAULT_ROUNDING) -> Decimal:
    """A month's dues in yuan. The rounding applies to amounts computed from a base; fixed amounts
    are what they are (rounding 0.20 to the yuan would make a student's dues nothing)."""
    if category == STUDENT:
        return STUDENT_AMOUNT
    # base_errors refuses a missing base for the other categories before anything is computed.
    assert base is not None, f"{category}: no base"
    if category == FIXED:
        return Decimal(base).quantize(CENT, rounding=ROUND_HALF_UP)
    share = rate(category, base)
    assert share is not None, f"{category}: no rate"  # only 学生 and 其他固定额 have none
    return round_amount(Decimal(base) * share, rounding)


def base_errors(category: str, base: Decimal | None) -> list[str]:
    """What is wrong with a category and base (empty when they are sound). In Chinese."""
    if category not in CATEGORY_LABELS:
        return [f"类别应为{'、'.join(CATEGORY_LABELS.values())}之一"]
    if category == STUDENT:
        if base is not None and Decimal(base) < 0:
            return ["计算基数不能为负数"]
        return []
    if base is None:
        if category == FIXED:
            return ["其他固定额须填写每月固定交纳的金额（0.20–1.00元）"]
        return ["请填写计算基数（每月工资或离退休费收入，元）"]
    base = Decimal(base)
    if base != base.quantize(CENT):
        return ["金额最多保留2位小数（到分）"]
    base = base.quantize(CENT)
    if category == FIXED:
        if not FIXED_MIN <= base <= FIXED_MAX:
            return [f"其他固定额每月交纳金额应在0.20–1.00元之间，不能是{base}元"]
        return []
    if base < 0:
        return ["计算基数不能为负数"]
    if base > MAX_BASE:
        return [f"计算基数{base}元超出合理范围，请检查（单位为元/月）"]
    return []


def format_rate(share: Decimal | None) -> str:
    """0.015 → "1.5%"; fixed amounts → "固定额"."""
    if share is None:
        return "固定额"
    return f"{(share * 100).normalize():f}%"


# --- months -------------------------------------------------------------------------------------


class Month(NamedTuple):
    """A calendar month. Tuples order as months do, so min/max/sorted work."""

    year: int
    month: int

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def from_ordinal(cls, ordinal: int) -> Month:
        return cls(ordinal // 12, ordinal % 12 + 1)

    @property
    def ordinal(self) -> int:
        """Months since January of year 0 (named so as not to hide tuple.index)."""
        return self.year * 12 + self.month - 1

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def shift(self, months: int) -> Month:
        return Month.from_ordinal(self.ordinal + months)

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"


def months_between(first: Month, last: Month) -> list[Month]:
    return [Month.from_ordinal(i) for i in range(first.ordinal, last.ordinal + 1)]


def year_months(year: int, today: date) -> list[Month]:
    """The months of a year that are due by `today`: all twelve of a past year, January to the
    current month of the current year, none of a future one."""
    if year > today.year:
        return []
    last = 12 if year < today.year else today.month
    return [Month(year, m) for m in range(1, last + 1)]


def reference_month(year: int, today: date) -> Month | None:
    """The month a year's "months unpaid in a row" end with: December, or the current month for the
    current year (None for a year still to come)."""
    months = year_months(year, today)
    return months[-1] if months else None


# --- who pays where, and from when ---------------------------------------------------------------


class Span(NamedTuple):
    """A membership span: the member was in `branch_id` from `start` to `end` (None: open)."""

    branch_id: int
    start: date | None
    end: date | None


def dues_branches(spans: Iterable[Span], joined_on: date | None, months: Iterable[Month]) -> dict[Month, int]:
    """Each month the member owes dues for, with the branch it is paid to.

    A member pays from the month of 入党日期 (a probationary member from the month the branch general
    meeting accepted them). A month belongs to the branch the member was in on its last day, as study
    notes do (activities.pledges.rules.months_in_branch): when a member is transferred, every month
    goes to exactly one branch — the month of the transfer to the new one. Months on no span (before
    the member's records begin in any branch) are owed nowhere.
    """
    spans = list(spans)
    out = {}
    for month in months:
        day = month.last
        if joined_on is not None and joined_on > day:
            continue
        for span in spans:
            if (span.start is None or span.start <= day) and (span.end is None or span.end >= day):
                out[month] = span.branch_id
                break
    return out


# --- bases --------------------------------------------------------------------------------------


class BaseRow(NamedTuple):
    """A member's base from a month of a year on: until the next row of the same year."""

    year: int
    from_month: int
    category: str
    base: Decimal | None
    due: Decimal  # monthly_due(category, base, the year's rounding), stored with the row


def base_for(bases: Iterable[BaseRow], month: Month) -> BaseRow | None:
    """The base in effect in `month`: the row of that year with the latest from_month on or before
    it. A year's months before its first row have no base (nothing carries over from the year
    before: bases are verified every year)."""
    found = None
    for row in bases:
        if row.year == month.year and row.from_month <= month.month:
            if found is None or row.from_month > found.from_month:
                found = row
    return found


# --- exemptions (免交) and deferrals (缓交) ---------------------------------------------------------

EXEMPT = "exempt"  # 免交: approved; nothing is owed for the months
DEFERRED = "deferred"  # 缓交: approved; still owed, but the months are not "unpaid without a reason"
EXCUSE_LABELS = {EXEMPT: "免交", DEFERRED: "缓交"}


class Excuse(NamedTuple):
    kind: str
    first: Month
    last: Month


def excuse_for(excuses: Iterable[Excuse], month: Month) -> str | None:
    """免交 wins over 缓交 where both cover a month."""
    kinds = {e.kind for e in excuses if e.first <= month <= e.last}
    if EXEMPT in kinds:
        return EXEMPT
    if DEFERRED in kinds:
        return DEFERRED
    return None


# --- one member-month ----------------------------------------------------------------------------


class Payment(NamedTuple):
    month: Month
    amount: Decimal
    paid_on: date


# Month states, for the ledger's cells.
PAID = "paid"  # in full by the month's end
LATE = "late"  # in full, but after the month's end (补交)
PARTIAL = "partial"  # something paid, not all
UNPAID = "unpaid"
NO_BASE = "no_base"  # no base for the month: the amount due is unknown
STATE_LABELS = {
    PAID: "按时交纳",
    LATE: "补交",
    PARTIAL: "未交足",
    UNPAID: "未交",
    NO_BASE: "未核定基数",
    EXEMPT: "免交",
    DEFERRED: "缓交",
}


@dataclass(frozen=True)
class MonthDues:
    """What one member owed and paid for one month."""

    month: Month
    standard: Decimal | None  # the month's dues by the base (None: no base)
    paid: Decimal = Decimal(0)  # everything paid for the month, whenever
    paid_on_time: Decimal = Decimal(0)  # paid on or before the month's last day
    excuse: str | None = None
    last_paid_on: date | None = None

    @property
    def due(self) -> Decimal | None:
        """What is owed for the month: nothing when exempt, unknown without a base."""
        if self.excuse == EXEMPT:
            return Decimal(0)
        return self.standard

    @property
    def in_full(self) -> bool:
        due = self.due
        return due is not None and self.paid >= due

    @property
    def on_time(self) -> bool:
        """Paid in full by the month's end. An exempt month is not "on time": it is not counted."""
        return self.excuse is None and self.standard is not None and self.paid_on_time >= self.standard

    @property
    def owed(self) -> Decimal:
        """What is still owed (never below 0: paying more for one month does not cover another)."""
        due = self.due
        return max(due - self.paid, Decimal(0)) if due is not None else Decimal(0)

    @property
    def counted(self) -> bool:
        """Counted in the on-time rate (C6): every month owed, except those with an approved reason."""
        return self.excuse is None

    @property
    def unpaid_without_reason(self) -> bool:
        """What the six-month rule counts: not paid in full, and no approved 免交/缓交."""
        return self.excuse is None and not self.in_full

    @property
    def state(self) -> str:
        if self.excuse == EXEMPT:
            return EXEMPT
        if self.in_full:
            return PAID if self.on_time else LATE
        if self.excuse == DEFERRED:
            return DEFERRED
        if self.standard is None:
            return NO_BASE
        return PARTIAL if self.paid > 0 else UNPAID


def month_dues(month: Month, base: BaseRow | None, payments: Iterable[Payment], excuse: str | None = None) -> MonthDues:
    """One member-month from its base and the payments made for it (any date: back payments count
    toward "paid in full", only those by the month's end toward "on time")."""
    last_day = month.last
    paid = on_time = Decimal(0)
    last_paid_on = None
    for payment in payments:
        paid += payment.amount
        if payment.paid_on <= last_day:
            on_time += payment.amount
        if last_paid_on is None or payment.paid_on > last_paid_on:
            last_paid_on = payment.paid_on
    return MonthDues(month, base.due if base else None, paid, on_time, excuse, last_paid_on)


# --- a member's year, arrears and the six-month rule ---------------------------------------------

ATTENTION_MONTHS = 6
ATTENTION_RULE = "党章第九条"


def unpaid_streak(months: Mapping[Month, MonthDues], ref: Month) -> int:
    """Months in a row, ending with `ref`, not paid in full and without an approved reason.

    `months` holds every month the member owed dues for, in any branch and any year: the run crosses
    year boundaries and transfers. A month missing from it (before the member joined, or before the
    records begin) ends the run, as do a month paid in full and a month with an approved 免交/缓交.
    """
    count = 0
    month = ref
    while (entry := months.get(month)) is not None and entry.unpaid_without_reason:
        count += 1
        month = month.shift(-1)
    return count


def needs_attention(streak: int) -> bool:
    """Six months in a row unpaid without a reason: flag it for the branch and the committee. Whether
    the member has left the Party of their own accord (党章第九条) is for the organisation to decide;
    the software only flags."""
    return streak >= ATTENTION_MONTHS


def attention_message(streak: int) -> str:
    return f"连续{streak}个月未交纳党费，且无批准的免交、缓交理由（{ATTENTION_RULE}）"


@dataclass
class MemberYear:
    """One member's months in one branch's ledger for one year."""

    member_id: int
    months: dict[Month, MonthDues] = field(default_factory=dict)
    streak: int = 0  # unpaid months in a row ending with the year's reference month (any branch)

    @property
    def due_total(self) -> Decimal:
        return sum((m.due for m in self.months.values() if m.due is not None), Decimal(0))

    @property
    def paid_total(self) -> Decimal:
        return sum((m.paid for m in self.months.values()), Decimal(0))

    @property
    def arrears(self) -> Decimal:
        """The sum over the months of what was due but not paid; paying more in one month does not
        cover another."""
        return sum((m.owed for m in self.months.values()), Decimal(0))

    @property
    def counted(self) -> int:
        return sum(1 for m in self.months.values() if m.counted)

    @property
    def on_time(self) -> int:
        return sum(1 for m in self.months.values() if m.on_time)

    @property
    def no_base(self) -> int:
        return sum(1 for m in self.months.values() if m.standard is None and m.excuse != EXEMPT)

    @property
    def attention(self) -> bool:
        return needs_attention(self.streak)


@dataclass(frozen=True)
class OnTimeCounts:
    """What C6 is computed from for one branch and year: member-months paid on time, and owed."""

    on_time: int = 0
    due: int = 0

    def __add__(self, other: OnTimeCounts) -> OnTimeCounts:
        return OnTimeCounts(self.on_time + other.on_time, self.due + other.due)


def on_time_counts(members: Iterable[MemberYear]) -> OnTimeCounts:
    members = list(members)
    return OnTimeCounts(sum(m.on_time for m in members), sum(m.counted for m in members))


def on_time_rate(counts: OnTimeCounts) -> Decimal | None:
    """Member-months paid on time ÷ member-months due (None when nothing was due)."""
    if not counts.due:
        return None
    return Decimal(counts.on_time) / Decimal(counts.due)


# --- remittances (上缴) ----------------------------------------------------------------------------


def remittance_errors(year: int, first_month: int, last_month: int, amount: Decimal, remitted_on: date) -> list[str]:
    errors = []
    if not (1 <= first_month <= 12 and 1 <= last_month <= 12):
        errors.append("所属月份应为1–12月")
    elif first_month > last_month:
        errors.append("起始月份不能晚于截止月份")
    if amount <= 0:
        errors.append("上缴金额须大于0")
    elif amount != amount.quantize(CENT):
        errors.append("金额最多保留2位小数（到分）")
    if 1 <= first_month <= 12 and remitted_on < Month(year, first_month).first:
        errors.append("上缴日期不能早于所属的第一个月")
    return errors


def payment_errors(amount: Decimal | None, paid_on: date | None, today: date) -> dict[str, str]:
    """What is wrong with one payment's amount and date, by field (Chinese)."""
    errors = {}
    if amount is None:
        errors["amount"] = "请填写实交金额"
    elif amount < 0:
        errors["amount"] = "实交金额不能为负数"
    elif amount == 0:
        errors["amount"] = "实交金额须大于0"
    elif amount != amount.quantize(CENT):
        errors["amount"] = "金额最多保留2位小数（到分）"
    elif amount > MAX_BASE:
        errors["amount"] = "实交金额超出合理范围，请检查"
    if paid_on is None:
        errors["paid_on"] = "请填写交纳日期"
    elif paid_on > today:
        errors["paid_on"] = f"交纳日期{paid_on:%Y-%m-%d}晚于今天，不能登记尚未发生的交纳"
    return errors


# --- a member's history, month by month -----------------------------------------------------------


@dataclass
class History:
    """Everything about one member that their dues depend on, for a run of months."""

    member_id: int
    joined_on: date | None = None
    spans: list[Span] = field(default_factory=list)
    bases: list[BaseRow] = field(default_factory=list)
    payments: dict[Month, list[Payment]] = field(default_factory=dict)
    excuses: list[Excuse] = field(default_factory=list)

    def months(self, months: Iterable[Month]) -> dict[Month, tuple[int, MonthDues]]:
        """Each month of `months` the member owed dues for: (the branch it is paid to, its dues)."""
        owed = dues_branches(self.spans, self.joined_on, months)
        return {
            month: (
                branch_id,
                month_dues(
                    month, base_for(self.bases, month), self.payments.get(month, ()), excuse_for(self.excuses, month)
                ),
            )
            for month, branch_id in owed.items()
        }


def member_year(member_id: int, months: Mapping[Month, tuple[int, MonthDues]], branch_id: int, year: int) -> MemberYear:
    """The months of `year` owed to `branch_id`, out of a member's months in every branch."""
    return MemberYear(
        member_id,
        {m: dues for m, (b, dues) in months.items() if b == branch_id and m.year == year},
    )


def current_base(bases: Iterable[BaseRow], months: Iterable[Month]) -> BaseRow | None:
    """The base in effect in the last of `months` that has one (what a ledger row shows as the
    member's category and base: a change mid-year shows the new one)."""
    for month in sorted(months, reverse=True):
        row = base_for(bases, month)
        if row is not None:
            return row
    return None


# --- which years the ledger keeps ------------------------------------------------------------------

MIN_YEAR = 2000


def year_kept(year: int, first_year: int | None, today: date) -> bool:
    """Whether dues may be recorded for `year`: the ledger runs without gaps from its first year to
    next year. A year before the first is opened by the committee, so a secretary backfilling one
    branch does not turn every other branch's old months into unpaid ones."""
    if not MIN_YEAR <= year <= today.year + 1:
        return False
    return year >= today.year or (first_year is not None and year >= first_year)


def year_message(year: int, today: date) -> str:
    if not MIN_YEAR <= year <= today.year + 1:
        return f"年度应在{MIN_YEAR}–{today.year + 1}之间，不能是{year}"
    return f"{year}年度不在党费台账范围内；补录往年党费，请先由机关党委开设该年度"
