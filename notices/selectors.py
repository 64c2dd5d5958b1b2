"""Reads for notices: the recorded state the rules judge, who holds which role, where mail goes.

The notices app sits at the top, beside the assessment: it reads meetings, problems, ratings,
appraisals, pledges, members and units, and none of them imports it. Events reach it two ways, both
without an upward import: the services that make them emit a core.events event (the at-once
path), and the daily job reads the same recorded state (returned_at, created_at, approved_at …) for
the last few days, so an event whose at-once task was lost is still told. The occasion keys make the
two paths meet without telling anyone twice.

The daily reads run a fixed number of queries whatever the size of the organisation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone

from activities import compliance
from activities.models import Appraisal, AppraisalEntry, Meeting, PeerBallot, Pledge
from activities.pledges.rules import counts_in_roll
from activities.selectors import meeting_facts
from assessment.models import BranchRating, Problem, RatingReversal, YearRating
from branches import rules as tree_rules
from branches.access import BRANCH_SECRETARY, COMMITTEE_STAFF, GENERAL_SECRETARY, GROUP_LEADER
from branches.models import OrgUnit, UnitRole
from core.bulk import among
from core.periods import Period, quarter_of
from members.models import Member
from members.rules import probation_due
from recruitment import selectors as recruitment_selectors
from recruitment.models import Recruit, Status

from . import rules
from .models import LeadTimeSetting, Notice, NoticePreference, UnitWebhook

# The daily job also looks this many days back for events already told at once, in case their
# at-once task never ran (a broker that was down); the occasion keys keep it from telling twice.
SWEEP_DAYS = 2


def roles() -> rules.Roles:
    """Every role of every active account, in one query."""
    by_role: dict[str, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    committee: set[int] = set()
    rows = UnitRole.objects.filter(user__is_active=True).values_list("unit_id", "role", "user_id")
    for unit_id, role, user_id in rows:
        if role == COMMITTEE_STAFF:
            committee.add(user_id)
        else:
            by_role[role][unit_id].add(user_id)

    def frozen(role):
        return {unit_id: frozenset(users) for unit_id, users in by_role[role].items()}

    return rules.Roles(
        secretaries=frozen(BRANCH_SECRETARY),
        leaders=frozen(GROUP_LEADER),
        general_secretaries=frozen(GENERAL_SECRETARY),
        committee_staff=frozenset(committee),
    )


def lead_times(year: int) -> rules.LeadTimes:
    """The committee's lead times for `year`: its own row, else the latest earlier one, else the defaults."""
    setting = LeadTimeSetting.objects.filter(year__lte=year).order_by("-year").first()
    return setting.as_rules() if setting is not None else rules.DEFAULT_LEAD_TIMES


# ---------------------------------------------------------------------------------------------
# What the daily job judges


def meeting_reminders(today: date, lead: rules.LeadTimes, roles_: rules.Roles) -> list[rules.Reminder]:
    """The compliance page's rows for every branch and the current quarter (the year's facts, so the
    yearly 组织生活会 is judged too), turned into reminders."""
    branches = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH).order_by("code").values_list("pk", "name"))
    if not branches:
        return []
    year, quarter = quarter_of(today)
    facts = meeting_facts([pk for pk, _ in branches], Period.for_year(year))
    reminders = []
    for pk, name in branches:
        rows = compliance.requirement_rows(facts[pk], year, quarter, today)
        reminders += rules.meeting_reminders(rules.BranchRef(pk, name), rows, today, lead, roles_)
    return reminders


def _problem_facts(problems) -> list[rules.ProblemFacts]:
    rows = problems.values_list("pk", "branch_id", "branch__name", "kind", "description", "deadline", "closed_on")
    return [
        rules.ProblemFacts(pk, branch_id, name, kind, description, deadline, closed_on is not None)
        for pk, branch_id, name, kind, description, deadline, closed_on in rows.order_by("deadline", "pk")
    ]


def open_problems() -> list[rules.ProblemFacts]:
    return _problem_facts(Problem.objects.open())


