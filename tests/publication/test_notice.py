"""The 公示 lifecycle: approval opens it, members object, the committee answers, the period closes;
a changed level or a reversal re-opens it. Who sees whose objections."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assessment.models import BranchRating, Objection, PublicNotice, RatingReversal, StarHistory, YearRating
from assessment.publication import selectors, services
from assessment.publication.rules import NoticeState
from assessment.services import ratings

from .conftest import APPROVED_ON, YEAR

pytestmark = pytest.mark.django_db

AFTER = date(2026, 1, 27)  # the day after the period


def approve(org, today=APPROVED_ON, **kwargs):
    return ratings.year_approve(year=YEAR, by=org.committee_user, today=today, **kwargs)


def state(today):
    notice = PublicNotice.objects.get(rating__year=YEAR, withdrawn_at__isnull=True)
    return selectors.notice_state(notice, today)


def test_approval_opens_a_notice_of_five_working_days_that_skips_entered_holidays(org, year):
    services.holiday_save(day=date(2026, 1, 21), name="（演示）假日", kind="off", by=org.committee_user)
    approve(org)
    notice = PublicNotice.objects.get()
    assert (notice.number, notice.opened_on, notice.starts_on) == (1, APPROVED_ON, date(2026, 1, 20))
    # Tue 20, (Wed 21 off), Thu 22, Fri 23, Mon 26, Tue 27.
    assert (notice.ends_on, notice.working_days, notice.opened_by) == (date(2026, 1, 27), 5, org.committee_user)
    assert notice.reason == "审批后公示"
    assert state(date(2026, 1, 27)) == NoticeState.OPEN
    assert state(date(2026, 1, 28)) == NoticeState.FINAL  # no objection: final once the period ends


def test_the_notice_length_is_chosen_at_approval_and_never_below_five_days(org, year):
    with pytest.raises(ValidationError, match="公示期须为 5–30 个工作日"):
        approve(org, working_days=3)
    assert not YearRating.objects.get(year=YEAR).is_approved  # all or nothing
    approve(org, working_days=7)
    assert PublicNotice.objects.get().ends_on == date(2026, 1, 28)


def test_objection_answer_and_close(org, year, colleague):
    approve(org)
    objection = services.objection_raise(
        year=YEAR,
        branch=year["zb4"],
        text="该支部全年党课均有记录，申报二星偏低",
        by=org.member_user,
        today=date(2026, 1, 22),
    )
    assert (objection.notice.number, objection.raised_by, objection.is_answered) == (1, org.member_user, False)
    assert state(date(2026, 1, 26)) == NoticeState.OPEN
    assert state(AFTER) == NoticeState.AWAITING  # the period is over, an objection waits
    services.objection_answer(
        objection=objection, answer="评定星级不高于申报星级，该支部申报二星", outcome="upheld", by=org.committee_user
    )
    objection.refresh_from_db()
    assert (objection.outcome, objection.answered_by) == ("upheld", org.committee_user)
    assert state(AFTER) == NoticeState.FINAL
    with pytest.raises(ValidationError, match="已经答复"):
        services.objection_answer(objection=objection, answer="再答", outcome="upheld", by=org.committee_user)


def test_objections_are_refused_after_the_period_about_other_branches_or_without_a_reason(org, year):
    with pytest.raises(ValidationError, match="没有在公示"):
        services.objection_raise(year=YEAR, branch=org.branch, text="x", by=org.member_user, today=APPROVED_ON)
    approve(org)
    with pytest.raises(ValidationError, match="公示期已于 2026-01-26 结束"):
        services.objection_raise(year=YEAR, branch=org.branch, text="x", by=org.member_user, today=AFTER)
    with pytest.raises(ValidationError, match="只能对本次公示的党支部"):
        services.objection_raise(year=YEAR, branch=org.general, text="x", by=org.member_user, today=APPROVED_ON)
    with pytest.raises(ValidationError, match="请写明"):
        services.objection_raise(year=YEAR, branch=org.branch, text=" ", by=org.member_user, today=APPROVED_ON)


def test_an_objection_that_changes_a_level_is_a_reversal_an_adjustment_and_a_new_period(org, year):
    approve(org)
    objection = services.objection_raise(
        year=YEAR, branch=org.branch, text="该支部年内有党员受党纪处分", by=org.member_user, today=date(2026, 1, 21)
    )
    answered_on = date(2026, 1, 23)  # a Friday: the new period starts on Monday
    services.objection_answer(
        objection=objection,
        answer="经核实，该支部一名党员年内受党内警告处分，调整为四星",
        outcome="changed",
        level=4,
        by=org.committee_user,
        today=answered_on,
    )
    reversal = RatingReversal.objects.get()
    assert reversal.reason.startswith("对刑事审判庭党支部的异议经核实，调整其评定星级：经核实")
    line = BranchRating.objects.get(rating__year=YEAR, branch=org.branch)
    assert (line.level, line.override_reason, line.action) == (
        4,
        "异议核实：经核实，该支部一名党员年内受党内警告处分，调整为四星",
        "up",
    )
    assert StarHistory.objects.get(branch=org.branch, year=YEAR).level == 4
    first, second = PublicNotice.objects.order_by("number")
    assert first.is_withdrawn and first.withdrawn_reason == reversal.reason
    assert (second.number, second.starts_on, second.ends_on) == (2, date(2026, 1, 26), date(2026, 1, 30))
    assert second.reason == "根据对刑事审判庭党支部的异议调整评定（五星 → 四星），重新公示"
    assert Objection.objects.get().outcome == "changed"
    assert selectors.notice_state(second, date(2026, 2, 2)) == NoticeState.FINAL


def test_changing_to_the_same_level_or_above_the_application_is_refused_and_nothing_moves(org, year):
    approve(org)
    objection = services.objection_raise(
        year=YEAR, branch=year["zb4"], text="应评三星", by=org.member_user, today=APPROVED_ON
    )
    with pytest.raises(ValidationError, match="与原评定相同"):
        services.objection_answer(objection=objection, answer="x", outcome="changed", level=2, by=org.committee_user)
    with pytest.raises(ValidationError, match="不能调整为三星：该支部申报二星"):
        services.objection_answer(objection=objection, answer="x", outcome="changed", level=3, by=org.committee_user)
    assert YearRating.objects.get(year=YEAR).is_approved
    assert not RatingReversal.objects.exists() and PublicNotice.objects.count() == 1


def test_a_reversal_withdraws_the_notice_and_the_next_approval_opens_a_new_one(org, year):
    approve(org)
    ratings.year_reverse(year=YEAR, by=org.committee_user, reason="ZB9 的 B1 评分录入有误")
    notice = PublicNotice.objects.get()
    assert notice.is_withdrawn and notice.withdrawn_by == org.committee_user
    assert notice.withdrawn_reason == "ZB9 的 B1 评分录入有误"
    approve(org, today=date(2026, 2, 2))
    second = PublicNotice.objects.get(number=2)
    assert second.reason == "撤销审批后重新审批，重新公示（撤销理由：ZB9 的 B1 评分录入有误）"
    assert (second.starts_on, second.ends_on) == (date(2026, 2, 3), date(2026, 2, 9))


# --- the pages -------------------------------------------------------------------------------------


@pytest.fixture
def public(org, year):
    """The year approved today (the pages' clock), so its notice is open."""
    approve(org, today=timezone.localdate())
    return year


def test_every_member_sees_each_branch_level_action_score_and_reasons(org, public, login, colleague):
    page = login(colleague).get(reverse("publication:notice", args=[YEAR])).content.decode()
    for name in ("刑事审判庭党支部", "办公室党支部", "民事审判庭党支部", "执行局党支部", "立案庭党支部"):
        assert name in page
    assert "一票否决（B项未满分）" in page and "申报星级封顶" in page and "超过五星比例（排名第2）" in page
    assert "升星授牌" in page and "97.70" in page and "公示中" in page
    # Nothing else about other branches: no indicator scores, no aspect points, no full reasons.
    assert "制度执行年度得分" not in page and "28.50" not in page
    assert login(colleague).get(reverse("publication:latest")).url == reverse("publication:notice", args=[YEAR])


def test_a_user_with_no_place_in_the_organisation_gets_404(org, public, login):
    from tests.factories import UserFactory

    stranger = UserFactory(username="stranger")
    assert login(stranger).get(reverse("publication:notice", args=[YEAR])).status_code == 404
    assert login(stranger).post(reverse("publication:objection_create", args=[YEAR])).status_code == 404


def test_a_member_raises_an_objection_and_sees_only_their_own_with_their_name(org, public, login, colleague):
    client = login(org.member_user)
    url = reverse("publication:notice", args=[YEAR])
    response = client.post(
        reverse("publication:objection_create", args=[YEAR]), {"branch": public["zb2"].pk, "text": "申报材料不实"}
    )
    assert response.url == url
    login(colleague).post(
        reverse("publication:objection_create", args=[YEAR]), {"branch": public["zb2"].pk, "text": "同事的异议内容"}
    )
    mine = login(org.member_user).get(url).content.decode()
    assert "申报材料不实" in mine and "张伟" in mine  # their own, with their name
    assert "同事的异议内容" not in mine and "王芳" not in mine  # not a colleague's, nor who
    assert "2 件（已答复 0）" in mine  # only the count of objections to ZB2
    theirs = Objection.objects.get(raised_by=colleague)
    assert login(org.member_user).get(reverse("publication:objection", args=[theirs.pk])).status_code == 404
    committee = login(org.committee_user).get(url).content.decode()
    assert "申报材料不实" in committee and "同事的异议内容" in committee and "王芳" in committee


def test_the_committee_answers_on_the_page_and_the_member_reads_the_answer(org, public, login):
    objection = services.objection_raise(year=YEAR, branch=org.branch, text="请核实", by=org.member_user)
    client = login(org.committee_user)
    response = client.post(reverse("publication:objection_answer", args=[objection.pk]), {"outcome": "upheld"})
    assert response.status_code == 400 and "这个字段是必填项" in response.content.decode()
    client.post(
        reverse("publication:objection_answer", args=[objection.pk]), {"outcome": "upheld", "answer": "经核实无误"}
    )
    page = login(org.member_user).get(reverse("publication:objection", args=[objection.pk])).content.decode()
    assert "经核实无误" in page and "维持原评定" in page
    assert login(org.member_user).post(reverse("publication:objection_answer", args=[objection.pk])).status_code == 404


def test_a_withdrawn_notice_shows_no_levels(org, public, login):
    ratings.year_reverse(year=YEAR, by=org.committee_user, reason="评分有误")
    page = login(org.member_user).get(reverse("publication:notice", args=[YEAR])).content.decode()
    assert "公示已撤回" in page and "评分有误" in page and "97.70" not in page


def test_after_a_reversal_the_member_no_longer_reads_the_level_on_their_objection(org, public, login):
    objection = services.objection_raise(year=YEAR, branch=org.other_branch, text="请核实", by=org.member_user)
    url = reverse("publication:objection", args=[objection.pk])
    assert "97.70" in login(org.member_user).get(url).content.decode()
    ratings.year_reverse(year=YEAR, by=org.committee_user, reason="评分有误")
    page = login(org.member_user).get(url).content.decode()
    assert "请核实" in page and "97.70" not in page  # the year is a proposal again: the committee's only
    assert "97.70" in login(org.committee_user).get(url).content.decode()
