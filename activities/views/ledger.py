"""A unit's ledger (台账) of meeting records: the filtered list and its spreadsheet export."""

from __future__ import annotations

import tempfile

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.access import get_visible_or_404, scope_for
from branches.models import OrgUnit

from .. import compliance, ledger_io, selectors
from ..forms import LedgerFilter
from ..models import Attendance
from . import PAGE_SIZE


def _ledger_queryset(request, unit):
    base = selectors.ledger_meetings(unit)
    data = request.GET.copy()
    if "year" not in data:
        data["year"] = str(timezone.localdate().year)
    return LedgerFilter(data, queryset=base)


@login_required
def ledger(request, unit_id):
    scope = scope_for(request.user)
    unit = get_visible_or_404(OrgUnit.objects, request.user, pk=unit_id)
    if unit.kind not in (OrgUnit.Kind.BRANCH, OrgUnit.Kind.GROUP, OrgUnit.Kind.GENERAL_BRANCH):
        raise Http404
    filterset = _ledger_queryset(request, unit)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "activities/ledger.html",
        {
            "unit": unit,
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "can_log": selectors.can_log(scope, unit),
            "can_archive": unit.kind == OrgUnit.Kind.BRANCH and scope.can_manage(unit),
            "parent": OrgUnit.objects.get_parent(unit) if unit.kind == OrgUnit.Kind.GROUP else None,
        },
    )


def _print_title(unit, filterset) -> str:
    """The header of every printed page: the unit and the period the export covers."""
    data = filterset.form.cleaned_data if filterset.is_valid() else {}
    year, quarter = data.get("year"), data.get("quarter")
    if year and quarter:
        period = _("%(year)s年第%(quarter)s季度") % {"year": year, "quarter": quarter}
    elif year:
        period = _("%(year)s年") % {"year": year}
    else:
        period = _("全部年度")
    return _("%(unit)s 三会一课台账 %(period)s") % {"unit": unit.name, "period": period}


@login_required
def ledger_export(request, unit_id):
    unit = get_visible_or_404(OrgUnit.objects, request.user, pk=unit_id)
    filterset = _ledger_queryset(request, unit)
    absences = Attendance.objects.exclude(status=compliance.PRESENT).select_related("member").order_by("member__name")
    meetings = (
        filterset.qs.select_related("unit")
        .prefetch_related(Prefetch("attendance", queryset=absences, to_attr="absences"))
        .iterator(chunk_size=500)
    )
    # A spooled file: small ledgers stay in memory, big ones go to disk; write-only mode keeps the
    # workbook itself out of memory either way.
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    ledger_io.write_ledger(meetings, out, title=_print_title(unit, filterset))
    out.seek(0)
    name = _("%(unit)s台账%(year)s.xlsx") % {"unit": unit.name, "year": filterset.form.cleaned_data.get("year") or ""}
    response = FileResponse(
        out,
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    return response
