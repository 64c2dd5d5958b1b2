"""Reads about meetings: who is expected, who may do what, the facts compliance is computed from."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Count, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, ExtractMonth, ExtractYear

from branches.access import GROUP_LEADER, MANAGER_ROLES, Scope
from branches.models import OrgUnit
from core.bulk import among, plain_rows
from core.periods import Period
from members.models import Member, Membership
from members.rules import is_full_on
from members.selectors import full_on_q, members_of_unit_on

from . import compliance
from .compliance import BranchMeetingFacts, GroupFacts, Tally
from .models import Meeting, Talk


def branch_of(unit: OrgUnit) -> OrgUnit:
    return unit if unit.kind != OrgUnit.Kind.GROUP else OrgUnit.objects.get_parent(unit)


@dataclass(frozen=True)
class Expected:
    member: Member
    is_voting: bool


def expected_attendees(unit: OrgUnit, kind: str, day: date) -> list[Expected]:
    """Everyone expected at a meeting: the unit's members on that day, or the branch committee.

    Retired members are left out unless flagged (members_of_unit_on). The committee is the members
    of the branch that day who hold a committee post.
    """
    if kind == compliance.COMMITTEE_MEETING:
        members = members_of_unit_on(branch_of(unit), day).exclude(committee_post="")
    else:
        members = members_of_unit_on(unit, day)
    return [Expected(m, is_full_on(day, m.joined_on, m.full_on, m.category == Member.Category.FULL)) for m in members]


# Who may do what -------------------------------------------------------------------------------


def _leads(scope: Scope, unit: OrgUnit) -> bool:
    return any(role == GROUP_LEADER and unit.path.startswith(path) for _, path, role in scope.grants)


def can_log(scope: Scope, unit: OrgUnit) -> bool:
    """Branch (and higher) managers log for their branches and groups; a group leader for the group."""
    if unit.kind not in (OrgUnit.Kind.BRANCH, OrgUnit.Kind.GROUP):
        return False
    return scope.can_manage(unit) or (unit.kind == OrgUnit.Kind.GROUP and _leads(scope, unit))


def can_edit(scope: Scope, meeting: Meeting) -> bool:
    return meeting.is_editable and can_log(scope, meeting.unit)


def can_return(scope: Scope, meeting: Meeting) -> bool:
    """The committee, or a manager of a unit strictly above the record's unit (a general branch for a
    branch's record; the branch, too, for a group's record)."""
    if not meeting.is_submitted:
        return False
    if scope.is_committee:
        return True
    path = meeting.unit.path
    return any(role in MANAGER_ROLES and path.startswith(p) and path != p for _, p, role in scope.grants)


def loggable_units(scope: Scope, around: OrgUnit | None = None) -> list[OrgUnit]:
    """Branches and groups the user may log for; with `around`, only that unit's branch and its groups."""
    units = OrgUnit.objects.filter(kind__in=[OrgUnit.Kind.BRANCH, OrgUnit.Kind.GROUP]).filter(scope.unit_q(""))
    if around is not None:
        units = units.filter(path__startswith=branch_of(around).path)
    return [u for u in units.order_by("path") if can_log(scope, u)]


# Facts for compliance and the assessment -------------------------------------------------------


# A Tally per group of submitted meetings, summed by the database: the annotations and their order.
TALLY_FIELDS = ("n", "expected", "present", "backfilled", "below")


def tally_aggregates() -> dict:
    """The annotations that sum a group of meetings into Tally(*TALLY_FIELDS) (sums may be None)."""
    return {
        "n": Count("pk"),
        "expected": Sum("expected_count"),
        "present": Sum("present_count"),
        "backfilled": Count("pk", filter=Q(is_backfilled=True)),
        "below": Count("pk", filter=Q(below_quorum=True)),
    }


def _counted_spans(ids: list[int] | None, day: date):
    """Membership spans of the branches' members counted on `day` (retired ones only where flagged);
    ids None: of every branch."""
    spans = Membership.objects.on(day)
    if ids is not None:
        spans = spans.filter(branch_id__in=among(ids))
    return spans.filter(Q(member__joined_on__isnull=True) | Q(member__joined_on__lte=day)).exclude(
        member__status=Member.Status.RETIRED, member__counts_when_retired=False
    )


# Up to this many branches, meeting_facts looks up their members' talks rather than reading the year's.
FEW_BRANCHES = 500

