"""The sign-in log's retention job: thin and safe to run twice (core.tasks gives it the retry policy)."""

import logging

from django.conf import settings

from core.tasks import job_task

from . import services

logger = logging.getLogger(__name__)


@job_task()
def purge_signin_log(self):
    deleted = services.signin_log_purge(days=settings.SIGNIN_LOG_RETENTION_DAYS)
    logger.info("sign-in log: %s events older than %s days deleted", deleted, settings.SIGNIN_LOG_RETENTION_DAYS)
    return deleted
