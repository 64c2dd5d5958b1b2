"""Reads of the dues ledger: a branch's members × months, a member's year, every branch's summary,
the attention list, and the counts C6 is computed from.

Everything a page or job shows comes from the plain rules (dues.rules) applied to rows read in bulk:
a fixed number of queries per call, whatever the number of members. The summaries of many branches
(the committee's page, the rating job) are counted by PostgreSQL in one statement (SUMMARY_SQL,
ATTENTION_SQL) by the same rules; elsewhere, or with in_sql=False, they are counted member by member
in Python, and tests hold the two to the same answers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from django.db import connections, transaction
from django.db.models import Min, Q, Sum

from branches.models import OrgUnit
from core.bulk import among, plain_rows, tune_for_jobs
from members import selectors as member_selectors
from members.models import Member, Membership

from . import rules
from .models import DuesBase, DuesExemption, DuesPayment, DuesYear, MonthState, Remittance
from .rules import Month

# A run of unpaid months is first looked for this far back; members whose run reaches further are
# read again, further back, until it ends or the ledger's first month is reached.
LOOKBACK_MONTHS = 24


# --- members by ID number -------------------------------------------------------------------------


def members_by_id_number(numbers: Iterable[str]) -> dict[str, Member]:
    """The members with these ID numbers, by number: the only place the dues app looks a member up by
    ID number (stored encrypted; members.selectors matches them through their keyed hash)."""
    return member_selectors.members_by_id_numbers(numbers, among=Member.objects.select_related("branch").order_by())


# --- years ---------------------------------------------------------------------------------------


def ledger_start() -> Month | None:
    """The first month the ledger is kept for: January of the earliest dues year (None: no ledger)."""
    first = DuesYear.objects.aggregate(first=Min("year"))["first"]
    return Month(first, 1) if first else None


def rounding_of(year: int) -> str:
    return DuesYear.objects.filter(year=year).values_list("rounding", flat=True).first() or rules.DEFAULT_ROUNDING


def ledger_months(year: int, today: date, start: Month | None) -> list[Month]:
    """The months of `year` owed by `today` that the ledger covers."""
    if start is None:
        return []
    return [m for m in rules.year_months(year, today) if m >= start]


def known_years(today: date) -> list[int]:
    """Years to offer in the year pickers: the ledger's years and the current one, newest first."""
    years = set(DuesYear.objects.values_list("year", flat=True)) | {today.year}
    return sorted((y for y in years if y <= today.year), reverse=True)


# --- histories ------------------------------------------------------------------------------------


def histories(member_ids: Iterable[int], first: Month, last: Month) -> dict[int, rules.History]:
    """What the dues of these members depend on from `first` to `last`: five queries."""
    ids = list(member_ids)
    out = {pk: rules.History(pk) for pk in ids}
    if not ids:
        return out
    for pk, joined_on in plain_rows(Member.objects.filter(pk__in=among(ids)).order_by().values_list("pk", "joined_on")):
        out[pk].joined_on = joined_on
    spans = (
        Membership.objects.filter(member_id__in=among(ids))
        .order_by("start")
        .values_list("member_id", "branch_id", "start", "end")
    )
    for member_id, branch_id, start, end in plain_rows(spans):
        out[member_id].spans.append(rules.Span(branch_id, start, end))
    bases = (
        DuesBase.objects.filter(member_id__in=among(ids), year__gte=first.year, year__lte=last.year)
        .order_by()
        .values_list("member_id", "year", "from_month", "category", "base", "monthly_due")
    )
    for member_id, year, from_month, category, base, due in plain_rows(bases):
        out[member_id].bases.append(rules.BaseRow(year, from_month, category, base, due))
    payments = (
        DuesPayment.objects.filter(member_id__in=among(ids), month__gte=first.first, month__lte=last.first)
        .order_by()
        .values_list("member_id", "month", "amount", "paid_on")
    )
    for member_id, month, amount, paid_on in plain_rows(payments):
        key = Month.of(month)
        out[member_id].payments.setdefault(key, []).append(rules.Payment(key, amount, paid_on))
    excuses = (
        DuesExemption.objects.filter(member_id__in=among(ids), last_month__gte=first.first, first_month__lte=last.first)
        .order_by()
        .values_list("member_id", "kind", "first_month", "last_month")
    )
    for member_id, kind, first_month, last_month in plain_rows(excuses):
        out[member_id].excuses.append(rules.Excuse(kind, Month.of(first_month), Month.of(last_month)))
    return out


