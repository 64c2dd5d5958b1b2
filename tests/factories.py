"""Test data builders. They go through the services, so test data obeys the same rules as real data."""

import datetime as dt
import itertools
from datetime import date
from decimal import Decimal as D

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from activities import services as activity_services
from activities.models import Meeting
from assessment.models import Indicator
from assessment.services import checks
from assessment.services.standards import standard_ensure
from branches import services as branch_services
from branches.models import OrgUnit, UnitRole
from members import idcard
from members import services as member_services
from members.models import Member

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


def give_scores(branch, year, **lost):
    """Every indicator at full points, except `lost` = {code: points lost in each quarter (or the year)}.

    In one upsert (the service the import uses) rather than a score_enter per score: the same rows,
    checked the same way, without some 600 queries per branch.
    """
    standard_ensure(year=year)
    entries = []
    for ind in Indicator.objects.filter(standard__year=year).select_related("standard"):
        value = ind.points - D(str(lost.get(ind.code, 0)))
        for quarter in (1, 2, 3, 4) if ind.is_quarterly else (None,):
            entries.append((branch.pk, ind, quarter, value, "检查评分"))
    checks.scores_enter_bulk(entries=entries, by=None)
