"""The one shape of a Celery task: thin, retried when the error is transient, its failure recorded on its job.

Every task of the apps is declared with `job_task`:

    @job_task(record_failure=lambda year, quarter, *, message: checks.quarter_check_failed(...))
    def compute_quarter(self, year: int, quarter: int) -> str: ...

and gets the same policy from JobTask:
- a transient error (TRANSIENT_ERRORS: the database or the broker dropped the connection) is
  retried by Celery's autoretry, at most MAX_RETRIES times, after an exponential delay with jitter
  (so the retries of many jobs do not hit a recovering database at the same moment);
- a ValidationError is a refusal (an approved year, a quarter not started yet): final, recorded on
  the job at once, never retried;
- anything else, and a transient error still there after the last retry, is recorded on the job as
  failed, in Chinese, and logged with its traceback.

A task's failure is its job's business: it is recorded through the task's `record_failure` and the
task returns None instead of raising. With no worker (the embedded default, and the tests) a task
runs inside the request that enqueued it, and a failed job belongs on the job's page, not in a 500.
What a job records is stored text everyone reads, so tasks run in the default language (Chinese),
also when one runs in-process inside a request made in English.

Faults (issue 12):
- The broker down when a job is asked for: `enqueue_on_commit` sends the task after the commit; if
  Redis does not take it (the broker settings make that fail within seconds), the job is recorded
  as not started, in a transaction of its own (the request's is committed already), through the
  caller's `not_sent` or else the task's `record_failure`, and `JobNotQueued` (a ValidationError)
  tells the user, through the view's usual handling of a service's refusal.
- A worker killed mid-task: late acknowledgement and reject-on-worker-lost (settings) give the
  message back to the queue, and a task declared with `heartbeat=` renews its job row's
  `heartbeat_at` from a thread every JOB_HEARTBEAT_SECONDS while it runs. `fail_stale_jobs`, run
  every minute by beat (STALE_JOBS_CRON), marks failed every running job whose heartbeat is older
  than JOB_STALE_SECONDS, through each task's `fail_stale`, so its page stops waiting and says so.

The job rows a page follows (core.jobs.JobState: ExportJob, ArchiveJob, DuesJob, ImportJob) start
and fail the same ways: each task claims its job with `job_claim`, each app's `fail_stale` is
`jobs_stale_fail` and its expiry `jobs_expire`, over its own model and with its own words, and old
jobs go with their files through `jobs_prune`. They
live here, not in core.jobs, which stays free of the database (the import graph).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import kombu.exceptions
from celery import Task, current_app, shared_task
from celery.exceptions import Ignore, Reject, Retry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, connections, transaction
from django.db.models import F, Model, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

logger = logging.getLogger(__name__)

# Errors that say "try again later", not "this job is wrong": a dropped or refused connection to
# the database, or to the broker (for a task that enqueues another).
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError, kombu.exceptions.OperationalError)
MAX_RETRIES = 3
# Seconds: the n-th retry waits a random time up to RETRY_BACKOFF × 2ⁿ⁻¹, never more than RETRY_BACKOFF_MAX.
RETRY_BACKOFF = 30
RETRY_BACKOFF_MAX = 600

GAVE_UP_MESSAGE = "数据库错误，已重试 {retries} 次"
ERROR_MESSAGE = "任务出错，请稍后重试；如仍失败，请联系系统管理员"
# Recorded on a job its task could not be sent for (the broker, Redis, is down), and told the user.
NOT_QUEUED_MESSAGE = gettext_noop("后台任务服务暂时不可用，任务未能开始，请稍后重试；如仍失败，请联系系统管理员")
# Recorded on a running job whose worker stopped giving signs of life (killed, or its machine down).
STALE_MESSAGE = "后台任务已中断（处理进程停止响应），请重新提交"


class JobNotQueued(ValidationError):
    """The job was recorded but its task could not be handed to the broker: it will not run."""


def refusal_message(exc: ValidationError) -> str:
    return "；".join(exc.messages)


class JobTask(Task):
    """The shared retry policy and failure hook of every task (see the module's docstring)."""

    autoretry_for = TRANSIENT_ERRORS
    max_retries = MAX_RETRIES
    retry_backoff = RETRY_BACKOFF
    retry_backoff_max = RETRY_BACKOFF_MAX
    retry_jitter = True

    # Per task, through job_task: `record_failure(*task args, message=…)` writes the failure on the
    # task's job (None: the task has no job of its own and only logs). The messages are stored text.
    record_failure: Callable[..., None] | None = None
    gave_up_message = GAVE_UP_MESSAGE
    error_message = ERROR_MESSAGE
    # `heartbeat(*task args)` renews the job row's heartbeat_at; `fail_stale(before=…, message=…)`
    # marks failed the task's running jobs whose heartbeat is older than `before` and returns how many.
    heartbeat: Callable[..., None] | None = None
    fail_stale: Callable[..., int] | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with translation.override(settings.LANGUAGE_CODE):
            logger.info("%s%r: start (attempt %s)", self.name, args, self.request.retries + 1)
            try:
                with self.beating(args, kwargs):
                    # self.run, not super().__call__: that would push a fresh request over the
                    # worker's and lose the retry count (Celery's docs call run from a custom __call__ too).
                    return self.run(*args, **kwargs)
            except (Retry, Ignore, Reject):
                raise  # Celery's own signals: a retry is scheduled, or the message is dealt with
            except ValidationError as exc:
                logger.warning("%s%r refused: %s", self.name, args, refusal_message(exc))
                self.job_failed(args, kwargs, refusal_message(exc))
            except TRANSIENT_ERRORS:
                logger.exception("%s%r: still failing after %s retries, giving up", self.name, args, self.max_retries)
                self.job_failed(args, kwargs, self.gave_up_message.format(retries=self.max_retries))
            except Exception:
                logger.exception("%s%r failed", self.name, args)
                self.job_failed(args, kwargs, self.error_message)
            return None

    def job_failed(self, args: tuple, kwargs: dict, message: str) -> None:
        """The failure hook: record `message` on the task's job through its record_failure."""
        if self.record_failure is not None:
            self.record_failure(*args, **kwargs, message=message)

    @contextmanager
    def beating(self, args: tuple, kwargs: dict) -> Iterator[None]:
        """While the body runs on a worker, renew the job's heartbeat from a thread of its own.

        Not in-process (eager, or called as a function): the job then lives and dies with the
        request that runs it, and a second connection would wait on the rows its transaction holds.
        """
        heartbeat = self.heartbeat
        if heartbeat is None or self.request.called_directly or self.request.is_eager:
            yield
            return
        beat = Heartbeat(lambda: heartbeat(*args, **kwargs), settings.JOB_HEARTBEAT_SECONDS, self.name)
        beat.start()
        try:
            yield
        finally:
            beat.stop()


class Heartbeat(threading.Thread):
    """Calls `beat` at once and then every `interval` seconds until stopped, on its own connection."""

    def __init__(self, beat: Callable[[], None], interval: float, name: str):
        super().__init__(name=f"heartbeat {name}", daemon=True)
        self.beat = beat
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while True:
                try:
                    self.beat()
                except Exception:  # a database hiccup: the next beat tries again
                    logger.warning("%s failed", self.name, exc_info=True)
                if self.stopped.wait(self.interval):
                    return
        finally:
            connections.close_all()  # this thread's connections only

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=self.interval + 5)