def streaks(
    member_ids: Iterable[int], ref: Month, start: Month, first_read: Month, known: dict[int, rules.History]
) -> dict[int, tuple[int, int | None]]:
    """Each member's run of unpaid months ending with `ref`, and the branch `ref` is owed to.

    `known` holds histories read from `first_read`; a member whose run reaches back that far is read
    again further back, until the run ends or reaches the ledger's first month (`start`).
    """
    result = {}
    pending = list(member_ids)
    first = first_read
    while pending:
        again = []
        for pk in pending:
            months = known[pk].months(rules.months_between(first, ref))
            run = rules.unpaid_streak({m: d for m, (_b, d) in months.items()}, ref)
            at_ref = months.get(ref)
            result[pk] = (run, at_ref[0] if at_ref else None)
            if run == ref.ordinal - first.ordinal + 1 and first > start:
                again.append(pk)
        if not again:
            break
        first = max(start, first.shift(-LOOKBACK_MONTHS))
        known = histories(again, first, ref)
        pending = again
    return result


# --- a year's ledger of many branches -------------------------------------------------------------


@dataclass
class YearLedgers:
    """Each branch's member-years for a year, and each member's run of unpaid months."""

    year: int
    months: list[Month]  # the months owed so far (up to the reference month)
    ref: Month | None
    rows: dict[int, list[rules.MemberYear]] = field(default_factory=dict)  # branch id → member-years
    histories: dict[int, rules.History] = field(default_factory=dict)
    streak: dict[int, int] = field(default_factory=dict)  # member id → run ending with ref
    ref_branch: dict[int, int | None] = field(default_factory=dict)  # member id → branch owed `ref`

    def attention(self, branch_id: int) -> list[int]:
        """Members on the branch's attention list: six months or more unpaid in a row, and owing the
        reference month to this branch (a member transferred away is on their new branch's list)."""
        return [
            pk for pk, run in self.streak.items() if rules.needs_attention(run) and self.ref_branch.get(pk) == branch_id
        ]


def year_ledgers(branch_ids: Iterable[int], year: int, today: date) -> YearLedgers:
    """Member-years of `year` for these branches, read in bulk (five queries, more only for members
    whose run of unpaid months reaches back beyond the first read)."""
    branch_ids = list(branch_ids)
    start = ledger_start()
    months = ledger_months(year, today, start)
    result = YearLedgers(year, months, months[-1] if months else None)
    if not months or not branch_ids:
        return result
    assert start is not None  # ledger_months is empty without a ledger
    first_month, ref = months[0], months[-1]
    spans = Membership.objects.filter(branch_id__in=among(branch_ids)).filter(
        Q(start__isnull=True) | Q(start__lte=ref.last), Q(end__isnull=True) | Q(end__gte=first_month.first)
    )
    member_ids = sorted({pk for (pk,) in plain_rows(spans.order_by().values_list("member_id").distinct())})
    first_read = max(start, min(first_month, ref.shift(-LOOKBACK_MONTHS + 1)))
    # Payments for months still to come are read too: the ledger shows money paid in advance.
    known = histories(member_ids, first_read, Month(year, 12))
    result.histories = known
    wanted = set(branch_ids)
    for pk in member_ids:
        owed = known[pk].months(months)
        for branch_id in {b for b, _d in owed.values()} & wanted:
            result.rows.setdefault(branch_id, []).append(rules.member_year(pk, owed, branch_id, year))
    for pk, (run, owed_to) in streaks(member_ids, ref, start, first_read, known).items():
        result.streak[pk] = run
        result.ref_branch[pk] = owed_to
    for rows in result.rows.values():
        for row in rows:
            row.streak = result.streak.get(row.member_id, 0)
    return result


# --- one branch's ledger (the page) ----------------------------------------------------------------


