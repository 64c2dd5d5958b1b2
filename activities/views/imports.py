"""Importing a ledger of meeting records from a spreadsheet, and its template."""

from __future__ import annotations

import tempfile

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from branches.access import GROUP_LEADER, scope_for
from branches.models import OrgUnit
from imports.models import ImportJob
from imports.pages import import_page as imports_page

from .. import ledger_io, selectors
from ..forms import LedgerImportForm
from ..tasks import run_ledger_import


@login_required
def ledger_import(request):
    scope = scope_for(request.user)
    if not (scope.is_manager or GROUP_LEADER in scope.roles):
        raise Http404
    return imports_page(
        request,
        LedgerImportForm(request.POST or None, request.FILES or None),
        kind=ImportJob.Kind.LEDGER,
        task=run_ledger_import,
        template="activities/import.html",
        done="activities:index",
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