def job_task(
    *,
    record_failure: Callable[..., None] | None = None,
    gave_up_message: str = GAVE_UP_MESSAGE,
    error_message: str = ERROR_MESSAGE,
    heartbeat: Callable[..., None] | None = None,
    fail_stale: Callable[..., int] | None = None,
    **options: Any,
) -> Callable[[Callable[..., Any]], JobTask]:
    """Declare a task with the shared policy; the task gets itself as its first argument (bind).

    `record_failure(*task args, message=…)` records a refusal or a failure on the task's job.
    `gave_up_message` (with `{retries}`) and `error_message` are what it records for a transient
    error that outlived the retries and for any other error. A task with a job row a page follows
    also gives `heartbeat(*task args)` and `fail_stale(*, before, message) -> int` (see the module).
    """
    hooks = {"record_failure": record_failure, "heartbeat": heartbeat, "fail_stale": fail_stale}
    return shared_task(
        base=JobTask,
        bind=True,
        # A plain function as a class attribute would be bound to the task as a method.
        **{name: staticmethod(hook) if hook is not None else None for name, hook in hooks.items()},
        gave_up_message=gave_up_message,
        error_message=error_message,
        **options,
    )


def enqueue_on_commit(task: Task, *args: Any, not_sent: Callable[..., None] | None = None) -> None:
    """Send `task(*args)` once the current transaction commits, so the worker finds what it reads.

    If the broker cannot take it, the job will never run: `not_sent(message=…)` (default: the
    task's record_failure) records that, in a transaction of its own since the request's is
    committed, and JobNotQueued is raised from the commit, for the view to show like a refusal.
    Django runs no later on-commit function of the same transaction then: enqueue last.
    """

    def send() -> None:
        try:
            task.delay(*args)
        except Exception as exc:  # the broker or the result store is down (or refused the message)
            logger.exception("%s%r: could not be queued", task.name, args)
            _record_not_queued(task, args, not_sent)
            raise JobNotQueued(_(NOT_QUEUED_MESSAGE)) from exc

    transaction.on_commit(send)


