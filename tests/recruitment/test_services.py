"""Recording steps through the services: refusals by field, warnings stored, and the roster hand-over."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from assessment.publication import services as publication_services
from members.models import Member
from members.selectors import id_number_q
from recruitment import rules, services
from recruitment.models import Recruit, RecruitStep
from tests.factories import extra_for, recruit_id, step_plan

pytestmark = pytest.mark.django_db


def record(recruit, number, day, **fields):
    return services.recruit_step_record(recruit=recruit, number=number, done_on=day, **fields)


def test_an_applicant_under_eighteen_is_refused_and_the_birthday_passes(org):
    born = date(2007, 6, 1)
    with pytest.raises(ValidationError) as exc:
        services.recruit_create(
            branch=org.branch, name="少年", id_number=recruit_id(born), applied_on=date(2025, 5, 31)
        )
    assert "才满18周岁" in exc.value.message_dict["applied_on"][0]
    recruit = services.recruit_create(
        branch=org.branch, name="少年", id_number=recruit_id(born), applied_on=date(2025, 6, 1)
    )
    assert recruit.status == "applicant" and recruit.next_step == 2
    assert recruit.next_due == date(2025, 7, 1) and recruit.gender == "男"


def test_someone_already_on_the_roster_cannot_apply(org):
    with pytest.raises(ValidationError) as exc:
        services.recruit_create(
            branch=org.branch, name="张伟", id_number=org.member.id_number, applied_on=date(2025, 1, 1)
        )
    assert "已在党员名册中" in exc.value.message_dict["id_number"][0]


def test_steps_are_refused_out_of_order(make_recruit):
    recruit = make_recruit(until=2, start=date(2023, 1, 1))
    with pytest.raises(ValidationError) as exc:
        record(recruit, 3, date(2023, 1, 5))  # before the talk on 2023-01-11
    assert "不能早于第2步" in exc.value.message_dict["done_on"][0]
    with pytest.raises(ValidationError) as exc:
        record(recruit, 4, date(2023, 3, 5))
    assert exc.value.message_dict["done_on"] == ["请先登记第3步“推荐和确定入党积极分子”"]


def test_a_step_is_recorded_once_except_assessments(make_recruit, sponsors):
    recruit = make_recruit(until=6, start=date(2023, 1, 1))
    with pytest.raises(ValidationError):
        record(recruit, 5, date(2023, 6, 1), people=sponsors)
    record(recruit, 6, date(2023, 12, 1))
    assert recruit.steps.filter(number=6).count() == 2


def test_candidate_only_a_year_after_becoming_activist(make_recruit):
    recruit = make_recruit(until=6, start=date(2023, 1, 1))
    activist_on = step_plan(date(2023, 1, 1))[3]
    with pytest.raises(ValidationError) as exc:
        record(recruit, 7, activist_on + timedelta(days=364))
    assert "满一年" in exc.value.message_dict["done_on"][0]
    record(recruit, 7, activist_on.replace(year=activist_on.year + 1))
    recruit.refresh_from_db()
    assert recruit.status == "candidate"


def test_a_probationary_member_cannot_be_an_introducer(org, make_recruit, sponsors):
    from tests.factories import make_member

    recruit = make_recruit(until=8, start=date(2022, 1, 1))
    newcomer = make_member(org.branch, name="赵强", category=Member.Category.PROBATIONARY, full_on=None)
    day = step_plan(date(2022, 1, 1))[9]
    with pytest.raises(ValidationError) as exc:
        record(recruit, 9, day, people=[sponsors[0], newcomer])
    assert exc.value.message_dict["people"] == ["赵强不是正式党员（预备党员不能担任入党介绍人）"]
    with pytest.raises(ValidationError) as exc:
        record(recruit, 9, day, people=[sponsors[0]])
    assert "两名" in exc.value.message_dict["people"][0]


def test_training_needs_three_days_or_twenty_four_hours(make_recruit):
    recruit = make_recruit(until=10, start=date(2022, 1, 1))
    day = step_plan(date(2022, 1, 1))[11]
    with pytest.raises(ValidationError) as exc:
        record(recruit, 11, day, training_days=2, training_hours=16)
    assert "不少于3天或24个学时" in exc.value.message_dict["training_days"][0]
    record(recruit, 11, day, training_days=2, training_hours=24)


def test_the_public_notice_counts_the_committees_holiday_calendar(org, make_recruit):
    """The holidays the committee enters for the ratings' 公示 count for the pre-review's 公示 too."""
    by = org.committee_user
    for day in range(1, 9):
        publication_services.holiday_save(day=date(2025, 10, day), name="国庆节", kind="off", by=by)
    for worked in (date(2025, 9, 28), date(2025, 10, 11)):  # a Sunday and a Saturday
        publication_services.holiday_save(day=worked, name="国庆调休", kind="worked", by=by)
    recruit = make_recruit(until=12, start=date(2024, 6, 1))  # the committee review (12) in September 2025
    pre_review = date(2025, 10, 16)
    with pytest.raises(ValidationError) as exc:  # Friday 26 September to 8 October: 4 working days
        record(recruit, 13, pre_review, notice_start=date(2025, 9, 26), notice_end=date(2025, 10, 8))
    assert exc.value.message_dict["notice_end"] == [
        "公示应不少于5个工作日，2025-09-26至2025-10-08只有4个工作日（节假日不计）"
    ]
    # Thursday 9 to Tuesday 14 October, Saturday 11 worked: five (weekdays only it would be four).
    step = record(recruit, 13, pre_review, notice_start=date(2025, 10, 9), notice_end=date(2025, 10, 14))
    assert (step.notice_start, step.notice_end) == (date(2025, 10, 9), date(2025, 10, 14))


def test_the_meeting_needs_review_and_training_first(make_recruit):
    recruit = make_recruit(until=9, start=date(2022, 1, 1))
    # A file of past records may leave steps out; the meeting still needs 10 and 11 before it.
    with pytest.raises(ValidationError) as exc:
        record(recruit, 15, step_plan(date(2022, 1, 1))[15], allow_gaps=True, **extra_for(15, None, None))
    assert exc.value.message_dict["done_on"] == [
        "支部大会讨论前应完成第10步“政治审查”",
        "支部大会讨论前应完成第11步“集中培训”",
    ]


def test_a_vote_at_exactly_half_does_not_pass(make_recruit):
    recruit = make_recruit(until=14, start=date(2022, 1, 1))
    day = step_plan(date(2022, 1, 1))[15]
    with pytest.raises(ValidationError) as exc:
        record(recruit, 15, day, voters_expected=10, voters_present=5, votes_for=5)
    assert "未超过" in exc.value.message_dict["voters_present"][0]
    with pytest.raises(ValidationError) as exc:
        record(recruit, 15, day, voters_expected=10, voters_present=9, votes_for=5)
    assert "不能通过" in exc.value.message_dict["votes_for"][0]
    record(recruit, 15, day, voters_expected=10, voters_present=9, votes_for=6)


def test_approval_hands_the_person_to_the_roster_as_probationary(org, make_recruit):
    start = date(2022, 1, 1)
    recruit = make_recruit(until=16, start=start)
    assert not Member.objects.filter(id_number_q(recruit.id_number)).exists()
    meeting = step_plan(start)[15]
    late_day = rules.approval_due(meeting) + timedelta(days=2)
    step = record(recruit, 17, late_day)
    assert "三个月内" in step.warning_list[0]  # late: recorded, with a warning
    member = Member.objects.get(id_number_q(recruit.id_number))
    assert member.category == Member.Category.PROBATIONARY
    assert member.joined_on == meeting and member.full_on is None
    assert member.branch == org.branch and member.name == recruit.name
    assert member.probation_due == meeting.replace(year=meeting.year + 1)
    assert member.memberships.get().start == meeting
    recruit.refresh_from_db()
    assert recruit.member == member and recruit.status == "probationary"


def test_approval_links_a_roster_record_that_already_exists(org, make_recruit):
    start = date(2022, 1, 1)
    recruit = make_recruit(until=16, start=start)
    from tests.factories import make_member

    existing = make_member(
        org.branch,
        name=recruit.name,
        id_number=recruit.id_number,
        birth_date=recruit.birth_date,
        category=Member.Category.PROBATIONARY,
        joined_on=None,
        full_on=None,
    )
    record(recruit, 17, step_plan(start)[17])
    assert Member.objects.filter(id_number_q(recruit.id_number)).count() == 1
    existing.refresh_from_db()
    assert existing.joined_on == step_plan(start)[15]
    assert Recruit.objects.get(pk=recruit.pk).member == existing


def test_full_membership_waits_for_the_end_of_probation_and_writes_the_date(make_recruit):
    start = date(2021, 6, 1)
    recruit = make_recruit(until=22, start=start)
    member = recruit.member
    ends = rules.probation_end(member.joined_on)
    with pytest.raises(ValidationError) as exc:
        record(recruit, 23, ends - timedelta(days=1))
    assert "才满" in exc.value.message_dict["done_on"][0]
    record(recruit, 23, ends)
    step = record(recruit, 24, rules.approval_due(ends))
    assert step.warning_list == []
    member.refresh_from_db()
    assert member.category == Member.Category.FULL and member.full_on == ends
    assert Recruit.objects.get(pk=recruit.pk).status == "full"


def test_an_extended_probation_moves_the_full_meeting(make_recruit):
    from members import services as member_services

    start = date(2021, 6, 1)
    recruit = make_recruit(until=22, start=start)
    ends = rules.probation_end(recruit.member.joined_on)
    member_services.member_update(member=recruit.member, probation_extended_until=ends + timedelta(days=180))
    with pytest.raises(ValidationError):
        record(recruit, 23, ends + timedelta(days=10))
    record(recruit, 23, ends + timedelta(days=180))
    record(recruit, 24, ends + timedelta(days=200))
    recruit.member.refresh_from_db()
    assert recruit.member.full_on == ends + timedelta(days=180)


def test_dates_before_an_approval_are_locked(make_recruit):
    recruit = make_recruit(until=17, start=date(2022, 1, 1))
    meeting = recruit.steps.get(number=15)
    with pytest.raises(ValidationError) as exc:
        services.recruit_step_record(
            recruit=recruit,
            number=15,
            done_on=meeting.done_on + timedelta(days=1),
            step=meeting,
            voters_expected=10,
            voters_present=8,
            votes_for=8,
        )
    assert "不能再修改" in exc.value.message_dict["done_on"][0]
    # The note may still be completed.
    services.recruit_step_record(
        recruit=recruit,
        number=15,
        done_on=meeting.done_on,
        step=meeting,
        note="补充会议记录",
        voters_expected=10,
        voters_present=8,
        votes_for=8,
    )
    assert RecruitStep.objects.get(pk=meeting.pk).note == "补充会议记录"


def test_only_the_furthest_step_is_deleted(make_recruit):
    recruit = make_recruit(until=5, start=date(2023, 1, 1))
    with pytest.raises(ValidationError):
        services.recruit_step_delete(step=recruit.steps.get(number=3))
    services.recruit_step_delete(step=recruit.steps.get(number=5))
    recruit.refresh_from_db()
    assert recruit.next_step == 5


def test_stored_standing_feeds_the_pipeline(make_recruit):
    recruit = make_recruit(until=15, start=date(2022, 1, 1))
    meeting = step_plan(date(2022, 1, 1))[15]
    assert (recruit.status, recruit.next_step, recruit.next_due, recruit.waiting_since) == (
        "candidate",
        16,
        rules.approval_due(meeting),
        meeting,
    )
