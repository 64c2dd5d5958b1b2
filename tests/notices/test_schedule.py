"""The daily job's schedule, its task, and what it costs as the organisation grows."""

from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment.schedules import beat_schedule
from branches.models import OrgUnit, UnitRole
from notices import services, tasks
from notices.models import Delivery, Notice, Occasion
from tests.factories import UserFactory, grant, make_member, make_recruit, make_unit, member_with_login

DAY = date(2026, 11, 25)


def test_the_daily_job_is_scheduled_like_the_others():
    entry = beat_schedule({})["每日提醒"]
    assert entry["task"] == "notices.tasks.send_due_notices" and entry["enabled"]
    assert (entry["schedule"].hour, entry["schedule"].minute, entry["schedule"].day_of_month) == (
        {7},
        {0},
        set(range(1, 32)),
    )
    moved = beat_schedule({"NOTICES_CRON": "30 17 * * 1-5"})["每日提醒"]["schedule"]
    assert (moved.hour, moved.minute, moved.day_of_week) == ({17}, {30}, {1, 2, 3, 4, 5})
    assert beat_schedule({"NOTICES_CRON": "off"})["每日提醒"]["enabled"] is False
    with pytest.raises(ImproperlyConfigured, match="NOTICES_CRON"):
        beat_schedule({"NOTICES_CRON": "every morning"})


@pytest.mark.django_db
def test_the_beat_task_runs_the_same_service(org):
    summary = tasks.send_due_notices.delay("2026-11-25").get()
    assert summary.startswith("2026-11-25：新增通知 ")
    assert Notice.objects.filter(recipient=org.secretary, occasion__kind="meeting_due").exists()
    assert tasks.send_due_notices.delay("2026-11-25").get() == "2026-11-25：新增通知 0 条，邮件 0 封，群消息 0 条"


def add_branches(org, count, start):
    for n in range(start, start + count):
        branch = make_unit(OrgUnit.Kind.BRANCH, org.committee, code=f"ZBX{n:02d}", name=f"第{n}党支部")
        group = make_unit(OrgUnit.Kind.GROUP, branch, code=f"ZBX{n:02d}-1", name="第一党小组")
        secretary = UserFactory(username=f"sj{n}", email=f"sj{n}@court.example")
        grant(secretary, branch, UnitRole.Role.BRANCH_SECRETARY)
        grant(UserFactory(username=f"zz{n}"), group, UnitRole.Role.GROUP_LEADER)
        member = make_member(branch, name=f"党员{n}", group=group, email=f"dy{n}@court.example")
        member_with_login(member, f"dy{n}")
        make_member(branch, name=f"预备{n}", category="probationary", joined_on=date(2025, 12, 10), full_on=None)
        make_recruit(branch, f"申请{n}", applied_on=date(2026, 11, 10))  # a talk due


@pytest.mark.django_db
def test_the_job_reads_and_writes_in_a_fixed_number_of_queries(org, django_capture_on_commit_callbacks):
    def queries_for(day):
        with CaptureQueriesContext(connection) as captured:
            with django_capture_on_commit_callbacks(execute=False):  # count the job, not the mails it queues
                report = services.notices_send_due(today=day)
        return len(captured), report

    add_branches(org, 2, 1)
    small, report = queries_for(DAY)
    assert len(report.notices) >= 10
    # The same day again from a clean slate, with four times the branches.
    Occasion.objects.all().delete()
    Delivery.objects.all().delete()
    add_branches(org, 6, 3)
    large, report = queries_for(DAY)
    assert len(report.notices) >= 30
    assert large == small