# The groups of some branches: units whose parent path (their path without its last step) is a branch's.
GROUPS_SQL = """
SELECT b.id, g.id, g.name, g.founded_on
FROM branches_orgunit g JOIN branches_orgunit b ON b.path = substr(g.path, 1, (g.depth - 1) * %s)
WHERE g.kind = %s {branches}
ORDER BY g.path
"""


def meeting_facts(
    branch_ids: Iterable[int], period: Period, codes: Iterable[str] | None = None, *, every: bool = False
) -> dict[int, BranchMeetingFacts]:
    """BranchMeetingFacts for each branch over `period`: at most three queries for any number of branches.

    Only submitted records count. Members (C3, and the full-member count deciding whether the branch
    has a committee) are those of the branch on the period's last day, retired ones only where
    flagged, as for attendance. With `codes`, only what those indicators read is fetched
    (compliance.CODE_KINDS and the sets below it).

    `every` says that the ids are every branch (a job's province): the statements then read all rows
    instead of matching each against 5,000 ids, and rows of units that are no longer branches are
    left out of the answer all the same.
    """
    ids = sorted(set(branch_ids))
    among_ids = None if every else ids
    if not ids:
        return {}
    codes = None if codes is None else frozenset(codes)
    ref_day = period.end

    # 1. Groups: units whose parent path is one of the branches' paths.
    groups: dict[int, list[GroupFacts]] = defaultdict(list)
    if compliance.wants(codes, *compliance.GROUP_CODES):
        # Joined on the parent's path (a hash join); the ORM could only look each group's branch up
        # by a subquery per group.
        branches_sql, branches_params = "", ()
        if not every:
            branches_sql, branches_params = (
                OrgUnit.objects.filter(pk__in=among(ids)).values("pk").query.sql_with_params()
            )
            branches_sql = f"AND b.id IN ({branches_sql})"
        with connection.cursor() as cursor:
            cursor.execute(
                GROUPS_SQL.format(branches=branches_sql), [OrgUnit.steplen, OrgUnit.Kind.GROUP, *branches_params]
            )
            for branch_id, pk, name, founded_on in cursor.fetchall():
                if isinstance(founded_on, str):  # SQLite's driver returns dates as text
                    founded_on = date.fromisoformat(founded_on)
                groups[branch_id].append(GroupFacts(pk, name, founded_on))

    # 2. Members on the reference day, and 3. how many of them had a talk in the period (wherever it
    # was recorded): counted per branch by the database.
    members: dict[int, tuple[int, int, int]] = {}
    if compliance.wants(codes, *compliance.MEMBER_CODES):
        spans = _counted_spans(among_ids, ref_day)
        counts = {
            "n": Count("member_id", distinct=True),
            "full": Count("member_id", distinct=True, filter=full_on_q(ref_day, "member__")),
            "talked": Value(0),
        }
        if compliance.wants(codes, *compliance.TALK_CODES):
            talks = Talk.objects.filter(talked_on__range=(period.start, period.end)).order_by()
            if len(ids) <= FEW_BRANCHES:
                # A page's branches: their members' talks by the (member, talked_on) index, instead of
                # hashing the year's every talk (about 100,000 at N = 5,000) for a hundred branches.
                # For a province the one pass over the year's talks is cheaper.
                talks = talks.filter(member_id__in=spans.values("member_id"))
            counts["talked"] = Count("member_id", distinct=True, filter=Q(member_id__in=talks.values("member_id")))
        rows = spans.order_by().values("branch_id").annotate(**counts).values_list("branch_id", "n", "full", "talked")
        members = {branch_id: (n, full, talked) for branch_id, n, full, talked in plain_rows(rows)}

    # 4. Submitted meetings, summed per branch, unit, kind and month.
    tallies: dict[int, dict] = defaultdict(dict)
    # BranchMeetingFacts' index of meetings per (unit, kind) and month, built in the same pass (the
    # scoring of a province asks it of every branch; building it from the tallies was a second pass).
    indexes: dict[int, dict] = defaultdict(dict)
    kinds = None if codes is None else frozenset().union(*(compliance.CODE_KINDS[c] for c in codes))
    if kinds is None or kinds:
        meetings = Meeting.objects.filter(status=Meeting.Status.SUBMITTED, held_on__range=(period.start, period.end))
        if not every:
            meetings = meetings.filter(branch_id__in=among(ids))
        if kinds is not None:
            meetings = meetings.filter(kind__in=sorted(kinds))
        rows = (
            meetings.annotate(
                year=Cast(ExtractYear("held_on"), IntegerField()), month=Cast(ExtractMonth("held_on"), IntegerField())
            )
            .order_by()
            .values("branch_id", "unit_id", "kind", "year", "month")
            .annotate(**tally_aggregates())
            .values_list("branch_id", "unit_id", "kind", "year", "month", *TALLY_FIELDS)
        )
        new_tally = tuple.__new__  # Tally(...) without its Python-level __new__: a province's quarter is 50,000 rows
        for branch_id, unit_id, kind, year, month, n, expected, present, backfilled, below in plain_rows(rows):
            ym = (year, month)
            tallies[branch_id][(unit_id, kind, ym)] = new_tally(
                Tally, (n, expected or 0, present or 0, backfilled, below)
            )
            index = indexes[branch_id]
            per_month = index.get((unit_id, kind))
            if per_month is None:
                per_month = index[unit_id, kind] = {}
            per_month[ym] = n

    facts = {
        branch_id: BranchMeetingFacts(
            branch_id,
            period,
            full_members=members.get(branch_id, (0, 0, 0))[1],
            members=members.get(branch_id, (0, 0, 0))[0],
            members_talked=members.get(branch_id, (0, 0, 0))[2],
            groups=tuple(groups[branch_id]),
            tallies=tallies[branch_id],
            codes=codes,
        )
        for branch_id in ids
    }
    for branch_id, index in indexes.items():
        if branch_id in facts:
            facts[branch_id].__dict__["_index"] = index
    return facts