@dataclass
class LedgerCell:
    month: Month
    dues: rules.MonthDues | None  # None: not owed to this branch (or not yet due)
    advance: Decimal | None = None  # paid in advance for a month still to come

    @property
    def state(self) -> str:
        return self.dues.state if self.dues else ""

    @property
    def label(self) -> str:
        return str(MonthState(self.dues.state).label) if self.dues else ""


@dataclass
class LedgerRow:
    member: Member
    year: rules.MemberYear
    base: rules.BaseRow | None
    cells: list[LedgerCell]

    @property
    def rate_label(self) -> str:
        return rules.format_rate(rules.rate(self.base.category, self.base.base)) if self.base else ""


@dataclass
class BranchLedger:
    branch: OrgUnit
    year: int
    months: list[Month]  # all twelve
    owed_months: list[Month]  # those owed so far
    rows: list[LedgerRow]
    attention: list[LedgerRow]
    summary: BranchSummary
    started: Month | None  # the ledger's first month

    @property
    def month_totals(self) -> list[tuple[Month, Decimal, Decimal]]:
        """(month, due, paid) summed over the members, for the table's footer."""
        totals = []
        for index, month in enumerate(self.months):
            due = paid = Decimal(0)
            for row in self.rows:
                cell = row.cells[index].dues
                if cell is not None:
                    due += cell.due or 0
                    paid += cell.paid
            totals.append((month, due, paid))
        return totals


def branch_ledger(branch: OrgUnit, year: int, today: date) -> BranchLedger:
    """党费台账 of one branch for a year: members × months, their arrears, the attention list."""
    ledgers = year_ledgers([branch.pk], year, today)
    member_years = {row.member_id: row for row in ledgers.rows.get(branch.pk, [])}
    attention_ids = set(ledgers.attention(branch.pk))
    members = Member.objects.filter(pk__in=list(member_years) + list(attention_ids)).order_by("name", "pk")
    all_months = [Month(year, m) for m in range(1, 13)]
    rows = []
    for member in members:
        member_year = member_years.get(member.pk) or rules.MemberYear(
            member.pk, streak=ledgers.streak.get(member.pk, 0)
        )
        history = ledgers.histories[member.pk]
        cells = []
        for month in all_months:
            dues = member_year.months.get(month)
            advance = None
            if dues is None and ledgers.ref is not None and month > ledgers.ref and member.pk in member_years:
                advance = sum((p.amount for p in history.payments.get(month, ())), Decimal(0)) or None
            cells.append(LedgerCell(month, dues, advance))
        base = rules.current_base(history.bases, member_year.months) if member_year.months else None
        rows.append(LedgerRow(member, member_year, base, cells))
    remitted = remitted_totals([branch.pk], year).get(branch.pk, Decimal(0))
    summary = summary_of(branch.pk, ledgers, remitted)
    return BranchLedger(
        branch=branch,
        year=year,
        months=all_months,
        owed_months=ledgers.months,
        rows=[row for row in rows if row.member.pk in member_years],
        attention=sorted((row for row in rows if row.member.pk in attention_ids), key=lambda r: -r.year.streak),
        summary=summary,
        started=ledger_start(),
    )


# --- one member ----------------------------------------------------------------------------------


@dataclass
class MemberMonth:
    month: Month
    branch: OrgUnit | None  # None: not owed (before joining, before the ledger, or still to come)
    dues: rules.MonthDues | None
    payments: list[DuesPayment]
    excuse: DuesExemption | None

    @property
    def label(self) -> str:
        return str(MonthState(self.dues.state).label) if self.dues else ""


