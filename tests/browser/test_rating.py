"""In a real browser: the committee reviews the proposal, overrides one branch, approves; the secretary sees it."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessment.models import StarHistory
from assessment.services import ratings
from tests.factories import give_scores

LAST_YEAR = timezone.localdate().year - 1


@pytest.fixture
def browser_context_args(browser_context_args):
    # A Chinese browser: the app answers in the language the browser asks for.
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.mark.browser
def test_committee_overrides_and_approves_and_the_secretary_sees_the_new_level(org, live_server, browser_login):
    give_scores(org.branch, year=LAST_YEAR)  # 100 points
    ratings.application_submit(branch=org.branch, year=LAST_YEAR, level=4, by=org.secretary)
    ratings.history_record(branch=org.branch, year=LAST_YEAR - 1, level=3, by=None)

    page = browser_login(org.committee_user)
    page.goto(f"{live_server.url}/assessment/rating/{LAST_YEAR}/")
    page.get_by_role("button", name="生成评定结果").click()
    row = page.locator("#branch-ZB1")
    expect(row).to_contain_text("申报四星，评定星级不高于申报星级")
    expect(row).to_contain_text("升星授牌")
    expect(page.locator("#branch-ZB9")).to_contain_text("后进党支部")

    row.get_by_role("link", name="调整").click()
    page.get_by_label("调整为").select_option(label="三星")
    page.get_by_role("button", name="保存调整").click()
    expect(page.get_by_text("调整星级须写明理由")).to_be_visible()
    page.get_by_label("调整理由").fill("年度内发生违纪问题，经党委会研究降为三星")
    page.get_by_role("button", name="保存调整").click()
    expect(page.locator("#branch-ZB1")).to_contain_text("机关党委调整为 3 星")
    expect(page.locator("#branch-ZB1")).to_contain_text("保持")

    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="审批并公布").click()
    expect(page.locator("#rating-status")).to_have_text("已审批")
    assert StarHistory.objects.get(branch=org.branch, year=LAST_YEAR).level == 3

    page.context.clear_cookies()
    page = browser_login(org.secretary)
    page.get_by_role("button", name=re.compile("星级评定")).click()
    page.get_by_role("link", name="评定概览").click()
    card = page.locator("#current-level")
    expect(card).to_contain_text(f"{LAST_YEAR}年度 3 星党支部")
    expect(card).to_contain_text("保持")
    expect(card.locator(".sb-stars")).to_have_text("★★★☆☆")
