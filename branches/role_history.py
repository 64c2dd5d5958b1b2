"""The unit's role grants and withdrawals as audit entries, beside the unit's own history (core.audit)."""

from django.contrib.auth import get_user_model
from django.utils.translation import pgettext_lazy

from core.audit import AuditEntry, Change, _who, display_name

ROLE_ACTIONS = {
    "+": pgettext_lazy("history", "授予角色"),
    "-": pgettext_lazy("history", "撤销角色"),
}


def role_trail(history) -> list[AuditEntry]:
    """The grants and withdrawals in `history` (UnitRole's historical records, e.g. of one unit),
    newest first, as entries like the unit's own: "支部书记：（空）→ 李娜" when granted, "支部书记：
    李娜 → （空）" when withdrawn."""
    records = list(history.filter(history_type__in=["+", "-"]).select_related("history_user"))
    # The holder's member record names them best (accounts made from the roster carry the name too).
    holders = get_user_model()._default_manager.select_related("member").in_bulk({r.user_id for r in records})
    labels = dict(records[0].instance_type.Role.choices) if records else {}
    entries = []
    for record in records:
        holder = holders.get(record.user_id)
        name = _holder_name(holder) if holder else f"#{record.user_id}"
        label = str(labels.get(record.role, record.role))
        granted = record.history_type == "+"
        entries.append(
            AuditEntry(
                when=record.history_date,
                who=_who(record.history_user),
                action=str(ROLE_ACTIONS[record.history_type]),
                type="~",
                changes=[Change(label, None if granted else name, name if granted else None)],
            )
        )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries


def _holder_name(user) -> str:
    member = getattr(user, "member", None) if hasattr(user, "member") else None
    shown = member.name if member is not None else display_name(user)
    username = user.get_username()
    return shown if shown == username else f"{shown}（{username}）"
