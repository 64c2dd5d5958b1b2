"""Test data builders. They go through the services, so test data obeys the same rules as real data."""

import datetime as dt
import itertools
from datetime import date, timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from activities import services as activity_services
from activities.models import Meeting
from assessment.models import Indicator
from assessment.publication import services as publication
from assessment.services import checks, ratings
from assessment.services.standards import standard_ensure
from branches import services as branch_services
from branches.models import OrgUnit, UnitRole
from dues import services as dues_services
from dues.rules import Month
from members import idcard
from members import services as member_services
from members.models import Member
from notices import services as notice_services
from recruitment import rules as recruitment_rules
from recruitment import services as recruitment_services

_sequence = itertools.count(1)


def reset_sequences() -> None:
    """Number units, members and users from 1 again (the root conftest does it before every test)."""
    global _sequence
    _sequence = itertools.count(1)
    UserFactory.reset_sequence()


PASSWORD = "pass-for-tests-1"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


def make_unit(kind: str, parent: OrgUnit | None = None, code: str | None = None, name: str | None = None, **fields):
    n = next(_sequence)
    code = code or f"U{n:04d}"
    return branch_services.unit_create(parent=parent, code=code, name=name or f"单位{code}", kind=kind, **fields)


def make_member(branch: OrgUnit, name: str | None = None, group: OrgUnit | None = None, since=None, **fields):
    n = next(_sequence)
    born = fields.pop("birth_date", date(1980, 1, 1 + n % 28))
    gender = fields.pop("gender", "男")
    sequence = (n * 2 + (1 if gender == "男" else 0)) % 1000
    fields.setdefault("id_number", idcard.make_id_number("110101", born, sequence))
    fields.setdefault("joined_on", date(2005, 7, 1))
    fields.setdefault("full_on", date(2006, 7, 1))
    return member_services.member_create(
        since=since,
        name=name or f"党员{n}",
        gender=gender,
        birth_date=born,
        branch=branch,
        group=group,
        **fields,
    )


def grant(user, unit: OrgUnit, role: str) -> UnitRole:
    return UnitRole.objects.create(user=user, unit=unit, role=role)


def member_with_login(member: Member, username: str | None = None):
    user = UserFactory(username=username or f"m{member.pk}")
    member.user = user
    member.save(update_fields=["user"])
    return user


def make_recruit(branch: OrgUnit, name: str = "李思远", applied_on: date = date(2025, 3, 1), born=date(1998, 5, 5)):
    """Someone who applied to join the Party (step 1 of recruitment)."""
    n = next(_sequence)
    return recruitment_services.recruit_create(
        branch=branch,
        name=name,
        id_number=idcard.make_id_number("430102", born, (n * 2 + 1) % 1000),
        applied_on=applied_on,
    )


def make_recruit_document(recruit, name: str = "入党申请书.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    step = recruit.steps.order_by("number").first()
    upload = SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    return recruitment_services.recruit_document_add(step=step, upload=upload)


# --- dues ------------------------------------------------------------------------------------------
# `today` defaults to the last day of the year concerned, so tests do not depend on the real date.


def open_dues_year(year: int, rounding: str = "fen", today: date | None = None):
    """Open a year of the dues ledger (the committee's step)."""
    return dues_services.dues_year_set(year=year, rounding=rounding, by=None, today=today or date(year, 12, 31))


def set_dues_base(member: Member, year: int, base, category: str = "employed", from_month: int = 1, today=None):
    return dues_services.base_set(
        member=member,
        year=year,
        from_month=from_month,
        category=category,
        base=None if base is None else Decimal(str(base)),
        by=None,
        today=today or date(year, 12, 31),
    )


def pay_dues(member: Member, year: int, month: int, amount, paid_on: date | None = None, today=None):
    """A payment for `year`-`month`, paid on its last day unless `paid_on` says otherwise."""
    from dues import services as dues_services

    month_ = Month(year, month)
    paid_on = paid_on or month_.last
    return dues_services.payment_record(
        member=member,
        month=month_,
        amount=Decimal(str(amount)),
        paid_on=paid_on,
        by=None,
        today=today or max(paid_on, date(year, 12, 31)),
    )


def make_delivery(user, address: str = "someone@court.example"):
    """A message in the committee's sent list (a test mail, queued through the notices service)."""
    return notice_services.delivery_test_email(by=user, address=address)


# --- meetings: through activities.services like the pages do ---------------------------------------


def at(day: date, hour: int = 15) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, 0))


def log_meeting(
    unit,
    kind=Meeting.Kind.THEME_DAY,
    day: date | None = None,
    *,
    by=None,
    marks=None,
    submit=True,
    logged: date | None = None,
    **fields,
) -> Meeting:
    """A meeting of `unit` on `day` (default: yesterday), logged the next day (or on `logged`)."""
    day = day or timezone.localdate() - dt.timedelta(days=1)
    fields.setdefault("topic", f"{day:%Y年%m月}会议")
    if kind == Meeting.Kind.PARTY_LESSON:
        fields.setdefault("lecturer", "王书记")
    now = at(logged or day + dt.timedelta(days=1), 9)
    meeting = activity_services.meeting_create(
        by=by, unit=unit, kind=kind, held_at=at(day), marks=marks, now=now, **fields
    )
    if submit:
        meeting = activity_services.meeting_submit(meeting=meeting, by=by, now=now)
    return meeting