def _record_not_queued(task: Task, args: tuple, not_sent: Callable[..., None] | None) -> None:
    try:
        with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
            message = _(NOT_QUEUED_MESSAGE)
            if not_sent is not None:
                not_sent(message=message)
            elif isinstance(task, JobTask):
                task.job_failed(args, {}, message)
    except Exception:  # the database went too: the job expires as never started (CELERY_TASK_TIME_LIMIT)
        logger.exception("%s%r: could not record that it was not queued", task.name, args)


def stale_jobs_fail(*, now: datetime | None = None) -> int:
    """Mark failed every running job whose heartbeat is older than JOB_STALE_SECONDS; how many."""
    current_app.loader.import_default_modules()  # every app's tasks, as a worker registers them
    before = (now or timezone.now()) - timedelta(seconds=settings.JOB_STALE_SECONDS)
    failed = 0
    for task in list(current_app.tasks.values()):
        if isinstance(task, JobTask) and task.fail_stale is not None:
            count = task.fail_stale(before=before, message=STALE_MESSAGE)
            if count:
                logger.warning("%s: %s running job(s) silent since %s marked failed", task.name, count, before)
            failed += count
    return failed


def job_claim(model: type[Model], job_id: int, **fields: Any) -> bool:
    """Mark the job `job_id` of `model` (a JobState model) running for this attempt, with `fields`
    (the progress of an earlier attempt, reset). False when it is gone, done or failed: the task then
    has nothing to do, so a redelivered or late task never runs a job twice at once or revives one."""
    status = model.Status  # type: ignore[attr-defined]
    now = timezone.now()
    claimed = model._default_manager.filter(pk=job_id, status__in=[status.QUEUED, status.RUNNING]).update(
        status=status.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1, **fields
    )
    return claimed == 1


def jobs_prune(model: type[Model], *, before: datetime, files: tuple[str, ...], delete: Callable[[str], None]) -> int:
    """Delete the jobs of `model` created before `before`, each stored file of theirs (the FileFields
    named in `files`) through `delete(name)` first; how many jobs went."""
    old = list(model._default_manager.filter(created_at__lt=before).values_list("pk", *files))
    for _pk, *names in old:
        for name in names:
            if name:
                delete(name)
    model._default_manager.filter(pk__in=[pk for pk, *_names in old]).delete()
    return len(old)


def jobs_stale_fail(model: type[Model], *, before: datetime, message: str, **fields: Any) -> int:
    """Fail the running jobs of `model` (a JobState model) whose worker has given no sign of life
    since `before`, with `message` and any other `fields` the kind clears; how many."""
    status = model.Status  # type: ignore[attr-defined]
    return model._default_manager.filter(status=status.RUNNING, heartbeat_at__lt=before).update(
        status=status.FAILED, message=message, finished_at=timezone.now(), **fields
    )


def jobs_expire(model: type[Model], *, message: str, now: datetime | None = None) -> int:
    """Fail the jobs of `model` (a JobState model) no worker can still be running, so their page
    stops waiting and says so; how many.

    A task past Celery's hard time limit (CELERY_TASK_TIME_LIMIT) has been killed without a word,
    and a job nobody picked up within that time has no worker behind it (or lost its message).
    Either way the user should just ask again; a late redelivery finds the job failed and leaves it
    alone. `message` is the kind's, with `{minutes}` for the limit; stored once and read by
    everyone, like the task's own messages, so in the default language.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    status = model.Status  # type: ignore[attr-defined]
    expired = model._default_manager.filter(
        Q(status=status.RUNNING, started_at__lt=cutoff) | Q(status=status.QUEUED, created_at__lt=cutoff)
    )
    return expired.update(
        status=status.FAILED,
        finished_at=now,
        message=message.format(minutes=settings.CELERY_TASK_TIME_LIMIT // 60),
    )


@job_task()
def fail_stale_jobs(self) -> int:
    """The sweep beat runs every minute (STALE_JOBS_CRON): running jobs whose worker died fail."""
    return stale_jobs_fail()
