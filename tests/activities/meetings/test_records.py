"""Meeting records through the services: attendance prefilled, quorum, 补录, submit and return."""

import datetime as dt
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from activities import services
from activities.models import Meeting
from tests.factories import at, log_meeting, make_member


@pytest.fixture
def people(org):
    """The branch: 张伟 (group, from the fixture), a committee of three, a probationary member, a retiree."""
    b = org.branch
    return {
        "zhang": org.member,
        "secretary": make_member(b, name="王书记", committee_post="书记", group=org.group),
        "organiser": make_member(b, name="李组织", committee_post="组织委员"),
        "propaganda": make_member(b, name="赵宣传", committee_post="宣传委员"),
        "probationer": make_member(
            b, name="钱预备", category="probationary", joined_on=date(2025, 1, 10), full_on=None, group=org.group
        ),
        "retiree": make_member(b, name="孙退休", status="retired"),
    }


def test_attendance_is_prefilled_with_everyone_expected(org, people):
    day = date(2025, 3, 5)
    m = log_meeting(org.branch, Meeting.Kind.GENERAL_MEETING, day, submit=False)
    names = sorted(a.member.name for a in m.attendance.all())
    # The retiree is not expected (not flagged to count); everyone else is, present.
    assert names == sorted(["张伟", "王书记", "李组织", "赵宣传", "钱预备"])
    assert {a.status for a in m.attendance.all()} == {"present"}
    assert (m.expected_count, m.present_count, m.voting_expected) == (5, 5, 4)


def test_committee_meeting_expects_the_committee_and_marks_leave(org, people):
    m = log_meeting(
        org.branch,
        Meeting.Kind.COMMITTEE_MEETING,
        date(2025, 3, 5),
        marks={people["organiser"].pk: ("leave", "外出办案")},
    )
    rows = {a.member.name: (a.status, a.reason) for a in m.attendance.select_related("member")}
    assert rows == {"王书记": ("present", ""), "李组织": ("leave", "外出办案"), "赵宣传": ("present", "")}
    assert (m.expected_count, m.present_count, m.leave_count) == (3, 2, 1)
    assert not m.below_quorum  # 2 of 3


def test_group_meeting_expects_the_group_members_on_that_day(org, people):
    # 钱预备 joined the Party on 2025-01-10: not expected at a meeting before that day.
    early = log_meeting(org.group, Meeting.Kind.GROUP_MEETING, date(2025, 1, 5))
    later = log_meeting(org.group, Meeting.Kind.GROUP_MEETING, date(2025, 2, 5))
    assert sorted(a.member.name for a in early.attendance.all()) == ["张伟", "王书记"]
    assert sorted(a.member.name for a in later.attendance.all()) == ["张伟", "王书记", "钱预备"]


def test_a_probationary_member_does_not_make_a_quorum(org, people):
    # 4 voting members expected; 1 of them and the probationary member came: 2 of 5 → not quorate,
    # and it stays not quorate whether or not the probationary member is counted.
    marks = {people[k].pk: ("absent", "") for k in ("organiser", "propaganda", "zhang")}
    m = log_meeting(org.branch, Meeting.Kind.GENERAL_MEETING, date(2025, 3, 5), marks=marks)
    assert (m.voting_expected, m.voting_present, m.present_count) == (4, 1, 2)
    assert m.below_quorum
    # Two voting members present of four is exactly half: still below quorum.
    marks = {people[k].pk: ("absent", "") for k in ("organiser", "propaganda")}
    m2 = log_meeting(org.branch, Meeting.Kind.GENERAL_MEETING, date(2025, 3, 6), marks=marks)
    assert (m2.voting_present, m2.below_quorum) == (2, True)
    marks = {people["organiser"].pk: ("absent", "")}
    m3 = log_meeting(org.branch, Meeting.Kind.GENERAL_MEETING, date(2025, 3, 7), marks=marks)
    assert (m3.voting_present, m3.below_quorum) == (3, False)


def test_backfilled_when_logged_more_than_fifteen_days_late(org, people):
    on_time = log_meeting(org.branch, day=date(2025, 3, 1), logged=date(2025, 3, 16))
    late = log_meeting(org.branch, day=date(2025, 3, 1), logged=date(2025, 3, 17))
    assert (on_time.is_backfilled, late.is_backfilled) == (False, True)


def test_kind_must_fit_the_unit_and_no_future_meetings(org, people):
    with pytest.raises(ValidationError, match="党小组"):
        log_meeting(org.branch, Meeting.Kind.GROUP_MEETING, date(2025, 3, 1))
    with pytest.raises(ValidationError, match="党支部"):
        log_meeting(org.group, Meeting.Kind.COMMITTEE_MEETING, date(2025, 3, 1))
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="晚于今天"):
        services.meeting_create(
            by=None, unit=org.branch, kind="theme_day", held_at=at(tomorrow), topic="x", now=timezone.now()
        )
    assert not Meeting.objects.exists()


def test_submit_needs_a_lecturer_for_a_party_lesson(org, people):
    m = log_meeting(org.branch, Meeting.Kind.PARTY_LESSON, date(2025, 3, 1), submit=False, lecturer="")
    with pytest.raises(ValidationError, match="授课人"):
        services.meeting_submit(meeting=m, by=org.secretary)
    m = services.meeting_update(meeting=m, by=org.secretary, lecturer="王书记")
    assert services.meeting_submit(meeting=m, by=org.secretary).status == "submitted"


def test_return_and_resubmit(org, people):
    m = log_meeting(org.branch, Meeting.Kind.THEME_DAY, date(2025, 3, 1), by=org.secretary)
    assert m.status == "submitted" and m.submitted_at
    with pytest.raises(ValidationError):
        services.meeting_update(meeting=m, by=org.secretary, topic="改")
    with pytest.raises(ValidationError, match="退回意见"):
        services.meeting_return(meeting=m, by=org.general_secretary, comment="  ")
    m = services.meeting_return(meeting=m, by=org.general_secretary, comment="会议记录过于简单，请补充讨论情况")
    assert (m.status, m.returned_by) == ("returned", org.general_secretary)
    m = services.meeting_update(meeting=m, by=org.secretary, minutes="补充了讨论情况。")
    m = services.meeting_submit(meeting=m, by=org.secretary)
    assert m.status == "submitted" and m.minutes == "补充了讨论情况。"
    # Who changed what is kept.
    assert m.history.count() >= 4


def test_changing_the_date_keeps_marks_and_re_derives_the_expected(org, people):
    m = log_meeting(
        org.group,
        Meeting.Kind.GROUP_MEETING,
        date(2025, 2, 5),
        submit=False,
        marks={people["probationer"].pk: ("leave", "病假")},
    )
    assert m.expected_count == 3
    # Moved before 钱预备 joined: the mark for them no longer fits and is refused.
    with pytest.raises(ValidationError, match="钱预备不在"):
        services.meeting_update(meeting=m, by=None, held_at=at(date(2025, 1, 5)))
    m = services.meeting_update(meeting=m, by=None, held_at=at(date(2025, 1, 5)), marks={})
    assert m.expected_count == 2 and m.held_on == date(2025, 1, 5)


def test_only_drafts_can_be_deleted(org, people):
    m = log_meeting(org.branch, submit=False)
    services.meeting_delete(meeting=m, by=None)
    assert not Meeting.objects.exists()
    m = log_meeting(org.branch)
    with pytest.raises(ValidationError):
        services.meeting_delete(meeting=m, by=None)
