"""Reviewing submitted records, one or many: mark them read (已审阅), or return several with one comment.

Writes, like activities/services.py (whose meeting_return they use): keyword-only, in one transaction,
ValidationError with Chinese messages. A bulk action is all-or-nothing: every record is checked first,
and if one may not be changed nothing is.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.access import MANAGER_ROLES, Scope
from core.audit import set_history_user

from . import selectors, services
from .models import Meeting

MAX_BULK = 200


def reviewable(scope: Scope) -> QuerySet[Meeting]:
    """Submitted records the user reviews (selectors.can_return as a query): every one for the
    committee; for a secretary those of units strictly below the units they manage."""
    meetings = Meeting.objects.submitted()
    if scope.is_committee:
        return meetings
    q = Q(pk__in=[])
    for _unit, path, role in scope.grants:
        if role in MANAGER_ROLES:
            q |= Q(unit__path__startswith=path) & ~Q(unit__path=path)
    return meetings.filter(q)


def _label(meeting: Meeting) -> str:
    return f"{meeting.held_on:%Y-%m-%d} {meeting.unit.name}“{meeting.topic}”"


def _locked(scope: Scope, ids: Iterable[int]) -> list[Meeting]:
    """The chosen records, locked, each one the user may review; else a ValidationError naming them."""
    ids = sorted(set(ids))
    if not ids:
        raise ValidationError(_("请先勾选要处理的记录"))
    if len(ids) > MAX_BULK:
        raise ValidationError(_("一次最多处理 %(n)s 条记录") % {"n": MAX_BULK})
    meetings = list(
        Meeting.objects.visible_to(scope).select_for_update(of=("self",)).select_related("unit").filter(pk__in=ids)
    )
    missing = len(ids) - len(meetings)
    errors = []
    if missing:
        errors.append(_("有 %(n)s 条记录不存在或不在您的管理范围内") % {"n": missing})
    for meeting in meetings:
        if not meeting.is_submitted:
            errors.append(_("%(record)s 不是“已提交”状态（可能已被退回）") % {"record": _label(meeting)})
        elif not selectors.can_return(scope, meeting):
            errors.append(_("%(record)s 由本级党组织登记，须由上级审阅") % {"record": _label(meeting)})
    if errors:
        raise ValidationError([*errors, _("没有修改任何记录。")])
    return meetings


@transaction.atomic
def meeting_review(*, meeting: Meeting, by, now: datetime | None = None) -> Meeting:
    """Mark a submitted record as read by its reviewer (the general branch or the committee)."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not meeting.is_submitted:
        raise ValidationError(_("只有已提交的记录可以标记为已审阅"))
    meeting.reviewed_at = now or timezone.now()
    meeting.reviewed_by = by
    set_history_user(meeting, by)
    meeting.save(update_fields=["reviewed_at", "reviewed_by", "updated_at"])
    return meeting


@transaction.atomic
def meetings_review(*, scope: Scope, ids: Iterable[int], by, now: datetime | None = None) -> int:
    """Mark several submitted records as reviewed, all or none. Returns how many."""
    meetings = _locked(scope, ids)
    now = now or timezone.now()
    for meeting in meetings:
        meeting_review(meeting=meeting, by=by, now=now)
    return len(meetings)


@transaction.atomic
def meetings_return(*, scope: Scope, ids: Iterable[int], by, comment: str, now: datetime | None = None) -> int:
    """Return several submitted records with one comment, all or none. Returns how many."""
    if not (comment or "").strip():
        raise ValidationError({"comment": _("请填写退回意见，说明需要修改什么")})
    meetings = _locked(scope, ids)
    now = now or timezone.now()
    for meeting in meetings:
        services.meeting_return(meeting=meeting, by=by, comment=comment, now=now)
    return len(meetings)
