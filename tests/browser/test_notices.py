"""In a real browser: a record is returned, its author logs in, sees the bell, opens the notice and lands
on the record."""

from datetime import date

import pytest
from django.urls import reverse

from activities.models import Meeting
from notices.models import Notice
from tests.factories import log_meeting


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_author_of_a_returned_record_follows_the_bell_to_it(org, browser_login, live_server):
    meeting = log_meeting(org.branch, Meeting.Kind.THEME_DAY, date(2026, 11, 3), by=org.secretary, topic="重温入党誓词")

    # The general branch returns it, through the page.
    page = browser_login(org.general_secretary)
    page.goto(f"{live_server.url}{reverse('activities:return', args=[meeting.pk])}")
    page.fill("#id_comment", "缺少活动照片和签到表，请补充后重新提交")
    page.get_by_role("button", name="退回", exact=True).click()
    page.wait_for_url(f"{live_server.url}/activities/{meeting.pk}/")
    assert page.locator("#notice-count").count() == 0  # the returner is told nothing
    page.context.clear_cookies()

    # Its author signs in: the bell shows one unread notice.
    page = browser_login(org.secretary)
    assert page.inner_text("#notice-count") == "1"
    page.click("#notice-bell")
    page.wait_for_url(f"{live_server.url}{reverse('notices:inbox')}")
    notice = page.locator("#notices li").first
    text = notice.inner_text()
    assert "您登记的刑事审判庭党支部 2026-11-03 主题党日“重温入党誓词”被退回" in text
    assert "缺少活动照片和签到表" in text

    # Opening it lands on the record, where the comment is, and the bell goes quiet.
    notice.get_by_role("link", name="去处理").click()
    page.wait_for_url(f"{live_server.url}/activities/{meeting.pk}/")
    assert "缺少活动照片和签到表，请补充后重新提交" in page.inner_text("body")
    assert page.locator("#notice-count").count() == 0
    assert Notice.objects.get(recipient=org.secretary).read_at is not None
