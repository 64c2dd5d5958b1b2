"""Reads about recruitment: each person's standing, the branch list, the committee's pipeline, and the
reminders the notices ask for."""

from dataclasses import dataclass
from datetime import date

from django.db.models import BooleanField, Case, Count, Exists, OuterRef, Q, Value, When

from branches.models import OrgUnit
from members.models import Member
from members.selectors import full_on_q, members_of_unit_on

from . import rules
from .models import Recruit, RecruitStep, Status


def dates_of(recruit: Recruit) -> dict[int, list[date | None]]:
    """rules.Dates from the recruit's steps (prefetch `steps` to read many without a query each)."""
    dates: dict[int, list[date | None]] = {}
    for step in recruit.steps.all():
        dates.setdefault(step.number, []).append(step.done_on)
    return dates


def probation_ends(recruit: Recruit, dates: rules.Dates) -> date | None:
    member = recruit.member
    if member is not None and member.joined_on is not None:
        return rules.probation_end(member.joined_on, member.probation_extended_until)
    meeting = rules.first_date(dates, rules.BRANCH_MEETING)
    if meeting is not None and rules.APPROVAL in dates:
        return rules.probation_end(meeting)
    return None


def standing(recruit: Recruit, today: date) -> rules.Progress:
    dates = dates_of(recruit)
    return rules.progress(dates, today, probation_ends=probation_ends(recruit, dates))


def with_steps(recruits):
    return recruits.select_related("branch", "member").prefetch_related("steps")


@dataclass(frozen=True)
class Row:
    recruit: Recruit
    progress: rules.Progress


def branch_rows(recruits, today: date) -> list[Row]:
    """Each person of a user-scoped queryset with their standing, furthest stage first, late ones first
    within it. Three queries whatever the number of people."""
    rows = [Row(recruit, standing(recruit, today)) for recruit in with_steps(recruits)]
    order = {status: index for index, status in enumerate(rules.STATUS_ORDER)}
    return sorted(
        rows,
        key=lambda row: (-order[row.progress.status], not row.progress.late, row.recruit.branch.code, row.recruit.name),
    )


# --- For the notices: who has something due, and by when ----------------------------------------


@dataclass(frozen=True)
class Reminder:
    """One due or late item of one person: the notices app sends it to whoever can act (the branch's
    secretary, or the committee staff where `alert.for_committee`)."""

    recruit_id: int
    name: str
    branch_id: int
    alert: rules.Alert


def recruitment_reminders(recruits, today: date) -> list[Reminder]:
    """Every person's due and late items as of `today` — talk due, assessment due, approval waiting,
    转正 due, 转正 approval waiting — with their dates, late ones first, then by due date.

    `recruits` is a queryset (user-scoped, or all for a daily job). The people who are done (正式党员)
    have nothing due and are not read.
    """
    reminders = [
        Reminder(recruit.pk, recruit.name, recruit.branch_id, alert)
        for recruit in with_steps(recruits.exclude(status=Status.FULL))
        for alert in standing(recruit, today).alerts
    ]
    return sorted(reminders, key=lambda r: (not r.alert.late, r.alert.due_on, r.branch_id, r.name))


# --- The committee's pipeline, aggregated in the database ---------------------------------------


def stage_counts(recruits):
    """One row per branch with the number of people in each stage (one GROUP BY query)."""
    counts = {status: Count("pk", filter=Q(status=status)) for status in rules.STATUS_ORDER}
    return (
        recruits.order_by()
        .values("branch_id", "branch__code", "branch__name")
        .annotate(total=Count("pk"), **counts)
        .order_by("branch__code")
    )


def stage_totals(recruits) -> dict[str, int]:
    counts = {status: Count("pk", filter=Q(status=status)) for status in rules.STATUS_ORDER}
    return recruits.order_by().aggregate(total=Count("pk"), **counts)


def committee_queue(recruits, today: date):
    """People whose next step is the committee's (备案, 预审, 谈话, 审批, 转正审批): late ones first,
    then the longest waiting."""
    return (
        recruits.filter(next_step__in=sorted(rules.COMMITTEE_QUEUE_STEPS))
        .select_related("branch")
        .annotate(
            late=Case(When(next_due__lt=today, then=Value(True)), default=Value(False), output_field=BooleanField())
        )
        .order_by("-late", "waiting_since", "branch__code", "pk")
    )


def committee_queue_counts(recruits) -> dict[int, int]:
    rows = (
        recruits.filter(next_step__in=sorted(rules.COMMITTEE_QUEUE_STEPS))
        .order_by()
        .values_list("next_step")
        .annotate(n=Count("pk"))
    )
    return dict(rows)


# --- Year and unit of the export ------------------------------------------------------------------


def recruits_of_year(recruits, year: int):
    """People in the pipeline at some time in `year`: applied by its end, and not yet approved as
    full members before it began."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    applied = RecruitStep.objects.filter(recruit=OuterRef("pk"), number=rules.APPLICATION, done_on__lte=end)
    done_before = RecruitStep.objects.filter(recruit=OuterRef("pk"), number=rules.FULL_APPROVAL, done_on__lt=start)
    return recruits.filter(Exists(applied)).exclude(Exists(done_before))


def in_unit(recruits, unit: OrgUnit):
    return recruits.filter(branch__path__startswith=unit.path)


def voting_members_on(branch: OrgUnit, day: date) -> int:
    """Full members of the branch on `day`: what the meeting form suggests as 应到会有表决权人数."""
    return members_of_unit_on(branch, day).filter(full_on_q(day)).count()


def sponsor_choices(user):
    """Roster members the user may name as contact or introducer (the rules refuse probationary ones)."""
    return Member.objects.visible_to(user).select_related("branch").order_by("branch__code", "name", "pk")
