"""The dues panel of the home page."""

from __future__ import annotations

from django.utils import timezone

from members.models import Member

from .. import selectors
from ..access import can_keep_dues, dues_scope_for, managed_branches

# The home page counts the attention list for up to this many branches (a general branch, a city's
# committee); above it, the panel links to the list.
HOME_COUNT_LIMIT = 100


def home_panel(request, scope):
    """The attention list's count for those who keep dues; a member's own year. (template, context)."""
    today = timezone.localdate()
    dues_scope = dues_scope_for(request.user)
    if can_keep_dues(dues_scope):
        ids = list(managed_branches(dues_scope).values_list("pk", flat=True)[: HOME_COUNT_LIMIT + 1])
        # Counting a province's attention list takes seconds: the home page links to it instead.
        count = selectors.attention_count(ids, today) if len(ids) <= HOME_COUNT_LIMIT else None
        return "dues/panel_home.html", {"keeper": True, "attention": count, "year": today.year}
    if scope.member_id is not None:
        member = Member.objects.get(pk=scope.member_id)
        dues = selectors.member_dues(member, today.year, today)
        if not dues.owed_months:
            return None
        return "dues/panel_home.html", {"keeper": False, "dues": dues, "member_id": member.pk}
    return None
