"""The one retry policy and failure hook of every Celery task (core.tasks), run eagerly by real Celery."""

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError

from assessment import tasks
from assessment.models import QuarterCheck, Score
from assessment.services import checks
from config.celery import app as celery_app
from core.tasks import MAX_RETRIES, RETRY_BACKOFF, TRANSIENT_ERRORS, JobTask, job_task

# What the test tasks below were called with and what they recorded, reset by the fixture.
CALLS: list[int] = []
RECORDED: list[tuple[str, str]] = []
OUTCOMES: list[BaseException | str] = []  # what each attempt does next: raise it, or return it


def _record(key: str, *, message: str) -> None:
    RECORDED.append((key, message))


@job_task(record_failure=_record, gave_up_message="放弃了（{retries} 次）", error_message="出错了")
def scripted(self, key: str):
    """Does what OUTCOMES says, one entry per attempt; the last entry repeats."""
    CALLS.append(self.request.retries)
    outcome = OUTCOMES.pop(0) if len(OUTCOMES) > 1 else OUTCOMES[0]
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


@pytest.fixture(autouse=True)
def _reset():
    CALLS.clear()
    RECORDED.clear()
    OUTCOMES.clear()


@pytest.fixture(autouse=True)
def _retries_run_in_process():
    """Eager retries as a worker would run them. With task_eager_propagates (the project's setting,
    so that a bug in an in-process task shows) Celery raises a retry to the caller instead."""
    propagates = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = propagates


def test_a_transient_error_is_retried_by_autoretry_until_the_task_succeeds():
    OUTCOMES.extend([OperationalError("connection lost"), OperationalError("connection lost"), "done"])
    assert scripted.delay("k").get() == "done"
    assert CALLS == [0, 1, 2]  # the first attempt and two retries, each knowing its retry count
    assert RECORDED == []


def test_each_retry_waits_an_exponential_jittered_delay(monkeypatch):
    waits = []
    original = JobTask.retry

    def retry(self, *args, **kwargs):
        waits.append(kwargs["countdown"])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(JobTask, "retry", retry)
    OUTCOMES.append(OperationalError("connection lost"))
    scripted.delay("k").get()
    # One wait before each retry and one more asked for after the last, refused: bounded by 30 × 2ⁿ.
    assert len(waits) == MAX_RETRIES + 1
    assert all(0 <= wait <= RETRY_BACKOFF * 2**n for n, wait in enumerate(waits))


def test_after_the_last_retry_the_job_is_marked_failed_and_nothing_is_raised():
    OUTCOMES.append(OperationalError("connection lost"))
    assert scripted.delay("k").get() is None
    assert CALLS == [0, 1, 2, 3]
    assert RECORDED == [("k", "放弃了（3 次）")]


def test_a_refusal_is_recorded_at_once_and_not_retried():
    OUTCOMES.append(ValidationError(["年度已审批", "不能修改"]))
    assert scripted.delay("k").get() is None
    assert CALLS == [0]
    assert RECORDED == [("k", "年度已审批；不能修改")]


def test_any_other_error_is_recorded_with_the_task_s_message_and_not_retried():
    OUTCOMES.append(PermissionError("disk says no"))
    assert scripted.delay("k").get() is None
    assert CALLS == [0]
    assert RECORDED == [("k", "出错了")]


def test_every_task_of_the_apps_has_the_shared_policy():
    celery_app.loader.import_default_modules()  # what a worker registers: autodiscovery included
    ours = {name: task for name, task in celery_app.tasks.items() if not name.startswith("celery.")}
    assert {"assessment.tasks.compute_quarter", "assessment.yearbook.tasks.build_export"} <= set(ours)
    for name, task in ours.items():
        assert isinstance(task, JobTask), name
        assert (task.autoretry_for, task.max_retries, task.retry_jitter) == (TRANSIENT_ERRORS, MAX_RETRIES, True), name
        assert task.retry_backoff == RETRY_BACKOFF, name


@pytest.mark.django_db
def test_the_quarter_check_survives_a_database_hiccup(org, monkeypatch):
    real = checks.quarter_compute
    attempts = []

    def hiccup_once(**kwargs):
        attempts.append(kwargs)
        if len(attempts) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(checks, "quarter_compute", hiccup_once)
    assert "共 16 条得分" in tasks.compute_quarter.delay(2025, 1).get()
    assert len(attempts) == 2
    assert QuarterCheck.objects.get(year=2025, quarter=1).status == "done"
    assert Score.objects.filter(quarter=1).count() == 16


@pytest.mark.django_db
def test_a_quarter_check_that_keeps_failing_says_so_in_chinese(org, monkeypatch):
    def down(**kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(checks, "quarter_compute", down)
    assert tasks.compute_quarter.delay(2025, 1).get() is None
    check = QuarterCheck.objects.get(year=2025, quarter=1)
    assert (check.status, check.message) == ("failed", "数据库错误，已重试 3 次")


@pytest.mark.django_db
def test_a_quarter_check_that_crashes_is_failed_not_left_running(org, monkeypatch):
    def crash(*, year, quarter, **kwargs):
        QuarterCheck.objects.update_or_create(year=year, quarter=quarter, defaults={"status": "running"})
        raise ZeroDivisionError

    monkeypatch.setattr(checks, "quarter_compute", crash)
    assert tasks.compute_quarter.delay(2025, 1).get() is None
    check = QuarterCheck.objects.get(year=2025, quarter=1)
    assert check.status == "failed" and "请联系系统管理员" in check.message