@dataclass
class MemberDues:
    member: Member
    year: int
    months: list[MemberMonth]
    bases: list[DuesBase]
    exemptions: list[DuesExemption]
    streak: int
    rounding: str

    @property
    def owed_months(self) -> list[MemberMonth]:
        return [m for m in self.months if m.dues is not None]

    @property
    def owed_dues(self) -> list[rules.MonthDues]:
        return [m.dues for m in self.months if m.dues is not None]

    @property
    def due_total(self) -> Decimal:
        return sum((d.due or Decimal(0) for d in self.owed_dues), Decimal(0))

    @property
    def paid_total(self) -> Decimal:
        return sum((d.paid for d in self.owed_dues), Decimal(0))

    @property
    def arrears(self) -> Decimal:
        return sum((d.owed for d in self.owed_dues), Decimal(0))

    @property
    def open_months(self) -> list[MemberMonth]:
        """Months owed and not yet paid in full (without a base, the amount is unknown: open too)."""
        return [m for m in self.months if m.dues is not None and not m.dues.in_full]

    @property
    def attention(self) -> bool:
        return rules.needs_attention(self.streak)

    @property
    def attention_message(self) -> str:
        return rules.attention_message(self.streak)


def member_dues(member: Member, year: int, today: date) -> MemberDues:
    """A member's year: each month's branch, dues and payments; their bases and approved reasons."""
    start = ledger_start()
    months = ledger_months(year, today, start)
    year_first, year_last = Month(year, 1), Month(year, 12)
    bases = list(DuesBase.objects.filter(member=member, year=year).order_by("from_month"))
    payments = list(
        DuesPayment.objects.filter(member=member, month__gte=year_first.first, month__lte=year_last.first)
        .select_related("branch", "recorded_by")
        .order_by("month", "paid_on", "pk")
    )
    exemptions = list(
        DuesExemption.objects.filter(member=member, last_month__gte=year_first.first, first_month__lte=year_last.first)
        .select_related("branch")
        .order_by("first_month")
    )
    streak = 0
    owed: dict[Month, tuple[int, rules.MonthDues]] = {}
    if months:
        assert start is not None  # ledger_months is empty without a ledger
        ref = months[-1]
        first_read = max(start, min(months[0], ref.shift(-LOOKBACK_MONTHS + 1)))
        known = histories([member.pk], first_read, year_last)
        owed = known[member.pk].months(months)
        streak = streaks([member.pk], ref, start, first_read, known)[member.pk][0]
    branches = {u.pk: u for u in OrgUnit.objects.filter(pk__in={b for b, _d in owed.values()})}
    by_month = defaultdict(list)
    for payment in payments:
        by_month[Month.of(payment.month)].append(payment)
    rows = []
    for number in range(1, 13):
        month = Month(year, number)
        branch_id, dues = owed.get(month, (None, None))
        excuse = next((e for e in exemptions if Month.of(e.first_month) <= month <= Month.of(e.last_month)), None)
        rows.append(MemberMonth(month, branches.get(branch_id), dues, by_month.get(month, []), excuse))
    return MemberDues(member, year, rows, bases, exemptions, streak, rounding_of(year))


# --- summaries of many branches -------------------------------------------------------------------


@dataclass(frozen=True)
class BranchSummary:
    """One branch's year: what the committee's page and the 汇总 sheet show, and what C6 reads."""

    branch_id: int
    members: int = 0
    due: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)
    arrears: Decimal = Decimal(0)
    counted: int = 0  # member-months owed without an approved reason (C6's denominator)
    on_time: int = 0
    no_base: int = 0  # member-months without a base
    attention: int = 0
    remitted: Decimal = Decimal(0)

    @property
    def counts(self) -> rules.OnTimeCounts:
        return rules.OnTimeCounts(self.on_time, self.counted)

    @property
    def on_time_rate(self) -> Decimal | None:
        return rules.on_time_rate(self.counts)

    @property
    def to_remit(self) -> Decimal:
        return self.paid - self.remitted


def summary_of(branch_id: int, ledgers: YearLedgers, remitted: Decimal = Decimal(0)) -> BranchSummary:
    rows = ledgers.rows.get(branch_id, [])
    counts = rules.on_time_counts(rows)
    return BranchSummary(
        branch_id=branch_id,
        members=len(rows),
        due=sum((r.due_total for r in rows), Decimal(0)),
        paid=sum((r.paid_total for r in rows), Decimal(0)),
        arrears=sum((r.arrears for r in rows), Decimal(0)),
        counted=counts.due,
        on_time=counts.on_time,
        no_base=sum(r.no_base for r in rows),
        attention=len(ledgers.attention(branch_id)),
        remitted=remitted,
    )


