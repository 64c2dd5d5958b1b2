"""Writes to recruitment records. Every path (pages, import, demo) records steps through here, so the
rules of recruitment.rules hold for all of them, and the roster hand-over happens in one place.
"""

from datetime import date
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.pledges.rules import attachment_content_error, attachment_error
from activities.services import ALLOWED_TYPES, sniff
from branches.models import OrgUnit
from core import workdays
from members import idcard
from members import rules as member_rules
from members import services as member_services
from members.models import Member

from . import lookups, rules, selectors
from .models import Recruit, RecruitDocument, RecruitStep

MAX_DOCUMENTS = 20
SPONSOR_ROLES = {rules.CONTACTS: "培养联系人", rules.INTRODUCERS: "入党介绍人"}
VOTE_FIELDS = {"expected": "voters_expected", "present": "voters_present", "votes_for": "votes_for"}


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def step_dates(recruit: Recruit, *, exclude_pk: int | None = None) -> dict[int, list[date | None]]:
    """The recorded steps as rules.Dates: number → dates."""
    dates: dict[int, list[date | None]] = {}
    for number, done_on, pk in recruit.steps.order_by("number", "done_on").values_list("number", "done_on", "pk"):
        if pk != exclude_pk:
            dates.setdefault(number, []).append(done_on)
    return dates


def _refresh(recruit: Recruit) -> None:
    """Keep the stored stage, next step and its deadline in step with the recorded steps."""
    dates = step_dates(recruit)
    standing = rules.progress(dates, _today(None), probation_ends=selectors.probation_ends(recruit, dates))
    recruit.status = standing.status
    recruit.next_step = standing.next_step
    recruit.next_due = standing.next_due
    recruit.waiting_since = standing.waiting_since
    recruit.save(update_fields=["status", "next_step", "next_due", "waiting_since"])


# --- People --------------------------------------------------------------------------------------


@transaction.atomic
def recruit_create(
    *,
    branch: OrgUnit,
    name: str,
    id_number: str,
    applied_on: date,
    gender: str = "",
    department: str = "",
    post: str = "",
    phone: str = "",
    education: str = "",
    ethnicity: str = "汉族",
    actor: str = "",
    note: str = "",
    by=None,
    today: date | None = None,
    source: str = RecruitStep.Source.FORM,
    allow_member: bool = False,
) -> Recruit:
    """Open someone's record with their application (step 1). `allow_member` lets an import of past
    records name someone the roster already holds (they are linked at the approval, not doubled)."""
    errors: dict[str, list[str]] = {}
    number = idcard.normalise(id_number)
    if id_errors := idcard.id_number_errors(number):
        errors["id_number"] = id_errors
    elif lookups.recruits_by_id_number([number]):
        errors["id_number"] = [_("身份证号为%(id)s的人员已有发展党员记录") % {"id": idcard.mask(number)}]
    elif not allow_member and lookups.members_by_id_number([number]):
        errors["id_number"] = [_("身份证号为%(id)s的人员已在党员名册中") % {"id": idcard.mask(number)}]
    if branch.kind != OrgUnit.Kind.BRANCH:
        errors["branch"] = [_("所在支部必须是党支部")]
    if not name.strip():
        errors["name"] = [_("请填写姓名")]
    born = idcard.birth_date_of(number) if "id_number" not in errors else None
    if born is not None:
        if gender and gender != idcard.gender_of(number):
            errors["gender"] = [_("性别与身份证号不符")]
        check = rules.check_step_date(rules.APPLICATION, applied_on, {}, birth_date=born, today=_today(today))
        if check.errors:
            errors["applied_on"] = check.errors["done_on"]
    if errors or born is None:  # a valid ID number always carries a birth date
        raise ValidationError(errors)
    recruit = Recruit(
        branch=branch,
        name=name.strip(),
        gender=idcard.gender_of(number),
        birth_date=born,
        id_number=number,
        ethnicity=ethnicity or "汉族",
        education=education,
        department=department,
        post=post,
        phone=phone,
        created_by=by,
    )
    recruit.full_clean(exclude=["branch", "member"])
    recruit.save()
    RecruitStep.objects.create(
        recruit=recruit,
        number=rules.APPLICATION,
        done_on=applied_on,
        actor=actor,
        note=note,
        source=source,
        created_by=by,
    )
    _refresh(recruit)
    return recruit


@transaction.atomic
def recruit_update(*, recruit: Recruit, **fields) -> Recruit:
    """Change a person's details (not their ID number or branch, which identify the record)."""
    for name in ("id_number", "branch", "birth_date", "gender"):
        if name in fields:
            raise ValidationError({name: _("该项不能修改")})
    for name, value in fields.items():
        setattr(recruit, name, value)
    recruit.full_clean(exclude=["branch", "member"])
    recruit.save()
    return recruit