def probationary_members() -> list[rules.ProbationFacts]:
    rows = Member.objects.filter(category=Member.Category.PROBATIONARY).values_list(
        "pk", "name", "branch_id", "branch__name", "joined_on", "probation_extended_until"
    )
    return [
        rules.ProbationFacts(pk, name, branch_id, branch_name, probation_due(joined_on, extended))
        for pk, name, branch_id, branch_name, joined_on, extended in rows.order_by("branch__code", "name", "pk")
    ]


def unit_terms() -> list[rules.TermFacts]:
    rows = (
        OrgUnit.objects.filter(kind__in=list(tree_rules.TERM_YEARS), elected_on__isnull=False)
        .order_by("path")
        .values_list("pk", "name", "kind", "elected_on")
    )
    return [
        rules.TermFacts(pk, name, kind, tree_rules.term_end(kind, elected_on)) for pk, name, kind, elected_on in rows
    ]


def recruits_in_progress(today: date) -> list[rules.RecruitFacts]:
    """Everyone in the recruitment pipeline who is not yet a full member, with where they stand as of
    `today` (recruitment.selectors.standing, the list page's own reading): two queries."""
    recruits = recruitment_selectors.with_steps(Recruit.objects.exclude(status=Status.FULL))
    return [
        rules.RecruitFacts(
            recruit.pk,
            recruit.name,
            recruit.branch_id,
            recruit.branch.name,
            recruitment_selectors.standing(recruit, today),
        )
        for recruit in recruits.order_by("branch__code", "name", "pk")
    ]


def _active_user(prefix: str = "") -> Q:
    return Q(**{f"{prefix}user__isnull": False, f"{prefix}user__is_active": True})


def open_appraisals() -> list[rules.AppraisalFacts]:
    """Open appraisals, each with the accounts of participants who still owe a self-appraisal or a ballot."""
    appraisals = {a.pk: a for a in Appraisal.objects.filter(status=Appraisal.Status.OPEN).select_related("branch")}
    if not appraisals:
        return []
    voted = PeerBallot.objects.filter(appraisal_id=OuterRef("appraisal_id"), grader_id=OuterRef("member_id"))
    others = AppraisalEntry.objects.filter(appraisal_id=OuterRef("appraisal_id")).exclude(
        member_id=OuterRef("member_id")
    )
    entries = (
        AppraisalEntry.objects.filter(appraisal_id__in=list(appraisals))
        .filter(_active_user("member__"))
        .annotate(voted=Exists(voted), has_peers=Exists(others))
        .values_list("appraisal_id", "member__user_id", "self_submitted_at", "voted", "has_peers")
    )
    to_act: dict[int, set[int]] = defaultdict(set)
    for appraisal_id, user_id, self_done, has_voted, has_peers in entries:
        if self_done is None or (has_peers and not has_voted):
            to_act[appraisal_id].add(user_id)
    return [
        rules.AppraisalFacts(a.pk, a.branch_id, a.branch.name, a.label, frozenset(to_act[a.pk]))
        for a in sorted(appraisals.values(), key=lambda a: a.pk)
        if to_act[a.pk]
    ]


def members_without_pledge(year: int) -> list[int]:
    """Accounts of members on the roll with no pledge item for `year` (wherever they made it)."""
    pledged = Pledge.objects.filter(year=year, member_id=OuterRef("pk"))
    rows = (
        Member.objects.filter(_active_user())
        .annotate(pledged=Exists(pledged))
        .filter(pledged=False)
        .values_list("user_id", "status", "counts_when_retired")
    )
    return sorted(user_id for user_id, status, counts in rows if counts_in_roll(status, counts))


def daily_reminders(today: date, lead: rules.LeadTimes, roles_: rules.Roles) -> list[rules.Reminder]:
    """Every reminder the daily job judges as of `today` (events told at once come from event_reminders)."""
    problems = open_problems()
    reminders = [
        *meeting_reminders(today, lead, roles_),
        *rules.problem_deadline_reminders(problems, today, lead, roles_),
        *rules.lagging_reminders(problems, roles_),
        *rules.probation_reminders(probationary_members(), today, lead, roles_),
        *rules.term_reminders(unit_terms(), today, lead, roles_),
        *rules.appraisal_reminders(open_appraisals()),
        *rules.recruitment_reminders(recruits_in_progress(today), today, roles_),
    ]
    if rules.pledges_due(today):
        pledge = rules.pledge_reminder(today, members_without_pledge(today.year))
        if pledge is not None:
            reminders.append(pledge)
    return reminders