def remitted_totals(branch_ids: Iterable[int], year: int) -> dict[int, Decimal]:
    rows = (
        Remittance.objects.filter(branch_id__in=among(list(branch_ids)), year=year)
        .order_by()
        .values("branch_id")
        .annotate(total=Sum("amount"))
    )
    return {row["branch_id"]: row["total"] for row in rows}


def branch_summaries(
    branch_ids: Iterable[int],
    year: int,
    today: date,
    *,
    attention: bool = True,
    remittances: bool = True,
    in_sql: bool | None = None,
) -> dict[int, BranchSummary]:
    """Each branch's summary of the year: one statement on PostgreSQL (two with the attention list,
    three with remittances), member by member elsewhere or with in_sql=False."""
    branch_ids = list(branch_ids)
    if not branch_ids:
        return {}
    if in_sql is None:
        in_sql = connections[Membership.objects.db].vendor == "postgresql"
    remitted = remitted_totals(branch_ids, year) if remittances else {}
    if not in_sql:
        ledgers = year_ledgers(branch_ids, year, today)
        out = {pk: summary_of(pk, ledgers, remitted.get(pk, Decimal(0))) for pk in branch_ids}
        if not attention:
            out = {pk: _replace(s, attention=0) for pk, s in out.items()}
        return out
    start = ledger_start()
    months = ledger_months(year, today, start)
    if not months:
        return {pk: BranchSummary(pk, remitted=remitted.get(pk, Decimal(0))) for pk in branch_ids}
    counted = {row[0]: row[1:] for row in _run(SUMMARY_SQL, {**_month_params(months), "branches": branch_ids})}
    flagged = attention_counts(branch_ids, months[-1], start) if attention else {}
    out = {}
    for pk in branch_ids:
        members, due, paid, arrears, counted_months, on_time, no_base = counted.get(pk, (0, 0, 0, 0, 0, 0, 0))
        out[pk] = BranchSummary(
            branch_id=pk,
            members=members,
            due=_yuan(due),
            paid=_yuan(paid),
            arrears=_yuan(arrears),
            counted=counted_months,
            on_time=on_time,
            no_base=no_base,
            attention=flagged.get(pk, 0),
            remitted=remitted.get(pk, Decimal(0)),
        )
    return out


def _replace(summary: BranchSummary, **changes) -> BranchSummary:
    return replace(summary, **changes)


def on_time_counts(branch_ids: Iterable[int], year: int, today: date) -> dict[int, rules.OnTimeCounts]:
    """What C6 reads for each branch: member-months paid on time, and member-months owed."""
    summaries = branch_summaries(branch_ids, year, today, attention=False, remittances=False)
    return {pk: summary.counts for pk, summary in summaries.items()}


def _yuan(fen) -> Decimal:
    return (Decimal(fen) / 100).quantize(rules.CENT)


# Above this many branches a statement runs with the jobs' settings: over a province its hash tables
# outgrow the default work_mem (core.bulk.tune_for_jobs; the settings end with the transaction).
TUNE_ABOVE = 200


def _run(sql: str, params: dict) -> list[tuple]:
    using = Membership.objects.db
    if len(params["branches"]) <= TUNE_ABOVE:
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        tune_for_jobs(using)
        cursor.execute(sql, params)
        return cursor.fetchall()


def _month_params(months: list[Month]) -> dict:
    return {
        "years": [m.year for m in months],
        "nums": [m.month for m in months],
        "firsts": [m.first for m in months],
        "lasts": [m.last for m in months],
        "first": months[0].first,
        "last": months[-1].first,
        "first_year": months[0].year,
        "last_year": months[-1].year,
    }


