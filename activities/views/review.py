"""Reviewing submitted records in bulk: the committee and the general branches tick several and return
them with one comment, or mark them reviewed. All or nothing (activities/reviews.py)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from branches.access import scope_for
from core.service_errors import flash_service_errors

from .. import reviews
from . import PAGE_SIZE


def _reviewer(request):
    scope = scope_for(request.user)
    if not scope.is_manager:
        raise Http404
    return scope


@login_required
def review_list(request):
    scope = _reviewer(request)
    show = "all" if request.GET.get("show") == "all" else "unreviewed"
    meetings = reviews.reviewable(scope)
    if show == "unreviewed":
        meetings = meetings.unreviewed()
    meetings = meetings.select_related("unit", "reviewed_by").order_by("-submitted_at", "-pk")
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "activities/review.html",
        {"page": page, "show": show, "query": urlencode({"show": show}), "max_bulk": reviews.MAX_BULK},
    )


@login_required
def review_bulk(request):
    scope = _reviewer(request)
    back = reverse("activities:review") + "?" + urlencode({"show": request.POST.get("show", "unreviewed")})
    if request.method != "POST":
        return redirect(back)
    try:
        ids = [int(v) for v in request.POST.getlist("ids")]
    except ValueError as exc:
        raise Http404 from exc
    action = request.POST.get("action")
    try:
        if action == "return":
            n = reviews.meetings_return(scope=scope, ids=ids, by=request.user, comment=request.POST.get("comment", ""))
            messages.success(request, ngettext("已退回 %(n)s 条记录。", "已退回 %(n)s 条记录。", n) % {"n": n})
        elif action == "review":
            n = reviews.meetings_review(scope=scope, ids=ids, by=request.user)
            messages.success(
                request,
                ngettext("已将 %(n)s 条记录标记为已审阅。", "已将 %(n)s 条记录标记为已审阅。", n) % {"n": n},
            )
        else:
            messages.error(request, _("请选择“退回修改”或“标记已审阅”"))
    except ValidationError as exc:
        flash_service_errors(request, exc)
    return redirect(back)