# Pages -------------------------------------------------------------------------------------------


def ledger_meetings(unit: OrgUnit):
    """A unit's records (a branch's include its groups'), with what a ledger row shows."""
    return (
        Meeting.objects.filter(unit__path__startswith=unit.path)
        .select_related("unit", "similar_to", "similar_to__unit")
        .order_by("-held_at", "-pk")
    )


def branches_in_scope(scope: Scope, *, managed: bool = False):
    qs = OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH)
    return qs.managed_by(scope) if managed else qs.visible_to(scope)


@dataclass(frozen=True)
class ComplianceLine:
    branch: OrgUnit
    compliance: compliance.BranchCompliance
    quarter: Tally  # the quarter's submitted meetings: 补录, 未达法定人数
    attendance: Tally  # the quarter's 三会一课 (the meetings C1 counts)

    @property
    def attendance_percent(self):
        rate = self.attendance.attendance_rate
        return None if rate is None else round(float(rate) * 100, 1)


def compliance_table(branches: list[OrgUnit], year: int, quarter: int, today: date) -> list[ComplianceLine]:
    """One line per branch for a quarter, worst first. Queries do not grow with the branches."""
    facts = meeting_facts([b.pk for b in branches], Period.for_year(year))
    months = Period.for_quarter(year, quarter).months
    lines = [
        ComplianceLine(
            b,
            compliance.branch_compliance(facts[b.pk], year, quarter, today),
            facts[b.pk].tally(months=months),
            facts[b.pk].tally(months=months, kinds=compliance.ATTENDANCE_KINDS),
        )
        for b in branches
    ]
    lines.sort(key=lambda line: (*line.compliance.sort_key, line.branch.code))
    return lines


# The overview's ranking: for each branch, the windows (compliance.open_windows, or for the stored
# gaps every window of the year) in which the branch, or one of its groups founded by the window's end,
# held no submitted meeting of the kind; 支委会 only where the branch has a committee on the year's last
# day, as meeting_facts counts it. GAPS_SQL ends in the CTE `gaps`; the live ranking counts it, the
# stored gaps (activities/gaps.py) insert it.
# For these statements only (SET LOCAL, inside their own transaction). Their row estimates are far
# too high (millions of window rows for about 60,000), so their cost passes jit_above_cost and
# PostgreSQL spent 45-75 ms compiling at N = 5,000, more than any of the joins; and the full-member
# count sorts about 110,000 (branch, member) pairs, 9 MB, which spilled to disk under the default 4 MB.
# SET LOCAL lasts until the transaction ends: the atomic block under autocommit (no ATOMIC_REQUESTS),
# the caller's whole transaction when called inside one.
GAPS_SETTINGS = "SET LOCAL jit = off; SET LOCAL work_mem = '16MB'"

