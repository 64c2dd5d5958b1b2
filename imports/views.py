"""An import job's page, the progress box htmx polls on it, and the marked workbook of its errors.
Only the person who uploaded the file sees any of them (others get 404)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from core.downloads import stored_file_response

from . import jobs
from .models import ImportJob


def _job(request, pk: int) -> ImportJob:
    return get_object_or_404(ImportJob.objects.visible_to(request.user), pk=pk)


def _context(job: ImportJob) -> dict:
    return {"job": jobs.live(job), "back": jobs.PAGES.get(job.kind)}


@login_required
def job(request, pk: int):
    jobs.jobs_expire()
    return render(request, "imports/job.html", _context(_job(request, pk)))


@login_required
def job_progress(request, pk: int):
    """The progress box alone, polled by htmx while the job runs."""
    jobs.jobs_expire()
    return render(request, "imports/_job_progress.html", _context(_job(request, pk)))


@login_required
def error_download(request, pk: int):
    found = _job(request, pk)
    stem = found.upload_name.rsplit(".", 1)[0] or found.get_kind_display()
    return stored_file_response(found.error_file, _("%(name)s-错误标注.xlsx") % {"name": stem})
