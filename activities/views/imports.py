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
from imports.jobs import import_request, recent_jobs
from imports.models import ImportJob

from .. import ledger_io, selectors
from ..forms import LedgerImportForm
from ..tasks import run_ledger_import


@login_required
def ledger_import(request):
    scope = scope_for(request.user)
    if not (scope.is_manager or GROUP_LEADER in scope.roles):
        raise Http404
    form = LedgerImportForm(request.POST or None, request.FILES or None)
    job = None
    if request.method == "POST" and form.is_valid():
        job = import_request(
            kind=ImportJob.Kind.LEDGER, user=request.user, upload=form.cleaned_data["file"], task=run_ledger_import
        )
        if job.is_running:  # a large file: imported in the background while its page shows progress
            return redirect("imports:job", job.pk)
        if job.is_done:
            messages.success(request, job.message)
            return redirect("activities:index")
    return render(
        request,
        "activities/import.html",
        {"form": form, "job": job, "recent": recent_jobs(request.user, ImportJob.Kind.LEDGER)},
    )


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
