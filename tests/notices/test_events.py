"""Events told at once: the services below announce them (core.events), notices reacts after commit."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.utils import timezone

from activities import services as meeting_services
from activities.models import Meeting
from assessment.models import BranchRating, YearRating
from assessment.services import checks, ratings
from core import events
from notices import services
from notices.models import Notice, Occasion
from tests.factories import log_meeting

pytestmark = pytest.mark.django_db


def texts(user):
    return sorted(Notice.objects.filter(recipient=user).values_list("occasion__text", flat=True))


def test_an_event_reaches_its_handlers_only_once_committed(django_capture_on_commit_callbacks):
    heard = []

    def handler(**ids):
        heard.append(ids)

    events.subscribe("test_event", handler)
    events.subscribe("test_event", handler)  # twice: still one handler
    try:
        with django_capture_on_commit_callbacks(execute=True):
            try:
                with transaction.atomic():
                    events.emit("test_event", thing_id=1)
                    raise RuntimeError("rolled back")
            except RuntimeError:
                pass
            with transaction.atomic():
                events.emit("test_event", thing_id=2)
            assert heard == []  # not before the commit
        assert heard == [{"thing_id": 2}]
        events.emit("nobody_listens", thing_id=3)  # costs nothing
    finally:
        events.unsubscribe("test_event", handler)
    assert events.handlers("test_event") == []


def test_a_returned_record_reaches_whoever_logged_it_at_once(org, django_capture_on_commit_callbacks):
    meeting = log_meeting(org.group, Meeting.Kind.GROUP_MEETING, date(2026, 11, 3), by=org.group_leader)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_services.meeting_return(meeting=meeting, by=org.secretary, comment="出席人数与签到表不符")
    (text,) = texts(org.group_leader)
    assert text == (
        "您登记的第一党小组 2026-11-03 党小组会“2026年11月会议”被退回，退回意见：出席人数与签到表不符。请修改后重新提交"
    )
    assert texts(org.secretary) == [] and texts(org.committee_user) == []
    notice = Notice.objects.get(recipient=org.group_leader)
    assert notice.occasion.url == f"/activities/{meeting.pk}/" and notice.occasion.immediate
    # Resubmitted and returned again: a second occasion, told again.
    meeting_services.meeting_submit(meeting=meeting, by=org.group_leader)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_services.meeting_return(meeting=meeting, by=org.secretary, comment="仍缺签到表")
    assert len(texts(org.group_leader)) == 2


def test_the_daily_job_catches_an_event_whose_task_was_lost(org, run_job):
    """An at-once task that never ran (a broker down): the job finds the event from what is recorded."""
    meeting = log_meeting(org.branch, Meeting.Kind.THEME_DAY, date(2026, 11, 3), by=org.secretary)
    meeting_services.meeting_return(meeting=meeting, by=org.general_secretary, comment="缺少照片")  # not committed
    assert not Notice.objects.exists()
    today = timezone.localdate()
    run_job(today)
    assert any("缺少照片" in text for text in texts(org.secretary))
    run_job(today)  # and only once
    assert sum("缺少照片" in text for text in texts(org.secretary)) == 1
    # An event older than the sweep's days is left alone (it was told then, or is stale).
    Occasion.objects.all().delete()
    run_job(today + timedelta(days=5))
    assert not any("缺少照片" in text for text in texts(org.secretary))


def test_a_problem_from_a_check_is_told_to_the_branch_secretary_at_once(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        checks.problem_create(
            branch=org.branch,
            year=2026,
            quarter=4,
            description="支委会未研究党建工作",
            deadline=date(2026, 12, 31),
            by=org.committee_user,
        )
    assert texts(org.secretary) == [
        "刑事审判庭党支部 检查发现问题：“支委会未研究党建工作”，整改期限2026-12-31，请制定措施按期整改"
    ]
    assert texts(org.outsider) == [] and texts(org.general_secretary) == []


def rating_year(org, year=2025):
    rating = YearRating.objects.create(year=year, status=YearRating.Status.PROPOSED)
    zero = Decimal("0")
    numbers = dict(q1=zero, q2=zero, q3=zero, q4=zero, quarter_mean=zero, annual=zero, score=zero)
    BranchRating.objects.create(
        rating=rating, branch=org.branch, applied_level=5, proposed_level=4, band_level=4, action="up", **numbers
    )
    BranchRating.objects.create(rating=rating, branch=org.other_branch, applied_level=None, band_level=1, **numbers)
    return rating


def test_approved_ratings_tell_each_secretary_their_own_level_and_action(org, django_capture_on_commit_callbacks):
    rating_year(org)
    with django_capture_on_commit_callbacks(execute=True):
        ratings.year_approve(year=2025, by=org.committee_user)
    assert texts(org.secretary) == ["2025年度星级评定结果已审批公布：刑事审判庭党支部评定为四星（升星授牌）"]
    assert texts(org.outsider) == [
        "2025年度星级评定结果已审批公布：办公室党支部未申报星级，列为后进党支部，请按要求制定整改措施"
    ]
    with django_capture_on_commit_callbacks(execute=True):
        ratings.year_reverse(year=2025, by=org.committee_user, reason="分数录入有误")
    assert texts(org.secretary)[0].startswith("2025年度星级评定的审批已撤销（理由：分数录入有误）")
    # Approved again: a new occasion, told again.
    with django_capture_on_commit_callbacks(execute=True):
        ratings.year_approve(year=2025, by=org.committee_user)
    assert len(texts(org.secretary)) == 3


def test_an_event_run_twice_tells_nobody_twice(org):
    meeting = log_meeting(org.branch, Meeting.Kind.THEME_DAY, date(2026, 11, 3), by=org.secretary)
    meeting_services.meeting_return(meeting=meeting, by=org.general_secretary, comment="缺少照片")
    first = services.notices_for_event(event="meeting_returned", ids={"meeting_id": meeting.pk})
    second = services.notices_for_event(event="meeting_returned", ids={"meeting_id": meeting.pk})
    assert len(first.notices) == 1 and second.notices == []
    assert Notice.objects.count() == 1


def test_a_return_made_in_english_is_told_in_chinese(org, client, django_capture_on_commit_callbacks):
    org.secretary.email = "shuji@court.example"
    org.secretary.save()
    meeting = log_meeting(org.branch, Meeting.Kind.THEME_DAY, date(2026, 11, 3), by=org.secretary)
    client.force_login(org.general_secretary)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/activities/{meeting.pk}/return/", {"comment": "请补充照片"})
    assert response.status_code == 302
    (text,) = texts(org.secretary)
    assert text.startswith("您登记的刑事审判庭党支部 2026-11-03 主题党日")
    (sent,) = mail.outbox
    assert sent.subject.startswith("【星级支部】记录退回：") and "请修改后重新提交" in sent.body
