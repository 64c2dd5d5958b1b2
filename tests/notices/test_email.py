"""Mail through a real SMTP server started by the test (aiosmtpd), and SMTP servers that fail."""

import logging
import time
from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured

from activities import services as meeting_services
from activities.models import Meeting
from config.email_url import CONSOLE_BACKEND, SMTP_BACKEND, parse_email_url
from notices import services, tasks
from notices.models import Delivery, Notice
from tests.factories import log_meeting

DAY = date(2026, 11, 25)


def test_email_url_names_the_server_and_its_encryption():
    plain = parse_email_url("smtp://mailer:s3cret@mail.court.example:2525")
    assert (plain.backend, plain.host, plain.port, plain.user, plain.password) == (
        SMTP_BACKEND,
        "mail.court.example",
        2525,
        "mailer",
        "s3cret",
    )
    assert not plain.use_tls and not plain.use_ssl
    tls = parse_email_url("smtp+tls://mailer:p%40ss%3Aword@mail.court.example")
    assert (tls.port, tls.use_tls, tls.use_ssl, tls.password) == (587, True, False, "p@ss:word")
    ssl = parse_email_url("smtp+ssl://mail.court.example")
    assert (ssl.port, ssl.use_tls, ssl.use_ssl, ssl.user) == (465, False, True, "")
    assert parse_email_url("").backend == CONSOLE_BACKEND
    assert parse_email_url(None).is_console and parse_email_url("console://").is_console
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL must start with one of smtp://"):
        parse_email_url("imap://mail.court.example")
    with pytest.raises(ImproperlyConfigured, match="names no host"):
        parse_email_url("smtp://")
    with pytest.raises(ImproperlyConfigured, match="invalid port"):
        parse_email_url("smtp://mail.court.example:port")


@pytest.fixture
def addressed(org):
    org.secretary.email = "shuji@court.example"
    org.secretary.first_name, org.secretary.last_name = "明", "李"
    org.secretary.save()
    return org


@pytest.mark.django_db
def test_the_digest_reaches_a_real_smtp_server(addressed, smtp, run_job):
    org = addressed
    run_job(DAY)
    (digest,) = [m for m in smtp.mails if m.recipients == ["shuji@court.example"]]
    assert digest.sender == "noreply@court.example"
    assert digest.to == "shuji@court.example"
    assert digest.subject == "【星级支部】11月25日的提醒（1条）"
    assert digest.body.startswith("李明：\n\n截至2026年11月25日，有以下1条提醒需要您处理：")
    assert "1. 刑事审判庭党支部 11月主题党日尚未召开，本月还剩 5 天" in digest.body
    assert f"http://127.0.0.1:8000/activities/new/?unit={org.branch.pk}&kind=theme_day" in digest.body
    delivery = Delivery.objects.get(recipient=org.secretary)
    assert (delivery.status, delivery.attempts, delivery.error, delivery.address) == (
        "sent",
        1,
        "",
        "shuji@court.example",
    )
    assert delivery.sent_at is not None
    assert list(delivery.notices.values_list("recipient", flat=True)) == [org.secretary.pk]


@pytest.mark.django_db
def test_nothing_listening_leaves_the_mail_unsent_and_retried(addressed, no_smtp, run_job, caplog):
    org = addressed
    caplog.set_level(logging.WARNING, logger="notices")
    run_job(DAY)
    delivery = Delivery.objects.get(recipient=org.secretary)
    # Every try failed: the first and the task's bounded retries, then it gave up. Never marked sent.
    assert delivery.status == "failed" and delivery.sent_at is None
    assert delivery.attempts == tasks.MAX_RETRIES + 1
    assert delivery.error == (
        f"无法连接邮件服务器 127.0.0.1:{no_smtp.port}（连接被拒绝）："
        "请检查 EMAIL_URL 中的地址和端口，以及邮件服务器是否在运行"
    )
    assert "giving up" in caplog.text and "连接被拒绝" in caplog.text
    # The inbox has the reminder all the same.
    assert Notice.objects.filter(recipient=org.secretary, read_at__isnull=True).exists()