# Minutes of a meeting, and the same minutes with the head count, a name and the quarter changed: a copy
# that 疑似雷同 flags.
ORIGINAL = (
    "会议由支部书记王建国主持，应到党员18人，实到16人，李明、赵强因公请假。会议传达学习了习近平总书记关于加强党的政治建设的"
    "重要论述，支部书记结合审判工作实际，就如何把党的政治建设贯穿审判执行工作全过程作了部署。与会党员围绕“公正司法、司法为民”"
    "进行了讨论，大家一致表示要立足岗位，提高办案质效。会议审议通过了第一季度党员发展工作计划。"
)
COPY = ORIGINAL.replace("实到16人", "实到17人").replace("李明、赵强", "李明").replace("第一季度", "第二季度")


# --- assessment -------------------------------------------------------------------------------------


def give_scores(branch: OrgUnit, year: int, note: str = "检查评分", **lost):
    """Every indicator at full points, except `lost` = {code: points lost in each quarter (or the year)}.

    In one upsert (the service the import uses) rather than a score_enter per score: the same rows,
    checked the same way, without some 600 queries per branch.
    """
    standard_ensure(year=year)
    entries = []
    for ind in Indicator.objects.filter(standard__year=year).select_related("standard"):
        value = ind.points - Decimal(str(lost.get(ind.code, 0)))
        for quarter in (1, 2, 3, 4) if ind.is_quarterly else (None,):
            entries.append((branch.pk, ind, quarter, value, note))
    checks.scores_enter_bulk(entries=entries, by=None)


def publish_year(year: int, by, today: date, working_days: int = 5):
    """Rate `year` as of `today` and approve it then: the 公示 opens on `today`."""
    ratings.year_propose(year=year, today=today)
    return ratings.year_approve(year=year, by=by, today=today, working_days=working_days)


def make_document(branch: OrgUnit, year: int, code: str = "A2", by=None, name: str = "年度工作计划.pdf"):
    """A supporting document (a small PDF) for one of the year's manual indicators."""
    standard_ensure(year=year)
    indicator = Indicator.objects.select_related("standard").get(standard__year=year, code=code)
    upload = SimpleUploadedFile(name, b"%PDF-1.4 supporting document")
    return publication.document_upload(branch=branch, indicator=indicator, upload=upload, title="", by=by)


def make_published_year(branch: OrgUnit, by, year: int = 2025, level: int = 2):
    """`year` rated with `branch` applying for `level` stars and no scores (so below three stars: on the
    interview list), approved today: its 公示 is open now."""
    ratings.application_submit(branch=branch, year=year, level=level, by=None)
    return publish_year(year, by, today=timezone.localdate())


def make_objection(branch: OrgUnit, user, year: int = 2025, text: str = "请核实该支部的评定结果"):
    return publication.objection_raise(year=year, branch=branch, text=text, by=user)


def make_interview(branch: OrgUnit, by, year: int = 2025):
    return publication.interview_record(
        branch=branch,
        year=year,
        held_on=timezone.localdate(),
        interviewers="机关党委副书记",
        interviewee="支部书记",
        points="三会一课记录不全",
        commitments="一个月内整改",
        by=by,
    )


# --- recruitment: a date for each of the 25 steps, and what each step needs ----------------------
_recruit_numbers = iter(range(100, 1000))


def recruit_id(born: date = date(1998, 5, 5), gender: str = "男") -> str:
    sequence = next(_recruit_numbers) * 2 % 1000 + (1 if gender == "男" else 0)
    return idcard.make_id_number("430102", born, sequence % 1000)


def step_plan(start: date) -> dict[int, date]:
    """A date for every step, each rule satisfied, starting with the application on `start`."""
    d = {1: start, 2: start + timedelta(days=10), 3: start + timedelta(days=60)}
    d |= {4: d[3] + timedelta(days=5), 5: d[3] + timedelta(days=10), 6: d[3] + timedelta(days=150)}
    d[7] = recruitment_rules.candidate_not_before(d[3]) + timedelta(days=5)
    for number, gap in zip(range(8, 16), (5, 10, 20, 30, 40, 50, 55, 60), strict=True):
        d[number] = d[7] + timedelta(days=gap)
    for number, gap in zip(range(16, 22), (10, 20, 25, 30, 35, 150), strict=True):
        d[number] = d[15] + timedelta(days=gap)
    ends = recruitment_rules.probation_end(d[15])
    d[22], d[23] = ends - timedelta(days=10), ends
    d[24], d[25] = ends + timedelta(days=30), ends + timedelta(days=40)
    return d


def extra_for(number: int, day: date, sponsors) -> dict:
    if number in (recruitment_rules.CONTACTS, recruitment_rules.INTRODUCERS):
        return {"people": sponsors}
    if number == recruitment_rules.TRAINING:
        return {"training_days": 3, "training_hours": 24}
    if number == recruitment_rules.PRE_REVIEW:
        return {"notice_start": day - timedelta(days=14), "notice_end": day - timedelta(days=1)}
    if number == recruitment_rules.BRANCH_MEETING:
        return {"voters_expected": 10, "voters_present": 8, "votes_for": 8}
    return {}
