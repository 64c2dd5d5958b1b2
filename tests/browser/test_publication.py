"""In a real browser: the committee approves, a member opens the 公示 and objects, the committee
answers, the period closes and the result is final."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessment.models import Objection, PublicNotice
from assessment.publication import rules, selectors
from tests.publication.conftest import YEAR, year  # noqa: F401 (the fixture, shared with the publication tests)


def let_the_period_pass():
    """Time passes: the notice was put up two weeks ago, so its five working days are over. The
    dates are those the service computes for that opening day; nothing sleeps."""
    opened = timezone.localdate() - timedelta(days=14)
    period = rules.notice_period(opened, 5, selectors.calendar(opened))
    PublicNotice.objects.filter(rating__year=YEAR).update(
        opened_on=period.opened_on, starts_on=period.starts_on, ends_on=period.ends_on
    )


@pytest.mark.browser
def test_approve_object_answer_and_close(org, year, live_server, browser_login):  # noqa: F811 (the fixture)
    page = browser_login(org.committee_user)
    page.goto(f"{live_server.url}/assessment/rating/{YEAR}/")
    expect(page.locator("#branch-ZB9")).to_contain_text("一票否决（B项未满分）")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_label("公示期（工作日）").fill("5")
    page.get_by_role("button", name="审批并公布").click()
    expect(page.locator("#rating-status")).to_have_text("已审批")

    page.context.clear_cookies()
    page = browser_login(org.member_user)
    expect(page.locator("#publication-panel")).to_contain_text(f"{YEAR}年度星级评定结果正在公示")
    # The icon font's glyph is part of the link's name: match the end.
    page.locator("#mainnav").get_by_role("link", name=re.compile("公示$")).click()
    expect(page.locator("#notice-state")).to_have_text("公示中")
    expect(page.locator("#notice-ZB4")).to_contain_text("申报星级封顶")
    expect(page.locator("#notice-ZB2")).to_contain_text("超过五星比例（排名第2）")
    page.get_by_label("对哪个党支部的评定结果有异议").select_option(label="立案庭党支部")
    page.get_by_label("异议内容和理由").fill("该支部全年三会一课按时召开，申报二星是否过于保守？")
    page.get_by_role("button", name="署名提交异议").click()
    expect(page.get_by_text("异议已提交")).to_be_visible()
    mine = page.locator("#objections")
    expect(mine).to_contain_text("张伟")  # their own objection, with their name
    expect(mine).to_contain_text("待答复")
    expect(page.locator("#notice-ZB4")).to_contain_text("1 件（已答复 0）")

    page.context.clear_cookies()
    page = browser_login(org.committee_user)
    page.goto(f"{live_server.url}/assessment/publication/{YEAR}/")
    page.locator("#objections").get_by_role("link").first.click()
    page.get_by_label("维持原评定").check()
    page.get_by_label("答复意见").fill("评定星级不高于申报星级；该支部申报二星，维持原评定。")
    page.get_by_role("button", name="提交答复").click()
    expect(page.locator("#objection-status")).to_have_text("维持原评定")
    assert Objection.objects.get().answered_by == org.committee_user

    let_the_period_pass()
    page.context.clear_cookies()
    page = browser_login(org.member_user)
    page.goto(f"{live_server.url}/assessment/publication/{YEAR}/")
    expect(page.locator("#notice-state")).to_have_text("已公示（最终）")
    expect(page.locator("#objections")).to_contain_text("维持原评定")
    expect(page.locator("#objection-form")).to_have_count(0)  # no more objections
