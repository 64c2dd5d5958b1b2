"""Repairing stored dates outside the bounds of core/dates.py: the data migrations of the apps call it.

Before the bounds, a form took any date, and a record dated 0001-01-01 (stored by PostgreSQL as a
timestamp of year 0 in UTC) could no longer be read: every page of it answered 500 ("year -1 is out
of range"), so nobody could correct or delete it. Such values are found and changed in SQL, without
loading them into Python, to the nearest bound (1900-01-01 00:00 or 2100-12-31 23:59, local time);
each record changed gets a history entry saying what its date was, where the model keeps a history,
and the app's migration flags it where its users will see it (a meeting goes back to its branch).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from .dates import FIRST_DAY, LAST_DAY

REASON_LENGTH = 100  # django-simple-history's history_change_reason


def bounds_of(field) -> tuple[date, date]:
    """The lowest and highest value a date field may hold; for a datetime field, in local time."""
    if field.get_internal_type() == "DateTimeField":
        zone = ZoneInfo(settings.TIME_ZONE)
        return datetime.combine(FIRST_DAY, time(0, 0), tzinfo=zone), datetime.combine(
            LAST_DAY, time(23, 59), tzinfo=zone
        )
    return FIRST_DAY, LAST_DAY


def clamp_out_of_bounds(apps, schema_editor, app_label: str, fields: Mapping[str, Iterable[str]]) -> dict:
    """Move every stored value of `fields` ({model name: [field names]}) outside the bounds onto them.

    Returns {model name: {pk: ["召开时间“0001-12-31 16:00:00+00 BC”", …]}} for the records changed, with
    each old value as the database writes it.
    """
    quote = schema_editor.quote_name
    changed: dict[str, dict] = {}
    for model_name, names in fields.items():
        model = apps.get_model(app_label, model_name)
        table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
        notes: dict = defaultdict(list)
        for name in names:
            field = model._meta.get_field(name)
            column = quote(field.column)
            low, high = bounds_of(field)
            outside = f"{column} < %s OR {column} > %s"
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(f"SELECT {pk}, CAST({column} AS text) FROM {table} WHERE {outside}", [low, high])
                for key, old in cursor.fetchall():
                    notes[key].append(f"{field.verbose_name}“{old}”")
                cursor.execute(
                    f"UPDATE {table} SET {column} = CASE WHEN {column} < %s THEN %s ELSE %s END WHERE {outside}",
                    [low, low, high, low, high],
                )
        if notes:
            changed[model_name] = dict(notes)
    return changed


def reason_for(notes: list[str]) -> str:
    """The history entry's reason: what was out of bounds, and that it was moved onto the bound."""
    text = "年份不合理，已暂改为边界日期（{}–{}），请更正：{}".format(FIRST_DAY, LAST_DAY, "、".join(notes))
    return text if len(text) <= REASON_LENGTH else text[: REASON_LENGTH - 1] + "…"


def record_in_history(apps, app_label: str, model_name: str, notes: Mapping) -> None:
    """A history entry (by 系统) for each record changed, where the model keeps a history."""
    try:
        history = apps.get_model(app_label, f"Historical{model_name}")
    except LookupError:
        return
    model = apps.get_model(app_label, model_name)
    kept = {f.attname for f in history._meta.concrete_fields}
    now = timezone.now()
    for obj in model.objects.filter(pk__in=list(notes)):
        values = {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields if f.attname in kept}
        history.objects.create(
            **values,
            history_date=now,
            history_type="~",
            history_change_reason=reason_for(notes[obj.pk]),
            history_user_id=None,
        )


def repair_dates(apps, schema_editor, app_label: str, fields: Mapping[str, Iterable[str]]) -> dict:
    """clamp_out_of_bounds, then a history entry for each record changed."""
    changed = clamp_out_of_bounds(apps, schema_editor, app_label, fields)
    for model_name, notes in changed.items():
        record_in_history(apps, app_label, model_name, notes)
    return changed
