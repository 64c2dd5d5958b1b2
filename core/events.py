"""Domain events: a lower app says what happened without importing the apps that care.

Apps depend downward only, yet some writes in a lower app must reach an app above it at once (a
record returned, a problem opened, ratings approved: the notices app tells the people concerned).
So the service that makes the change calls `emit("meeting_returned", meeting_id=...)` inside its
transaction, and an app above subscribes a handler in its AppConfig.ready(). Handlers run only after
the transaction commits (a rolled-back change announces nothing), with the ids given, and must be
cheap: enqueue a Celery task and return. A handler that raises is logged, never breaks the write
that was already committed.

This module names no app and imports none: an event nobody subscribed to costs nothing. It belongs
to no domain.
"""

import logging
from collections import defaultdict
from collections.abc import Callable

from django.db import transaction

logger = logging.getLogger(__name__)

_handlers: dict[str, list[Callable[..., object]]] = defaultdict(list)


def subscribe(event: str, handler: Callable[..., object]) -> None:
    """Call `handler(**ids)` after each commit that emitted `event`. Subscribing twice is harmless."""
    if handler not in _handlers[event]:
        _handlers[event].append(handler)


def unsubscribe(event: str, handler: Callable[..., object]) -> None:
    if handler in _handlers.get(event, ()):
        _handlers[event].remove(handler)


def handlers(event: str) -> list[Callable[..., object]]:
    return list(_handlers.get(event, ()))


def emit(event: str, **ids: int) -> None:
    """Announce `event` with the ids of what changed, once the current transaction commits."""
    for handler in handlers(event):
        transaction.on_commit(_runner(event, handler, ids))


def _runner(event: str, handler: Callable[..., object], ids: dict) -> Callable[[], None]:
    def run() -> None:
        logger.debug("event %s %s → %s", event, ids, getattr(handler, "__qualname__", handler))
        try:
            handler(**ids)
        except Exception:
            # The write is committed already; a failing handler (a broker that is down) is logged,
            # and the notices' daily job catches up on what it missed. Not on_commit(robust=True):
            # Django's log line for it needs __qualname__, which a functools.partial lacks (a 500).
            logger.exception("event %s %s: handler %s failed", event, ids, getattr(handler, "__qualname__", handler))

    return run