# --- Steps ---------------------------------------------------------------------------------------


def _locked_error(dates: rules.Dates, number: int) -> str | None:
    # The roster holds what the approvals wrote (入党日期, 转正日期); the dates that led to them stay.
    if rules.FULL_APPROVAL in dates and number < rules.FULL_APPROVAL:
        return _("已审批转正，之前各步骤的日期不能再修改")
    if rules.APPROVAL in dates and number < rules.APPROVAL:
        return _("已审批接收为预备党员，之前各步骤的日期不能再修改")
    return None


def _sponsor_check(check: rules.StepCheck, number: int, people, day: date) -> None:
    sponsors = [
        rules.Sponsor(
            member.name, member_rules.is_full_on(day, member.joined_on, member.full_on, member.is_full), member.pk
        )
        for member in people
    ]
    for message in rules.sponsor_errors(SPONSOR_ROLES[number], sponsors):
        check.refuse("people", message)


@transaction.atomic
def recruit_step_record(
    *,
    recruit: Recruit,
    number: int,
    done_on: date | None,
    actor: str = "",
    note: str = "",
    people=None,
    training_days: int | None = None,
    training_hours: int | None = None,
    notice_start: date | None = None,
    notice_end: date | None = None,
    voters_expected: int | None = None,
    voters_present: int | None = None,
    votes_for: int | None = None,
    group: OrgUnit | None = None,
    step: RecruitStep | None = None,
    by=None,
    today: date | None = None,
    source: str = RecruitStep.Source.FORM,
    allow_gaps: bool = False,
) -> RecruitStep:
    """Record step `number` (or change `step`, its earlier record) after checking every rule.

    Refuses with a ValidationError by field; the rules' warnings (late) are stored on the step and
    returned in `step.warning_list`. The approval (17) hands the person to the roster as a
    probationary member; the 转正 approval (24) writes their 转正日期.
    """
    today = _today(today)
    recruit = Recruit.objects.select_for_update(of=("self",)).select_related("member", "branch").get(pk=recruit.pk)
    if number not in rules.STEPS:
        raise ValidationError({"number": _("没有这一步骤")})
    if step is not None and (step.recruit_id != recruit.pk or step.number != number):
        raise ValidationError({"number": _("步骤与记录不符")})
    if step is None and not rules.STEPS[number].repeatable and recruit.steps.filter(number=number).exists():
        raise ValidationError({"done_on": _("这一步骤已经登记，请修改原记录")})
    dates = step_dates(recruit, exclude_pk=step.pk if step else None)
    people = list(people or [])

    if done_on is None and source == RecruitStep.Source.FORM:
        raise ValidationError({"done_on": _("请填写日期")})
    check = rules.StepCheck()
    if step is not None and step.done_on != done_on:
        check.refuse("done_on", _locked_error(dates, number))
    if done_on is not None:
        dated = rules.check_step_date(
            number,
            done_on,
            dates,
            birth_date=recruit.birth_date,
            probation_ends=selectors.probation_ends(recruit, dates),
            today=today,
            allow_gaps=allow_gaps,
        )
        check.errors.update({name: check.errors.get(name, []) + msgs for name, msgs in dated.errors.items()})
        check.warnings += dated.warnings
    if number in SPONSOR_ROLES:
        sponsor_day = done_on or rules.first_date(dates, rules.BRANCH_MEETING) or today
        _sponsor_check(check, number, people, sponsor_day)
    if number == rules.TRAINING and source == RecruitStep.Source.FORM:
        check.refuse("training_days", rules.training_error(training_days, training_hours))
    if number == rules.PRE_REVIEW and source == RecruitStep.Source.FORM:
        # Counted by the committee's holiday calendar (kept with the ratings' 公示), through core.workdays.
        calendar = workdays.WEEKDAYS_ONLY
        if notice_start is not None and notice_end is not None:
            calendar = workdays.calendar_between(notice_start, notice_end)
        message = rules.publicity_error(notice_start, notice_end, calendar)
        check.refuse("notice_start" if notice_start is None else "notice_end", message)
    if number == rules.BRANCH_MEETING:
        for name, message in rules.vote_errors(voters_expected, voters_present, votes_for).items():
            check.refuse(VOTE_FIELDS[name], message)
    if number == rules.PLACED and group is not None:
        if group.kind != OrgUnit.Kind.GROUP or not group.path.startswith(recruit.branch.path):
            message = _("党小组“%(group)s”不属于%(branch)s") % {"group": group.name, "branch": recruit.branch}
            check.refuse("group", message)
    if check.errors:
        raise ValidationError(check.errors)

    if step is None:
        step = RecruitStep(recruit=recruit, number=number, source=source, created_by=by)
    step.done_on, step.actor, step.note = done_on, actor, note
    step.training_days, step.training_hours = training_days, training_hours
    step.notice_start, step.notice_end = notice_start, notice_end
    step.voters_expected, step.voters_present, step.votes_for = voters_expected, voters_present, votes_for
    step.warnings = "\n".join(check.warnings)
    step.save()
    if number in SPONSOR_ROLES:
        step.people.set(people)

    dates.setdefault(number, []).append(done_on)
    if number == rules.APPROVAL:
        _hand_over(recruit, dates, by=by)
    elif number == rules.FULL_APPROVAL:
        _make_full(recruit)
    elif number == rules.PLACED and group is not None and recruit.member is not None:
        if recruit.member.group_id != group.pk:
            member_services.member_update(member=recruit.member, group=group)
    _refresh(recruit)
    return step


