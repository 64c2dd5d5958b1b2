"""Importing checkers' scores from a spreadsheet, and its template."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.periods import previous_quarter
from imports.jobs import import_request, recent_jobs
from imports.models import ImportJob

from .. import score_io, selectors
from ..forms import ImportForm, TemplateForm
from ..tasks import run_scores_import
from .access import committee_only


@login_required
def import_scores(request):
    committee_only(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    job = None
    if request.method == "POST" and form.is_valid():
        job = import_request(
            kind=ImportJob.Kind.SCORES, user=request.user, upload=form.cleaned_data["file"], task=run_scores_import
        )
        if job.is_running:  # a large file: imported in the background while its page shows progress
            return redirect("imports:job", job.pk)
        if job.is_done:
            messages.success(request, job.message)
            return redirect("assessment:import")
    today = timezone.localdate()
    year, quarter = previous_quarter(today)
    template_form = TemplateForm(initial={"year": year, "quarter": quarter})
    return render(
        request,
        "assessment/import.html",
        {
            "form": form,
            "job": job,
            "template_form": template_form,
            "recent": recent_jobs(request.user, ImportJob.Kind.SCORES),
        },
    )


@login_required
def import_template(request):
    scope = committee_only(request)
    form = TemplateForm(request.GET)
    if not form.is_valid():
        raise Http404
    year, quarter = form.cleaned_data["year"], form.cleaned_data["quarter"]
    data = score_io.template_workbook(year=year, quarter=quarter, branches=selectors.visible_branches(scope))
    if quarter:
        name = _("评分导入模板-%(year)s-Q%(quarter)s.xlsx") % {"year": year, "quarter": quarter}
    else:
        name = _("评分导入模板-%(year)s-年度.xlsx") % {"year": year}
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
