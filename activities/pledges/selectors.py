"""Reads for pledges, appraisal, study notes and the member's record.

Every function that takes a user returns only what that user may see; the others take objects the
caller has already fetched through a scoped queryset.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connections
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from activities.compliance import ATTENDANCE_KINDS, PRESENT, wants
from activities.models import Appraisal, AppraisalEntry, Attendance, Meeting, PeerBallot, Pledge, StudyNote, Talk
from branches.access import scope_for
from branches.models import OrgUnit
from core.bulk import among, plain_rows
from core.periods import Period
from members.models import Member, Membership, Transfer

from . import rules

# --- Branches -------------------------------------------------------------------------------------


def visible_branches(user):
    """Branches whose pledge board the user may open: those in their scope, and their own."""
    scope = scope_for(user)
    q = scope.unit_q()
    if scope.member_id is not None and not scope.is_committee:
        q |= Q(pk__in=Member.objects.filter(pk=scope.member_id).values("branch_id"))
    if scope.user_id is None:
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH).filter(q).order_by("code")


def managed_branches(user):
    return OrgUnit.objects.managed_by(user).filter(kind=OrgUnit.Kind.BRANCH).order_by("code")


def own_member(user) -> Member | None:
    member_id = scope_for(user).member_id
    if member_id is None:
        return None
    return Member.objects.select_related("branch").get(pk=member_id)


# --- Pledges ---------------------------------------------------------------------------------------


@dataclass
class MemberPledges:
    member: Member
    pledges: list[Pledge]

    @property
    def counts(self) -> rules.RatingCounts:
        return rules.RatingCounts.of(p.rating for p in self.pledges)

    @property
    def rate(self) -> Decimal | None:
        return rules.fulfilment_rate(self.counts)

    @property
    def rate_display(self) -> str:
        return rules.format_rate(self.rate)


@dataclass
class Board:
    """公开承诺墙 of one branch and year: the branch's own items, then each member's."""

    branch: OrgUnit
    year: int
    branch_pledges: list[Pledge] = field(default_factory=list)
    members: list[MemberPledges] = field(default_factory=list)

    @property
    def all_pledges(self) -> list[Pledge]:
        return self.branch_pledges + [p for m in self.members for p in m.pledges]

    @property
    def counts(self) -> rules.RatingCounts:
        return rules.RatingCounts.of(p.rating for p in self.all_pledges)

    @property
    def rate(self) -> Decimal | None:
        return rules.fulfilment_rate(self.counts)

    @property
    def rate_display(self) -> str:
        return rules.format_rate(self.rate)

    @property
    def branch_counts(self) -> rules.RatingCounts:
        return rules.RatingCounts.of(p.rating for p in self.branch_pledges)


def board(branch: OrgUnit, year: int) -> Board:
    """Two queries whatever the number of items."""
    pledges = (
        Pledge.objects.filter(branch=branch, year=year)
        .select_related("member")
        .annotate(note_count=Count("notes"))
        .order_by("member__name", "member_id", "pk")
    )
    result = Board(branch=branch, year=year)
    by_member: dict[int, MemberPledges] = {}
    for pledge in pledges:
        member = pledge.member  # selected with the pledge
        if member is None:
            result.branch_pledges.append(pledge)
        else:
            entry = by_member.get(member.pk)
            if entry is None:
                entry = by_member[member.pk] = MemberPledges(member=member, pledges=[])
                result.members.append(entry)
            entry.pledges.append(pledge)
    return result


def branch_summaries(branch_ids: Iterable[int], year: int, *, every: bool = False) -> dict[int, rules.RatingCounts]:
    """Rating counts of each branch's items of the year, in one query (`every`: as meeting_facts)."""
    pledges = Pledge.objects.filter(year=year)
    if not every:
        pledges = pledges.filter(branch_id__in=among(branch_ids))
    rows = pledges.order_by().values_list("branch_id", "rating").annotate(n=Count("id"))
    # [fulfilled, partial, unfulfilled, unrated] per branch: a province's year is 20,000 rows.
    slot = {rules.FULFILLED: 0, rules.PARTIAL: 1, rules.UNFULFILLED: 2, "": 3, None: 3}
    raw: dict[int, list[int]] = {}
    for branch_id, rating, n in plain_rows(rows):
        counts = raw.get(branch_id)
        if counts is None:
            counts = raw[branch_id] = [0, 0, 0, 0]
        if (i := slot.get(rating)) is not None:
            counts[i] += n
    return {
        branch_id: rules.RatingCounts(fulfilled=f, partial=p, unfulfilled=u, unrated=n)
        for branch_id, (f, p, u, n) in raw.items()
    }