def _hand_over(recruit: Recruit, dates: rules.Dates, *, by) -> Member:
    """On approval the person enters the roster as a probationary member, once.

    入党日期 is the branch meeting's date (15); the probation runs a year from it (members.rules). A
    roster record already holding the ID number (a roster imported earlier) is linked, not doubled.
    """
    if recruit.member is not None:
        return recruit.member
    meeting = rules.first_date(dates, rules.BRANCH_MEETING)
    member = lookups.members_by_id_number([recruit.id_number]).get(recruit.id_number)
    if member is None:
        member = member_services.member_create(
            since=meeting,
            name=recruit.name,
            gender=recruit.gender,
            ethnicity=recruit.ethnicity,
            birth_date=recruit.birth_date,
            id_number=recruit.id_number,
            education=recruit.education,
            department=recruit.department,
            post=recruit.post,
            phone=recruit.phone,
            branch=recruit.branch,
            joined_on=meeting,
            full_on=None,
            category=Member.Category.PROBATIONARY,
        )
    elif member.joined_on is None:
        member = member_services.member_update(member=member, joined_on=meeting)
    recruit.member = member
    recruit.save(update_fields=["member"])
    return member


def _make_full(recruit: Recruit) -> None:
    """转正: 转正日期 is the end of the probation (extensions included), written to the roster."""
    member = recruit.member
    if member is None:  # approval (17) comes first: check_step_date refuses 23 without it
        raise ValidationError({"done_on": _("尚未审批接收为预备党员")})
    if member.joined_on is None:  # _hand_over wrote it at approval
        raise ValidationError({"done_on": _("党员名册中缺少入党日期")})
    ends = rules.probation_end(member.joined_on, member.probation_extended_until)
    if member.category != Member.Category.FULL or member.full_on is None:
        member_services.member_update(member=member, category=Member.Category.FULL, full_on=ends)


@transaction.atomic
def recruit_step_delete(*, step: RecruitStep, by=None) -> None:
    """Take back a step recorded by mistake: only the furthest one, and never an approval that has
    written to the roster (the roster record is changed there, by whoever keeps it)."""
    recruit = Recruit.objects.select_for_update().get(pk=step.recruit_id)
    dates = step_dates(recruit)
    if step.number in (rules.APPLICATION, rules.APPROVAL, rules.FULL_APPROVAL):
        raise ValidationError(_("这一步骤不能删除"))
    repeated = len(dates.get(step.number, ())) > 1
    if step.number != rules.frontier(dates) and not repeated:
        raise ValidationError(_("只能删除最后登记的步骤"))
    for document in step.documents.all():
        document.file.delete(save=False)
    step.delete()
    _refresh(recruit)


# --- Documents -----------------------------------------------------------------------------------


@transaction.atomic
def recruit_document_add(*, step: RecruitStep, upload, by=None) -> RecruitDocument:
    """A scan or photo of the step's paper; the same types and checks as meeting attachments."""
    name = PurePath((upload.name or "").replace("\\", "/")).name[:200]
    error = attachment_error(name, upload.size) or attachment_content_error(name, sniff(upload))
    if error:
        raise ValidationError({"file": error})
    if step.documents.count() >= MAX_DOCUMENTS:
        raise ValidationError({"file": _("每个步骤最多 %(n)s 份材料") % {"n": MAX_DOCUMENTS}})
    content_type = ALLOWED_TYPES[PurePath(name).suffix.lower().lstrip(".")][0]
    document = RecruitDocument(step=step, original_name=name, content_type=content_type, size=upload.size)
    document.uploaded_by = by
    document.file.save(name, upload, save=False)
    document.save()
    return document


@transaction.atomic
def recruit_document_delete(*, document: RecruitDocument, by=None) -> None:
    document.file.delete(save=False)
    document.delete()
