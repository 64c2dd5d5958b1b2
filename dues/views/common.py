"""What the dues pages share: who keeps dues, which years and months a page may show."""

from __future__ import annotations

from django.http import Http404, HttpResponseNotAllowed

from .. import rules
from ..access import can_keep_dues, dues_scope_for

PAGE_SIZE = 50


def keeper(request):
    scope = dues_scope_for(request.user)
    if not can_keep_dues(scope):
        raise Http404
    return scope


def year_or_404(year: int, today) -> int:
    if not rules.MIN_YEAR <= year <= today.year + 1:
        raise Http404
    return year


def only_get(request):
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    return None


def collect_month(year: int, today) -> int | None:
    """The month the 按月收缴 tab opens: this month in the current year, December in a past one."""
    if year > today.year:
        return None
    return today.month if year == today.year else 12
