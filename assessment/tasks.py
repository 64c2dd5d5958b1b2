"""Celery tasks of the assessment: thin wrappers that take a year (and quarter) and call one service.

Retries, refusals and failures follow core.tasks: a refusal (an approved year, a quarter not
started) or a failure is recorded on the QuarterCheck or YearRating the page shows.
"""

import logging

from django.utils import timezone

from core.periods import previous_quarter
from core.tasks import job_task
from imports import jobs as import_jobs
from imports import tasks as imports_tasks

from . import score_io
from .services import checks, ratings

logger = logging.getLogger(__name__)


def _quarter_failed(year: int, quarter: int, *, message: str) -> None:
    checks.quarter_check_failed(year=year, quarter=quarter, message=message)


def _quarter_beat(year: int, quarter: int) -> None:
    checks.quarter_check_beat(year=year, quarter=quarter)


def _year_failed(year: int, *, message: str) -> None:
    ratings.year_rating_failed(year=year, message=message)


def _year_beat(year: int) -> None:
    ratings.year_rating_beat(year=year)


@job_task(record_failure=_quarter_failed, heartbeat=_quarter_beat, fail_stale=checks.quarter_checks_stale_fail)
def compute_quarter(self, year: int, quarter: int) -> str:
    return checks.quarter_compute(year=year, quarter=quarter).message


@job_task(record_failure=_year_failed, heartbeat=_year_beat, fail_stale=ratings.year_ratings_stale_fail)
def rate_year(self, year: int) -> str:
    return ratings.year_propose(year=year).job_message


@job_task()
def compute_previous_quarter(self) -> str:
    """The scheduled quarterly check: the quarter that ended before today."""
    year, quarter = previous_quarter(timezone.localdate())
    logger.info("scheduled quarterly check for %s Q%s", year, quarter)
    return compute_quarter.delay(year, quarter).id


@job_task()
def rate_previous_year(self) -> str:
    """The scheduled rating proposal, in January, for the year before."""
    year = timezone.localdate().year - 1
    logger.info("scheduled rating proposal for %s", year)
    return rate_year.delay(year).id


@job_task(**imports_tasks.POLICY)
def run_scores_import(self, job_id: int) -> str | None:
    job = import_jobs.job_run(job_id=job_id, runner=score_io.scores_job)
    return job.message if job else None
