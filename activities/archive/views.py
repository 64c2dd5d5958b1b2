"""Meeting records on paper: one record's print view and PDF; the year archive's jobs and downloads.

Records are read through Meeting.objects.visible_to (outsiders get 404); archive jobs through
ArchiveJob.objects.visible_to (the branch's managers and the committee).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branches.access import Scope, get_visible_or_404, scope_for
from branches.models import OrgUnit
from core.downloads import stored_file_response
from core.service_errors import flash_service_errors

from ..models import ArchiveJob, Meeting
from . import document, jobs, services
from .forms import ArchiveForm, StartForm
from .records import PrintedRecord, printed_records


def _record(request, pk: int, *, for_pdf: bool) -> PrintedRecord:
    records = printed_records(Meeting.objects.visible_to(request.user).filter(pk=pk), for_pdf=for_pdf)
    if not records:
        raise Http404
    return records[0]


@login_required
def record_print(request, pk: int):
    """One record on A4 (the browser's print dialog uses the page's print CSS)."""
    record = _record(request, pk, for_pdf=False)
    return render(request, document.RECORD_TEMPLATE, {"record": record, "printed_on": timezone.localdate()})


@login_required
def record_pdf(request, pk: int):
    record = _record(request, pk, for_pdf=True)
    response = HttpResponse(document.record_pdf(record), content_type="application/pdf")
    m = record.meeting
    filename = _("%(date)s%(kind)s记录.pdf") % {"date": f"{m.held_on:%Y%m%d}", "kind": m.get_kind_display()}
    response["Content-Disposition"] = content_disposition_header(False, filename)
    response["Cache-Control"] = "private, max-age=0"
    return response


# --- the year archive (年度台账) -------------------------------------------------------------------

RECENT = 10


def _archiver(request) -> Scope:
    scope = scope_for(request.user)
    if not (scope.is_committee or scope.is_manager):
        raise Http404
    return scope


def _job(request, pk: int) -> ArchiveJob:
    return get_visible_or_404(ArchiveJob.objects.select_related("unit"), request.user, pk=pk)


def _index(request, scope, form, status=200):
    recent = ArchiveJob.objects.visible_to(scope).select_related("unit")[:RECENT]
    return render(
        request, "activities/archive/index.html", {"form": form, "jobs": recent, "scope": scope}, status=status
    )


@login_required
def archive_index(request):
    scope = _archiver(request)
    return _index(request, scope, ArchiveForm(scope=scope, today=timezone.localdate()))


@login_required
@require_POST
def archive_start(request):
    """Start an archive from the form here, or from a ledger's button (unit and year in the POST)."""
    scope = _archiver(request)
    form = ArchiveForm(request.POST, scope=scope, today=timezone.localdate())
    if form.is_valid():
        unit, year = form.cleaned_data["unit"], form.cleaned_data["year"]
    else:
        start = StartForm(request.POST)
        if not start.is_valid():
            return _index(request, scope, form, status=400)
        unit = get_visible_or_404(OrgUnit.objects, request.user, pk=start.cleaned_data["unit"])
        year = start.cleaned_data["year"]
    try:
        job = jobs.archive_request(user=request.user, unit=unit, year=year)
    except ValidationError as exc:
        flash_service_errors(request, exc)
        return redirect("activities:archives")
    return redirect("activities:archive_job", job.pk)


@login_required
def archive_job(request, pk: int):
    _archiver(request)
    services.archive_jobs_expire()
    return render(request, "activities/archive/job.html", {"job": _job(request, pk)})


@login_required
def archive_progress(request, pk: int):
    """The progress box alone, polled by htmx while the job runs."""
    _archiver(request)
    services.archive_jobs_expire()
    return render(request, "activities/archive/_progress.html", {"job": _job(request, pk)})


@login_required
def archive_download(request, pk: int):
    _archiver(request)
    job = _job(request, pk)
    if not job.is_done:
        raise Http404
    return stored_file_response(job.file, services.download_name(job))
