"""Pages of the year-end workbook: ask for an export, watch its progress, download the file.

The committee exports every branch (or one general branch); a general-branch or branch secretary
the branches they manage. A job and its file are seen only by whoever asked for it: anyone else,
and anything outside their units, gets a 404.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from branches.access import get_visible_or_404, scope_for
from core.downloads import stored_file_response
from core.service_errors import flash_service_errors

from ..models import ExportJob
from . import jobs, selectors, services
from .forms import ExportForm
from .workbook import SHEET_TITLES

RECENT = 10


def _exporter(request):
    scope = scope_for(request.user)
    if not (scope.is_committee or scope.is_manager):
        raise Http404
    return scope


def _job(request, pk: int) -> ExportJob:
    return get_visible_or_404(ExportJob.objects.select_related("unit"), request.user, pk=pk)


def _index(request, scope, form, status=200):
    jobs = ExportJob.objects.visible_to(request.user).select_related("unit")[:RECENT]
    context = {"form": form, "jobs": jobs, "scope": scope, "log": selectors.export_log(scope)}
    return render(request, "yearbook/index.html", context, status=status)


@login_required
def index(request):
    scope = _exporter(request)
    return _index(request, scope, ExportForm(scope=scope, today=timezone.localdate()))


@login_required
@require_POST
def start(request):
    scope = _exporter(request)
    form = ExportForm(request.POST, scope=scope, today=timezone.localdate())
    if not form.is_valid():
        return _index(request, scope, form, status=400)
    try:
        job = jobs.export_request(user=request.user, year=form.cleaned_data["year"], unit=form.cleaned_data["unit"])
    except ValidationError as exc:
        flash_service_errors(request, exc)
        return redirect("yearbook:index")
    return redirect("yearbook:job", job.pk)


def progress(job: ExportJob) -> dict:
    """What the progress box shows: a percentage, each sheet's state, and whether to keep polling."""
    total = len(SHEET_TITLES)
    if job.is_done:
        percent = 100
    elif job.rows_total:
        percent = min(99, job.rows_done * 100 // job.rows_total)
    else:
        percent = job.sheets_done * 100 // total
    sheets = []
    for index, title in enumerate(SHEET_TITLES):
        if job.is_done or index < job.sheets_done:
            state = "done"
        elif job.status == ExportJob.Status.RUNNING and index == job.sheets_done:
            state = "current"
        else:
            state = "waiting"
        sheets.append({"title": title, "state": state})
    return {"percent": percent, "sheets": sheets, "sheet_number": min(job.sheets_done + 1, total), "total": total}


def _job_context(job: ExportJob) -> dict:
    return {"job": job, "progress": progress(job)}


@login_required
def job(request, pk: int):
    _exporter(request)
    services.export_jobs_expire()
    return render(request, "yearbook/job.html", _job_context(_job(request, pk)))


@login_required
def job_progress(request, pk: int):
    """The progress box alone, polled by htmx while the job runs."""
    _exporter(request)
    services.export_jobs_expire()
    return render(request, "yearbook/_progress.html", _job_context(_job(request, pk)))


@login_required
def download(request, pk: int):
    _exporter(request)
    export = _job(request, pk)
    if not export.is_done:
        raise Http404
    return stored_file_response(export.file, services.download_name(export))
