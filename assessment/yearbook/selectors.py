"""Reads for the year-end workbook: many branches at a time, into yearbook.workbook's plain types.

Each sheet is read in chunks of CHUNK branches (in code order) with a fixed number of queries per
chunk, the big ones streamed with .iterator(), so memory stays flat however many branches there
are, and the number of queries grows only with N ÷ CHUNK.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from django.db.models import Count, Q
from django.db.models.functions import ExtractQuarter

from activities import compliance
from activities.compliance import Tally
from activities.models import Attendance, Meeting
from activities.pledges.selectors import member_final_grades, member_fulfilment_rates
from activities.selectors import TALLY_FIELDS, tally_aggregates
from branches.models import OrgUnit
from core.bulk import plain_rows
from core.periods import Period
from members.models import Member, Membership
from members.rules import is_full_on

from .. import selectors as assessment_selectors
from ..models import (
    Application,
    BranchRating,
    ExportJob,
    Indicator,
    Problem,
    Score,
    Standard,
    StarHistory,
    YearRating,
)
from ..publication import rules as publication_rules
from ..publication.selectors import document_counts
from .workbook import Branch, BranchScores, IndicatorInfo, MemberLine, SummaryLine

# 250 branches hold about 6,000 members and 25,000 scores with their notes: a few MB per chunk (1,000
# a chunk made the export's peak 75 MB above the process's at N = 5,000), for 4 × the queries.
CHUNK = 250
STREAM = 5000  # rows fetched per round trip by server-side cursors


def chunks(branches: Sequence[Branch], size: int = CHUNK) -> Iterator[list[Branch]]:
    for start in range(0, len(branches), size):
        yield list(branches[start : start + size])


def _ids(chunk: Sequence[Branch]) -> list[int]:
    return [b.id for b in chunk]


def branches_under(unit: OrgUnit | None) -> list[Branch]:
    """The branches a workbook covers (all, or those under `unit`), in code order: two queries."""
    qs = OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH)
    if unit is not None:
        qs = qs.filter(path__startswith=unit.path)
    parents = dict(
        OrgUnit.objects.filter(kind__in=[OrgUnit.Kind.COMMITTEE, OrgUnit.Kind.GENERAL_BRANCH]).values_list(
            "path", "name"
        )
    )
    step = OrgUnit.steplen
    return [
        Branch(pk, code, name, parents.get(path[:-step], ""))
        for pk, code, name, path in qs.order_by("code").values_list("pk", "code", "name", "path")
    ]


def _branch_filter(unit: OrgUnit | None, prefix: str = "branch__") -> Q:
    """Rows of branches under `unit` (every branch when None): for counts over the whole export."""
    return Q() if unit is None else Q(**{f"{prefix}path__startswith": unit.path})


# --- 汇总 ------------------------------------------------------------------------------------------


def year_status(year: int) -> str:
    return YearRating.objects.filter(year=year).values_list("status", flat=True).first() or "pending"


def veto_aspect(year: int) -> str:
    return Standard.objects.filter(year=year).values_list("veto_aspect", flat=True).first() or ""


def summary_lines(
    year: int, chunk: Sequence[Branch], *, status: str, include_proposals: bool, veto: str = "B"
) -> dict[int, SummaryLine]:
    """Each branch's rating line with the reasons for its level (说明): three queries. Proposals only
    for the committee (include_proposals)."""
    ids = _ids(chunk)
    applied = dict(Application.objects.filter(year=year, branch_id__in=ids).values_list("branch_id", "level"))
    last_year = dict(StarHistory.objects.filter(year=year - 1, branch_id__in=ids).values_list("branch_id", "level"))
    lines: dict[int, SummaryLine] = {}
    if include_proposals or status == YearRating.Status.APPROVED:
        rows = BranchRating.objects.filter(rating__year=year, branch_id__in=ids).values_list(
            "branch_id",
            "applied_level",
            "quarter_mean",
            "annual",
            "score",
            "proposed_level",
            "override_level",
            "action",
            *EXPLANATION_COLUMNS,
        )
        for branch_id, applied_level, mean, annual, score, proposed, override, action, *why in rows:
            level = override if override is not None else proposed
            lines[branch_id] = SummaryLine(
                status=status,
                applied_level=applied_level,
                previous_year_level=last_year.get(branch_id),
                rated=True,
                quarter_mean=mean,
                annual=annual,
                score=score,
                level=level,
                action=action,
                notes=publication_rules.explanation(_facts(applied_level, level, override, *why), veto),
            )
    for b in chunk:
        if b.id not in lines:
            lines[b.id] = SummaryLine(
                status=status, applied_level=applied.get(b.id), previous_year_level=last_year.get(b.id)
            )
    return lines


# The BranchRating columns behind the 说明 of a level, read with the summary (see _facts).
EXPLANATION_COLUMNS = (
    "band_level",
    "vetoed",
    "capped",
    "over_quota",
    "quota_rank",
    "override_reason",
    "override_warnings",
    "reasons",
    "consequences",
)


def _facts(applied, level, override, band, vetoed, capped, over_quota, rank, reason, warnings, reasons, consequences):
    return publication_rules.LevelFacts(
        band_level=band,
        level=level,
        applied_level=applied,
        vetoed=vetoed,
        capped=capped,
        over_quota=over_quota,
        quota_rank=rank,
        override_level=override,
        override_reason=reason,
        override_warnings=tuple(warnings or ()),
        band_reason=reasons[0] if reasons else "",
        action_reason=consequences[0] if consequences else "",
    )


# --- 指标明细 ---------------------------------------------------------------------------------------


def indicators(year: int) -> list[IndicatorInfo]:
    standard = Standard.objects.filter(year=year).first()
    if standard is None:
        return []
    return [
        IndicatorInfo(i.code, i.name, i.aspect.code, i.points, i.is_quarterly, i.mode == Indicator.Mode.MANUAL)
        for i in assessment_selectors.indicators_of(standard)
    ]


def supporting_documents(year: int, chunk: Sequence[Branch]) -> dict[int, dict[str, int]]:
    """How many supporting documents back each branch's manual indicators: one query per chunk."""
    return document_counts(year, _ids(chunk))


