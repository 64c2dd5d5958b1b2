"""The sign-in log: every sign-in, failure, lockout and sign-out, read by the committee only."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessment.schedules import beat_schedule
from security import services, tasks
from security.models import SignInEvent
from tests.factories import PASSWORD

LOGIN, LOG = reverse("login"), reverse("security:signin_log")
Kind = SignInEvent.Kind


def sign_in(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def events():
    return list(SignInEvent.objects.order_by("pk").values_list("kind", "username", "user__username", "ip_address"))


@pytest.mark.django_db
def test_every_kind_of_event_is_logged_with_who_and_where(org, settings):
    settings.AXES_FAILURE_LIMIT = 2
    desk = Client(REMOTE_ADDR="10.20.1.15", HTTP_USER_AGENT="Chromium/140")
    sign_in(desk, "secretary", PASSWORD)
    desk.post(reverse("logout"))
    # A stranger straight at gunicorn, claiming another address: the peer's address is logged.
    stranger = Client(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="10.20.1.15")
    sign_in(stranger, "nobody", "guess")
    sign_in(stranger, "secretary", "guess")
    sign_in(stranger, "secretary", "guess")  # the second failure locks the name from this address
    sign_in(stranger, "secretary", PASSWORD)  # refused while locked
    assert events() == [
        (Kind.SUCCESS, "secretary", "secretary", "10.20.1.15"),
        (Kind.LOGOUT, "secretary", "secretary", "10.20.1.15"),
        (Kind.FAILURE, "nobody", None, "203.0.113.7"),
        (Kind.FAILURE, "secretary", "secretary", "203.0.113.7"),
        (Kind.FAILURE, "secretary", "secretary", "203.0.113.7"),
        (Kind.LOCKED_ADDRESS, "secretary", "secretary", "203.0.113.7"),
        (Kind.REFUSED, "secretary", "secretary", "203.0.113.7"),
    ]
    assert SignInEvent.objects.filter(kind=Kind.SUCCESS).get().user_agent == "Chromium/140"


@pytest.mark.django_db
def test_a_name_lock_is_logged_as_such(org, settings):
    settings.AXES_FAILURE_LIMIT, settings.AXES_USERNAME_FAILURE_LIMIT = 2, 4
    for address in ("198.51.100.1", "198.51.100.2"):
        for _ in range(2):
            sign_in(Client(REMOTE_ADDR=address), "committee_user", "guess")
    assert SignInEvent.objects.filter(kind=Kind.LOCKED_USERNAME, username="committee_user").count() == 1


@pytest.mark.django_db
def test_only_the_committee_reads_the_log(org, login, client):
    services.signin_record(kind=Kind.SUCCESS, request=None, user=org.secretary)
    for user in (org.general_secretary, org.secretary, org.group_leader, org.member_user, org.outsider):
        assert login(user).get(LOG).status_code == 404
    client.logout()
    assert client.get(LOG).status_code == 302  # to the login page
    page = login(org.committee_user).get(LOG)
    assert page.status_code == 200
    assert "secretary" in page.content.decode() and "登录成功" in page.content.decode()


@pytest.mark.django_db
def test_the_log_filters_by_user_result_and_day_and_pages(org, login):
    now = timezone.now()
    for n in range(55):
        services.signin_record(kind=Kind.FAILURE, request=None, username="guess", at=now - timedelta(minutes=n))
    services.signin_record(kind=Kind.SUCCESS, request=None, user=org.secretary, at=now - timedelta(days=3))
    client = login(org.committee_user)  # itself a sign-in, logged like any other

    def shown(**query):
        return [(e.kind, e.username) for e in client.get(LOG, query).context["page"].object_list]

    assert len(shown()) == 50 and len(shown(page=2)) == 57 - 50
    assert shown(username="SECRETARY") == [(Kind.SUCCESS, "secretary")]
    assert shown(kind=Kind.SUCCESS) == [(Kind.SUCCESS, "committee_user"), (Kind.SUCCESS, "secretary")]
    day = timezone.localdate(now - timedelta(days=3)).isoformat()
    assert shown(since=day, until=day) == [(Kind.SUCCESS, "secretary")]
    assert len(shown(kind=Kind.FAILURE, page=2)) == 5


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [{"since": "0001-01-01"}, {"until": "9999-12-31"}, {"since": "2026-02-30"}, {"kind": "x"}, {"username": "a\x00b"},
     {"page": "-1"}, {"page": "99999999999999999999"}, {"username": "x" * 5000}],
)  # fmt: skip
def test_junk_filters_are_refused_or_ignored_never_a_500(org, login, query):
    response = login(org.committee_user).get(LOG, query)
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_year_out_of_range_is_reported_on_the_field(org, login):
    response = login(org.committee_user).get(LOG, {"since": "0001-01-01"})
    assert "日期不合理" in response.content.decode()


@pytest.mark.django_db
def test_old_events_are_purged_after_the_retention_period(org, settings):
    settings.SIGNIN_LOG_RETENTION_DAYS = 30
    now = timezone.now()
    for days in (1, 29, 31, 400):
        services.signin_record(kind=Kind.SUCCESS, request=None, user=org.secretary, at=now - timedelta(days=days))
    assert tasks.purge_signin_log.delay().get() == 2
    assert SignInEvent.objects.count() == 2
    assert tasks.purge_signin_log.delay().get() == 0  # safe to run twice


def test_the_purge_runs_nightly_and_its_time_is_configurable():
    schedule = beat_schedule({})
    assert schedule["登录日志清理"]["task"] == "security.tasks.purge_signin_log"
    assert schedule["登录日志清理"]["enabled"]
    assert not beat_schedule({"SIGNIN_LOG_PURGE_CRON": "off"})["登录日志清理"]["enabled"]
