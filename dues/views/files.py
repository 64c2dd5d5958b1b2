"""Files: the dues workbook's import and export, and the jobs that run them."""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.access import get_visible_or_404
from branches.models import OrgUnit
from core.downloads import stored_file_response
from core.service_errors import flash_service_errors

from .. import jobs
from ..forms import (
    ExportForm,
    UploadForm,
)
from ..imports import template as import_template
from ..models import DuesJob
from .common import keeper


@login_required
def import_page(request):
    keeper(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = jobs.import_request(
                user=request.user, upload=form.cleaned_data["file"], check_only=form.cleaned_data["check_only"]
            )
        except ValidationError as exc:
            flash_service_errors(request, exc)
        else:
            return redirect("dues:job", job.pk)
    recent = DuesJob.objects.visible_to(request.user).filter(kind=DuesJob.Kind.IMPORT)[:5]
    return render(request, "dues/import.html", {"form": form, "recent": recent})


@login_required
def template_download(request):
    keeper(request)
    buffer = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)
    import_template(buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=_("党费导入模板.xlsx"))


@login_required
def export(request):
    scope = keeper(request)
    if request.method != "POST":
        return redirect("dues:overview")
    today = timezone.localdate()
    units = OrgUnit.objects.managed_by(scope).filter(kind__in=[OrgUnit.Kind.GENERAL_BRANCH, OrgUnit.Kind.BRANCH])
    form = ExportForm(request.POST, units=units, allow_all=scope.is_committee)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("dues:overview")
    unit = None
    if form.cleaned_data["unit"]:
        unit = get_visible_or_404(OrgUnit.objects.managed_by(scope), scope, pk=form.cleaned_data["unit"])
    try:
        job = jobs.export_request(user=request.user, year=form.cleaned_data["year"], unit=unit, today=today)
    except ValidationError as exc:
        flash_service_errors(request, exc)
        return redirect("dues:overview")
    return redirect("dues:job", job.pk)


def _job(request, pk: int) -> DuesJob:
    return get_visible_or_404(DuesJob.objects.select_related("unit"), request.user, pk=pk)


@login_required
def job(request, pk: int):
    jobs.jobs_expire()
    return render(request, "dues/job.html", {"job": _job(request, pk)})


@login_required
def job_progress(request, pk: int):
    """The progress box alone, polled by htmx while the job runs."""
    jobs.jobs_expire()
    return render(request, "dues/_job_progress.html", {"job": _job(request, pk)})


@login_required
def job_download(request, pk: int):
    found = _job(request, pk)
    # An export's workbook, or a refused import's upload with its errors marked.
    if found.kind == DuesJob.Kind.EXPORT and not found.is_done:
        raise Http404
    return stored_file_response(found.file, jobs.download_name(found))