def member_pledges_by_year(member: Member) -> list[tuple[int, list[Pledge], str]]:
    """(year, items, fulfilment rate as text) for one member, newest year first."""
    pledges = (
        Pledge.objects.filter(member=member)
        .select_related("branch")
        .annotate(note_count=Count("notes"))
        .order_by("-year", "pk")
    )
    by_year: dict[int, list[Pledge]] = {}
    for pledge in pledges:
        by_year.setdefault(pledge.year, []).append(pledge)
    return [
        (year, items, rules.format_rate(rules.fulfilment_rate(rules.RatingCounts.of(p.rating for p in items))))
        for year, items in by_year.items()
    ]


def member_fulfilment_rates(branch_ids: Iterable[int], year: int) -> dict[int, Decimal | None]:
    """Each member's fulfilment rate for the year, for members with items in these branches.

    One query. For the year-end workbook's 党员评议 sheet (承诺兑现率).
    """
    rows = (
        Pledge.objects.filter(branch_id__in=list(branch_ids), year=year, member__isnull=False)
        .order_by()
        .values("member_id", "rating")
        .annotate(n=Count("pk"))
        .values_list("member_id", "rating", "n")
    )
    return rules.rates_by_member(plain_rows(rows))


# --- Indicators C2, C5, E1 ------------------------------------------------------------------------


def pledge_facts(
    branch_ids: Iterable[int], period: Period, codes: Iterable[str] | None = None
) -> dict[int, rules.BranchPledgeFacts]:
    """What C2, C5 and E1 need for each branch: at most four queries whatever the number of branches.

    Members are counted per branch by their membership spans (a month belongs to the branch the
    member was in on its last day); retired members only where the branch counts them, as for
    attendance. A study note counts for its month whichever branch it was posted in; a pledge item
    counts for the branch it was made in. With `codes`, only what those indicators read is fetched:
    a quarter's check scores C2 alone and needs no pledges.
    """
    branch_ids = list(branch_ids)
    codes = None if codes is None else frozenset(codes)

    year = period.start.year
    spans = Membership.objects.filter(branch_id__in=branch_ids).filter(
        Q(start__isnull=True) | Q(start__lte=period.end), Q(end__isnull=True) | Q(end__gte=period.start)
    )
    member_ids = spans.values("member_id")

    member_spans: dict[tuple[int, int], list] = defaultdict(list)
    member_info: dict[int, tuple] = {}
    if wants(codes, "C2", "C5"):
        fields = ("start", "end", "member__status", "member__counts_when_retired", "member__joined_on")
        rows = spans.order_by().values_list("branch_id", "member_id", *fields)
        for branch_id, member_id, start, end, status, counts_retired, joined_on in plain_rows(rows):
            member_spans[(branch_id, member_id)].append((start, end))
            member_info[member_id] = (status, counts_retired, joined_on)

    note_months: dict[int, set] = defaultdict(set)
    if wants(codes, "C2"):
        notes = (
            StudyNote.objects.filter(member_id__in=member_ids, month__gte=period.start, month__lte=period.end)
            .order_by()  # Meta.ordering would widen DISTINCT to every note
            .values_list("member_id", "month")
            .distinct()
        )
        for member_id, month in plain_rows(notes):
            note_months[member_id].add((month.year, month.month))

    pledged: set[int] = set()
    if wants(codes, "C5"):
        pledgers = Pledge.objects.filter(member_id__in=member_ids, year=year).order_by().values_list("member_id")
        pledged = {member_id for (member_id,) in plain_rows(pledgers.distinct())}
    ratings = branch_summaries(branch_ids, year) if wants(codes, "E1") else {}

    members: dict[int, dict[int, rules.MemberPeriodFacts]] = defaultdict(dict)
    for (branch_id, member_id), member_span_list in member_spans.items():
        status, counts_retired, joined_on = member_info[member_id]
        if not rules.counts_in_roll(status, counts_retired):
            continue
        required = rules.months_in_branch(member_span_list, period.months, joined_on)
        if not required:
            continue
        members[branch_id][member_id] = rules.MemberPeriodFacts(
            required, frozenset(note_months.get(member_id, ())), member_id in pledged
        )
    return {
        branch_id: rules.BranchPledgeFacts(
            branch_id=branch_id,
            year=year,
            members=members.get(branch_id, {}),
            ratings=ratings.get(branch_id, rules.RatingCounts()),
            codes=codes,
        )
        for branch_id in branch_ids
    }


