"""Redis (the broker) down when a job is asked for: a quick answer, a Chinese message, the previous state kept.

The app is pointed at a Redis port with nothing listening (the broker, the result store and the
cache), with tasks sent as in production (not in-process). Each request starting a job must answer
within seconds, without a 500; the job says it was not started; pages and meeting logging go on.
"""

import time
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Meeting
from assessment.models import ExportJob, QuarterCheck, YearRating
from assessment.services import checks
from config.celery import app as celery_app
from core.tasks import NOT_QUEUED_MESSAGE
from dues.models import DuesJob
from tests.factories import log_meeting, make_member

NOTHING_LISTENS = "redis://127.0.0.1:1/0"
# What a request may take with the broker down. Celery's defaults held it about 20 s; with
# BROKER_TIMEOUT it gives up in about 2 s. The bound sits between the two, well clear of the fixed
# setting so that a loaded machine (it took 5.3 s at a load average of 5 on 2 CPUs) does not fail it,
# and well below the defaults so that losing the setting does.
FAST = 12.0


@pytest.fixture
def redis_down(settings):
    """Celery and the cache pointed at a port that refuses connections; everything put back after."""
    conf = celery_app.conf
    saved = {key: conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}

    def forget_connections():
        # What Celery itself drops after a fork: the connection and producer pools, the result store.
        celery_app._pool = None
        celery_app.amqp._producer_pool = None
        celery_app._backend_cache = None
        celery_app._local.__dict__.pop("backend", None)

    conf.update(broker_url=NOTHING_LISTENS, result_backend=NOTHING_LISTENS, task_always_eager=False)
    forget_connections()
    cache = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": NOTHING_LISTENS}
    settings.CACHES = {"default": cache}
    try:
        yield
    finally:
        conf.update(saved)
        forget_connections()


def timed(call):
    start = time.monotonic()
    response = call()
    return response, time.monotonic() - start


def flashed(client, response) -> str:
    assert response.status_code == 302, response.status_code
    page = client.get(response.url)
    assert page.status_code == 200
    return page.content.decode()


pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_down")]


def test_an_export_asked_for_fails_fast_and_says_so_in_chinese(org, login):
    client = login(org.committee_user)
    response, seconds = timed(lambda: client.post(reverse("yearbook:start"), {"year": 2025, "unit": ""}))
    assert seconds < FAST
    assert response.url == reverse("yearbook:index")
    job = ExportJob.objects.get()
    assert (job.status, job.message) == ("failed", NOT_QUEUED_MESSAGE)
    assert job.finished_at is not None
    assert NOT_QUEUED_MESSAGE in flashed(client, response)
    assert NOT_QUEUED_MESSAGE in client.get(reverse("yearbook:job", args=[job.pk])).content.decode()


def test_a_done_quarter_check_stays_done(org, login):
    done = checks.quarter_compute(year=2025, quarter=1, today=date(2025, 4, 5))
    client = login(org.committee_user)
    response, seconds = timed(lambda: client.post(reverse("assessment:quarter_run", args=[2025, 1])))
    assert seconds < FAST
    check = QuarterCheck.objects.get(year=2025, quarter=1)
    assert (check.status, check.message, check.requested_at, check.finished_at) == (
        "done",
        done.message,
        done.requested_at,
        done.finished_at,
    )
    page = flashed(client, response)
    assert NOT_QUEUED_MESSAGE in page and "已提交" not in page


def test_a_first_quarter_check_is_recorded_as_not_started(org, login):
    client = login(org.committee_user)
    response = client.post(reverse("assessment:quarter_run", args=[2025, 2]))
    check = QuarterCheck.objects.get(year=2025, quarter=2)
    assert (check.status, check.message) == ("failed", NOT_QUEUED_MESSAGE)
    assert NOT_QUEUED_MESSAGE in flashed(client, response)


def test_a_year_rating_keeps_its_previous_job_state_or_fails(org, login):
    client = login(org.committee_user)
    response, seconds = timed(lambda: client.post(reverse("assessment:rating_run", args=[2025])))
    assert seconds < FAST
    rating = YearRating.objects.get(year=2025)
    assert (rating.job_status, rating.job_message) == ("failed", NOT_QUEUED_MESSAGE)
    assert NOT_QUEUED_MESSAGE in flashed(client, response)
    YearRating.objects.filter(year=2025).update(job_status="done", job_message="已为 2 个支部生成评定结果")
    client.post(reverse("assessment:rating_run", args=[2025]))
    rating.refresh_from_db()
    assert (rating.job_status, rating.job_message) == ("done", "已为 2 个支部生成评定结果")


def test_the_message_is_english_once_chosen_and_stored_in_chinese(org, login, settings):
    client = login(org.committee_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("yearbook:start"), {"year": 2025, "unit": ""})
    assert "The background job service is unavailable and the job did not start" in flashed(client, response)
    assert ExportJob.objects.get().message == NOT_QUEUED_MESSAGE  # what everyone reads, whatever their language


def test_a_dues_export_fails_fast_and_says_so(org, login):
    client = login(org.committee_user)
    response, seconds = timed(lambda: client.post(reverse("dues:export"), {"year": 2025, "unit": ""}))
    assert seconds < FAST
    job = DuesJob.objects.get()
    assert (job.status, job.message) == ("failed", NOT_QUEUED_MESSAGE)
    assert NOT_QUEUED_MESSAGE in flashed(client, response)


def test_pages_and_meeting_logging_keep_working(org, login):
    make_member(org.branch, name="王书记", committee_post="书记")
    client = login(org.secretary)
    for url in (reverse("home"), reverse("yearbook:index"), reverse("activities:create")):
        assert client.get(url).status_code == 200, url
    day = timezone.localdate() - timedelta(days=1)
    data = {
        "kind": "committee_meeting",
        "unit": org.branch.pk,
        "held_at": f"{day:%Y-%m-%d}T09:00",
        "topic": "研究本月党建工作",
        "place": "党员活动室",
        "host": "王书记",
        "recorder": "王书记",
        "minutes": "会议研究了本月党建工作。",
        "submit": "1",
    }
    response, seconds = timed(lambda: client.post(reverse("activities:create"), data))
    assert seconds < FAST
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and meeting.status == "submitted"
    # Returning a record tells its secretary through a task (an event): the broker is down, the
    # return still happens (the daily notices job catches up on what was not told).
    returned = log_meeting(org.branch, day=day - timedelta(days=1), by=org.secretary)
    response = login(org.general_secretary).post(
        reverse("activities:return", args=[returned.pk]), {"comment": "请补充会议决议"}
    )
    returned.refresh_from_db()
    assert response.status_code == 302 and returned.status == "returned"
