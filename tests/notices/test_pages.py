"""The inbox and the bell, preferences, and the committee's pages: who reaches what."""

import re
from datetime import date
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notices import services
from notices.models import Delivery, LeadTimeSetting, Notice, NoticePreference, UnitWebhook

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 25)
THEME_DAY = "刑事审判庭党支部 11月主题党日尚未召开，本月还剩 5 天"


@pytest.fixture
def notified(org, run_job):
    run_job(DAY)
    return org


def test_the_bell_counts_unread_notices_in_one_query(notified, login):
    client = login(notified.secretary)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("home")).content.decode()
    assert 'id="notice-count">1<' in page
    assert sum('"notices_notice"' in q["sql"] for q in queries.captured_queries) == 1
    # Nothing unread: no number.
    Notice.objects.update(read_at="2026-11-25T10:00:00+08:00")
    assert 'id="notice-count"' not in client.get(reverse("home")).content.decode()


def test_the_inbox_lists_only_ones_own_notices_unread_first(notified, login):
    org = notified
    client = login(org.secretary)
    page = client.get(reverse("notices:inbox")).content.decode()
    assert THEME_DAY in page
    assert "第一党小组 11月党小组会" not in page  # the group leader's
    assert "公开承诺" not in page  # the member's
    mine = Notice.objects.get(recipient=org.secretary)
    theirs = Notice.objects.filter(recipient=org.group_leader).first()
    # Someone else's notice does not exist for me: not for the committee either.
    for user in (org.secretary, org.committee_user):
        assert login(user).get(reverse("notices:open", args=[theirs.pk])).status_code == 404
        assert login(user).post(reverse("notices:read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    # Opening mine marks it read and lands on what it is about.
    response = login(org.secretary).get(reverse("notices:open", args=[mine.pk]))
    assert response.status_code == 302
    assert response.url == f"/activities/new/?unit={org.branch.pk}&kind=theme_day"
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_mark_read_and_all_read(org, run_job, login):
    from tests.factories import make_member

    make_member(org.branch, name="钱预备", category="probationary", joined_on=date(2025, 12, 10), full_on=None)
    run_job(DAY)
    client = login(org.secretary)
    first, second = Notice.objects.filter(recipient=org.secretary).order_by("pk")
    client.post(reverse("notices:read", args=[first.pk]))
    assert Notice.objects.filter(recipient=org.secretary, read_at__isnull=True).get() == second
    page = client.get(reverse("notices:inbox")).content.decode()
    assert page.index(second.occasion.text) < page.index(first.occasion.text)  # unread first
    response = client.post(reverse("notices:read_all"), follow=True)
    assert "已将 1 条通知标为已读" in response.content.decode()
    assert not Notice.objects.filter(recipient=org.secretary, read_at__isnull=True).exists()
    assert Notice.objects.filter(recipient=org.group_leader, read_at__isnull=True).exists()


def test_each_user_decides_about_email(org, login):
    org.member.email = "zhangwei@court.example"
    org.member.save()
    client = login(org.member_user)
    page = client.get(reverse("notices:preferences")).content.decode()
    assert "zhangwei@court.example" in page
    response = client.post(reverse("notices:preferences"), {"email_mode": "immediate"})  # email box unticked
    assert response.status_code == 302
    preference = NoticePreference.objects.get(user=org.member_user)
    assert (preference.email_enabled, preference.email_mode) == (False, "immediate")
    assert "未登记邮箱" in login(org.secretary).get(reverse("notices:preferences")).content.decode()


COMMITTEE_PAGES = ["notices:settings", "notices:sent"]


@pytest.mark.parametrize("name", COMMITTEE_PAGES)
def test_the_committees_pages_are_404_for_everyone_else(org, login, name):
    assert login(org.committee_user).get(reverse(name)).status_code == 200
    for user in (org.secretary, org.general_secretary, org.group_leader, org.member_user, org.outsider):
        assert login(user).get(reverse(name)).status_code == 404


def test_the_committee_sets_the_lead_times_per_year(org, login):
    client = login(org.committee_user)
    page = client.get(reverse("notices:settings"), {"year": 2026}).content.decode()
    assert 'value="7"' in page and 'value="90"' in page
    data = {"year": 2026, "meeting_days": 5, "problem_days": 10, "probation_days": 45, "term_days": 120}
    response = client.post(reverse("notices:settings"), data)
    assert response.status_code == 302
    setting = LeadTimeSetting.objects.get(year=2026)
    assert (setting.meeting_days, setting.term_days, setting.updated_by) == (5, 120, org.committee_user)
    bad = client.post(reverse("notices:settings"), {**data, "meeting_days": 400}).content.decode()
    assert "确保该值小于或等于365" in bad
    assert LeadTimeSetting.objects.get(year=2026).meeting_days == 5


def test_the_committee_sets_a_units_robot(org, login):
    client = login(org.committee_user)
    url = reverse("notices:webhook", args=[org.branch.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"action": "save", "kind": "wecom", "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k1"}
    )
    assert response.status_code == 302
    hook = UnitWebhook.objects.get(unit=org.branch)
    assert (hook.kind, hook.enabled) == ("wecom", False)  # the box was not ticked
    page = client.post(url, {"action": "save", "kind": "wecom", "url": "not a url"}).content.decode()
    assert "输入一个有效的 URL" in page or "有效的" in page
    found = client.get(reverse("notices:webhook_find"), {"code": "ZB1"})
    assert found.url == url
    missing = client.get(reverse("notices:webhook_find"), {"code": "NOPE"}, follow=True).content.decode()
    assert "找不到编码为“NOPE”的单位" in missing
    client.post(url, {"action": "delete"})
    assert not UnitWebhook.objects.exists()
    assert login(org.secretary).get(url).status_code == 404


def test_the_sent_list_shows_who_what_when_channel_and_the_error(org, no_smtp, run_job, login):
    org.secretary.email = "shuji@court.example"
    org.secretary.save()
    run_job(DAY)
    delivery = Delivery.objects.get(recipient=org.secretary)
    client = login(org.committee_user)
    page = client.get(reverse("notices:sent")).content.decode()
    assert "secretary" in page and "shuji@court.example" in page
    assert "【星级支部】11月25日的提醒（1条）" in page and "发送失败" in page
    assert "连接被拒绝" in page and "已尝试 4 次" in page
    assert client.get(reverse("notices:sent"), {"status": "sent"}).content.decode().count("data-delivery=") == 0
    inapp = client.get(reverse("notices:sent"), {"channel": "inapp"}).content.decode()
    assert THEME_DAY in inapp and "未读" in inapp
    detail = client.get(reverse("notices:delivery", args=[delivery.pk])).content.decode()
    assert THEME_DAY in detail and "重新发送" in detail
    assert login(org.secretary).get(reverse("notices:delivery", args=[delivery.pk])).status_code == 404


def test_a_resend_is_queued_and_refused_for_what_was_sent(org, login, django_capture_on_commit_callbacks):
    delivery = services.delivery_test_email(by=org.committee_user, address="jgdw@court.example")
    Delivery.objects.filter(pk=delivery.pk).update(status="failed", error="无法连接")
    client = login(org.committee_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("notices:delivery", args=[delivery.pk]))
    delivery.refresh_from_db()
    assert delivery.status == "sent"  # pytest-django's locmem backend took it
    again = client.post(reverse("notices:delivery", args=[delivery.pk]), follow=True).content.decode()
    assert "只有发送失败的消息可以重新发送" in again


def test_a_test_mail_is_sent_in_the_background_and_listed(org, login, django_capture_on_commit_callbacks, smtp):
    client = login(org.committee_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("notices:test_email"), {"address": "jgdw@court.example"})
    assert response.url == reverse("notices:sent")
    (mail,) = smtp.mails
    assert mail.recipients == ["jgdw@court.example"] and mail.subject == "【星级支部】测试邮件"
    bad = client.post(reverse("notices:test_email"), {"address": "not-an-address"}, follow=True).content.decode()
    assert "输入一个有效的 Email 地址" in bad


def test_without_email_url_the_pages_say_mail_goes_to_the_log(org, login):
    assert settings.EMAIL_BACKEND.endswith("locmem.EmailBackend")  # the test runner's
    client = login(org.committee_user)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(settings, "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
        assert "EMAIL_URL 未设置" in client.get(reverse("notices:settings")).content.decode()


def test_english_chrome(notified, login, client):
    client = login(notified.secretary)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("notices:inbox")).content.decode()
    assert "Mark all as read" in page and "Notices" in page
    assert THEME_DAY in page  # stored text stays Chinese


CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


class _Visible(HTMLParser):
    """Every piece of text on a page, except data marked lang="zh-hans", the language switch and the
    <title> (which names the unit or record, like every page's, and cannot mark it)."""

    VOID = {"input", "br", "img", "hr", "meta", "link"}

    def __init__(self):
        super().__init__()
        self.skipping = []
        self.words = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        attrs = dict(attrs)
        skip = (
            (attrs.get("lang") or "").startswith("zh") or attrs.get("name") == "language" or tag in ("script", "title")
        )
        self.skipping.append(skip or bool(self.skipping and self.skipping[-1]))
        for name in ("title", "placeholder"):
            if attrs.get(name) and not self.skipping[-1]:
                self.words.append(attrs[name])

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.skipping:
            self.skipping.pop()

    def handle_data(self, data):
        if data.strip() and not (self.skipping and self.skipping[-1]):
            self.words.append(data.strip())


def test_every_notices_page_is_english_once_chosen_but_the_stored_text(org, no_smtp, run_job, login):
    org.secretary.email = "shuji@court.example"
    org.secretary.save()
    services.webhook_set(
        unit=org.branch, kind="dingtalk", url="https://oapi.dingtalk.com/robot/send?access_token=x", by=None
    )
    run_job(DAY)
    delivery = Delivery.objects.get(recipient=org.secretary)
    for user, urls in (
        (org.secretary, [reverse("notices:inbox"), reverse("notices:preferences")]),
        (
            org.committee_user,
            [
                reverse("notices:settings"),
                reverse("notices:sent"),
                reverse("notices:sent") + "?channel=inapp",
                reverse("notices:delivery", args=[delivery.pk]),
                reverse("notices:webhook", args=[org.branch.pk]),
            ],
        ),
    ):
        client = login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            parser = _Visible()
            parser.feed(response.content.decode())
            assert [w for w in parser.words if CHINESE.search(w.replace("“星级支部”", ""))] == [], url
