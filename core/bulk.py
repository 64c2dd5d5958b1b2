"""Bulk writes for the jobs that touch every branch of a province: COPY on PostgreSQL.

Django's bulk_create prepares every value of every row through its model field (hundreds of
thousands of calls for a quarter's scores) and sends them as one long INSERT per batch; COPY takes the
rows as text in one stream. Elsewhere (the embedded SQLite default, with demo-sized data) the same
calls fall back to plain INSERTs with the values prepared by their fields.
"""

from __future__ import annotations

import gc
import io
import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import DatabaseError, IntegrityError, connection, connections, models, transaction
from django.db.models.expressions import RawSQL
from django.db.models.fields.reverse_related import ForeignObjectRel
from django.utils import timezone

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_str(text: str) -> str:
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.translate(_ESCAPES)
    return text


def _copy_json(value) -> str:
    return _copy_str(json.dumps(value, ensure_ascii=False))  # a JSONField's value


# By exact type: a job writes hundreds of thousands of values, and one dict lookup is cheaper than a
# chain of isinstance tests. bool is listed before it can be mistaken for an int.
_COPY_BY_TYPE: dict[type, Callable[[Any], str]] = {
    type(None): lambda value: "\\N",
    bool: lambda value: "t" if value else "f",
    int: str,
    Decimal: str,
    float: str,
    str: _copy_str,
    datetime: datetime.isoformat,
    date: date.isoformat,
    dict: _copy_json,
    list: _copy_json,
}


def copy_text(value) -> str:
    """A value in COPY's text format."""
    convert = _COPY_BY_TYPE.get(type(value))
    if convert is not None:
        return convert(value)
    # Subclasses: an IntegerChoices or TextChoices member, a SafeString.
    for kind, convert in _COPY_BY_TYPE.items():
        if kind is not type(None) and isinstance(value, kind):
            return convert(value)
    return _copy_str(str(value))


def _concrete(field: models.Field | ForeignObjectRel) -> models.Field:
    """A model's own column (get_field also answers with reverse relations, which have none)."""
    if not isinstance(field, models.Field):
        raise ValueError(f"{field.name} is not a column")
    return field


def _column(field: models.Field) -> str:
    if field.column is None:
        raise ValueError(f"{field.name} is not a column")
    return field.column


def column_defaults(
    model: type[models.Model], names: Sequence[str], constants: dict | None = None, now: datetime | None = None
) -> tuple[list[models.Field], list]:
    """The fields for `names`, then every other concrete field but the id with the value a new row takes.

    Returns (fields, values of the other fields): a constant given for it, else its default, None or ""
    for a blank text field, and `now` for auto_now fields. A field with none of these is an error.
    """
    constants = constants or {}
    opts = model._meta
    given = set(names) | set(constants)
    fields = [_concrete(opts.get_field(n)) for n in names]
    tail = []
    extra: list[models.Field] = []
    for f in opts.concrete_fields:
        if (f.primary_key and "id" not in given) or f.name in given or f.attname in given:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = now or timezone.now()
        elif f.has_default() or f.null or f.empty_strings_allowed:
            value = f.get_default()
        else:
            raise ValueError(f"{model.__name__}.{f.name} needs a value")
        extra.append(f)
        tail.append(value)
    for name, value in constants.items():
        extra.append(_concrete(opts.get_field(name)))
        tail.append(value)
    return fields + extra, tail


class _Lines(io.TextIOBase):
    """COPY's input, written as psycopg2 reads it (`read(size)`): a province's rows are never one string.

    Joining 40,000 scores with their explanations into one text (and a StringIO copy of it) held
    tens of megabytes at the job's peak; a chunk at a time holds about `size` characters.
    """

    def __init__(self, lines: Iterator[str]):
        self._lines = lines
        self.count = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        chunk: list[str] = []
        length = 0
        for line in self._lines:
            chunk.append(line)
            self.count += 1
            length += len(line)
            if size is not None and 0 <= size <= length:
                break
        return "".join(chunk)


