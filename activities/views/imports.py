"""Importing a ledger of meeting records from a spreadsheet, and its template."""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from branches.access import GROUP_LEADER, scope_for
from branches.models import OrgUnit

from .. import ledger_io, selectors, services
from ..forms import LedgerImportForm


@login_required
def ledger_import(request):
    scope = scope_for(request.user)
    if not (scope.is_manager or GROUP_LEADER in scope.roles):
        raise Http404
    form = LedgerImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        rows, errors = ledger_io.read_ledger(form.cleaned_data["file"], scope=scope)
        if not errors:
            created = services.meetings_import(rows=rows, by=request.user)
            messages.success(request, _("已导入 %(n)d 条会议记录。") % {"n": len(created)})
            return redirect("activities:index")
    return render(request, "activities/import.html", {"form": form, "errors": errors})


@login_required
def ledger_template(request):
    scope = scope_for(request.user)
    if not scope.has_units:
        raise Http404
    out = tempfile.SpooledTemporaryFile()
    # The example row names a unit the user may log for, so the template imports unchanged.
    units = OrgUnit.objects.visible_to(scope).filter(kind__in=[OrgUnit.Kind.BRANCH, OrgUnit.Kind.GROUP])
    unit = next((u for u in units.order_by("path")[:50] if selectors.can_log(scope, u)), None)
    ledger_io.template_workbook(out, unit=unit)
    out.seek(0)
    return FileResponse(
        out,
        as_attachment=True,
        filename=_("三会一课台账导入模板.xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
