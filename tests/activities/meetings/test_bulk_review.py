"""Reviewing in bulk: return several submitted records with one comment, or mark them reviewed; close
problems in bulk. All or nothing, and the message says how many changed."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activities.models import Meeting
from assessment.models import Problem
from assessment.services import checks
from tests.factories import log_meeting, make_member


@pytest.fixture
def submitted(org):
    return [
        log_meeting(org.branch, Meeting.Kind.THEME_DAY, date(2025, month, 5), topic=f"{month}月主题党日")
        for month in (1, 2, 3)
    ]


def post(client, **data):
    return client.post(reverse("activities:review_bulk"), data, follow=True)


def test_the_general_branch_returns_several_records_with_one_comment(org, login, submitted):
    client = login(org.general_secretary)
    page = client.get(reverse("activities:review")).content.decode()
    assert all(f'value="{m.pk}"' in page for m in submitted)
    response = post(client, ids=[m.pk for m in submitted[:2]], action="return", comment="请补充签到表")
    assert "已退回 2 条记录。" in response.content.decode()
    statuses = {m.pk: (m.status, m.return_comment) for m in Meeting.objects.all()}
    assert statuses[submitted[0].pk] == statuses[submitted[1].pk] == ("returned", "请补充签到表")
    assert statuses[submitted[2].pk] == ("submitted", "")


def test_bulk_return_is_all_or_nothing(org, login, submitted):
    draft = log_meeting(org.branch, Meeting.Kind.THEME_DAY, date(2025, 4, 5), topic="四月草稿", submit=False)
    client = login(org.committee_user)
    response = post(client, ids=[m.pk for m in submitted] + [draft.pk], action="return", comment="请修改")
    page = response.content.decode()
    assert "四月草稿" in page and "不是“已提交”状态" in page and "没有修改任何记录。" in page
    assert set(Meeting.objects.values_list("status", flat=True)) == {"submitted", "draft"}
    # A comment is required; nothing changes without it.
    assert "请填写退回意见" in post(client, ids=[submitted[0].pk], action="return", comment=" ").content.decode()
    assert Meeting.objects.filter(status="returned").count() == 0


def test_records_outside_the_reviewers_reach_refuse_the_whole_batch(org, login, submitted):
    make_member(org.other_branch, name="王五")
    theirs = log_meeting(org.other_branch, Meeting.Kind.THEME_DAY, date(2025, 1, 9), topic="办公室主题党日")
    # The general branch does not reach the other branch; the branch cannot review its own records.
    for user in (org.general_secretary, org.secretary):
        ids = [submitted[0].pk, theirs.pk] if user == org.general_secretary else [submitted[0].pk]
        page = post(login(user), ids=ids, action="review").content.decode()
        assert "没有修改任何记录。" in page
    assert not Meeting.objects.filter(reviewed_at__isnull=False).exists()
    assert "办公室主题党日" not in login(org.general_secretary).get(reverse("activities:review")).content.decode()
    assert login(org.member_user).get(reverse("activities:review")).status_code == 404


def test_mark_reviewed_until_submitted_again(org, login, submitted):
    client = login(org.committee_user)
    assert (
        "已将 3 条记录标记为已审阅。" in post(client, ids=[m.pk for m in submitted], action="review").content.decode()
    )
    assert all(m.is_reviewed and m.reviewed_by == org.committee_user for m in Meeting.objects.all())
    assert Meeting.objects.unreviewed().count() == 0
    assert "没有待审阅的记录" in client.get(reverse("activities:review")).content.decode()
    # Returned and submitted again: it waits for a new review.
    post(client, ids=[submitted[0].pk], action="return", comment="请补充")
    from activities import services

    services.meeting_submit(meeting=submitted[0], by=org.secretary)
    assert list(Meeting.objects.unreviewed()) == [Meeting.objects.get(pk=submitted[0].pk)]


def _problem(org, description, evidence=True):
    problem = checks.problem_create(
        branch=org.branch,
        year=2025,
        quarter=1,
        description=description,
        deadline=date(2025, 4, 30),
        found_on=date(2025, 4, 5),
        by=org.committee_user,
    )
    if evidence:
        upload = SimpleUploadedFile("整改.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
        checks.evidence_add(problem=problem, upload=upload, note="", by=org.secretary)
    return problem


def test_a_checker_closes_problems_in_bulk_only_when_each_has_evidence(org, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ready = [_problem(org, "签到表缺失"), _problem(org, "记录过于简单")]
    bare = _problem(org, "未召开组织生活会", evidence=False)
    client = login(org.committee_user)
    assert reverse("assessment:problems_close") in client.get(reverse("assessment:problems")).content.decode()
    url = reverse("assessment:problems_close_bulk")
    page = client.post(url, {"ids": [p.pk for p in [*ready, bare]], "note": "材料齐全"}, follow=True).content.decode()
    assert "未召开组织生活会" in page and "还没有整改材料" in page and "没有销号任何问题。" in page
    assert not Problem.objects.filter(closed_on__isnull=False).exists()
    page = client.post(url, {"ids": [p.pk for p in ready], "note": "材料齐全"}, follow=True).content.decode()
    assert "已销号 2 个问题。" in page
    assert set(Problem.objects.filter(closed_on__isnull=False).values_list("close_note", flat=True)) == {"材料齐全"}
    # Only the committee checks.
    assert login(org.general_secretary).post(url, {"ids": [bare.pk]}).status_code == 404
    assert login(org.secretary).get(reverse("assessment:problems_close")).status_code == 404
