"""Reading on a second database connection while a job works on its own: both of the database's cores busy.

A province's rating job spends most of its time waiting on statements one after another on one
connection; some of what it reads later (the quarters' scores, committed before the job starts)
does not depend on what it does first. Read in a thread on a connection of its own, PostgreSQL
answers both at once.

Only for rows the caller has committed: the thread's connection sees what is committed, not the
caller's open transaction (`can_read_aside`). Under READ COMMITTED each of the caller's statements
sees what was committed when it began; a statement aside is one more such statement, begun a moment
earlier than it would have been.

A second connection is one more the server must allow: where it cannot be had (max_connections
reached by many web processes and workers) or its read fails, the caller reads on its own connection,
as it would have without the aside, rather than fail the job.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

from django.db import DatabaseError, connections, transaction

from core import bulk

T = TypeVar("T")

logger = logging.getLogger(__name__)


def can_read_aside(using: str = "default") -> bool:
    """Whether a second connection sees what the caller's sees: PostgreSQL (SQLite, the embedded
    default, has one writer and gains nothing) and no transaction of the caller's open."""
    db = connections[using]
    return db.vendor == "postgresql" and not db.in_atomic_block


class Aside(Generic[T]):
    """`read()` running in a thread on its own connection, started at once; `result()` waits for it and
    returns its answer or raises its error — after a database error, the answer of `read()` run again
    on the caller's own connection."""

    def __init__(self, read: Callable[[], T]):
        self._read = read
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="read-aside", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            # In a transaction of its own with the jobs' settings (work_mem for a province's hashes).
            with transaction.atomic():
                bulk.tune_for_jobs()
                self._value = self._read()
        except BaseException as error:  # handed to result(): the caller's thread raises it
            self._error = error
        finally:
            connections.close_all()  # this thread's own connections; never the caller's

    def wait(self) -> None:
        self._thread.join()

    def result(self) -> T:
        self.wait()
        if isinstance(self._error, DatabaseError):
            logger.warning("read aside failed (%s); read on the job's own connection", self._error)
            return self._read()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]


@contextmanager
def read_aside(read: Callable[[], T]) -> Iterator[Aside[T]]:
    """Start `read` in a thread on a connection of its own; leaving the block waits for it, so that no
    thread outlives the job (an error of the caller's still propagates, the thread's is then dropped)."""
    pending = Aside(read)
    try:
        yield pending
    finally:
        pending.wait()