GAPS_SQL = """
WITH w (kind, per_group, starts, ends, state) AS (VALUES {windows}),
b AS (SELECT id, path, depth, code FROM branches_orgunit WHERE id = ANY(%s)),
u AS (
    SELECT b.id AS branch_id, b.id AS unit_id, NULL::date AS founded_on, false AS is_group FROM b
    UNION ALL
    SELECT b.id, g.id, g.founded_on, true FROM b
    JOIN branches_orgunit g ON g.kind = 'group' AND substr(g.path, 1, length(g.path) - %s) = b.path
),
o AS MATERIALIZED (
    -- Every window of a unit with no submitted meeting of its kind in it.
    SELECT u.branch_id, u.unit_id, w.kind, w.starts, w.ends, w.state
    FROM u JOIN w ON w.per_group = u.is_group
    WHERE (u.founded_on IS NULL OR u.founded_on <= w.ends)
      AND NOT EXISTS (
          SELECT 1 FROM activities_meeting m
          WHERE m.held_on BETWEEN %s AND %s AND ({spans})
            AND m.unit_id = u.unit_id AND m.branch_id = u.branch_id AND m.kind = w.kind
            AND m.status = %s AND m.held_on BETWEEN w.starts AND w.ends
      )
),
fm AS ({full_members}),
gaps AS (
    SELECT o.* FROM o LEFT JOIN fm ON fm.branch_id = o.branch_id
    WHERE o.kind <> %s OR coalesce(fm.n_full, 0) >= %s
)
"""

RANKING_TAIL = """,
c AS (
    SELECT branch_id,
           count(*) FILTER (WHERE state = 'missing') AS missing,
           count(*) FILTER (WHERE state = 'due') AS due
    FROM gaps GROUP BY branch_id
)
SELECT b.id, coalesce(c.missing, 0), coalesce(c.due, 0), b.code
FROM b LEFT JOIN c ON c.branch_id = b.id
"""


def gaps_query(ids: list[int], windows: list[compliance.OpenWindow], year: int) -> tuple[str, list]:
    """GAPS_SQL for some branches and windows of one year, with its parameters."""
    ref_day = Period.for_year(year).end
    # Full members are counted only for the branches with a 支委会 window empty (`o`): the others'
    # count changes nothing, and counting a province's members was most of the statement.
    needed = RawSQL("SELECT branch_id FROM o WHERE kind = %s", [compliance.COMMITTEE_MEETING])
    full_members = (
        _counted_spans(ids, ref_day)
        .filter(branch_id__in=needed)
        .filter(full_on_q(ref_day, "member__"))
        .order_by()
        .values("branch_id")
        .annotate(n_full=Count("member_id", distinct=True))
        .values("branch_id", "n_full")
    )
    members_sql, members_params = full_members.query.sql_with_params()
    values = ", ".join(["(%s, %s, %s::date, %s::date, %s)"] * len(windows))
    params: list = []
    for w in windows:
        params += [w.kind, w.per_group, w.start, w.end, w.state]
    params += [ids, OrgUnit.steplen]
    params += [min(w.start for w in windows), max(w.end for w in windows)]
    # Each kind's meetings only in the days its windows cover (for a quarter, the quarter's, the year's
    # only for the yearly 组织生活会): a quarter's meetings rather than the year's are looked up.
    spans: dict[tuple[date, date], list[str]] = defaultdict(list)
    for kind in sorted({w.kind for w in windows}):
        mine = [w for w in windows if w.kind == kind]
        spans[min(w.start for w in mine), max(w.end for w in mine)].append(kind)
    for (start, end), kinds in spans.items():
        params += [kinds, start, end]
    spans_sql = " OR ".join(["(m.kind = ANY(%s) AND m.held_on BETWEEN %s AND %s)"] * len(spans))
    params += [Meeting.Status.SUBMITTED, *members_params]
    params += [compliance.COMMITTEE_MEETING, compliance.COMMITTEE_MIN_FULL_MEMBERS]
    return GAPS_SQL.format(full_members=members_sql, windows=values, spans=spans_sql), params


class Rank(NamedTuple):
    branch_id: int
    missing: int
    due: int