def branch_scores(year: int, chunk: Sequence[Branch]) -> dict[int, BranchScores]:
    """Effective scores (the checker's where entered, else the computed one) in cents, with their
    notes: one query."""
    rows = (
        Score.objects.of_year(year)
        .filter(branch_id__in=_ids(chunk))
        .with_cents()
        .with_note()
        .order_by()
        .values_list("branch_id", "indicator__code", "quarter", "cents", "note")
    )
    scores: dict[int, BranchScores] = {}
    for branch_id, code, quarter, cents, note in plain_rows(rows):
        branch = scores.get(branch_id)
        if branch is None:
            branch = scores[branch_id] = BranchScores()
        if cents is not None:
            branch.cents[code, quarter] = cents
        if note:
            branch.notes.setdefault(code, {})[quarter] = note
    return scores


# --- 三会一课 ---------------------------------------------------------------------------------------


def meeting_tallies(year: int, chunk: Sequence[Branch]) -> dict[int, dict[tuple[int, str], Tally]]:
    """Submitted meetings of each branch and its groups per quarter and kind: one query.

    The same counters the compliance pages and C1 read (Meeting's attendance counts and flags).
    """
    period = Period.for_year(year)
    rows = (
        Meeting.objects.filter(branch_id__in=_ids(chunk), status=Meeting.Status.SUBMITTED)
        .filter(held_on__range=(period.start, period.end))
        .annotate(quarter=ExtractQuarter("held_on"))
        .order_by()
        .values("branch_id", "kind", "quarter")
        .annotate(**tally_aggregates())
        # The fields before the annotations, in the order of the SQL (plain_rows returns its columns).
        .values_list("branch_id", "kind", "quarter", *TALLY_FIELDS)
    )
    tallies: dict[int, dict[tuple[int, str], Tally]] = defaultdict(dict)
    for branch_id, kind, quarter, n, expected, present, backfilled, below in plain_rows(rows):
        tallies[branch_id][(quarter, kind)] = Tally(n, expected or 0, present or 0, backfilled, below)
    return tallies


# --- 党员评议 ---------------------------------------------------------------------------------------


def _spans_of_year(year: int):
    period = Period.for_year(year)
    return Membership.objects.filter(
        Q(start__isnull=True) | Q(start__lte=period.end),
        Q(end__isnull=True) | Q(end__gte=period.start),
        Q(member__joined_on__isnull=True) | Q(member__joined_on__lte=period.end),
    )