# Characters handed to psycopg2 at a time. The database stores one chunk while the next is computed
# (upsert's rows may be a generator): smaller chunks overlap more, at a few more round trips.
COPY_CHUNK = 1 << 16


def copy_rows(cursor, table: str, columns: Sequence[str], rows: Iterable[Sequence], tail: Sequence = ()) -> int:
    """COPY `rows` (each followed by the constant `tail`) into `table`; returns the number of rows."""
    suffix = "".join("\t" + copy_text(v) for v in tail) + "\n"
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    raw = cursor.cursor  # psycopg2's own cursor: Django's wrapper has no copy_expert
    by_type = _COPY_BY_TYPE.get  # copy_text's lookup inlined: a job's COPY converts 160,000 values
    stream = _Lines("\t".join([(by_type(type(v)) or copy_text)(v) for v in row]) + suffix for row in rows)
    # The driver's errors as Django's (an IntegrityError that upsert's `fresh` path catches).
    with cursor.db.wrap_database_errors:
        raw.copy_expert(statement, stream, size=COPY_CHUNK)
    return stream.count


def _recorded(rows: Iterator[Sequence], into: list) -> Iterator[Sequence]:
    for row in rows:
        into.append(row)
        yield row


def upsert(
    model: type[models.Model],
    names: Sequence[str],
    rows: Iterable[Sequence],
    *,
    unique: Sequence[str],
    update: Sequence[str],
    constants: dict | None = None,
    copy: bool | None = None,
    fresh: bool = False,
) -> int:
    """Insert `rows` (tuples of the fields `names`), or where a row with the same `unique` fields
    exists, overwrite only its `update` fields. Returns the number of rows given.

    `rows` may be a generator, taken once as the rows are sent (a job's rows are computed while the
    database stores the previous chunk); it must not query the database itself, the connection being
    busy with the COPY.

    `fresh` says that none of the rows exists yet (a quarter computed for the first time): they are
    copied straight into the table, without the temporary table and the conflict checks. Should one
    exist after all (another job wrote them meanwhile), that copy is rolled back and the rows upserted.

    `constants` are fields with the same value in every row (the quarter, the time of the run): they
    are converted once instead of once per row.

    Fields not named take their default in a new row and keep their value in an existing one; that is
    how a job rewrites its computed columns and never a person's. `copy` defaults to PostgreSQL's COPY
    where the database is PostgreSQL (False forces the portable INSERTs, for tests).
    """
    copy = connection.vendor == "postgresql" if copy is None else copy
    fields, tail = column_defaults(model, names, constants)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [quote(_column(f)) for f in fields]

    def column(name: str) -> str:
        return quote(_column(_concrete(model._meta.get_field(name))))

    conflict = ", ".join(column(n) for n in unique)
    assignments = ", ".join(f"{column(n)} = EXCLUDED.{column(n)}" for n in update)
    on_conflict = f"ON CONFLICT ({conflict}) DO UPDATE SET {assignments}"
    if copy and fresh:
        # The rows are taken as the COPY sends them, so that a generator's next rows are computed while
        # the database stores the last chunk; those sent are kept for the upsert should the COPY fail.
        pending = iter(rows)
        sent: list[Sequence] = []
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                return copy_rows(cursor, table, columns, _recorded(pending, sent), tail)
        except IntegrityError:
            rows = itertools.chain(sent, pending)
    with transaction.atomic(), connection.cursor() as cursor:
        if copy:
            # A temporary table of the same columns, so that COPY can feed INSERT … ON CONFLICT.
            staging = quote(f"upsert_{model._meta.db_table}")
            cursor.execute(f"DROP TABLE IF EXISTS {staging}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {staging} AS SELECT {', '.join(columns)} FROM {table} WITH NO DATA"  # noqa: S608
            )
            count = copy_rows(cursor, staging, columns, rows, tail)
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns)} FROM {staging} {on_conflict}"  # noqa: S608
            )
            cursor.execute(f"DROP TABLE {staging}")
            return count
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) {on_conflict}"  # noqa: S608
        prepared = [
            [f.get_db_prep_save(v, connection) for f, v in zip(fields, (*row, *tail), strict=True)] for row in rows
        ]
        if prepared:
            cursor.executemany(sql, prepared)
        return len(prepared)


