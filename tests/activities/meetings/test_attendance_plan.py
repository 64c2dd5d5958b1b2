"""One attendance plan for the meeting form and the save: who is expected is worked out once."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities import services
from activities.models import Attendance, Meeting
from tests.factories import at, make_member

DAY = date(2025, 3, 12)


@pytest.fixture
def branch(org):
    make_member(org.branch, name="李娜", joined_on=date(2024, 9, 1), full_on=None, category="probationary")
    return org.branch


def test_the_plan_lists_everyone_expected_present_unless_marked(org, branch):
    plan = services.attendance_plan(
        unit=branch, kind=Meeting.Kind.GENERAL_MEETING, day=DAY, marks={org.member.pk: ("leave", "出差")}
    )
    lines = {line.member.name: (line.status, line.reason, line.is_voting) for line in plan.lines}
    assert lines == {"张伟": ("leave", "出差", True), "李娜": ("present", "", False)}
    assert plan.covers(branch, Meeting.Kind.GENERAL_MEETING, DAY)
    assert not plan.covers(branch, Meeting.Kind.GENERAL_MEETING, date(2025, 3, 13))


def test_the_save_stores_the_plan_it_is_given_without_asking_again(org, branch):
    marks = {org.member.pk: ("absent", "")}
    kind = Meeting.Kind.GENERAL_MEETING
    plan = services.attendance_plan(unit=branch, kind=kind, day=DAY, marks=marks)
    fields = {"by": org.secretary, "unit": branch, "kind": kind, "held_at": at(DAY), "marks": marks, "topic": "学习"}
    with CaptureQueriesContext(connection) as given:
        with_plan = services.meeting_create(attendance=plan, **fields)
    with CaptureQueriesContext(connection) as worked_out:
        without = services.meeting_create(**fields)
    assert len(given) < len(worked_out)
    for meeting in (with_plan, without):
        rows = sorted(Attendance.objects.filter(meeting=meeting).values_list("member__name", "status", "is_voting"))
        assert rows == [("张伟", "absent", True), ("李娜", "present", False)]
        assert (meeting.expected_count, meeting.absent_count, meeting.voting_expected) == (2, 1, 1)


def test_a_plan_for_another_day_is_not_used(org, branch):
    stale = services.attendance_plan(unit=branch, kind=Meeting.Kind.GENERAL_MEETING, day=date(2024, 3, 12))
    assert [line.member.name for line in stale.lines] == ["张伟"]  # 李娜 joined later
    meeting = services.meeting_create(
        by=org.secretary,
        unit=branch,
        kind=Meeting.Kind.GENERAL_MEETING,
        held_at=at(DAY),
        attendance=stale,
        topic="学习",
    )
    assert meeting.expected_count == 2


def test_the_form_shows_the_plan_and_keeps_its_marks_on_an_error(org, branch, login):
    client = login(org.secretary)
    post = {
        "unit": branch.pk,
        "kind": Meeting.Kind.GENERAL_MEETING,
        "held_at": "2025-03-12T15:00",
        "topic": "",  # missing: the form comes back with the attendance as marked
        f"att-{org.member.pk}": "leave",
        f"reason-{org.member.pk}": "出差",
    }
    page = client.post(reverse("activities:create") + f"?unit={branch.pk}", post)
    assert page.status_code == 200
    rows = {row.member.name: (row.status, row.reason) for row in page.context["rows"]}
    assert rows == {"张伟": ("leave", "出差"), "李娜": ("present", "")}
