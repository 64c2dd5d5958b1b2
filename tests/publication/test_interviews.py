"""Interviews (约谈) as records: who talked to whom and when, the points and commitments, the
follow-up problems they open; the dashboard shows which interviews are still to be held."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assessment.models import Interview, Problem
from assessment.publication import services
from assessment.services import checks, ratings

from .conftest import APPROVED_ON, YEAR

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def approved(org, year):
    ratings.year_approve(year=YEAR, by=org.committee_user, today=APPROVED_ON)
    return year


def test_the_dashboard_lists_the_interviews_still_to_hold(org, approved, login):
    dashboard = reverse("assessment:index") + f"?year={YEAR}"
    page = login(org.committee_user).get(dashboard).content.decode()
    record = reverse("publication:interview_create", args=[YEAR, approved["zb4"].pk])
    assert "立案庭党支部" in page and "待约谈" in page and record in page


def test_the_committee_records_an_interview_that_opens_a_problem(org, approved, login):
    zb4 = approved["zb4"]
    client = login(org.committee_user)
    deadline = TODAY + timedelta(days=60)
    response = client.post(
        reverse("publication:interview_create", args=[YEAR, zb4.pk]),
        {
            "held_on": TODAY.isoformat(),
            "interviewers": "机关党委副书记 王强",
            "interviewee": "立案庭党支部书记 李明",
            "points": "三会一课记录不全；党员教育流于形式",
            "commitments": "一个月内补齐制度，每月向机关党委报告",
            "problem": "健全三会一课记录制度",
            "deadline": deadline.isoformat(),
        },
    )
    interview = Interview.objects.get()
    assert response.url == reverse("publication:interview", args=[interview.pk])
    assert (interview.branch, interview.year, interview.recorded_by) == (zb4, YEAR, org.committee_user)
    problem = interview.problems.get()
    assert (problem.branch, problem.deadline, problem.description) == (zb4, deadline, "约谈整改：健全三会一课记录制度")
    assert problem in Problem.objects.filter(branch=zb4).open()  # an ordinary problem of the list
    checks.problem_close(problem=problem, by=org.committee_user, note="已整改")  # closed like any other
    page = client.get(reverse("publication:interview", args=[interview.pk])).content.decode()
    assert "李明" in page and "每月向机关党委报告" in page and "已销号" in page
    dashboard = client.get(reverse("assessment:index") + f"?year={YEAR}").content.decode()
    assert "待约谈" not in dashboard and "已约谈" in dashboard
    client.post(
        reverse("publication:interview_problem", args=[interview.pk]),
        {"description": "落实党员教育计划", "deadline": deadline.isoformat()},
    )
    assert interview.problems.count() == 2


def test_only_branches_on_the_list_and_only_after_the_interview(org, approved):
    fields = {
        "year": YEAR,
        "interviewers": "王强",
        "interviewee": "书记",
        "points": "问题",
        "commitments": "承诺",
        "by": org.committee_user,
    }
    with pytest.raises(ValidationError, match="不在2025年度的约谈名单上"):
        services.interview_record(branch=org.branch, held_on=TODAY, **fields)
    with pytest.raises(ValidationError, match="约谈日期不能晚于今天"):
        services.interview_record(branch=approved["zb4"], held_on=date(2026, 1, 20), today=date(2026, 1, 19), **fields)
    with pytest.raises(ValidationError) as exc:
        services.interview_record(branch=approved["zb4"], held_on=TODAY, **{**fields, "commitments": " "})
    assert exc.value.message_dict == {"commitments": ["请填写被约谈人作出的整改承诺"]}


def test_interviews_follow_the_branches_a_user_may_see(org, approved, login):
    interview = services.interview_record(
        branch=approved["zb4"],
        year=YEAR,
        held_on=TODAY,
        interviewers="王强",
        interviewee="李明",
        points="问题",
        commitments="承诺",
        by=org.committee_user,
    )
    url = reverse("publication:interview", args=[interview.pk])
    for user in (org.outsider, org.secretary, org.general_secretary, org.member_user):
        assert login(user).get(url).status_code == 404, user
    assert login(org.secretary).get(reverse("publication:interviews", args=[YEAR])).status_code == 200
    assert (
        "立案庭党支部" not in login(org.secretary).get(reverse("publication:interviews", args=[YEAR])).content.decode()
    )
    assert (
        login(org.secretary).get(reverse("publication:interview_create", args=[YEAR, org.branch.pk])).status_code == 404
    )