# The counts behind C2 and C5 for many branches, in one statement, by the rules of months_in_branch,
# counts_in_roll and MemberPeriodFacts: a member counts for the months of the period whose last day
# falls in one of their spans in the branch and after they joined the Party (retired members only
# where flagged); C2 needs a note in each of those months, C5 a pledge item in the year.
#
# Months are bits (bit i: the period's i-th month). A span's months run from the month of its start
# or of the joining, whichever is later (that month's last day is on or after both), to the month
# before the day after its end (the end's own month when the end is that month's last day). Most
# spans cover the whole period: the CASEs answer those without the date arithmetic. A note's month is
# numbered with date_part (a double) rather than extract (a numeric since PostgreSQL 14): 30 ms less
# of a quarter's 272,000 notes. The pledgers are joined, not probed with `IN (SELECT …)`: PostgreSQL
# hashes such a subquery only when it fits in work_mem, and otherwise scans the year's pledges once per
# member — with the default 4 MB that took more than ten minutes at N = 5,000; joined, 0.38 s (0.28 s
# with the jobs' 64 MB, as `IN`).
SPANS_SQL = """
WITH spans AS (
    SELECT ms.branch_id, ms.member_id,
           CASE WHEN greatest(ms.start, m.joined_on) IS NULL OR greatest(ms.start, m.joined_on) <= %(first_end)s
                THEN 0
                ELSE extract(year FROM greatest(ms.start, m.joined_on))::int * 12
                     + extract(month FROM greatest(ms.start, m.joined_on))::int - %(first)s
           END AS lo,
           CASE WHEN ms."end" IS NULL OR ms."end" >= %(end)s
                THEN %(last)s
                ELSE extract(year FROM ms."end" + 1)::int * 12 + extract(month FROM ms."end" + 1)::int - %(first)s - 1
           END AS hi
    FROM members_membership ms JOIN members_member m ON m.id = ms.member_id
    WHERE (%(every)s OR ms.branch_id = ANY(%(branches)s)) AND (m.status <> %(retired)s OR m.counts_when_retired)
),
pledged AS (
    SELECT DISTINCT member_id FROM activities_pledge WHERE %(pledges)s AND year = %(year)s
),
"""
PLEDGE_COUNTS_SQL = (
    SPANS_SQL
    + """
required AS (
    SELECT branch_id, member_id, bit_or((1 << (hi + 1)) - (1 << lo)) AS months
    FROM spans WHERE hi >= lo
    GROUP BY 1, 2
),
noted AS (
    SELECT member_id, bit_or(1 << (date_part('year', month)::int * 12 + date_part('month', month)::int - %(first)s))
           AS months
    FROM activities_studynote
    WHERE %(notes)s AND month BETWEEN %(start)s AND %(end)s
    GROUP BY 1
)
SELECT r.branch_id, count(*),
       count(*) FILTER (WHERE r.months & ~coalesce(n.months, 0) = 0),
       count(p.member_id)
FROM required r LEFT JOIN noted n ON n.member_id = r.member_id
LEFT JOIN pledged p ON p.member_id = r.member_id
GROUP BY 1
"""
)
# C5 alone (the year's job) needs only whether a member counts for some month, not which months: the
# members with a span of at least one month, without the months' bits and their aggregate — 0.36 s of a
# province's year against 0.27 s.
PLEDGE_COVERAGE_SQL = (
    SPANS_SQL
    + """
counted AS (
    SELECT DISTINCT branch_id, member_id FROM spans WHERE hi >= lo
)
SELECT c.branch_id, count(*), 0, count(p.member_id)
FROM counted c LEFT JOIN pledged p ON p.member_id = c.member_id
GROUP BY 1
"""
)