# The rules of MonthDues, counted per branch by PostgreSQL. A member owes a month to the branch whose
# span holds the month's last day, from the month of joining the Party; the base in effect is the
# member's row of that year with the latest from_month on or before the month; an approved 免交
# makes the month owe nothing, and any approval (免交 or 缓交) takes it out of the on-time count.
# Money is counted in whole fen (bigint): numeric sums over a province's payments cost several times
# more. Payments and bases are read for everyone ever in the branches, a superset the planner can
# estimate (a filter on the CTE mm is guessed at 200 rows and read member by member).
_MONTH_ROWS = """
months(y, m, first_day, last_day) AS (
    SELECT * FROM unnest(%(years)s::int[], %(nums)s::int[], %(firsts)s::date[], %(lasts)s::date[])
),
bases AS (
    SELECT member_id, year, from_month,
           coalesce(lead(from_month) OVER (PARTITION BY member_id, year ORDER BY from_month) - 1, 12) AS to_month,
           (monthly_due * 100)::bigint AS due
    FROM dues_duesbase
    WHERE year BETWEEN %(first_year)s AND %(last_year)s
      AND member_id IN (SELECT member_id FROM members_membership WHERE branch_id = ANY(%(branches)s))
),
paid AS (
    SELECT member_id, month, sum((amount * 100)::bigint) AS paid,
           coalesce(sum((amount * 100)::bigint) FILTER (WHERE paid_on < month + interval '1 month'), 0) AS on_time
    FROM dues_duespayment
    WHERE month BETWEEN %(first)s AND %(last)s
      AND member_id IN (SELECT member_id FROM members_membership WHERE branch_id = ANY(%(branches)s))
    GROUP BY 1, 2
),
excused AS (
    SELECT e.member_id, mo.first_day, bool_or(e.kind = 'exempt') AS exempt
    FROM dues_duesexemption e JOIN months mo ON e.first_month <= mo.first_day AND e.last_month >= mo.first_day
    GROUP BY 1, 2
),
month_rows AS (
    SELECT mm.branch_id, mm.member_id, b.due AS standard,
           CASE WHEN x.exempt THEN 0 ELSE b.due END AS due,
           coalesce(p.paid, 0) AS paid, coalesce(p.on_time, 0) AS on_time,
           coalesce(x.exempt, false) AS exempt, x.member_id IS NOT NULL AS excused
    FROM mm
    LEFT JOIN bases b ON b.member_id = mm.member_id AND b.year = mm.y AND mm.m BETWEEN b.from_month AND b.to_month
    LEFT JOIN paid p ON p.member_id = mm.member_id AND p.month = mm.first_day
    LEFT JOIN excused x ON x.member_id = mm.member_id AND x.first_day = mm.first_day
)
"""

SUMMARY_SQL = f"""
WITH mm AS (
    SELECT ms.branch_id, ms.member_id, mo.y, mo.m, mo.first_day
    FROM members_membership ms
    JOIN members_member mem ON mem.id = ms.member_id
    JOIN unnest(%(years)s::int[], %(nums)s::int[], %(firsts)s::date[], %(lasts)s::date[])
         AS mo(y, m, first_day, last_day)
      ON (ms.start IS NULL OR ms.start <= mo.last_day) AND (ms."end" IS NULL OR ms."end" >= mo.last_day)
    WHERE ms.branch_id = ANY(%(branches)s) AND (mem.joined_on IS NULL OR mem.joined_on <= mo.last_day)
),
{_MONTH_ROWS}
SELECT branch_id,
       count(DISTINCT member_id),
       coalesce(sum(due), 0),
       sum(paid),
       sum(CASE WHEN due IS NULL THEN 0 ELSE greatest(due - paid, 0) END),
       count(*) FILTER (WHERE NOT excused),
       count(*) FILTER (WHERE NOT excused AND standard IS NOT NULL AND on_time >= standard),
       count(*) FILTER (WHERE standard IS NULL AND NOT exempt)
FROM month_rows
GROUP BY branch_id
"""

