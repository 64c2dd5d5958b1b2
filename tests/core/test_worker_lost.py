"""A worker killed in the middle of a job: the job is run again, or marked failed within the heartbeat window.

A real worker process (tests/core/slow_worker.py: the app's worker, with a first attempt at the
year-end workbook that takes ten minutes) consumes from the test's Redis and writes to the test's
database; the test kills it with SIGKILL, as the kernel's out-of-memory killer or a crashed machine would.

- The pool's child killed (prefork, as in production): the parent gives the unacknowledged message
  back (task_reject_on_worker_lost), a new child runs the job again and it is done.
- The whole worker killed: nothing gives the message back before the broker's visibility timeout (an
  hour). The job's heartbeat stops; the sweep (core.tasks.fail_stale_jobs, every minute by beat)
  marks it failed with a Chinese message once it is JOB_STALE_SECONDS old — and not while it beats.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from assessment.models import ExportJob
from assessment.yearbook import jobs
from config.celery import app as celery_app
from core.tasks import STALE_MESSAGE, stale_jobs_fail

HEARTBEAT_SECONDS = 1
STALE_SECONDS = 4

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def forget_unacknowledged_messages():
    """What a killed worker leaves in Redis for the visibility timeout, so no later worker redelivers it."""
    with celery_app.connection_for_write() as conn:
        channel = conn.default_channel
        channel.client.delete(channel.unacked_key, channel.unacked_index_key)
    celery_app.control.purge()


@pytest.fixture
def start_worker(settings, tmp_path):
    """Start the slow worker with the given pool options; every one started is killed after the test."""
    settings.JOB_STALE_SECONDS = STALE_SECONDS
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    forget_unacknowledged_messages()
    started: list[subprocess.Popen] = []
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": database_url(),
        "REDIS_URL": celery_app.conf.broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "JOB_HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS),
        "JOB_STALE_SECONDS": str(STALE_SECONDS),
        "TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }

    def start(*pool: str) -> subprocess.Popen:
        log = (tmp_path / f"worker-{len(started)}.log").open("w")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.core.slow_worker",
                "--loglevel=INFO",
                f"--hostname=faults{len(started)}@%h",
                *pool,
            ],
            cwd=Path(django_settings.BASE_DIR),
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        return process

    try:
        yield start
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=30)
        forget_unacknowledged_messages()
        celery_app.conf.task_always_eager = eager


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"not within {seconds} s: {what}")


def running_export(org) -> ExportJob:
    job = jobs.export_request(user=org.committee_user, year=2025)
    # A cold worker takes a few seconds to start on a busy machine.
    wait_for(lambda: ExportJob.objects.filter(pk=job.pk, status="running").exists(), 90, "the export running")
    job.refresh_from_db()
    return job


def children_of(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def test_a_killed_pool_child_gives_the_job_back_and_it_is_run_again(org, start_worker):
    worker = start_worker("-P", "prefork", "-c", "1")
    job = running_export(org)
    assert job.attempts == 1
    (child,) = children_of(worker.pid)
    os.kill(child, signal.SIGKILL)
    wait_for(lambda: ExportJob.objects.get(pk=job.pk).status != "running", 60, "the job run again")
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 2), job.message
    assert worker.poll() is None  # the worker itself lives on


def test_a_killed_worker_s_job_is_marked_failed_within_the_heartbeat_window(org, start_worker):
    worker = start_worker("-P", "solo")
    job = running_export(org)
    # The heartbeat is renewed while the job runs, and the sweep leaves a job that beats alone.
    first = job.heartbeat_at
    wait_for(lambda: ExportJob.objects.get(pk=job.pk).heartbeat_at > first, 10 * HEARTBEAT_SECONDS, "a new beat")
    time.sleep(STALE_SECONDS + 1)
    assert stale_jobs_fail() == 0
    assert ExportJob.objects.get(pk=job.pk).status == "running"

    worker.kill()
    worker.wait(timeout=30)
    killed = time.monotonic()
    # What beat does every minute, here every half second.
    wait_for(lambda: stale_jobs_fail() or ExportJob.objects.get(pk=job.pk).status != "running", 30, "the sweep")
    waited = time.monotonic() - killed
    job.refresh_from_db()
    assert (job.status, job.message) == ("failed", STALE_MESSAGE)
    assert job.finished_at is not None
    assert waited <= STALE_SECONDS + HEARTBEAT_SECONDS + 1
    # A redelivery after the visibility timeout finds the job failed and leaves it alone.
    assert jobs.services.export_build(job_id=job.pk) is None