def among(ids: Iterable[int], using: str = "default") -> list[int] | RawSQL:
    """The right-hand side of an `__in` filter on the ids of a province's branches.

    Django turns a list into one placeholder per id, each prepared through its field, and PostgreSQL
    parses thousands of literals, for every query; on PostgreSQL the ids go as one array parameter.
    Elsewhere the plain list.
    """
    ids = list(ids)
    if connections[using].vendor != "postgresql":
        return ids
    return RawSQL("SELECT unnest(%s::bigint[])", [ids])


FETCH_ROWS = 5000  # rows converted at a time


def plain_rows(queryset) -> Iterable[tuple]:
    """The rows of a values_list() queryset as the database driver returns them.

    A province's year is hundreds of thousands of rows, and Django's per-value converters take longer
    than the query itself; on PostgreSQL the driver already returns ints, dates and Decimals, so the
    SQL the ORM built runs on a plain cursor. Elsewhere (SQLite returns dates as text) the queryset
    runs as usual.
    """
    db = connections[queryset.db]
    if db.vendor != "postgresql":
        yield from queryset.iterator(chunk_size=FETCH_ROWS)
        return
    sql, params = queryset.query.sql_with_params()
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(FETCH_ROWS):
            yield from batch


# Statements over a province's rows run once each: compiling them (PostgreSQL's JIT) takes longer
# than it saves, and their hash tables outgrow the default 4 MB of work_mem and spill to disk.
JOB_SETTINGS = {"jit": "off", "work_mem": "64MB"}


def tune_for_jobs(using: str = "default") -> None:
    """Set JOB_SETTINGS for the rest of the current transaction (PostgreSQL only; elsewhere nothing).

    Called at the start of a job's transaction; the settings end with it, so requests served by the
    same connection later are not affected.
    """
    db = connections[using]
    if db.vendor != "postgresql" or not db.in_atomic_block:
        return
    with db.cursor() as cursor:
        for name, value in JOB_SETTINGS.items():
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])


# The year-end export reads 250 branches at a time, outside a transaction (its progress must be seen
# while it runs): a chunk's few thousand index probes beat reading a 125,000-row table, which the
# default cost of a random page (4, for spinning disks) hides; with 1.1 (pages in memory or on an
# SSD) the export's statements took 2.6 s instead of 3.5 s at N = 5,000.
EXPORT_SETTINGS = {**JOB_SETTINGS, "random_page_cost": "1.1"}


@contextmanager
def session_settings(settings: dict[str, str], using: str = "default") -> Iterator[None]:
    """`settings` for the connection's session while the block runs, then the values it had before
    (PostgreSQL only; elsewhere nothing). For long work that commits as it goes, where a transaction's
    SET LOCAL would not last."""
    db = connections[using]
    if db.vendor != "postgresql":
        yield
        return
    with db.cursor() as cursor:
        before = {}
        for name, value in settings.items():
            cursor.execute("SELECT current_setting(%s), set_config(%s, %s, false)", [name, name, value])
            before[name] = cursor.fetchone()[0]
    try:
        yield
    finally:
        # Not when the connection was closed meanwhile (a new one starts with the defaults), nor inside
        # a transaction that failed: its rollback undoes the settings, and a statement now would only
        # hide the error that is on its way out.
        if db.connection is not None and not db.needs_rollback:
            try:
                with db.cursor() as cursor:
                    for name, value in before.items():
                        cursor.execute("SELECT set_config(%s, %s, false)", [name, value])
            except DatabaseError:
                if not db.in_atomic_block:
                    raise


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a rating job builds a province's facts and rows.

    A quarter's facts are hundreds of thousands of small tuples and dicts, none of them in a cycle;
    as they pile up the collector's full passes walk every object the process holds (Django's
    included): 0.3 s of compute_quarter's 1.5 s at N = 5,000, and as much of rate_year's. Reference
    counting still frees everything as it goes; the collector is back, with its usual thresholds, when
    the block ends (and stays off until the outermost block ends when they nest).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