def pledge_counts(
    branch_ids: Iterable[int],
    period: Period,
    codes: Iterable[str] | None = None,
    *,
    in_sql: bool | None = None,
    every: bool = False,
) -> dict[int, rules.PledgeCounts]:
    """What C2, C5 and E1 are computed from, for each branch: two queries for a province.

    On PostgreSQL the database counts (PLEDGE_COUNTS_SQL, or PLEDGE_COVERAGE_SQL when C2 is not asked
    for); elsewhere, or with in_sql=False, the counts come member by member from pledge_facts. Tests hold
    the two to the same answers.
    """
    branch_ids = list(branch_ids)
    codes = None if codes is None else frozenset(codes)
    if in_sql is None:
        in_sql = connections[Membership.objects.db].vendor == "postgresql"
    if not in_sql:
        return {branch_id: facts.counts for branch_id, facts in pledge_facts(branch_ids, period, codes).items()}

    year = period.start.year
    coverage: dict[int, tuple[int, int, int]] = {}
    if wants(codes, "C2", "C5"):
        months = period.months
        params: dict[str, Any] = {
            "first": months[0][0] * 12 + months[0][1],
            "first_end": rules.month_end(*months[0]),
            "last": len(months) - 1,
            "every": every,  # the ids are every branch (activities.selectors.meeting_facts): no filter
            "branches": [] if every else branch_ids,
            "retired": Member.Status.RETIRED,
            "notes": wants(codes, "C2"),
            "pledges": wants(codes, "C5"),
            "year": year,
            "start": period.start,
            "end": period.end,
        }
        with connections[Membership.objects.db].cursor() as cursor:
            cursor.execute(PLEDGE_COUNTS_SQL if wants(codes, "C2") else PLEDGE_COVERAGE_SQL, params)
            coverage = {branch_id: (counted, noted, pledged) for branch_id, counted, noted, pledged in cursor}
    ratings = branch_summaries(branch_ids, year, every=every) if wants(codes, "E1") else {}
    result = {}
    for branch_id in branch_ids:
        counted, noted, pledged = coverage.get(branch_id, (0, 0, 0))
        result[branch_id] = rules.PledgeCounts(
            branch_id,
            year,
            note_coverage=(noted, counted),
            pledge_coverage=(pledged, counted),
            ratings=ratings.get(branch_id, rules.RatingCounts()),
            codes=codes,
        )
    return result


# --- Study notes -----------------------------------------------------------------------------------


@dataclass
class GridRow:
    member: Member
    cells: list[tuple[tuple[int, int], str]]  # (month, "posted" | "missing" | "outside" | "future")


@dataclass
class NoteGrid:
    branch: OrgUnit
    year: int
    months: tuple[tuple[int, int], ...]
    rows: list[GridRow]
    coverage: list[tuple[int, int]]  # per month: (posted, members counted)

    @property
    def month_starts(self) -> list[date]:
        """The months as dates, so the page can name them in the reader's language."""
        return [date(year, month, 1) for year, month in self.months]


def note_grid(branch: OrgUnit, year: int, today: date) -> NoteGrid:
    """Members × months of who posted a study note: a fixed number of queries.

    The grid shows whether, never how many: DOMAIN.md warns against ranking people by counts.
    """
    period = Period.for_year(year)
    facts = pledge_facts([branch.pk], period)[branch.pk]
    members = {m.pk: m for m in Member.objects.filter(pk__in=list(facts.members)).order_by("name", "pk")}
    rows = []
    posted_per_month: defaultdict[tuple[int, int], int] = defaultdict(int)
    counted_per_month: defaultdict[tuple[int, int], int] = defaultdict(int)
    for member_id, member in members.items():
        member_facts = facts.members[member_id]
        cells = []
        for month in period.months:
            if month > (today.year, today.month):
                state = "future"
            elif month not in member_facts.required_months:
                state = "outside"
            elif month in member_facts.note_months:
                state = "posted"
            else:
                state = "missing"
            if state in ("posted", "missing"):
                counted_per_month[month] += 1
                posted_per_month[month] += state == "posted"
            cells.append((month, state))
        rows.append(GridRow(member=member, cells=cells))
    coverage = [(posted_per_month[m], counted_per_month[m]) for m in period.months]
    return NoteGrid(branch=branch, year=year, months=period.months, rows=rows, coverage=coverage)


