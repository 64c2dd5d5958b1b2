"""谈心谈话: the list with each member's coverage, and logging, editing and deleting a talk."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branches.access import get_managed_or_404, scope_for
from branches.models import OrgUnit
from core.params import query_id, query_int, query_year
from core.service_errors import add_service_errors
from members.selectors import members_of_unit_on

from .. import selectors, services
from ..forms import TalkForm
from ..models import Talk
from . import PAGE_SIZE


@login_required
def talk_list(request):
    scope = scope_for(request.user)
    if not scope.is_manager:
        raise Http404
    today = timezone.localdate()
    year = query_year(request, today.year)
    branches = selectors.branches_in_scope(scope, managed=True).order_by("code")
    branch = None
    if branch_id := query_id(request, "branch"):
        branch = get_managed_or_404(OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH), request.user, pk=branch_id)
    elif branches.count() == 1:
        branch = branches.first()
    talks = Talk.objects.managed_by(scope).filter(talked_on__year=year).select_related("branch", "member", "talker")
    coverage = None
    if branch is not None:
        talks = talks.filter(branch=branch)
        day = min(today, dt.date(year, 12, 31))
        members = list(members_of_unit_on(branch, day))
        talked = set(Talk.objects.filter(talked_on__year=year, member__in=members).values_list("member_id", flat=True))
        coverage = {
            "total": len(members),
            "done": sum(1 for m in members if m.pk in talked),
            "pending": [m for m in members if m.pk not in talked],
        }
    page = Paginator(talks.order_by("-talked_on", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "activities/talk_list.html",
        {
            "page": page,
            "year": year,
            "years": range(today.year, today.year - 5, -1),
            "branch": branch,
            "branches": branches[:200],
            "coverage": coverage,
            "query": urlencode({"year": year, **({"branch": branch.pk} if branch else {})}),
        },
    )


def _talk_form_page(request, *, branch, talk=None):
    today = timezone.localdate()
    members = list(members_of_unit_on(branch, today, include_retired=True))
    if talk is not None and talk.member not in members:
        members.append(talk.member)
    initial = {"talked_on": today}
    if member_id := query_int(request, "member", low=1, warn=False):
        initial["member"] = member_id
    me = scope_for(request.user).member_id
    if me and any(m.pk == me for m in members):
        initial["talker"] = me
    form = TalkForm(request.POST or None, instance=talk, members=members, initial=None if talk else initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if talk is None:
                services.talk_create(by=request.user, branch=branch, **data)
            else:
                services.talk_update(talk=talk, by=request.user, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("谈心谈话记录已保存。"))
            return redirect(f"{reverse('activities:talks')}?branch={branch.pk}&year={data['talked_on'].year}")
    return render(request, "activities/talk_form.html", {"form": form, "branch": branch, "talk": talk})


@login_required
def talk_create(request):
    scope = scope_for(request.user)
    if not scope.is_manager:
        raise Http404
    branch_id = query_id(request, "branch")
    branches = selectors.branches_in_scope(scope, managed=True)
    if branch_id:
        branch = get_managed_or_404(OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH), request.user, pk=branch_id)
    elif branches.count() == 1:
        branch = branches.first()
    else:
        messages.info(request, _("请先选择支部。"))
        return redirect("activities:talks")
    return _talk_form_page(request, branch=branch)


@login_required
def talk_edit(request, pk):
    talk = get_managed_or_404(Talk.objects.select_related("branch", "member"), request.user, pk=pk)
    return _talk_form_page(request, branch=talk.branch, talk=talk)


@login_required
@require_POST
def talk_delete(request, pk):
    talk = get_managed_or_404(Talk.objects.all(), request.user, pk=pk)
    branch_id, year = talk.branch_id, talk.talked_on.year
    services.talk_delete(talk=talk, by=request.user)
    messages.success(request, _("已删除。"))
    return redirect(f"{reverse('activities:talks')}?branch={branch_id}&year={year}")
