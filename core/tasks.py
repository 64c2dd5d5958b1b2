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
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import kombu.exceptions
from celery import Task, shared_task
from celery.exceptions import Ignore, Reject, Retry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, transaction
from django.utils import translation

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

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with translation.override(settings.LANGUAGE_CODE):
            logger.info("%s%r: start (attempt %s)", self.name, args, self.request.retries + 1)
            try:
                # self.run, not super().__call__: that would push a fresh request over the worker's
                # and lose the retry count (Celery's docs call run from a custom __call__ too).
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


def job_task(
    *,
    record_failure: Callable[..., None] | None = None,
    gave_up_message: str = GAVE_UP_MESSAGE,
    error_message: str = ERROR_MESSAGE,
    **options: Any,
) -> Callable[[Callable[..., Any]], JobTask]:
    """Declare a task with the shared policy; the task gets itself as its first argument (bind).

    `record_failure(*task args, message=…)` records a refusal or a failure on the task's job.
    `gave_up_message` (with `{retries}`) and `error_message` are what it records for a transient
    error that outlived the retries and for any other error.
    """
    return shared_task(
        base=JobTask,
        bind=True,
        # A plain function as a class attribute would be bound to the task as a method.
        record_failure=staticmethod(record_failure) if record_failure is not None else None,
        gave_up_message=gave_up_message,
        error_message=error_message,
        **options,
    )


def enqueue_on_commit(task: Task, *args: Any) -> None:
    """Send `task(*args)` once the current transaction commits, so the worker finds what it reads."""
    transaction.on_commit(lambda: task.delay(*args))
