"""Roster import and export in the browser (members/roster/…): committee staff and secretaries."""

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from branches.access import scope_for
from imports.jobs import import_request, recent_jobs
from imports.models import ImportJob

from . import tasks
from .roster_export import roster_export, roster_template
from .roster_forms import RosterUploadForm


def _manager_scope_or_404(request):
    scope = scope_for(request.user)
    if not (scope.is_committee or scope.is_manager):
        raise Http404
    return scope


def _xlsx_response(write, filename: str) -> FileResponse:
    # Spooled to disk past 10 MB: a large roster is never held in memory whole.
    buffer = tempfile.SpooledTemporaryFile(max_size=10 * 1024 * 1024)
    write(buffer)
    buffer.seek(0)
    return FileResponse(
        buffer,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@login_required
def import_page(request):
    scope = _manager_scope_or_404(request)
    job = None
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = import_request(
            kind=ImportJob.Kind.ROSTER,
            user=request.user,
            upload=form.cleaned_data["file"],
            check_only=form.cleaned_data["check_only"],
            task=tasks.run_roster_import,
        )
        if job.is_running:  # a large file: imported in the background while its page shows progress
            return redirect("imports:job", job.pk)
        if job.is_done and not job.check_only:
            for warning in job.warnings:
                messages.warning(request, warning)
            messages.success(request, _("导入成功。%(summary)s") % {"summary": job.message})
            return redirect("members:roster_import")
    return render(
        request,
        "members/roster_import.html",
        {"form": form, "job": job, "scope": scope, "recent": recent_jobs(request.user, ImportJob.Kind.ROSTER)},
    )


@login_required
@require_GET
def template_download(request):
    _manager_scope_or_404(request)
    return _xlsx_response(lambda stream: roster_template(stream=stream), _("党员名册导入模板.xlsx"))


@login_required
@require_GET
def export_download(request):
    scope = _manager_scope_or_404(request)
    filename = _("党员名册-%(day)s.xlsx") % {"day": timezone.localdate().strftime("%Y%m%d")}
    return _xlsx_response(
        lambda stream: roster_export(
            stream=stream, scope=None if scope.is_committee else scope, mask_ids=not scope.is_committee
        ),
        filename,
    )