def member_lines(year: int, chunk: Sequence[Branch]) -> Iterator[MemberLine]:
    """Everyone who belonged to these branches during the year, by branch code and name: four queries.

    Attendance is the member's 三会一课 in that branch (a transferred member's stays where it
    happened); the grade and the fulfilment rate are the member's for the year.
    """
    ids = _ids(chunk)
    code_of = {b.id: b.code for b in chunk}
    period = Period.for_year(year)
    counted = (
        Attendance.objects.filter(
            meeting__branch_id__in=ids,
            meeting__status=Meeting.Status.SUBMITTED,
            meeting__held_on__range=(period.start, period.end),
            meeting__kind__in=compliance.ATTENDANCE_KINDS,
        )
        .order_by()
        .values("meeting__branch_id", "member_id")
        .annotate(present=Count("pk", filter=Q(status=Attendance.Status.PRESENT)), expected=Count("pk"))
        .values_list("meeting__branch_id", "member_id", "present", "expected")
    )
    # The driver's rows (core.bulk.plain_rows): a chunk's members are a few thousand, the converters
    # of Django's rows took longer than the statements.
    attendance = {
        (branch_id, member_id): (present, expected) for branch_id, member_id, present, expected in plain_rows(counted)
    }
    grades = member_final_grades(ids, year)
    rates = member_fulfilment_rates(ids, year)
    spans = (
        _spans_of_year(year)
        .filter(branch_id__in=ids)
        .order_by("branch__code", "member__name", "member_id", "-end")
        .values_list(
            "branch_id", "member_id", "member__name", "member__category", "member__joined_on", "member__full_on", "end"
        )
    )
    seen: set[tuple[int, int]] = set()
    for branch_id, member_id, name, category, joined_on, full_on, end in plain_rows(spans):
        if (branch_id, member_id) in seen:  # left and came back: one line
            continue
        seen.add((branch_id, member_id))
        day = min(period.end, end) if end else period.end
        present, expected = attendance.get((branch_id, member_id), (0, 0))
        yield MemberLine(
            branch_code=code_of[branch_id],
            name=name,
            is_full=is_full_on(day, joined_on, full_on, category == Member.Category.FULL),
            grade=grades.get(member_id) or "",
            present=present,
            expected=expected,
            fulfilment=rates.get(member_id),
        )


# --- 问题整改 ---------------------------------------------------------------------------------------


def problems(year: int, chunk: Sequence[Branch]):
    """The year's problems (check findings and lagging rectifications), by branch code and date: one query."""
    return (
        Problem.objects.filter(year=year, branch_id__in=_ids(chunk))
        .order_by("branch__code", "found_on", "pk")
        .values_list("branch__code", "description", "found_on", "deadline", "closed_on")
        .iterator(chunk_size=STREAM)
    )


# --- 星级历史 ---------------------------------------------------------------------------------------


def history_years(year: int, unit: OrgUnit | None) -> list[int]:
    """Years up to `year` in which a branch of the export has an approved (or imported) level."""
    return list(
        StarHistory.objects.filter(_branch_filter(unit), year__lte=year)
        .order_by("year")
        .values_list("year", flat=True)
        .distinct()
    )


def history_levels(year: int, chunk: Sequence[Branch]) -> dict[int, dict[int, int]]:
    levels: dict[int, dict[int, int]] = defaultdict(dict)
    rows = StarHistory.objects.filter(branch_id__in=_ids(chunk), year__lte=year).values_list(
        "branch_id", "year", "level"
    )
    for branch_id, y, level in rows.order_by():
        levels[branch_id][y] = level
    return levels


# --- the exports' audit history ------------------------------------------------------------------------


def export_log(scope, limit: int = 50):
    """Who exported which year's workbook for which part, and when: kept after the jobs and their files
    are pruned (django-simple-history). The committee reads everyone's, anyone else their own."""
    log = ExportJob.history.filter(history_type="+").select_related("requested_by__member", "unit")
    if not scope.is_committee:
        log = log.filter(requested_by_id=scope.user_id)
    return log.order_by("-history_date")[:limit]


# --- sizes, for the progress bar --------------------------------------------------------------------


def expected_rows(year: int, unit: OrgUnit | None, branches: int, indicator_count: int) -> dict[str, int]:
    """How many rows each sheet will get (members and problems counted, the rest by arithmetic)."""
    members = (
        _spans_of_year(year)
        .filter(_branch_filter(unit), branch__kind=OrgUnit.Kind.BRANCH)
        .values("branch_id", "member_id")
        .distinct()
        .count()
    )
    problem_count = Problem.objects.filter(_branch_filter(unit), year=year).count()
    return {
        "汇总": branches,
        "指标明细": branches * indicator_count,
        "三会一课": branches * 4,
        "党员评议": members,
        "问题整改": problem_count,
        "星级历史": branches,
    }
