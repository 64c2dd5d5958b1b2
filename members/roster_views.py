"""Roster import and export in the browser (members/roster/…): committee staff and secretaries."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from branches.access import scope_for
from core.spreadsheets import xlsx_response
from imports.models import ImportJob
from imports.pages import import_page as imports_page

from . import tasks
from .roster_export import roster_export, roster_template
from .roster_forms import RosterUploadForm


def _manager_scope_or_404(request):
    scope = scope_for(request.user)
    if not (scope.is_committee or scope.is_manager):
        raise Http404
    return scope


@login_required
def import_page(request):
    scope = _manager_scope_or_404(request)
    return imports_page(
        request,
        RosterUploadForm(request.POST or None, request.FILES or None),
        kind=ImportJob.Kind.ROSTER,
        task=tasks.run_roster_import,
        template="members/roster_import.html",
        done="members:roster_import",
        success=lambda job: _("导入成功。%(summary)s") % {"summary": job.message},
        context={"scope": scope},
    )


@login_required
@require_GET
def template_download(request):
    _manager_scope_or_404(request)
    return xlsx_response(lambda stream: roster_template(stream=stream), _("党员名册导入模板.xlsx"))


@login_required
@require_GET
def export_download(request):
    scope = _manager_scope_or_404(request)
    filename = _("党员名册-%(day)s.xlsx") % {"day": timezone.localdate().strftime("%Y%m%d")}
    return xlsx_response(
        lambda stream: roster_export(
            stream=stream, scope=None if scope.is_committee else scope, mask_ids=not scope.is_committee
        ),
        filename,
    )
