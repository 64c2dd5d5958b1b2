"""Closing problems in bulk (批量销号): the checker ticks open problems whose evidence is in and closes
them with one note, all or nothing (assessment.services.checks.problems_close)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.service_errors import flash_service_errors

from ..models import Problem
from ..services import checks
from .access import committee_only


@login_required
def problems_close_list(request):
    committee_only(request)
    problems = (
        Problem.objects.open()
        .select_related("branch")
        .annotate(n=Count("evidence"))
        .order_by("-n", "deadline", "branch__code", "pk")
    )
    page = Paginator(problems, 50).get_page(request.GET.get("page"))
    return render(request, "assessment/problems_close.html", {"page": page, "max_bulk": checks.MAX_BULK_CLOSE})


@login_required
@require_POST
def problems_close_bulk(request):
    committee_only(request)
    try:
        ids = [int(v) for v in request.POST.getlist("ids")]
    except ValueError as exc:
        raise Http404 from exc
    try:
        n = checks.problems_close(ids=ids, by=request.user, note=request.POST.get("note", ""))
    except ValidationError as exc:
        flash_service_errors(request, exc)
    else:
        messages.success(request, ngettext("已销号 %(n)s 个问题。", "已销号 %(n)s 个问题。", n) % {"n": n})
    return redirect("assessment:problems_close")