def compliance_ranking(branches: QuerySet[OrgUnit] | Iterable[int], year: int, quarter: int, today: date) -> list[Rank]:
    """Every branch's missing and due windows for a quarter, worst first, then by code.

    `branches`: a queryset of branches (the user's scope) or their ids. Equal to
    compliance.branch_compliance's `missing` and `due` and to ComplianceLine's order (tests hold them
    together). On PostgreSQL counted and sorted by the database, no meeting read into Python: from the
    stored gaps (activities/gaps.py) for the branches whose gaps of the year are stored and current, by
    GAPS_SQL for the others (the branches written to since the last refresh: a few). Elsewhere (SQLite,
    one organ's handful of branches) by the rules.
    """
    scope: QuerySet[OrgUnit] = (
        branches if isinstance(branches, QuerySet) else OrgUnit.objects.filter(pk__in=among(sorted(set(branches))))
    )
    if connection.vendor != "postgresql":
        lines = compliance_table(list(scope), year, quarter, today)
        return [Rank(line.branch.pk, line.compliance.missing, line.compliance.due) for line in lines]
    windows = compliance.open_windows(year, quarter, today)
    if not windows:  # a quarter that has not started: nothing is missing or due anywhere
        return [Rank(pk, 0, 0) for pk in scope.order_by("code", "pk").values_list("pk", flat=True)]
    scope_sql, scope_params = scope.order_by().values_list("pk", "code").query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(STALE_SQL.format(scope=scope_sql), [*scope_params, year])
        stale = [row[0] for row in cursor.fetchall()]
        live: list[tuple] = []
        if stale:
            sql, params = gaps_query(stale, windows, year)
            cursor.execute(GAPS_SETTINGS)
            cursor.execute(sql + RANKING_TAIL, params)
            live = [row[:3] for row in cursor.fetchall()]
        sql, params = _ranked_query(scope_sql, scope_params, windows, year, stale, live)
        cursor.execute(sql, params)
        return list(map(Rank._make, cursor.fetchall()))


# The branches of a scope whose gaps of a year are not stored or have a change recorded since.
STALE_SQL = """
SELECT s.id FROM ({scope}) AS s (id, code)
WHERE NOT EXISTS (SELECT 1 FROM activities_compliancebuilt k WHERE k.branch_id = s.id AND k.year = %s)
   OR EXISTS (SELECT 1 FROM activities_compliancechange x WHERE x.branch_id = s.id)
"""

# The ranking of a scope: the stored gaps of the open windows counted for the current branches, the
# live counts given for the others, sorted worst first.
RANKED_SQL = """
WITH w (kind, starts, ends, state) AS (VALUES {windows}),
s AS MATERIALIZED (SELECT * FROM ({scope}) AS s (id, code)),
live (branch_id, missing, due) AS ({live}),
c AS (
    SELECT g.branch_id,
           count(*) FILTER (WHERE w.state = 'missing') AS missing,
           count(*) FILTER (WHERE w.state = 'due') AS due
    FROM activities_compliancegap g
    JOIN w ON g.kind = w.kind AND g.starts = w.starts AND g.ends = w.ends
    JOIN s ON s.id = g.branch_id
    WHERE g.year = %s AND g.branch_id <> ALL(%s::int[])
    GROUP BY g.branch_id
)
SELECT s.id, coalesce(l.missing, c.missing, 0), coalesce(l.due, c.due, 0)
FROM s LEFT JOIN c ON c.branch_id = s.id LEFT JOIN live l ON l.branch_id = s.id
ORDER BY 2 DESC, 3 DESC, s.code, s.id
"""


def _ranked_query(scope_sql, scope_params, windows, year, stale, live) -> tuple[str, list]:
    params: list = []
    for w in windows:
        params += [w.kind, w.start, w.end, w.state]
    params += scope_params
    if live:
        live_sql = "VALUES " + ", ".join(["(%s::int, %s::bigint, %s::bigint)"] * len(live))
        params += [value for row in live for value in row]
    else:
        live_sql = "SELECT NULL::int, NULL::bigint, NULL::bigint WHERE false"
    params += [year, stale]
    values = ", ".join(["(%s, %s::date, %s::date, %s)"] * len(windows))
    return RANKED_SQL.format(windows=values, scope=scope_sql, live=live_sql), params
