"""三会一课 compliance: which required meetings each branch has held, is missing or has due, and the home panel."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from branches.access import GROUP_LEADER, scope_for
from branches.models import OrgUnit
from branches.selectors import with_parent_name
from core.params import query_int, query_year
from core.periods import Period, quarter_of

from .. import compliance, selectors
from ..models import Meeting


def _year_quarter(request, today):
    year, quarter = quarter_of(today)
    year = query_year(request, year, low=2000, high=today.year + 1)
    return year, query_int(request, "quarter", quarter, low=1, high=4)


# Fifty branches a page: each row is built from the branch's meetings of the year (the ranking itself
# comes from stored gaps), about 2 ms a row with its rendering.
PAGE_SIZE = 50

# A requirement's summary cell, classed and translated once here: the overview shows a page of branches
# of six requirements, twice (the table and, on a phone, the cards), and building them in the template
# was most of the page's time.
CELL_CLASSES = {
    compliance.MISSING: "table-danger",
    compliance.DUE: "table-warning",
    compliance.HELD: "table-success",
}


class SummaryCell(NamedTuple):
    state: str
    css: str  # the table cell's colour
    label: str  # the requirement, for the cards
    text: str  # "3/3", 缺, 待开…
    days_left: str  # "还剩5天" while due, else ""


class OverviewRow(NamedTuple):
    line: selectors.ComplianceLine
    url: str
    cells: tuple[SummaryCell, ...]
    issues: tuple[SummaryCell, ...]  # the missing and due ones, for the cards


def _days_left(days: int) -> str:
    return ngettext("还剩%(days)s天", "还剩%(days)s天", days) % {"days": days}


def overview_row(line: selectors.ComplianceLine, url: str) -> OverviewRow:
    cells = []
    for s in line.compliance.summaries:
        due = s.state == compliance.DUE and s.days_left is not None
        cells.append(
            SummaryCell(
                s.state,
                CELL_CLASSES.get(s.state, ""),
                gettext(s.requirement.label),
                "" if s.state == compliance.NOT_REQUIRED else gettext(s.text),
                _days_left(s.days_left) if due else "",
            )
        )
    issues = tuple(c for c in cells if c.state in (compliance.MISSING, compliance.DUE))
    return OverviewRow(line, url, tuple(cells), issues)


@login_required
def compliance_page(request):
    scope = scope_for(request.user)
    if not scope.is_manager:
        raise Http404
    today = timezone.localdate()
    year, quarter = _year_quarter(request, today)
    # Ranked by the database; only the shown page's branches are built into rows in Python.
    ranking = selectors.compliance_ranking(selectors.branches_in_scope(scope), year, quarter, today)
    total, behind = len(ranking), sum(1 for rank in ranking if rank.missing)
    only = request.GET.get("only")
    if only == "missing":
        ranking = [rank for rank in ranking if rank.missing]
    page = Paginator(ranking, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = [rank.branch_id for rank in page.object_list]
    branches = list(with_parent_name(OrgUnit.objects.filter(pk__in=shown)))
    order = {pk: i for i, pk in enumerate(shown)}
    lines = selectors.compliance_table(branches, year, quarter, today)
    page.object_list = [
        overview_row(line, f"{reverse('activities:ledger', args=[line.branch.pk])}?year={year}&quarter={quarter}")
        for line in sorted(lines, key=lambda line: order[line.branch.pk])
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "activities/compliance.html",
        {
            "page": page,
            "year": year,
            "quarter": quarter,
            "years": range(today.year, today.year - 5, -1),
            "requirements": compliance.REQUIREMENTS,
            "behind": behind,
            "total": total,
            "only": only,
            "query": query.urlencode(),
        },
    )


PANEL_MAX_BRANCHES = 10


def compliance_panel(request):
    """The home page's 三会一课 panel: the current quarter, per branch and group the user runs."""
    scope = scope_for(request.user)
    if not scope.has_units:
        return None
    today = timezone.localdate()
    year, quarter = quarter_of(today)
    context = {"year": year, "quarter": quarter, "today": today}
    if scope.is_committee:
        return "activities/panel.html", {**context, "summary_only": True}
    branches = list(selectors.branches_in_scope(scope, managed=True).order_by("code"))
    led_groups = []
    if not branches and GROUP_LEADER in scope.roles:
        led_groups = list(
            OrgUnit.objects.filter(kind=OrgUnit.Kind.GROUP).filter(
                scope.unit_q("", [p for _, p, r in scope.grants if r == GROUP_LEADER])
            )
        )
        branch_paths = {g.path[: -OrgUnit.steplen] for g in led_groups}
        branches = list(OrgUnit.objects.filter(path__in=branch_paths).order_by("code"))
    if not branches:
        return None
    if len(branches) > PANEL_MAX_BRANCHES:
        return "activities/panel.html", {**context, "summary_only": True, "count": len(branches)}
    facts = selectors.meeting_facts([b.pk for b in branches], Period.for_year(year))
    blocks = []
    for branch in branches:
        rows = compliance.requirement_rows(facts[branch.pk], year, quarter, today)
        if led_groups:
            led = {g.pk for g in led_groups}
            rows = [r for r in rows if r.unit_id in led]
        can_log_branch = selectors.can_log(scope, branch)
        blocks.append({"branch": branch, "rows": rows, "can_log": can_log_branch})
    months = [dt.date(y, m, 1) for y, m in Period.for_quarter(year, quarter).months]
    returned = Meeting.objects.visible_to(scope).filter(status=Meeting.Status.RETURNED).count()
    drafts = Meeting.objects.visible_to(scope).filter(status=Meeting.Status.DRAFT).count()
    return (
        "activities/panel.html",
        {**context, "blocks": blocks, "months": months, "returned": returned, "drafts": drafts},
    )