# ---------------------------------------------------------------------------------------------
# Events told at once, by id (from the event) or by date (the daily job's sweep)


def _day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(first, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    return start, end


def returned_records(*, meeting_ids: Iterable[int] | None = None, since: date | None = None, until: date | None = None):
    """Records still returned: by id, or returned between two days (inclusive)."""
    meetings = Meeting.objects.filter(status=Meeting.Status.RETURNED, returned_at__isnull=False)
    if meeting_ids is not None:
        meetings = meetings.filter(pk__in=list(meeting_ids))
    if since is not None:
        meetings = meetings.filter(returned_at__range=_day_bounds(since, until or since))
    rows = meetings.order_by("pk").values_list(
        "pk", "branch_id", "unit__name", "kind", "held_on", "topic", "return_comment", "returned_at", "created_by_id"
    )
    facts = []
    for pk, branch_id, unit_name, kind, held_on, topic, comment, returned_at, logged_by in rows:
        assert returned_at is not None  # filtered on returned_at__isnull=False
        facts.append(
            rules.ReturnedFacts(pk, branch_id, unit_name, kind, held_on, topic, comment, returned_at, logged_by)
        )
    return facts


def opened_problems(*, problem_ids: Iterable[int] | None = None, since: date | None = None, until: date | None = None):
    """Open problems from checks: by id, or opened between two days (inclusive)."""
    problems = Problem.objects.open().filter(kind=Problem.Kind.CHECK)
    if problem_ids is not None:
        problems = problems.filter(pk__in=list(problem_ids))
    if since is not None:
        problems = problems.filter(created_at__range=_day_bounds(since, until or since))
    return _problem_facts(problems)


@dataclass(frozen=True)
class ApprovedYear:
    year: int
    approved_at: datetime
    outcomes: list[rules.BranchOutcome]


def approved_years(*, year: int | None = None, since: date | None = None, until: date | None = None):
    """Approved years (one by number, or those approved between two days) with each branch's outcome."""
    years = YearRating.objects.filter(status=YearRating.Status.APPROVED, approved_at__isnull=False)
    if year is not None:
        years = years.filter(year=year)
    if since is not None:
        years = years.filter(approved_at__range=_day_bounds(since, until or since))
    result = []
    for year_rating in years.order_by("year"):
        assert year_rating.approved_at is not None  # filtered on approved_at__isnull=False
        outcomes = [
            rules.BranchOutcome(r.branch_id, r.branch.name, r.level if not r.is_lagging else None, r.action)
            for r in BranchRating.objects.filter(rating=year_rating).select_related("branch").order_by("branch__code")
        ]
        result.append(ApprovedYear(year_rating.year, year_rating.approved_at, outcomes))
    return result


@dataclass(frozen=True)
class Reversal:
    id: int
    year: int
    reason: str
    branches: list[rules.BranchRef]


def reversals(*, reversal_id: int | None = None, since: date | None = None, until: date | None = None):
    found = RatingReversal.objects.select_related("rating")
    if reversal_id is not None:
        found = found.filter(pk=reversal_id)
    if since is not None:
        found = found.filter(reversed_at__range=_day_bounds(since, until or since))
    result = []
    for reversal in found.order_by("pk"):
        branches = [
            rules.BranchRef(pk, name)
            for pk, name in BranchRating.objects.filter(rating=reversal.rating)
            .order_by("branch__code")
            .values_list("branch_id", "branch__name")
        ]
        result.append(Reversal(reversal.pk, reversal.rating.year, reversal.reason, branches))
    return result


def event_reminders(
    roles_: rules.Roles,
    *,
    meeting_ids=None,
    problem_ids=None,
    year=None,
    reversal_id=None,
    since: date | None = None,
    until: date | None = None,
) -> list[rules.Reminder]:
    """Reminders for events told at once: the ones named, or (with `since`) all those of a span of days."""
    reminders: list[rules.Reminder] = []
    sweep = since is not None
    if sweep or meeting_ids is not None:
        ids = None if sweep else meeting_ids
        for facts in returned_records(meeting_ids=ids, since=since, until=until):
            reminders.append(rules.returned_reminder(facts, roles_))
    if sweep or problem_ids is not None:
        ids = None if sweep else problem_ids
        for facts in opened_problems(problem_ids=ids, since=since, until=until):
            reminder = rules.problem_opened_reminder(facts, roles_)
            if reminder is not None:
                reminders.append(reminder)
    if sweep or year is not None:
        for approved in approved_years(year=None if sweep else year, since=since, until=until):
            reminders += rules.rating_reminders(approved.year, approved.approved_at, approved.outcomes, roles_)
    if sweep or reversal_id is not None:
        for reversal in reversals(reversal_id=None if sweep else reversal_id, since=since, until=until):
            reminders += rules.reversal_reminders(
                reversal.year, reversal.id, reversal.reason, reversal.branches, roles_
            )
    return reminders


# ---------------------------------------------------------------------------------------------
# People and robots


@dataclass(frozen=True)
class Person:
    user_id: int
    username: str
    name: str  # the member's name, else the account's
    address: str  # the roster's 邮箱, else the account's e-mail; "" for none
    email_enabled: bool = True
    email_mode: str = rules.DIGEST


def people(user_ids: Iterable[int]) -> dict[int, Person]:
    """Names, addresses and mail preferences of the given accounts, in one query."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    rows = (
        get_user_model()
        .objects.filter(pk__in=among(ids))
        .values_list(
            "pk",
            "username",
            "first_name",
            "last_name",
            "email",
            "member__name",
            "member__email",
            "notice_preference__email_enabled",
            "notice_preference__email_mode",
        )
    )
    result = {}
    for pk, username, first, last, account_email, member_name, member_email, enabled, mode in rows:
        name = member_name or f"{last}{first}".strip() or username
        result[pk] = Person(
            pk,
            username,
            name,
            (member_email or account_email or "").strip(),
            True if enabled is None else enabled,
            mode or rules.DIGEST,
        )
    return result


def person(user) -> Person:
    return people([user.pk])[user.pk]


def webhooks_for(unit_ids: Iterable[int]) -> dict[int, UnitWebhook]:
    """The enabled robot that hears of each unit: the unit's own, else (for a group) its branch's."""
    ids = set(unit_ids)
    if not ids:
        return {}
    units = dict(OrgUnit.objects.filter(pk__in=list(ids)).values_list("pk", "path"))
    parent_paths = {path[: -OrgUnit.steplen] for path in units.values() if len(path) > OrgUnit.steplen}
    hooks = {
        hook.unit.path: hook
        for hook in UnitWebhook.objects.filter(enabled=True)
        .filter(Q(unit__path__in=list(units.values())) | Q(unit__path__in=list(parent_paths)))
        .select_related("unit")
    }
    result = {}
    for pk, path in units.items():
        hook = hooks.get(path)
        if hook is None:
            parent = hooks.get(path[: -OrgUnit.steplen])
            # Only a group falls back to its branch: a branch's reminders do not go to its general branch.
            if parent is not None and parent.unit.kind == OrgUnit.Kind.BRANCH:
                hook = parent
        if hook is not None:
            result[pk] = hook
    return result


# ---------------------------------------------------------------------------------------------
# Pages


def unread_count(user) -> int:
    return Notice.objects.visible_to(user).unread().count()


def inbox(user):
    """Unread first, then newest."""
    return (
        Notice.objects.visible_to(user)
        .select_related("occasion")
        .annotate(was_read=ExpressionWrapper(Q(read_at__isnull=False), output_field=BooleanField()))
        .order_by("was_read", "-created_at", "-pk")
    )


def preference(user) -> NoticePreference:
    return NoticePreference.objects.filter(user=user).first() or NoticePreference(user=user)
