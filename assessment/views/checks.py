"""Quarterly checks: a branch's indicators and scores for the year, checkers' scores, running a quarter's check."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branches.models import OrgUnit
from core.periods import QUARTERS, previous_quarter
from core.service_errors import flash_service_errors

from .. import jobs, selectors
from ..forms import ProblemForm, ScoreForm
from ..models import YEAR_QUARTER, Problem, QuarterCheck, Score, Standard
from ..publication import selectors as publication_selectors
from ..publication import services as publication_services
from ..services import checks
from .access import branch_or_404, committee_only, quarter_or_404, reader_only, year_or_404
from .job_status import quarter_job


@login_required
def branch_check(request, branch_id: int, year: int):
    """Every indicator of the year for a branch: each quarter's score with its explanation; problems."""
    scope = reader_only(request)
    unit = branch_or_404(request, branch_id)
    year = year_or_404(year)
    standard = Standard.objects.filter(year=year).first()
    if standard is None:
        return render(request, "assessment/no_standard.html", {"year": year, "unit": unit})
    table = publication_selectors.with_documents(selectors.indicator_table(standard, unit), unit, year)
    problems = Problem.objects.filter(branch=unit, year=year).select_related("indicator").annotate(n=Count("evidence"))
    context = {
        "unit": unit,
        "year": year,
        "standard": standard,
        "table": table,
        "problems": problems,
        "is_checker": scope.is_committee,
        "approved": selectors.is_year_approved(year),
        "problem_form": ProblemForm(indicators=[row["indicator"] for row in table]) if scope.is_committee else None,
        "today": timezone.localdate(),
        "year_quarter": YEAR_QUARTER,
    }
    return render(request, "assessment/branch_check.html", context)


@login_required
@require_POST
def score_save(request, branch_id: int, year: int):
    committee_only(request)
    unit = branch_or_404(request, branch_id)
    form = ScoreForm(request.POST)
    if form.is_valid():
        standard = get_object_or_404(Standard, year=year_or_404(year))
        indicator = get_object_or_404(standard.indicators, code=form.cleaned_data["indicator"])
        cited = publication_selectors.cited_documents(unit, indicator, request.POST.getlist("cite"))
        try:
            publication_services.score_enter_citing(
                branch=unit,
                indicator=indicator,
                quarter=form.cleaned_data["quarter"],
                value=form.cleaned_data["value"],
                note=form.cleaned_data["note"],
                documents=cited,
                by=request.user,
            )
        except ValidationError as exc:
            flash_service_errors(request, exc)
        else:
            messages.success(request, _("已保存 %(code)s 的评分") % {"code": indicator.code})
    else:
        messages.error(request, _("请填写得分"))
    return redirect("assessment:branch_check", unit.pk, year)


@login_required
@require_POST
def score_clear(request, pk: int):
    committee_only(request)
    score = get_object_or_404(Score.objects.select_related("indicator__standard"), pk=pk)
    try:
        checks.score_clear(score=score, by=request.user)
    except ValidationError as exc:
        flash_service_errors(request, exc)
    else:
        messages.success(request, _("已撤回 %(code)s 的人工评分") % {"code": score.indicator.code})
    return redirect("assessment:branch_check", score.branch_id, score.indicator.standard.year)


@login_required
def quarter_latest(request):
    """The quarter that ended last: the one the scheduled check has just computed."""
    reader_only(request)
    return redirect("assessment:quarter", *previous_quarter(timezone.localdate()))


BRANCH_PAGE = 100


@login_required
def quarter_check(request, year: int, quarter: int):
    scope = reader_only(request)
    year, quarter = year_or_404(year), quarter_or_404(quarter)
    standard = Standard.objects.filter(year=year).first()
    # A page of branches at a time, their scores read for the page only.
    branches = OrgUnit.objects.visible_to(scope).filter(kind=OrgUnit.Kind.BRANCH).order_by("code")
    page = Paginator(branches, BRANCH_PAGE).get_page(request.GET.get("page"))
    units = list(page.object_list)
    today = timezone.localdate()
    check = QuarterCheck.objects.filter(year=year, quarter=quarter).first()
    context = {
        "year": year,
        "quarter": quarter,
        "check": check,
        "job": quarter_job(check),
        "rows": selectors.quarter_rows(year, quarter, units, standard, today) if standard else [],
        "standard": standard,
        "is_checker": scope.is_committee,
        "quarters": [(y, q) for y in (year - 1, year) for q in QUARTERS],
        "approved": selectors.is_year_approved(year),
        "page": page,
    }
    return render(request, "assessment/quarter.html", context)


@login_required
@require_POST
def quarter_check_run(request, year: int, quarter: int):
    committee_only(request)
    try:
        jobs.quarter_check_request(year=year_or_404(year), quarter=quarter_or_404(quarter))
    except ValidationError as exc:
        flash_service_errors(request, exc)
    else:
        messages.success(
            request, _("已提交%(year)s年第%(quarter)s季度检查的计算任务") % {"year": year, "quarter": quarter}
        )
    return redirect("assessment:quarter", year, quarter)


@login_required
def quarter_check_status(request, year: int, quarter: int):
    reader_only(request)
    check = QuarterCheck.objects.filter(year=year_or_404(year), quarter=quarter_or_404(quarter)).first()
    job = quarter_job(check, watching=True)
    return render(request, "assessment/_job_status.html", {"job": job})
