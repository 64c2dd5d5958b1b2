"""The audit history of an object (django-simple-history), as Chinese a person can read.

Each entry says who, when and which fields changed from what to what, with the fields' verbose
names and choice labels. Foreign keys are shown by name, fetched in one query per related model, so
a long history costs a fixed number of queries.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

# "history": the same words are also buttons (修改 = Edit, 删除 = Delete), here they say what happened.
ACTIONS = {
    "+": pgettext_lazy("history", "创建"),
    "~": pgettext_lazy("history", "修改"),
    "-": pgettext_lazy("history", "删除"),
}


@dataclass(frozen=True)
class Change:
    label: str
    old: str | None  # None: the field was empty
    new: str | None


@dataclass
class AuditEntry:
    when: datetime
    who: str
    action: str
    type: str  # simple_history's "+" created, "~" changed, "-" deleted
    reason: str = ""
    changes: list[Change] = field(default_factory=list)


def display_value(value, model_field: models.Field, names: dict) -> str | None:
    """How a stored value reads on the page: choice labels, 是/否, dates, related objects' names.

    None for an empty value.
    """
    if value is None or value == "":
        return None
    if model_field.is_relation:
        return names.get(value, f"#{value}")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    return str(value)


def diff(old: dict | None, new: dict, labels: dict[str, str], masks: dict | None = None) -> list[Change]:
    """A Change for each field whose value differs; every non-empty one if `old` is None (a creation).

    Values are display strings or None (empty). Values are compared before `masks` hide them, so a
    changed ID number still shows as a change even when its masked forms look alike.
    """
    masks = masks or {}
    changes = []
    for name, label in labels.items():
        before = old.get(name) if old is not None else None
        after = new.get(name)
        if before == after:
            continue
        mask = masks.get(name, str)
        changes.append(Change(label, None if before is None else mask(before), None if after is None else mask(after)))
    return changes


def set_history_user(instance: models.Model, user) -> None:
    """Name `user` as the author of the history entry the next save of `instance` writes.

    django-simple-history takes the author from the request (its middleware); a service that may run
    outside one (an import, a job, the demo) names the author itself, through this hook of the library.
    """
    instance._history_user = user  # type: ignore[attr-defined]


def set_change_reason(instance: models.Model, reason: str) -> None:
    """Record `reason` with the history entry the next save of `instance` writes (shown beside it)."""
    instance._change_reason = reason  # type: ignore[attr-defined]


def display_name(user) -> str:
    """A user's name as Chinese writes it, surname first with no space (Django's get_full_name puts
    the given name first); the username when the account has no name."""
    return f"{user.last_name}{user.first_name}".strip() or user.get_username()


def _who(user) -> str:
    if user is None:
        return _("系统")
    return display_name(user)


def audit_trail(history, *, masks: dict[str, Callable[[str], str]] | None = None) -> list[AuditEntry]:
    """The entries of `history` (an object's `.history` manager or queryset), newest first.

    `masks` maps a field name to a function applied to its old and new values before they are
    shown (e.g. ID numbers for anyone but the committee).
    """
    masks = masks or {}
    records = list(history.all().select_related("history_user").order_by("history_date", "history_id"))
    if not records:
        return []
    tracked = [f for f in records[0].tracked_fields if not f.primary_key]
    names_by_field = {}
    for model_field in tracked:
        if model_field.is_relation:
            ids = {getattr(record, model_field.attname) for record in records} - {None}
            related = model_field.related_model._default_manager.filter(pk__in=ids) if ids else []
            names_by_field[model_field.name] = {obj.pk: str(obj) for obj in related}
    labels = {f.name: str(f.verbose_name) for f in tracked}

    def shown(record) -> dict[str, str | None]:
        return {f.name: display_value(getattr(record, f.attname), f, names_by_field.get(f.name, {})) for f in tracked}

    entries = []
    previous = None
    for record in records:
        current = shown(record)
        changes = diff(previous if record.history_type != "+" else None, current, labels, masks)
        if record.history_type == "-":
            changes = []
        previous = current
        reason = record.history_change_reason or ""
        if record.history_type == "~" and not changes and not reason:
            continue  # saved without a change worth showing
        entries.append(
            AuditEntry(
                when=record.history_date,
                who=_who(record.history_user),
                action=str(ACTIONS.get(record.history_type, record.history_type)),
                type=record.history_type,
                reason=reason,
                changes=changes,
            )
        )
    entries.reverse()
    return entries


def merged(*trails: list[AuditEntry]) -> list[AuditEntry]:
    """Several objects' histories as one, newest first."""
    return sorted((e for trail in trails for e in trail), key=lambda e: e.when, reverse=True)
