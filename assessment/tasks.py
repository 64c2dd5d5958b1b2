"""Celery tasks: thin wrappers that take a year (and quarter) and call one service.

A refusal (ValidationError: an approved year, a quarter not started) is final and recorded on the
job; a database hiccup is retried a bounded number of times, then recorded as a failure. What a job
records is stored text that everyone reads, so it is written in the default language (Chinese), also
when the task runs in-process inside a request made in English.
"""

import logging

from celery import shared_task
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError
from django.utils import timezone, translation

from core.periods import previous_quarter

from .services import checks, ratings

logger = logging.getLogger(__name__)

MAX_RETRIES = 3
TRANSIENT = (OperationalError, InterfaceError)


def _refusal(exc: ValidationError) -> str:
    return "；".join(exc.messages)


@shared_task(bind=True, max_retries=MAX_RETRIES)
def compute_quarter(self, year: int, quarter: int):
    logger.info("compute_quarter %s Q%s: start (attempt %s)", year, quarter, self.request.retries + 1)
    with translation.override(settings.LANGUAGE_CODE):
        try:
            check = checks.quarter_compute(year=year, quarter=quarter)
        except ValidationError as exc:
            logger.warning("compute_quarter %s Q%s refused: %s", year, quarter, _refusal(exc))
            checks.quarter_check_failed(year=year, quarter=quarter, message=_refusal(exc))
            return None
        except TRANSIENT as exc:
            if self.request.retries >= self.max_retries:
                checks.quarter_check_failed(year=year, quarter=quarter, message=f"数据库错误，已重试 {MAX_RETRIES} 次")
                raise
            logger.warning("compute_quarter %s Q%s: %s, retrying", year, quarter, exc)
            raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc
        return check.message


@shared_task(bind=True, max_retries=MAX_RETRIES)
def rate_year(self, year: int):
    logger.info("rate_year %s: start (attempt %s)", year, self.request.retries + 1)
    with translation.override(settings.LANGUAGE_CODE):
        try:
            year_rating = ratings.year_propose(year=year)
        except ValidationError as exc:
            logger.warning("rate_year %s refused: %s", year, _refusal(exc))
            ratings.year_rating_failed(year=year, message=_refusal(exc))
            return None
        except TRANSIENT as exc:
            if self.request.retries >= self.max_retries:
                ratings.year_rating_failed(year=year, message=f"数据库错误，已重试 {MAX_RETRIES} 次")
                raise
            logger.warning("rate_year %s: %s, retrying", year, exc)
            raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc
        return year_rating.job_message


@shared_task
def compute_previous_quarter():
    """The scheduled quarterly check: the quarter that ended before today."""
    year, quarter = previous_quarter(timezone.localdate())
    logger.info("scheduled quarterly check for %s Q%s", year, quarter)
    return compute_quarter.delay(year, quarter).id


@shared_task
def rate_previous_year():
    """The scheduled rating proposal, in January, for the year before."""
    year = timezone.localdate().year - 1
    logger.info("scheduled rating proposal for %s", year)
    return rate_year.delay(year).id