# Members on the attention list: owing the reference month to one of the branches, and owing each of
# the six months ending with it (in whichever branch) without paying it in full or having an approved
# reason. That is rules.needs_attention(rules.unpaid_streak(...)) without counting the whole run.
ATTENTION_SQL = f"""
WITH at_ref AS (
    SELECT ms.branch_id, ms.member_id
    FROM members_membership ms JOIN members_member mem ON mem.id = ms.member_id
    WHERE ms.branch_id = ANY(%(branches)s)
      AND (ms.start IS NULL OR ms.start <= %(ref_last)s) AND (ms."end" IS NULL OR ms."end" >= %(ref_last)s)
      AND (mem.joined_on IS NULL OR mem.joined_on <= %(window_last)s)
),
mm AS (
    SELECT a.branch_id, a.member_id, mo.y, mo.m, mo.first_day
    FROM at_ref a
    JOIN members_membership ms ON ms.member_id = a.member_id
    JOIN unnest(%(years)s::int[], %(nums)s::int[], %(firsts)s::date[], %(lasts)s::date[])
         AS mo(y, m, first_day, last_day)
      ON (ms.start IS NULL OR ms.start <= mo.last_day) AND (ms."end" IS NULL OR ms."end" >= mo.last_day)
),
{_MONTH_ROWS}
SELECT branch_id, member_id
FROM month_rows
GROUP BY branch_id, member_id
HAVING count(*) = %(window)s
   AND bool_and(NOT excused AND NOT (due IS NOT NULL AND paid >= due))
"""


def attention_rows(branch_ids: Iterable[int], ref: Month, start: Month | None) -> list[tuple[int, int]]:
    """(branch id, member id) of every member on these branches' attention list as of `ref`."""
    branch_ids = list(branch_ids)
    window = [ref.shift(-i) for i in range(rules.ATTENTION_MONTHS - 1, -1, -1)]
    if start is None or window[0] < start or not branch_ids:
        return []
    params = {
        **_month_params(window),
        "branches": branch_ids,
        "ref_last": ref.last,
        "window_last": window[0].last,
        "window": rules.ATTENTION_MONTHS,
    }
    return [(branch_id, member_id) for branch_id, member_id in _run(ATTENTION_SQL, params)]


def attention_counts(branch_ids: Iterable[int], ref: Month, start: Month | None) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    for branch_id, _member_id in attention_rows(branch_ids, ref, start):
        counts[branch_id] += 1
    return dict(counts)


def attention_count(branch_ids: Iterable[int], today: date) -> int:
    """How many members of these branches are on the attention list now (one statement on PostgreSQL)."""
    branch_ids = list(branch_ids)
    start = ledger_start()
    months = ledger_months(today.year, today, start)
    if not months or not branch_ids:
        return 0
    if connections[Membership.objects.db].vendor == "postgresql":
        return len(attention_rows(branch_ids, months[-1], start))
    return len(attention_list(branch_ids, today, in_sql=False))


@dataclass
class AttentionEntry:
    member: Member
    branch: OrgUnit
    streak: int

    @property
    def message(self) -> str:
        return rules.attention_message(self.streak)


def attention_list(branch_ids: Iterable[int], today: date, *, in_sql: bool | None = None) -> list[AttentionEntry]:
    """Everyone on these branches' attention list now, longest run first. The database finds them
    (on PostgreSQL); their runs are then counted from their histories, a handful of members."""
    branch_ids = list(branch_ids)
    start = ledger_start()
    months = ledger_months(today.year, today, start)
    if not months or not branch_ids:
        return []
    assert start is not None  # ledger_months is empty without a ledger
    ref = months[-1]
    if in_sql is None:
        in_sql = connections[Membership.objects.db].vendor == "postgresql"
    runs: dict[int, int]  # member id → run of unpaid months ending with ref
    if in_sql:
        found = dict((member_id, branch_id) for branch_id, member_id in attention_rows(branch_ids, ref, start))
        if not found:
            return []
        first_read = max(start, ref.shift(-LOOKBACK_MONTHS + 1))
        streak_and_branch = streaks(list(found), ref, start, first_read, histories(list(found), first_read, ref))
        runs = {pk: run for pk, (run, _b) in streak_and_branch.items()}
    else:
        ledgers = year_ledgers(branch_ids, today.year, today)
        found = {pk: b for b in branch_ids for pk in ledgers.attention(b)}
        runs = {pk: ledgers.streak[pk] for pk in found}
    members = Member.objects.filter(pk__in=list(found)).in_bulk()
    branches = OrgUnit.objects.filter(pk__in=set(found.values())).in_bulk()
    entries = [AttentionEntry(members[pk], branches[found[pk]], runs[pk]) for pk in found]
    return sorted(entries, key=lambda e: (-e.streak, e.branch.code, e.member.name))
