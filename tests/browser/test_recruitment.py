"""In real Chromium: a secretary moves a 发展对象 through the branch meeting, the committee approves,
and the new member is on the roster as probationary."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from members.models import Member
from tests.factories import step_plan

pytestmark = pytest.mark.browser


@pytest.fixture
def org(org):
    for unit in (org.committee, org.general, org.branch, org.group, org.other_branch):
        unit.refresh_from_db()
    return org


def record_step(page, live_server, recruit, number, day, fill=None):
    page.goto(f"{live_server.url}{reverse('recruitment:detail', args=[recruit.pk])}")
    page.locator(f"#step-{number}").get_by_role("link", name="登记").click()
    page.wait_for_url(f"**{reverse('recruitment:step', args=[recruit.pk, number])}")
    page.fill("#id_done_on", f"{day:%Y-%m-%d}")
    page.fill("#id_actor", "经办人")
    for selector, value in (fill or {}).items():
        if isinstance(value, list):
            page.select_option(selector, value)
        else:
            page.fill(selector, str(value))
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"**{reverse('recruitment:detail', args=[recruit.pk])}#step-{number}")
    assert f"已登记第{number}步" in page.content()


def test_secretary_and_committee_take_a_candidate_into_the_roster(
    org, live_server, page, browser_login, make_recruit, sponsors
):
    start = date.today() - timedelta(days=1400)
    recruit = make_recruit("欧阳晨曦", until=8, start=start)
    plan = step_plan(start)

    browser_login(org.secretary)
    people = [str(m.pk) for m in sponsors]
    record_step(page, live_server, recruit, 9, plan[9], {"#id_people": people})
    record_step(page, live_server, recruit, 10, plan[10])
    record_step(page, live_server, recruit, 11, plan[11], {"#id_training_days": 3})
    record_step(page, live_server, recruit, 12, plan[12])
    # The pre-review is the committee's: the secretary sees it waiting.
    assert "等待上级党委办理" in page.locator("#step-13").inner_text()

    page.context.clear_cookies()
    browser_login(org.committee_user)
    notice = {"#id_notice_start": f"{plan[13] - timedelta(days=14):%Y-%m-%d}", "#id_notice_end": f"{plan[13]:%Y-%m-%d}"}
    record_step(page, live_server, recruit, 13, plan[13], notice)

    page.context.clear_cookies()
    browser_login(org.secretary)
    record_step(page, live_server, recruit, 14, plan[14])
    # A vote at exactly half is refused on its field, then the real count passes.
    page.goto(f"{live_server.url}{reverse('recruitment:step', args=[recruit.pk, 15])}")
    page.fill("#id_done_on", f"{plan[15]:%Y-%m-%d}")
    page.fill("#id_voters_expected", "4")
    page.fill("#id_voters_present", "2")
    page.fill("#id_votes_for", "2")
    page.get_by_role("button", name="保存").click()
    page.wait_for_selector("#id_voters_present.is-invalid")
    assert "未超过" in page.locator("#id_voters_present").locator("xpath=..").inner_text()
    page.fill("#id_voters_present", "3")
    page.fill("#id_votes_for", "3")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"**{reverse('recruitment:detail', args=[recruit.pk])}#step-15")
    assert not Member.objects.filter(name="欧阳晨曦").exists()

    page.context.clear_cookies()
    browser_login(org.committee_user)
    page.goto(f"{live_server.url}{reverse('recruitment:pipeline')}")
    assert "欧阳晨曦" in page.locator("#committee-queue").inner_text()
    record_step(page, live_server, recruit, 16, plan[16])
    record_step(page, live_server, recruit, 17, plan[17])
    assert page.locator("#recruit-status").inner_text() == "预备党员"

    member = Member.objects.get(name="欧阳晨曦")
    assert member.category == Member.Category.PROBATIONARY and member.joined_on == plan[15]
    page.goto(f"{live_server.url}{reverse('members:list')}?q=欧阳晨曦")
    row = page.locator("table.sb-roster tbody tr")
    assert row.count() == 1 and "预备党员" in row.first.inner_text()
