"""Celery tasks: thin, take ids, safe to run twice.

- `send_due_notices`: the daily beat job (NOTICES_CRON in assessment/schedules.py).
- `notify_event`: an event told at once, queued by the core.events handlers below.
- `deliver`: one mail or group message. A failed send is tried again a bounded number of times,
  each in its own task, so one unreachable server never holds up anyone else's mail.

They are declared with core.tasks.job_task: a database hiccup is retried by the shared policy, and
they run under the default language (what they store, notice text and errors, is read by everyone).
"""

import logging
from dataclasses import dataclass
from datetime import date

from core.tasks import MAX_RETRIES, job_task

__all__ = ["MAX_RETRIES", "deliver", "notify_event", "send_due_notices"]

from . import services

logger = logging.getLogger(__name__)

# A failed send waits 1, 2, then 4 minutes before the next try; then it is marked failed.
SEND_RETRY_SECONDS = 60


@job_task()
def send_due_notices(self, today: str | None = None):
    day = date.fromisoformat(today) if today else None
    return services.notices_send_due(today=day).summary


# If the database stays down past the retries, the daily job's sweep still finds the event from
# what is recorded.
@job_task()
def notify_event(self, event: str, ids: dict):
    return services.notices_for_event(event=event, ids=ids).summary


@job_task()
def deliver(self, delivery_id: int):
    final = self.request.retries >= self.max_retries
    outcome = services.delivery_attempt(delivery_id=delivery_id, final=final)
    if outcome == services.RETRY:
        if self.request.is_eager:
            # In-process (the embedded default, no broker to come back through): try again now, the
            # same bounded number of times, as Celery itself does for an eager task that does not propagate.
            return self.apply(args=(delivery_id,), retries=self.request.retries + 1).result
        raise self.retry(countdown=SEND_RETRY_SECONDS * 2**self.request.retries)
    return outcome


@dataclass(frozen=True)
class Enqueue:
    """The handler subscribed to a core.events event: queue notify_event with the event's ids."""

    event: str

    def __call__(self, **ids):
        notify_event.delay(self.event, ids)
