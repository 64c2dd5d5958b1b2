"""Importing checkers' scores from a spreadsheet, and its template."""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.periods import previous_quarter
from imports.models import ImportJob
from imports.pages import import_page as imports_page

from .. import score_io, selectors
from ..forms import ImportForm, TemplateForm
from ..tasks import run_scores_import
from .access import committee_only


@login_required
def import_scores(request):
    committee_only(request)
    year, quarter = previous_quarter(timezone.localdate())
    return imports_page(
        request,
        ImportForm(request.POST or None, request.FILES or None),
        kind=ImportJob.Kind.SCORES,
        task=run_scores_import,
        template="assessment/import.html",
        done="assessment:import",
        context={"template_form": TemplateForm(initial={"year": year, "quarter": quarter})},
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