# --- Appraisal -------------------------------------------------------------------------------------


@dataclass
class AppraisalOverview:
    """What the branch's managers see of a round. See docs/features/appraisal-anonymity.md.

    While voting is open: who takes part, how many ballots and self-appraisals are in — nothing
    per member that a ballot or its voter could change. Once voting has ended: the self-appraisals
    and, from rules.RESULTS_MIN_BALLOTS ballots, each member's majority grade; never the counts.
    """

    appraisal: Appraisal
    entries: list[AppraisalEntry]
    ballots_cast: int
    warning: str | None

    @property
    def voting_open(self) -> bool:
        return self.appraisal.is_open

    @property
    def results_published(self) -> bool:
        return rules.results_published(self.appraisal.status, self.ballots_cast)

    @property
    def self_appraisals_in(self) -> int:
        return sum(1 for e in self.entries if e.self_submitted_at)

    @property
    def min_ballots(self) -> int:
        return rules.RESULTS_MIN_BALLOTS

    @property
    def undecided(self) -> list[AppraisalEntry]:
        return [e for e in self.entries if not e.final_grade]

    @property
    def grade_counts(self) -> list[tuple[str, int]]:
        tally = rules.grade_tally(e.final_grade for e in self.entries if e.final_grade)
        return [(AppraisalEntry.Grade(grade).label, n) for grade, n in tally.items()]


def appraisal_overview(appraisal: Appraisal) -> AppraisalOverview:
    """For the branch: see AppraisalOverview. The page decides what to show from its flags."""
    entries = list(appraisal.entries.select_related("member").order_by("member__name", "pk"))
    return AppraisalOverview(
        appraisal=appraisal,
        entries=entries,
        ballots_cast=appraisal.ballots.count(),
        warning=rules.excellent_share_warning(e.final_grade for e in entries),
    )


def peers_to_grade(appraisal: Appraisal, member: Member) -> list[AppraisalEntry]:
    return list(appraisal.entries.exclude(member=member).select_related("member").order_by("member__name", "pk"))


def closed_grades(member: Member) -> list[AppraisalEntry]:
    """A member's final grades: only from closed appraisals, because open ones may still change."""
    return list(
        AppraisalEntry.objects.filter(member=member, appraisal__status=Appraisal.Status.CLOSED)
        .select_related("appraisal", "appraisal__branch")
        .order_by("-appraisal__year", "-appraisal__quarter")
    )


def member_final_grades(branch_ids: Iterable[int], year: int) -> dict[int, str]:
    """member id → final grade of the closed yearly appraisal of the year, in one query.

    For the year-end workbook's 党员评议 sheet (评议等次).
    """
    rows = (
        AppraisalEntry.objects.filter(
            appraisal__branch_id__in=list(branch_ids),
            appraisal__year=year,
            appraisal__quarter__isnull=True,
            appraisal__status=Appraisal.Status.CLOSED,
        )
        # Unordered: the model's ordering joins the branch and the member to sort rows a dict takes.
        .order_by()
        .values_list("member_id", "final_grade")
    )
    return dict(plain_rows(rows))


# --- The member's record (个人综合业绩档案) ----------------------------------------------------------


@dataclass
class RecordSection:
    """One block of the record page: a template and what it shows."""

    key: str
    title: str
    template: str
    context: dict


def _attendance_section(member: Member, scope) -> RecordSection:
    """Attendance rate per year at 三会一课 and every submitted meeting missed (one query)."""
    rows = list(
        Attendance.objects.filter(member=member, meeting__status=Meeting.Status.SUBMITTED)
        .order_by("-meeting__held_on", "-meeting_id")
        .values_list("meeting__held_on", "meeting__kind", "status", "reason", "meeting__topic", "meeting__unit__name")
    )
    years = rules.attendance_by_year(((day, kind, status) for day, kind, status, *_ in rows), ATTENDANCE_KINDS)
    kind_labels, status_labels = dict(Meeting.Kind.choices), dict(Attendance.Status.choices)
    missed = [
        {
            "held_on": day,
            "kind": kind_labels.get(kind, kind),
            "status": status_labels.get(status, status),
            "reason": reason,
            "topic": topic,
            "unit": unit,
        }
        for day, kind, status, reason, topic, unit in rows
        if status != PRESENT
    ]
    return RecordSection(
        "attendance", _("三会一课出勤"), "pledges/record/_attendance.html", {"years": years, "missed": missed}
    )


