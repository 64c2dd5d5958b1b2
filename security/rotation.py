"""Re-encrypting every encrypted column under the current key (the `rotate_encryption_key` command).

Finds the columns itself (every EncryptedCharField of every model, the audit history's included), so
a field added later is rotated too. Per column it takes the rows not yet written with the current key,
a batch at a time, each batch in its own transaction: decrypt with whichever configured key wrote the
value, encrypt with the current one, recompute the keyed hashes beside it. A batch that fails (a value
no configured key can read) changes nothing and stops the run with the row named; what earlier
batches did stays done, and running again carries on where it stopped, so the run is idempotent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db import IntegrityError, connection, transaction

from .crypto import DecryptionError, keyring
from .fields import BlindIndexField, EncryptedCharField


class RotationError(Exception):
    pass


@dataclass(frozen=True)
class EncryptedColumn:
    model: type
    field: EncryptedCharField
    hashes: tuple[BlindIndexField, ...]

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field.name}"


def encrypted_columns() -> list[EncryptedColumn]:
    columns = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = model._meta.concrete_fields
        for field in fields:
            if isinstance(field, EncryptedCharField):
                hashes = tuple(f for f in fields if isinstance(f, BlindIndexField) and f.source == field.name)
                columns.append(EncryptedColumn(model, field, hashes))
    return sorted(columns, key=lambda column: column.label)


def _stale_where(column: EncryptedColumn) -> tuple[str, list]:
    """Rows holding a value not written with the current key (old keys, or plain left over)."""
    name = connection.ops.quote_name(column.field.column)
    return f"{name} IS NOT NULL AND {name} <> '' AND {name} NOT LIKE %s", [keyring().current.prefix + "%"]


def stale_count(column: EncryptedColumn) -> int:
    where, params = _stale_where(column)
    table = connection.ops.quote_name(column.model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {where}", params)  # noqa: S608
        return cursor.fetchone()[0]


def _rotate_batch(column: EncryptedColumn, batch_size: int) -> int:
    ring = keyring()
    quote = connection.ops.quote_name
    table, pk = quote(column.model._meta.db_table), quote(column.model._meta.pk.column)
    value_column = quote(column.field.column)
    where, params = _stale_where(column)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    purpose = column.field.purpose
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {pk}, {value_column} FROM {table} WHERE {where} ORDER BY {pk} LIMIT %s{lock}",  # noqa: S608
                [*params, batch_size],
            )
            rows = cursor.fetchall()
            updates = []
            for key, token in rows:
                try:
                    # A value that is no token at all is a number left in plain: encrypt it too.
                    plain = token if ring.key_of(token) is None else ring.decrypt(token, purpose)
                except DecryptionError as exc:
                    raise RotationError(f"{column.label} id={key}: {exc}") from exc
                updates.append(
                    (ring.encrypt(plain, purpose), *(ring.blind_index(plain, h.purpose) for h in column.hashes), key)
                )
            targets = [column.field.column, *(h.column for h in column.hashes)]
            assignments = ", ".join(f"{quote(target)} = %s" for target in targets)
            try:
                cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {pk} = %s", updates)  # noqa: S608
            except IntegrityError as exc:
                raise RotationError(f"{column.label}: two rows hold the same value ({exc})") from exc
    return len(rows)


def rotate(*, batch_size: int = 1000, progress: Callable[[EncryptedColumn, int, int], None] | None = None) -> dict:
    """Rewrite every stale value under the current key. Returns {column label: rows rewritten}."""
    done = {}
    for column in encrypted_columns():
        total = stale_count(column)
        count = 0
        while count < total:
            rewritten = _rotate_batch(column, batch_size)
            if not rewritten:
                break
            count += rewritten
            if progress:
                progress(column, count, total)
        done[column.label] = count
    return done