@pytest.mark.django_db
def test_a_server_answering_errors_leaves_the_mail_unsent_and_a_resend_delivers_it(
    addressed, smtp, run_job, django_capture_on_commit_callbacks, settings
):
    org = addressed
    smtp.refuse_data = "451 4.3.0 Mailbox temporarily full"
    run_job(DAY)
    delivery = Delivery.objects.get(recipient=org.secretary)
    assert (delivery.status, delivery.attempts, delivery.sent_at) == ("failed", tasks.MAX_RETRIES + 1, None)
    assert delivery.error == f"邮件服务器 127.0.0.1:{settings.EMAIL_PORT} 返回错误 451：4.3.0 Mailbox temporarily full"
    assert smtp.mails == []
    # The next day's digest carries the reminder again, since it never arrived.
    smtp.refuse_data = None
    run_job(date(2026, 11, 26))
    (mail,) = smtp.mails
    assert "11月主题党日尚未召开" in mail.body
    # And the committee can resend the failed one, which now goes through.
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_retry(delivery=delivery, by=org.committee_user)
    delivery.refresh_from_db()
    assert delivery.status == "sent" and len(smtp.mails) == 2


@pytest.mark.django_db
def test_a_refused_recipient_says_which_address(addressed, smtp, run_job, settings):
    smtp.refuse_rcpt = "550 5.1.1 Mailbox unavailable"
    run_job(DAY)
    delivery = Delivery.objects.get(recipient=addressed.secretary)
    assert delivery.status == "failed"
    assert delivery.error.startswith(f"邮件服务器 127.0.0.1:{settings.EMAIL_PORT} 拒绝了收件人 shuji@court.example")
    assert "请核对该人员在党员名册或登录账号中的邮箱" in delivery.error


@pytest.mark.django_db(transaction=True)
def test_a_returned_record_is_mailed_at_once_and_the_page_works_with_smtp_down(addressed, no_smtp, client):
    org = addressed
    meeting = log_meeting(org.branch, Meeting.Kind.THEME_DAY, date(2026, 11, 3), by=org.secretary)
    client.force_login(org.general_secretary)
    response = client.post(f"/activities/{meeting.pk}/return/", {"comment": "缺少活动照片"})
    assert response.status_code == 302  # the page is not held up by the mail server
    meeting.refresh_from_db()
    assert meeting.status == "returned"
    notice = Notice.objects.get(recipient=org.secretary)
    assert notice.occasion.kind == "record_returned" and "缺少活动照片" in notice.occasion.text
    delivery = Delivery.objects.get(recipient=org.secretary, mode="immediate")
    assert delivery.status == "failed" and "连接被拒绝" in delivery.error


@pytest.mark.django_db(transaction=True)
def test_a_returned_record_reaches_its_author_by_mail_at_once(addressed, smtp):
    org = addressed
    meeting = log_meeting(org.branch, Meeting.Kind.THEME_DAY, date(2026, 11, 3), by=org.secretary)
    meeting_services.meeting_return(meeting=meeting, by=org.general_secretary, comment="请补充活动照片")
    (mail,) = smtp.mails
    assert mail.recipients == ["shuji@court.example"]
    assert mail.subject.startswith("【星级支部】记录退回：您登记的刑事审判庭党支部 2026-11-03 主题党日")
    assert "退回意见：请补充活动照片。请修改后重新提交" in mail.body
    assert f"http://127.0.0.1:8000/activities/{meeting.pk}/" in mail.body


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_retries_a_failed_send_a_bounded_number_of_times(addressed, no_smtp, live_worker, monkeypatch):
    """Through Redis to a worker: each try is its own task, retried by Celery's policy, then given up."""
    monkeypatch.setattr(tasks, "SEND_RETRY_SECONDS", 0)  # the worker runs in this process
    report = services.notices_send_due(today=DAY)
    (delivery_id,) = [
        pk for pk in report.delivery_ids if Delivery.objects.get(pk=pk).recipient_id == addressed.secretary.pk
    ]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        delivery = Delivery.objects.get(pk=delivery_id)
        if delivery.status == "failed":
            break
        time.sleep(0.2)
    assert (delivery.status, delivery.attempts) == ("failed", tasks.MAX_RETRIES + 1)
    assert "连接被拒绝" in delivery.error and delivery.sent_at is None
