"""The heartbeat of running jobs and the sweep that fails the silent ones (core.tasks), job kind by job kind.

The real worker killed mid-job is tests/core/test_worker_lost.py; here the rows are written as a
worker would leave them, to check every kind of job and what the sweep must leave alone.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from activities.archive import tasks as archive_tasks
from assessment import tasks as assessment_tasks
from assessment.models import ExportJob, QuarterCheck, YearRating
from assessment.schedules import beat_schedule
from assessment.yearbook import tasks as yearbook_tasks
from config.celery import app as celery_app
from core.tasks import STALE_MESSAGE, JobTask, fail_stale_jobs, stale_jobs_fail
from dues import tasks as dues_tasks
from dues.models import DuesJob
from tests.config.test_settings import load_settings

JOB_TASKS = [
    assessment_tasks.compute_quarter,
    assessment_tasks.rate_year,
    yearbook_tasks.build_export,
    dues_tasks.run_job,
    archive_tasks.build_archive,
]


def test_every_task_with_a_job_page_beats_and_is_swept():
    """A task that records its failure on a job row (a page follows it) also beats and is swept."""
    celery_app.loader.import_default_modules()  # what a worker registers: autodiscovery included
    with_jobs = [
        task
        for task in celery_app.tasks.values()
        if isinstance(task, JobTask) and task.record_failure is not None and not task.name.startswith("tests.")
    ]
    assert set(JOB_TASKS) <= set(with_jobs)
    for task in with_jobs:
        assert task.heartbeat is not None and task.fail_stale is not None, task.name


def test_the_sweep_runs_every_minute_and_can_be_switched_off():
    entry = beat_schedule({})["中断任务检查"]
    assert entry["task"] == "core.tasks.fail_stale_jobs" and entry["enabled"]
    assert entry["schedule"].minute == set(range(60)) and entry["schedule"].hour == set(range(24))
    assert entry["options"] == {"expire_seconds": 120}  # a missed sweep does not pile up
    assert beat_schedule({"STALE_JOBS_CRON": "off"})["中断任务检查"]["enabled"] is False


@pytest.mark.django_db
def test_the_sweep_fails_running_jobs_silent_past_the_window_and_nothing_else(org, settings):
    settings.JOB_STALE_SECONDS = 180
    now = timezone.now()
    silent, beating = now - timedelta(seconds=181), now - timedelta(seconds=30)
    user = org.committee_user
    exports = {
        name: ExportJob.objects.create(year=2025, requested_by=user, status=status, heartbeat_at=beat)
        for name, status, beat in [
            ("silent", "running", silent),
            ("beating", "running", beating),
            ("queued", "queued", None),
            ("done", "done", silent),
        ]
    }
    dues = {
        name: DuesJob.objects.create(kind="export", year=2025, requested_by=user, status="running", heartbeat_at=beat)
        for name, beat in [("silent", silent), ("beating", beating)]
    }
    checks = {
        1: QuarterCheck.objects.create(year=2025, quarter=1, status="running", heartbeat_at=silent),
        2: QuarterCheck.objects.create(year=2025, quarter=2, status="running", heartbeat_at=beating),
        3: QuarterCheck.objects.create(
            year=2025, quarter=3, status="done", heartbeat_at=silent, message="共 16 条得分"
        ),
    }
    rating = YearRating.objects.create(year=2024, job_status="running", heartbeat_at=silent)
    YearRating.objects.create(year=2025, job_status="running", heartbeat_at=beating)

    assert fail_stale_jobs.delay().get() == 4  # the silent export, dues job, quarter check, rating

    def state(model, pk, *fields):
        return tuple(model.objects.filter(pk=pk).values_list(*fields).get())

    assert state(ExportJob, exports["silent"].pk, "status", "message") == ("failed", STALE_MESSAGE)
    assert ExportJob.objects.get(pk=exports["silent"].pk).finished_at is not None
    assert state(DuesJob, dues["silent"].pk, "status", "message") == ("failed", STALE_MESSAGE)
    assert state(QuarterCheck, checks[1].pk, "status", "message") == ("failed", STALE_MESSAGE)
    assert state(YearRating, rating.pk, "job_status", "job_message") == ("failed", STALE_MESSAGE)
    # A job still beating, one not started yet and one finished are left alone.
    assert state(ExportJob, exports["beating"].pk, "status") == ("running",)
    assert state(ExportJob, exports["queued"].pk, "status") == ("queued",)
    assert state(ExportJob, exports["done"].pk, "status") == ("done",)
    assert state(DuesJob, dues["beating"].pk, "status") == ("running",)
    assert state(QuarterCheck, checks[2].pk, "status") == ("running",)
    assert state(QuarterCheck, checks[3].pk, "status", "message") == ("done", "共 16 条得分")
    assert YearRating.objects.get(year=2025).job_status == "running"
    assert stale_jobs_fail() == 0  # safe to run twice


@pytest.mark.django_db
def test_a_job_claimed_by_its_task_starts_with_a_fresh_heartbeat(org, django_capture_on_commit_callbacks):
    """In-process (no worker) no thread beats: the claim itself stamps the row."""
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        yearbook_tasks.build_export.delay(ExportJob.objects.create(year=2025, requested_by=org.committee_user).pk).get()
    assert ExportJob.objects.get().heartbeat_at >= before
    assessment_tasks.compute_quarter.delay(2025, 1).get()
    assert QuarterCheck.objects.get(year=2025, quarter=1).heartbeat_at >= before


@pytest.mark.django_db
def test_the_rating_s_beat_keeps_the_quarters_it_computes_alive(org):
    """rate_year computes missing quarters on the way; their rows beat with the rating's."""
    old = timezone.now() - timedelta(hours=1)
    QuarterCheck.objects.create(year=2025, quarter=3, status="running", heartbeat_at=old)
    QuarterCheck.objects.create(year=2024, quarter=3, status="running", heartbeat_at=old)
    YearRating.objects.create(year=2025, job_status="running", heartbeat_at=old)
    assessment_tasks.rate_year.heartbeat(2025)
    assert YearRating.objects.get(year=2025).heartbeat_at > old
    assert QuarterCheck.objects.get(year=2025, quarter=3).heartbeat_at > old
    assert QuarterCheck.objects.get(year=2024, quarter=3).heartbeat_at == old


def test_the_window_is_a_setting_that_must_outlast_two_beats(monkeypatch):
    loaded = load_settings(monkeypatch, JOB_HEARTBEAT_SECONDS="5", JOB_STALE_SECONDS="20")
    assert (loaded["JOB_HEARTBEAT_SECONDS"], loaded["JOB_STALE_SECONDS"]) == (5, 20)
    assert loaded["CELERY_TASK_ACKS_LATE"] and loaded["CELERY_TASK_REJECT_ON_WORKER_LOST"]
    with pytest.raises(ImproperlyConfigured, match="JOB_STALE_SECONDS"):
        load_settings(monkeypatch, JOB_HEARTBEAT_SECONDS="30", JOB_STALE_SECONDS="45")
