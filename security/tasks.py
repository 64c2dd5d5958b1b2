"""The sign-in log's retention job: thin, safe to run twice, retries a database hiccup a few times."""

import logging

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from . import services

logger = logging.getLogger(__name__)

MAX_RETRIES = 3


@shared_task(bind=True, max_retries=MAX_RETRIES)
def purge_signin_log(self):
    try:
        deleted = services.signin_log_purge(days=settings.SIGNIN_LOG_RETENTION_DAYS)
    except (OperationalError, InterfaceError) as exc:
        raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from exc
    logger.info("sign-in log: %s events older than %s days deleted", deleted, settings.SIGNIN_LOG_RETENTION_DAYS)
    return deleted
