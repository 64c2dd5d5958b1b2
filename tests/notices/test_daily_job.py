"""The daily job: what it records and sends, once per person and occasion however often it runs."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from activities.models import Meeting
from assessment.services import checks
from branches.models import OrgUnit
from members.models import Member
from notices.models import Delivery, LeadTimeSetting, Notice, NoticePreference, Occasion
from recruitment import services as recruitment_services
from tests.factories import extra_for, log_meeting, make_member, make_recruit, member_with_login, step_plan

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 25)  # 5 days left in November, 36 in the quarter
THEME_DAY = "刑事审判庭党支部 11月主题党日尚未召开，本月还剩 5 天"


@pytest.fixture
def addresses(org):
    org.secretary.email = "shuji@court.example"
    org.secretary.save()
    org.outsider.email = "bangongshi@court.example"
    org.outsider.save()
    org.member.email = "zhangwei@court.example"  # the roster's address beats the account's
    org.member.save()
    org.member_user.email = "old@court.example"
    org.member_user.save()
    return org


def texts(user):
    return sorted(Notice.objects.filter(recipient=user).values_list("occasion__text", flat=True))


def test_the_job_tells_each_person_what_is_due_once(addresses, run_job):
    org = addresses
    report = run_job(DAY)
    secretary = texts(org.secretary)
    assert THEME_DAY in secretary
    assert "刑事审判庭党支部第一党小组 11月党小组会尚未召开，本月还剩 5 天" in texts(org.group_leader)
    assert "您尚未作出2026年度公开承诺，请在“承诺评议”中填写本年度的承诺事项" in texts(org.member_user)
    # One digest per person, listing all of that day's reminders, to the roster's address first.
    digests = {m.to[0]: m for m in mail.outbox}
    assert set(digests) == {"shuji@court.example", "bangongshi@court.example", "zhangwei@court.example"}
    shuji = digests["shuji@court.example"]
    assert shuji.subject == f"【星级支部】11月25日的提醒（{len(secretary)}条）"
    for text in secretary:
        assert text in shuji.body
    assert Delivery.objects.filter(status="sent", mode="digest").count() == 3
    assert len(report.notices) == Notice.objects.count()

    # The same day again: nothing new is recorded or sent.
    again = run_job(DAY)
    assert again.notices == [] and again.deliveries == []
    assert len(mail.outbox) == 3 and Delivery.objects.count() == 3

    # The next day: only what is new. A problem due within 7 days appears; the meetings are not repeated.
    problem = checks.problem_create(
        branch=org.branch,
        year=2026,
        quarter=4,
        description="主题党日记录缺少照片",
        deadline=DAY + timedelta(days=8),
        found_on=DAY,
        by=org.committee_user,
    )
    next_day = run_job(DAY + timedelta(days=1))
    assert [n.reminder.key for n in next_day.notices] == [f"problem_due:{problem.pk}:2026-12-03"]
    assert len(mail.outbox) == 4
    latest = mail.outbox[-1]
    assert latest.to == ["shuji@court.example"] and latest.subject == "【星级支部】11月26日的提醒（1条）"
    assert "主题党日记录缺少照片" in latest.body and THEME_DAY not in latest.body


def test_a_secretary_never_gets_another_branchs_reminders(addresses, run_job):
    org = addresses
    checks.problem_create(
        branch=org.other_branch, year=2026, quarter=4, description="办公室问题", deadline=DAY, found_on=DAY, by=None
    )
    run_job(DAY)
    mine = Notice.objects.filter(recipient=org.secretary).select_related("occasion")
    assert mine and all(org.branch.path in n.occasion.unit.path for n in mine if n.occasion.unit)
    assert not any("办公室" in n.occasion.text for n in mine)
    theirs = texts(org.outsider)
    assert "办公室党支部 问题“办公室问题”整改期限为2026-11-25，今天到期，请按期整改并上传整改材料" in theirs
    assert not any("刑事审判庭" in text for text in theirs)
    outsider_mail = next(m for m in mail.outbox if m.to == ["bangongshi@court.example"])
    assert "刑事审判庭" not in outsider_mail.body


def test_email_off_or_no_address_keeps_the_inbox_only(addresses, run_job):
    org = addresses
    NoticePreference.objects.create(user=org.secretary, email_enabled=False)
    no_mail = make_member(org.branch, name="无邮箱")
    member_with_login(no_mail, "no_mail_user")
    run_job(DAY)
    assert THEME_DAY in texts(org.secretary)
    assert "shuji@court.example" not in {m.to[0] for m in mail.outbox}
    assert texts(no_mail.user)  # their pledge reminder, in the inbox
    assert not Delivery.objects.filter(recipient=no_mail.user).exists()


def test_immediate_mode_mails_each_reminder(addresses, run_job):
    org = addresses
    NoticePreference.objects.create(user=org.secretary, email_mode="immediate")
    checks.problem_create(
        branch=org.branch, year=2026, quarter=4, description="记录不全", deadline=DAY, found_on=DAY, by=None
    )
    run_job(DAY)
    to_secretary = [m for m in mail.outbox if m.to == ["shuji@court.example"]]
    assert len(to_secretary) == len(texts(org.secretary)) > 1
    assert any(m.subject.startswith("【星级支部】会议提醒：刑事审判庭党支部 11月主题党日") for m in to_secretary)


def test_the_committee_sets_the_lead_times(addresses, run_job):
    LeadTimeSetting.objects.create(year=2026, meeting_days=3)
    run_job(DAY)
    assert THEME_DAY not in texts(addresses.secretary)
    run_job(DAY + timedelta(days=2))
    assert "刑事审判庭党支部 11月主题党日尚未召开，本月还剩 3 天" in texts(addresses.secretary)
    # A later year without its own row keeps the latest setting.
    LeadTimeSetting.objects.filter(year=2026).update(meeting_days=10)
    run_job(date(2027, 1, 21))
    assert "刑事审判庭党支部 1月主题党日尚未召开，本月还剩 10 天" in texts(addresses.secretary)


def test_probation_and_terms_reach_the_secretary_and_the_committee(addresses, run_job):
    org = addresses
    make_member(org.branch, name="钱预备", category="probationary", joined_on=date(2025, 12, 10), full_on=None)
    OrgUnit.objects.filter(pk=org.branch.pk).update(elected_on=date(2024, 1, 20))  # term ends 2027-01-20
    run_job(DAY)
    due = "刑事审判庭党支部 预备党员钱预备将于2026-12-10预备期满（还剩 15 天），请按程序讨论其转正"
    term = "刑事审判庭党支部 本届委员会任期至2027-01-20，还剩 56 天，请做好换届准备"
    for user in (org.secretary, org.committee_user):
        assert due in texts(user) and term in texts(user)
    assert due not in texts(org.outsider) and due not in texts(org.general_secretary)


def test_recruitment_steps_due_reach_the_secretary_and_the_committee(addresses, run_job):
    org = addresses
    applicant = make_recruit(org.branch, "李思远", applied_on=date(2026, 11, 10))  # talk due by 2026-12-10
    candidate = make_recruit(org.branch, "周敏", applied_on=date(2025, 5, 1))
    plan, sponsors = step_plan(date(2025, 5, 1)), [org.member, make_member(org.branch, name="王建国")]
    for number in range(2, 16):  # up to the branch meeting (15) on 2026-09-03: approval due by 2026-12-03
        recruitment_services.recruit_step_record(
            recruit=candidate,
            number=number,
            done_on=plan[number],
            today=DAY,
            **extra_for(number, plan[number], sponsors),
        )
    run_job(DAY)
    talk = "刑事审判庭党支部 入党申请人李思远应于2026-12-10前派人谈话，还剩 15 天"
    approval = "刑事审判庭党支部 发展对象周敏应于2026-12-03前经上级党委审批，还剩 8 天"
    assert talk in texts(org.secretary) and approval not in texts(org.secretary)
    assert approval in texts(org.committee_user) and talk not in texts(org.committee_user)
    assert talk not in texts(org.outsider) and approval not in texts(org.outsider)
    occasion = Occasion.objects.get(text=talk)
    assert occasion.kind == "recruitment" and occasion.unit_id is None  # names a person: no group chat
    assert occasion.url == reverse("recruitment:detail", args=[applicant.pk])
    assert any(talk in m.body for m in mail.outbox if m.to == ["shuji@court.example"])
    # Once: the same day again adds nothing; the day after the deadline tells it once more.
    assert run_job(DAY).notices == []
    run_job(date(2026, 12, 11))
    assert "刑事审判庭党支部 入党申请人李思远应于2026-12-10前派人谈话，已逾期 1 天，请尽快办理" in texts(org.secretary)


def test_dry_run_records_and_sends_nothing(addresses, capsys):
    call_command("send_notices", "--today", "2026-11-25", "--dry-run")
    out = capsys.readouterr().out
    assert f"站内、邮件（每日汇总）  secretary（secretary）  {THEME_DAY}" in out
    assert "邮件（每日汇总） → secretary <shuji@court.example>" in out
    assert "试运行，未记录、未发送" in out
    assert not Occasion.objects.exists() and not Notice.objects.exists() and not Delivery.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_the_command_prints_each_notice_and_how_the_mails_went(addresses, capsys):
    # Committed for real, as on a server: the mails go out (in-process) before the command reports.
    call_command("send_notices", "--today", "2026-11-25")
    out = capsys.readouterr().out
    assert f"站内、邮件（每日汇总）  secretary（secretary）  {THEME_DAY}" in out
    assert "站内  group_leader（group_leader）" in out  # no address: the inbox only
    assert "邮件和群消息：已发送 3" in out
    assert len(mail.outbox) == 3
    call_command("send_notices", "--today", "2026-11-25")
    assert "新增通知 0 条，邮件 0 封，群消息 0 条" in capsys.readouterr().out


def test_a_bad_date_is_refused_in_chinese():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="--today 应为 YYYY-MM-DD 格式的日期"):
        call_command("send_notices", "--today", "2026/11/25")


def test_the_roster_address_is_used_and_falls_back_to_the_account(addresses, run_job):
    org = addresses
    Member.objects.filter(pk=org.member.pk).update(email="")
    run_job(DAY)
    assert "old@court.example" in {m.to[0] for m in mail.outbox}


def test_a_failed_digests_reminders_go_in_the_next_one_unless_dealt_with(addresses, no_smtp, run_job, settings):
    org = addresses
    checks.problem_create(
        branch=org.branch, year=2026, quarter=4, description="记录不全", deadline=DAY, found_on=DAY, by=None
    )
    run_job(DAY)  # the mail server is down: every digest fails
    assert Delivery.objects.filter(status="failed").count() == 3
    # Meanwhile the branch holds its 主题党日; the mail server is back.
    log_meeting(org.branch, Meeting.Kind.THEME_DAY, DAY, by=org.secretary)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run_job(DAY + timedelta(days=1))
    (digest,) = [m for m in mail.outbox if m.to == ["shuji@court.example"]]
    assert "记录不全”已超过整改期限" in digest.body  # still open, now overdue: that is what the digest says
    assert "主题党日" not in digest.body  # held since: not sent late