def _talk_section(member: Member, scope) -> RecordSection:
    """谈心谈话. The notes are private to the branch's managers (MEETINGS' rule: managed_by only);
    the member sees when and with whom."""
    managed = Talk.objects.managed_by(scope).filter(member=member)
    talks = list(Talk.objects.filter(member=member).select_related("talker", "branch").order_by("-talked_on", "-pk"))
    readable = set(managed.values_list("pk", flat=True)) if scope.is_manager or scope.is_committee else set()
    rows = [(talk, talk.note if talk.pk in readable else "") for talk in talks]
    return RecordSection("talks", _("谈心谈话"), "pledges/record/_talks.html", {"rows": rows})


def _pledge_section(member: Member, scope) -> RecordSection:
    years = member_pledges_by_year(member)
    return RecordSection("pledges", _("公开承诺"), "pledges/record/_pledges.html", {"years": years})


def _appraisal_section(member: Member, scope) -> RecordSection:
    return RecordSection(
        "appraisals", _("民主评议"), "pledges/record/_appraisals.html", {"entries": closed_grades(member)}
    )


def _study_note_section(member: Member, scope) -> RecordSection:
    notes = list(StudyNote.objects.filter(member=member).order_by("-month", "-pk").only("pk", "title", "month"))
    by_year: dict[int, list[StudyNote]] = {}
    for note in notes:
        by_year.setdefault(note.month.year, []).append(note)
    return RecordSection("study_notes", _("学习心得"), "pledges/record/_study_notes.html", {"by_year": by_year})


def _transfer_section(member: Member, scope) -> RecordSection:
    transfers = list(Transfer.objects.filter(member=member).select_related("from_branch", "to_branch"))
    return RecordSection("transfers", _("组织关系转接"), "pledges/record/_transfers.html", {"transfers": transfers})


# Sections in page order; each is one function of (member, viewer's scope).
RECORD_SECTIONS = [
    _attendance_section,
    _pledge_section,
    _appraisal_section,
    _study_note_section,
    _talk_section,
    _transfer_section,
]


def member_record(member: Member, user) -> list[RecordSection]:
    """个人综合业绩档案. The caller has checked that `user` may open this member's record."""
    scope = scope_for(user)
    return [build(member, scope) for build in RECORD_SECTIONS]


# --- Home page ---------------------------------------------------------------------------------------


@dataclass
class HomeTodo:
    """What a member may want to do next here: a few plain reminders, no counts to compete on."""

    year: int
    pledges: int
    note_this_month: bool
    appraisals_to_do: list[Appraisal]


def home_todo(user, today: date) -> HomeTodo | None:
    """Four queries; None for a user with no member record."""
    member_id = scope_for(user).member_id
    if member_id is None:
        return None
    # Only the member's own reminders: whether someone else has voted is nobody's business.
    mine = AppraisalEntry.objects.filter(
        member_id=member_id, appraisal__status__in=[Appraisal.Status.OPEN, Appraisal.Status.DECIDING]
    )
    self_missing = mine.filter(self_submitted_at__isnull=True).values("appraisal_id")
    voted = PeerBallot.objects.filter(grader_id=member_id).values("appraisal_id")
    # A ballot is owed only where there is someone else to grade, and while voting is open.
    with_peers = AppraisalEntry.objects.exclude(member_id=member_id).values("appraisal_id")
    ballot_missing = (
        mine.filter(appraisal__status=Appraisal.Status.OPEN, appraisal_id__in=with_peers)
        .exclude(appraisal_id__in=voted)
        .values("appraisal_id")
    )
    to_do = list(Appraisal.objects.filter(Q(pk__in=self_missing) | Q(pk__in=ballot_missing)).select_related("branch"))
    return HomeTodo(
        year=today.year,
        pledges=Pledge.objects.filter(member_id=member_id, year=today.year).count(),
        note_this_month=StudyNote.objects.filter(member_id=member_id, month=today.replace(day=1)).exists(),
        appraisals_to_do=to_do,
    )
