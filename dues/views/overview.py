"""The dues keeper's lists: where 党费 leads, the overview of the branches, the attention list."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from branches.access import get_visible_or_404
from branches.models import OrgUnit
from core.params import query_id, query_year

from .. import rules, selectors
from ..access import can_keep_dues, dues_scope_for, managed_branches
from ..forms import (
    ExportForm,
)
from .common import PAGE_SIZE, keeper


@login_required
def index(request):
    """Where 党费 in the navigation leads: the committee and general branches to the overview, a branch
    secretary or 组织委员 to their branch's ledger, a member to their own dues on their record."""
    scope = dues_scope_for(request.user)
    today = timezone.localdate()
    if can_keep_dues(scope):
        branches = list(managed_branches(scope).values_list("pk", flat=True)[:2])
        if len(branches) == 1 and not scope.is_committee:
            return redirect("dues:ledger", branches[0], today.year)
        return redirect("dues:overview")
    if scope.member_id is not None:
        return redirect(reverse("pledges:record", args=[scope.member_id]) + "#record-dues")
    raise Http404


@login_required
def overview(request):
    """Every branch the user keeps dues for: collection, on-time rate, arrears, remittances, the
    attention list — a page at a time, each page counted by the database in one go."""
    scope = keeper(request)
    today = timezone.localdate()
    year = query_year(request, today.year, low=rules.MIN_YEAR, high=today.year + 1, strict=True)
    branches = managed_branches(scope).order_by("code")
    parents = OrgUnit.objects.managed_by(scope).filter(kind=OrgUnit.Kind.GENERAL_BRANCH).order_by("code")
    parent = None
    if unit_id := query_id(request, "unit"):
        general_branches = OrgUnit.objects.filter(kind=OrgUnit.Kind.GENERAL_BRANCH)
        parent = get_visible_or_404(general_branches, scope, pk=unit_id)
        branches = branches.filter(path__startswith=parent.path)
    page = Paginator(branches, PAGE_SIZE).get_page(request.GET.get("page"))
    summaries = selectors.branch_summaries([b.pk for b in page], year, today)
    rows = [(branch, summaries[branch.pk]) for branch in page]
    total = None
    if page.paginator.num_pages == 1 and len(rows) > 1:
        total = _total([s for _b, s in rows])
    query = f"year={year}" + (f"&unit={parent.pk}" if parent else "")
    return render(
        request,
        "dues/overview.html",
        {
            "year": year,
            "years": selectors.known_years(today),
            "page": page,
            "rows": rows,
            "total": total,
            "parents": parents,
            "parent": parent,
            "query": query,
            "export_form": _export_form(scope, year),
            "scope": scope,
        },
    )


def _total(summaries) -> selectors.BranchSummary:
    """The sum of the page's rows (shown when the page holds every branch)."""
    counts = ("members", "counted", "on_time", "no_base", "attention")
    money = ("due", "paid", "arrears", "remitted")
    values = {name: sum(getattr(s, name) for s in summaries) for name in counts}
    values.update({name: sum((getattr(s, name) for s in summaries), Decimal(0)) for name in money})
    return selectors.BranchSummary(0, **values)


def _export_form(scope, year):
    units = list(
        OrgUnit.objects.managed_by(scope)
        .filter(kind__in=[OrgUnit.Kind.GENERAL_BRANCH, OrgUnit.Kind.BRANCH])
        .order_by("path")[:500]
    )
    return ExportForm(initial={"year": year}, units=units, allow_all=scope.is_committee)


@login_required
def attention(request):
    """党章第九条: members six months or more in a row unpaid without an approved reason, in the
    user's branches. The app flags; what follows is for the organisation to decide."""
    scope = keeper(request)
    today = timezone.localdate()
    ids = list(managed_branches(scope).values_list("pk", flat=True))
    entries = selectors.attention_list(ids, today)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "dues/attention.html", {"page": page, "today": today, "year": today.year})
