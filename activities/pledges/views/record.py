"""A member's own pages: their record (个人综合业绩档案) and their reminders on the home page."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from branches.access import get_visible_or_404, scope_for
from members.models import Member

from .. import selectors


@login_required
def my_record(request):
    member_id = scope_for(request.user).member_id
    if member_id is None:
        raise Http404
    return redirect("pledges:record", member_id=member_id)


@login_required
def record(request, member_id):
    """个人综合业绩档案: a member sees their own, managers their branch's; anyone else a 404."""
    scope = scope_for(request.user)
    member = get_visible_or_404(Member.objects.select_related("branch", "group"), request.user, pk=member_id)
    if member.pk != scope.member_id and not Member.objects.managed_by(request.user).filter(pk=member.pk).exists():
        # A group leader sees the group's members in the roster, but a record holds grades: managers only.
        raise Http404
    context = {
        "member": member,
        "sections": selectors.member_record(member, request.user),
        "is_self": member.pk == scope.member_id,
    }
    return render(request, "pledges/record.html", context)


def home_panel(request):
    """The member's reminders on the home page: (template, context), or None."""
    todo = selectors.home_todo(request.user, timezone.localdate())
    return ("pledges/_home_panel.html", {"todo": todo}) if todo else None
