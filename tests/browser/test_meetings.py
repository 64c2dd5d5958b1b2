"""In a real browser: a secretary logs a committee meeting with one member on leave, submits it, and
sees the compliance table change."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from activities.models import Meeting
from tests.factories import make_member


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_secretary_logs_a_committee_meeting_and_sees_compliance_change(org, browser_login, live_server):
    committee = [
        make_member(org.branch, name="王书记", committee_post="书记"),
        make_member(org.branch, name="李组织", committee_post="组织委员"),
        make_member(org.branch, name="赵宣传", committee_post="宣传委员"),
    ]
    for name in ("钱一", "孙二", "周三"):
        make_member(org.branch, name=name)  # 7 full members: the branch must hold a monthly 支委会
    page = browser_login(org.secretary)
    compliance_url = f"{live_server.url}{reverse('activities:compliance')}"
    # The 支部委员会 column of the branch's line: "met/required so far" months of this quarter.
    committee_cell = page.locator("table.sb-compliance tbody tr").first.locator("td").nth(3)
    page.goto(compliance_url)
    met_before, required = (int(n) for n in committee_cell.inner_text().split()[0].split("/"))
    page.goto(f"{live_server.url}/")

    committee_row = page.locator('.sb-panel-meetings tr[data-kind="committee_meeting"]')
    assert committee_row.locator(".bi-check-lg").count() == 0
    assert "还剩" in committee_row.inner_text()

    page.goto(f"{live_server.url}{reverse('activities:create')}?unit={org.branch.pk}&kind=committee_meeting")
    # Attendance is already there: the committee, all present.
    rows = page.locator("table.sb-attendance tbody tr")
    assert rows.count() == 3
    assert page.locator(f"#att-{committee[0].pk}-present").is_checked()
    page.fill("#id_topic", "研究本月党建工作")
    page.fill("#id_minutes", "会议研究了本月党建工作安排。")
    # One click marks 李组织 on leave; the reason box appears for them only.
    page.click(f"label[for=att-{committee[1].pk}-leave]")
    reason = page.locator(f"#reason-{committee[1].pk}")
    assert reason.is_visible() and not page.locator(f"#reason-{committee[0].pk}").is_visible()
    reason.fill("外出办案")
    page.click("button[name=submit]")
    page.wait_for_url(f"{live_server.url}/activities/*/")
    assert "已提交" in page.inner_text("body") and "外出办案" in page.inner_text("body")

    meeting = Meeting.objects.get()
    assert (meeting.status, meeting.present_count, meeting.leave_count) == ("submitted", 2, 1)

    page.goto(f"{live_server.url}/")
    assert committee_row.locator(".bi-check-lg").count() == 1
    # The committee's table counts the month as met, too.
    page.goto(compliance_url)
    assert committee_cell.inner_text().split()[0] == f"{met_before + 1}/{required}"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_attendance_table_follows_the_kind_at_phone_width(org, browser_login, live_server, page):
    make_member(org.branch, name="王书记", committee_post="书记")
    page.set_viewport_size({"width": 390, "height": 800})
    browser_login(org.secretary)
    page.goto(f"{live_server.url}{reverse('activities:create')}?unit={org.branch.pk}&kind=committee_meeting")
    assert page.locator("table.sb-attendance tbody tr").count() == 1
    page.select_option("#id_kind", "general_meeting")
    # Not wait_for_function("…"): Playwright evals a string predicate, which the page's CSP refuses.
    expect(page.locator("table.sb-attendance tbody tr")).to_have_count(2)
    assert "张伟" in page.inner_text("table.sb-attendance")
    # Nothing is wider than the phone's screen except inside scrollable tables.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
