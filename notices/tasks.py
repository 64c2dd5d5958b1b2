"""Celery tasks: thin, take ids, safe to run twice.

- `send_due_notices`: the daily beat job (NOTICES_CRON in assessment/schedules.py).
- `notify_event`: an event told at once, queued by the branches.events handlers below.
- `deliver`: one mail or group message. A failed send is tried again a bounded number of times,
  each in its own task, so one unreachable server never holds up anyone else's mail.

They run under the default language: what they store (notice text, errors) is read by everyone.
"""

import logging
from dataclasses import dataclass
from datetime import date

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import translation

from . import services

logger = logging.getLogger(__name__)

MAX_RETRIES = 3
# A failed send waits 1, 2, then 4 minutes before the next try; then it is marked failed.
SEND_RETRY_SECONDS = 60
TRANSIENT = (OperationalError, InterfaceError)


@shared_task(bind=True, max_retries=MAX_RETRIES)
def send_due_notices(self, today: str | None = None):
    day = date.fromisoformat(today) if today else None
    try:
        with translation.override(settings.LANGUAGE_CODE):
            report = services.notices_send_due(today=day)
    except TRANSIENT as exc:
        if self.request.retries >= self.max_retries:
            logger.exception("daily notices: database error, giving up until the next run")
            raise
        logger.warning("daily notices: %s, retrying", exc)
        raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from exc
    return report.summary


@shared_task(bind=True, max_retries=MAX_RETRIES)
def notify_event(self, event: str, ids: dict):
    try:
        with translation.override(settings.LANGUAGE_CODE):
            report = services.notices_for_event(event=event, ids=ids)
    except TRANSIENT as exc:
        if self.request.retries >= self.max_retries:
            # The daily job's sweep still finds the event from what is recorded.
            logger.exception("event %s %s: database error, left to the daily job", event, ids)
            return None
        raise self.retry(exc=exc, countdown=10 * 2**self.request.retries) from exc
    return report.summary


@shared_task(bind=True, max_retries=MAX_RETRIES)
def deliver(self, delivery_id: int):
    final = self.request.retries >= self.max_retries
    try:
        with translation.override(settings.LANGUAGE_CODE):
            outcome = services.delivery_attempt(delivery_id=delivery_id, final=final)
    except TRANSIENT as exc:
        if final:
            logger.exception("delivery %s: database error, giving up", delivery_id)
            return None
        raise self.retry(exc=exc, countdown=SEND_RETRY_SECONDS * 2**self.request.retries) from exc
    if outcome == services.RETRY:
        if self.request.is_eager:
            # In-process (the embedded default, no broker to come back through): try again now, the
            # same bounded number of times, as Celery itself does for an eager task that does not propagate.
            return self.apply(args=(delivery_id,), retries=self.request.retries + 1).get()
        raise self.retry(countdown=SEND_RETRY_SECONDS * 2**self.request.retries)
    return outcome


@dataclass(frozen=True)
class Enqueue:
    """The handler subscribed to a branches.events event: queue notify_event with the event's ids."""

    event: str

    def __call__(self, **ids):
        notify_event.delay(self.event, ids)
