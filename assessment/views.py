"""Pages of the five-star rating. Thin: fetch through a scoped queryset, validate a form, call one service.

Who reaches what: the committee (机关党委) everything; general-branch and branch secretaries the
branches of their subtree (checks and scores read-only, problems' evidence and applications to
manage); a branch sees its rating only once the year is approved. Anything else is a 404.
"""

from collections import Counter
from datetime import date
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branches.access import get_managed_or_404, get_visible_or_404, scope_for
from branches.models import OrgUnit
from core.periods import QUARTERS, Period, previous_quarter
from core.service_errors import add_service_errors, flash_service_errors

from . import jobs, rating, score_io, selectors
from .forms import (
    ApplicationForm,
    AspectFormSet,
    CloseForm,
    EvidenceForm,
    ImportForm,
    IndicatorFormSet,
    OverrideForm,
    ProblemForm,
    ReverseForm,
    ScoreForm,
    StandardParametersForm,
    TemplateForm,
)
from .models import (
    YEAR_QUARTER,
    Application,
    BranchRating,
    Evidence,
    JobStatus,
    Problem,
    QuarterCheck,
    Score,
    Standard,
    StarHistory,
    YearRating,
)
from .models.ratings import LEVEL_CHOICES
from .services import checks, ratings
from .services.standards import locked_message, standard_ensure, standard_save

MIN_YEAR, MAX_YEAR = 2000, 2100
RANKING_LIMIT = 100  # the dashboard's ranking; the review page and the workbook list every branch


def _committee(request):
    scope = scope_for(request.user)
    if not scope.is_committee:
        raise Http404
    return scope


def can_read(scope) -> bool:
    """The committee and the secretaries read the assessment of their subtree (not group leaders, members)."""
    return scope.is_committee or scope.is_manager


def _reader(request):
    scope = scope_for(request.user)
    if not can_read(scope):
        raise Http404
    return scope


def _branch(request, pk: int, manage: bool = False) -> OrgUnit:
    qs = OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH)
    return get_managed_or_404(qs, request.user, pk=pk) if manage else get_visible_or_404(qs, request.user, pk=pk)


def _year(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404
    return year


def _quarter(quarter: int) -> int:
    if quarter not in QUARTERS:
        raise Http404
    return quarter


def _default_year(today: date) -> int:
    latest = YearRating.objects.exclude(status=YearRating.Status.PENDING).order_by("-year").first()
    return latest.year if latest else today.year - 1


# --- dashboards ----------------------------------------------------------------------------------


@login_required
def index(request):
    """The committee's dashboard (also a general secretary's, for their branches); a secretary's branch page."""
    scope = _reader(request)
    today = timezone.localdate()
    units = selectors.visible_branches(scope)
    if not scope.is_committee and len(units) == 1:
        return redirect("assessment:branch", units[0].pk)
    try:
        year = _year(int(request.GET.get("year") or _default_year(today)))
    except ValueError as exc:
        raise Http404 from exc
    year_rating = YearRating.objects.filter(year=year).first()
    rows = list(
        BranchRating.objects.for_viewer(scope)
        .filter(rating__year=year)
        .select_related("branch")
        .order_by("-score", "branch__code")
    )
    counts = selectors.level_counts(r.level for r in rows)
    history = selectors.history_by_year(None if scope.is_committee else [u.pk for u in units])
    years = sorted(history)
    level_names = {level: str(label) for level, label in LEVEL_CHOICES}
    charts = {
        "distribution": {
            "categories": [level_names[level] for level in rating.LEVELS] + [_("后进")],
            "series": [{"name": _("%(y)s年") % {"y": year}, "data": [*counts["levels"].values(), counts["lagging"]]}],
        },
        "history": {
            "categories": [_("%(y)s年") % {"y": y} for y in years],
            "series": [
                {"name": level_names[level], "data": [history[y][level] for y in years], "stack": "levels"}
                for level in rating.LEVELS
            ],
        },
    }
    actions = Counter(r.action for r in rows if r.action)
    context = {
        "year": year,
        "years": list(range(today.year, today.year - 6, -1)),
        "year_rating": year_rating,
        "ranking": rows[:RANKING_LIMIT],
        "ranking_cut": len(rows) > RANKING_LIMIT,
        "rows": rows,
        "counts": counts,
        "charts": charts,
        "actions": [(choice.label, actions.get(choice.value, 0)) for choice in BranchRating.ActionChoice],
        "interview": [r for r in rows if r.flags.interview],
        "lagging": [r for r in rows if r.is_lagging],
        "units": units,
        "current_quarter": previous_quarter(today),
    }
    return render(request, "assessment/index.html", context)


@login_required
def branch(request, branch_id: int):
    """A branch's page: its level and history, this year's checks so far, what would raise its score."""
    scope = _reader(request)
    unit = _branch(request, branch_id)
    today = timezone.localdate()
    year = today.year
    standard = Standard.objects.filter(year=year).first()
    table = selectors.indicator_table(standard, unit) if standard else []
    defs = [row["indicator"].as_def() for row in table]
    quarter_scores = []
    for q in QUARTERS:
        earned = {
            row["indicator"].code: cell.effective
            for row in table
            for quarter, cell in row["cells"]
            if quarter == q and cell is not None and cell.effective is not None
        }
        running = Period.for_quarter(year, q).start <= today <= Period.for_quarter(year, q).end
        quarter_scores.append((q, rating.quarter_score(earned, defs) if earned else None, running))
    published = {
        r.rating.year: r
        for r in BranchRating.objects.for_viewer(scope).filter(branch=unit).select_related("rating", "overridden_by")
    }
    history = [
        {"entry": h, "rating": published.get(h.year)} for h in StarHistory.objects.filter(branch=unit).order_by("-year")
    ]
    context = {
        "unit": unit,
        "year": year,
        "standard": standard,
        "quarter_scores": quarter_scores,
        "hints": selectors.improvement_hints(table),
        "history": history,
        "latest": history[0] if history else None,
        "applications": {a.year: a for a in Application.objects.filter(branch=unit, year__gte=year - 1)},
        "can_manage": scope.can_manage(unit),
        "open_problems": Problem.objects.filter(branch=unit).open().order_by("deadline")[:10],
        "today": today,
        "pending": [r for y, r in sorted(published.items()) if not r.rating.is_approved],
    }
    return render(request, "assessment/branch.html", context)


@login_required
def branch_check(request, branch_id: int, year: int):
    """Every indicator of the year for a branch: each quarter's score with its explanation; problems."""
    scope = _reader(request)
    unit = _branch(request, branch_id)
    year = _year(year)
    standard = Standard.objects.filter(year=year).first()
    if standard is None:
        return render(request, "assessment/no_standard.html", {"year": year, "unit": unit})
    table = selectors.indicator_table(standard, unit)
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
    _committee(request)
    unit = _branch(request, branch_id)
    form = ScoreForm(request.POST)
    if form.is_valid():
        standard = get_object_or_404(Standard, year=_year(year))
        indicator = get_object_or_404(standard.indicators, code=form.cleaned_data["indicator"])
        try:
            checks.score_enter(
                branch=unit,
                indicator=indicator,
                quarter=form.cleaned_data["quarter"],
                value=form.cleaned_data["value"],
                note=form.cleaned_data["note"],
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
    _committee(request)
    score = get_object_or_404(Score.objects.select_related("indicator__standard"), pk=pk)
    try:
        checks.score_clear(score=score, by=request.user)
    except ValidationError as exc:
        flash_service_errors(request, exc)
    else:
        messages.success(request, _("已撤回 %(code)s 的人工评分") % {"code": score.indicator.code})
    return redirect("assessment:branch_check", score.branch_id, score.indicator.standard.year)


# --- problems ------------------------------------------------------------------------------------


@login_required
@require_POST
def problem_create(request, branch_id: int, year: int):
    _committee(request)
    unit = _branch(request, branch_id)
    standard = get_object_or_404(Standard, year=_year(year))
    indicators = list(standard.indicators.all())
    form = ProblemForm(request.POST, indicators=indicators)
    if form.is_valid():
        data = form.cleaned_data
        try:
            checks.problem_create(
                branch=unit,
                year=year,
                quarter=data["quarter"],
                description=data["description"],
                deadline=data["deadline"],
                indicator=next((i for i in indicators if i.code == data["indicator"]), None),
                by=request.user,
            )
        except ValidationError as exc:
            flash_service_errors(request, exc)
        else:
            messages.success(request, _("问题已记入问题清单"))
    else:
        messages.error(request, _("请填写问题和整改期限"))
    return redirect("assessment:branch_check", unit.pk, year)


@login_required
def problem_list(request):
    scope = _reader(request)
    today = timezone.localdate()
    status = request.GET.get("status", "open")
    qs = Problem.objects.visible_to(scope).select_related("branch", "indicator").annotate(n=Count("evidence"))
    filters = {
        "open": Q(closed_on__isnull=True),
        "overdue": Q(closed_on__isnull=True, deadline__lt=today),
        "closed": Q(closed_on__isnull=False),
        "all": Q(),
    }
    if status not in filters:
        status = "open"
    qs = qs.filter(filters[status]).order_by("closed_on", "deadline", "branch__code", "pk")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    tabs = [("open", _("待整改")), ("overdue", _("已逾期")), ("closed", _("已销号")), ("all", _("全部"))]
    context = {"page": page, "status": status, "status_tabs": tabs, "today": today}
    return render(request, "assessment/problems.html", context)


@login_required
def problem_detail(request, pk: int):
    scope = _reader(request)
    problems = Problem.objects.select_related("branch", "indicator", "closed_by")
    problem = get_visible_or_404(problems, request.user, pk=pk)
    context = {
        "problem": problem,
        "evidence": problem.evidence.select_related("uploaded_by"),
        "can_upload": not problem.is_closed and scope.can_manage(problem.branch),
        "can_close": not problem.is_closed and scope.is_committee,
        "evidence_form": EvidenceForm(),
        "close_form": CloseForm(),
        "today": timezone.localdate(),
    }
    return render(request, "assessment/problem.html", context)


@login_required
@require_POST
def evidence_upload(request, pk: int):
    problem = get_managed_or_404(Problem.objects.all(), request.user, pk=pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            checks.evidence_add(
                problem=problem, upload=form.cleaned_data["file"], note=form.cleaned_data["note"], by=request.user
            )
        except ValidationError as exc:
            flash_service_errors(request, exc)
        else:
            messages.success(request, _("整改材料已上传"))
    else:
        messages.error(request, _("请选择要上传的文件"))
    return redirect("assessment:problem", problem.pk)


@login_required
def evidence_download(request, pk: int):
    evidence = get_visible_or_404(Evidence.objects.all(), request.user, pk=pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=evidence.original_name)


@login_required
@require_POST
def problem_close(request, pk: int):
    _committee(request)
    problem = get_object_or_404(Problem, pk=pk)
    form = CloseForm(request.POST)
    form.is_valid()
    try:
        checks.problem_close(problem=problem, by=request.user, note=form.cleaned_data.get("note", ""))
    except ValidationError as exc:
        flash_service_errors(request, exc)
    else:
        messages.success(request, _("问题已销号"))
    return redirect("assessment:problem", problem.pk)


# --- applications --------------------------------------------------------------------------------


@login_required
def apply(request, branch_id: int):
    """申报: the branch's secretary applies for a star level at year end."""
    unit = _branch(request, branch_id, manage=True)
    today = timezone.localdate()
    years = [y for y in (today.year, today.year - 1) if not selectors.is_year_approved(y)]
    form = ApplicationForm(request.POST or None, years=years, initial={"year": years[-1] if years else None})
    if request.method == "POST" and form.is_valid():
        try:
            ratings.application_submit(
                branch=unit, year=form.cleaned_data["year"], level=form.cleaned_data["level"], by=request.user
            )
        except ValidationError as exc:
            flash_service_errors(request, exc)
        else:
            level_names = dict(LEVEL_CHOICES)
            messages.success(
                request,
                _("已申报%(year)s年度%(level)s党支部")
                % {"year": form.cleaned_data["year"], "level": level_names[form.cleaned_data["level"]]},
            )
            return redirect("assessment:branch", unit.pk)
    applications = Application.objects.filter(branch=unit).select_related("applied_by").order_by("-year")[:5]
    return render(request, "assessment/apply.html", {"unit": unit, "form": form, "applications": applications})


# --- quarterly checks ----------------------------------------------------------------------------


@login_required
def quarter_latest(request):
    """The quarter that ended last: the one the scheduled check has just computed."""
    _reader(request)
    return redirect("assessment:quarter", *previous_quarter(timezone.localdate()))


@login_required
def quarter_check(request, year: int, quarter: int):
    scope = _reader(request)
    year, quarter = _year(year), _quarter(quarter)
    standard = Standard.objects.filter(year=year).first()
    units = selectors.visible_branches(scope)
    today = timezone.localdate()
    check = QuarterCheck.objects.filter(year=year, quarter=quarter).first()
    context = {
        "year": year,
        "quarter": quarter,
        "check": check,
        "job": _quarter_job(check),
        "rows": selectors.quarter_rows(year, quarter, units, standard, today) if standard else [],
        "standard": standard,
        "is_checker": scope.is_committee,
        "quarters": [(y, q) for y in (year - 1, year) for q in QUARTERS],
        "approved": selectors.is_year_approved(year),
    }
    return render(request, "assessment/quarter.html", context)


@login_required
@require_POST
def quarter_check_run(request, year: int, quarter: int):
    _committee(request)
    try:
        jobs.quarter_check_request(year=_year(year), quarter=_quarter(quarter))
    except ValidationError as exc:
        flash_service_errors(request, exc)
    else:
        messages.success(
            request, _("已提交%(year)s年第%(quarter)s季度检查的计算任务") % {"year": year, "quarter": quarter}
        )
    return redirect("assessment:quarter", year, quarter)


@login_required
def quarter_check_status(request, year: int, quarter: int):
    _reader(request)
    check = QuarterCheck.objects.filter(year=_year(year), quarter=_quarter(quarter)).first()
    job = _quarter_job(check, watching=True)
    return render(request, "assessment/_job_status.html", {"job": job})


def _job(status: str, message: str, *, status_url: str, page_url: str, watching: bool = False) -> dict | None:
    """What the progress box shows; while the job runs the box polls `status_url` (htmx)."""
    running = status in (JobStatus.QUEUED, JobStatus.RUNNING)
    if not status or (status == JobStatus.DONE and not watching):
        return None  # a finished job has nothing to add to the page that shows its results
    return {
        "status": status,
        "label": JobStatus(status).label,
        "message": message,
        "running": running,
        "status_url": status_url,
        "page_url": page_url,
        "finished_while_watching": watching and not running,
    }


def _quarter_job(check: QuarterCheck | None, watching: bool = False) -> dict | None:
    if check is None:
        return None
    args = (check.year, check.quarter)
    return _job(
        check.status,
        check.message,
        status_url=reverse("assessment:quarter_status", args=args),
        page_url=reverse("assessment:quarter", args=args),
        watching=watching,
    )


def _rating_job(year_rating: YearRating | None, watching: bool = False) -> dict | None:
    if year_rating is None:
        return None
    return _job(
        year_rating.job_status,
        year_rating.job_message,
        status_url=reverse("assessment:rating_status", args=[year_rating.year]),
        page_url=reverse("assessment:rating", args=[year_rating.year]),
        watching=watching,
    )


# --- the year's standard -------------------------------------------------------------------------


@login_required
def standard_current(request):
    _reader(request)
    return redirect("assessment:standard", timezone.localdate().year)


@login_required
def standard_detail(request, year: int):
    scope = _reader(request)
    standard = Standard.objects.filter(year=_year(year)).first()
    aspects = []
    if standard:
        indicators = list(standard.indicators.all())
        aspects = [(a, [i for i in indicators if i.aspect_id == a.pk]) for a in standard.aspects.all()]
    context = {
        "year": year,
        "standard": standard,
        "aspects": aspects,
        "is_committee": scope.is_committee,
        "locked_message": locked_message(standard) if standard and standard.is_locked else "",
        "q_points": sum(i.points for _aspect, group in aspects for i in group if i.is_quarterly),
        "years": Standard.objects.values_list("year", flat=True),
    }
    return render(request, "assessment/standard.html", context)


@login_required
@require_POST
def standard_create(request, year: int):
    _committee(request)
    standard = standard_ensure(year=_year(year))
    if standard.copied_from:
        message = _("已建立%(year)s年度评定标准（复制自%(source)s年度）") % {
            "year": year,
            "source": standard.copied_from,
        }
    else:
        message = _("已建立%(year)s年度评定标准（采用默认标准）") % {"year": year}
    messages.success(request, message)
    return redirect("assessment:standard", year)


@login_required
def standard_edit(request, year: int):
    _committee(request)
    standard = get_object_or_404(Standard, year=_year(year))
    if standard.is_locked:
        messages.warning(request, locked_message(standard))
        return redirect("assessment:standard", year)
    aspects = list(standard.aspects.all())
    indicators = list(standard.indicators.select_related("aspect"))
    data = request.POST if request.method == "POST" else None
    form = StandardParametersForm(data, instance=standard)
    aspect_set = AspectFormSet(
        data, prefix="aspects", initial=[{"code": a.code, "name": a.name, "points": a.points} for a in aspects]
    )
    indicator_set = IndicatorFormSet(
        data,
        prefix="indicators",
        initial=[
            {
                "code": i.code,
                "aspect": i.aspect.code,
                "name": i.name,
                "points": i.points,
                "mode": i.mode,
                "frequency": i.frequency,
            }
            for i in indicators
        ],
    )
    errors = []
    if request.method == "POST" and form.is_valid() and aspect_set.is_valid() and indicator_set.is_valid():
        try:
            standard_save(
                standard=standard,
                parameters=form.cleaned_data,
                aspects=[f.spec() for f in aspect_set],
                indicators=[f.spec() for f in indicator_set if _kept(f)],
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("%(year)s年度评定标准已保存") % {"year": year})
            return redirect("assessment:standard", year)
    context = {
        "year": year,
        "standard": standard,
        "form": form,
        "aspect_set": aspect_set,
        "indicator_set": indicator_set,
        "errors": errors,
    }
    return render(request, "assessment/standard_edit.html", context)


def _kept(form) -> bool:
    """A filled-in indicator row that is not marked for deletion (blank extra rows are skipped)."""
    return bool(form.cleaned_data) and not form.cleaned_data.get("DELETE")


# --- rating the year -----------------------------------------------------------------------------


@login_required
def rating_latest(request):
    _committee(request)
    return redirect("assessment:rating", timezone.localdate().year - 1)


@login_required
def rating_review(request, year: int):
    """The committee reviews the proposal, with each branch's reasons; overrides; approves."""
    _committee(request)
    year = _year(year)
    year_rating = YearRating.objects.filter(year=year).first()
    rows = []
    if year_rating is not None:
        rows = list(year_rating.branches.select_related("branch", "overridden_by"))
        # Highest level first (the committee's override counts), lagging branches last.
        rows.sort(key=lambda r: (r.level is None, -(r.level or 0), -r.score, r.branch.code))
    standard = Standard.objects.filter(year=year).first()
    context = {
        "year": year,
        "year_rating": year_rating,
        "rows": rows,
        "counts": selectors.level_counts(r.level for r in rows),
        "applied": Application.objects.filter(year=year).count(),
        "branch_total": OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH).count(),
        "rules": selectors.rules_of(standard) if standard else None,
        "places": rating.quota_size(sum(1 for r in rows if not r.is_lagging), standard.five_star_quota)
        if standard
        else None,
        "reverse_form": ReverseForm(),
        "reversals": year_rating.reversals.select_related("reversed_by", "approved_by") if year_rating else [],
        "job": _rating_job(year_rating),
        "can_run": year < timezone.localdate().year,
    }
    return render(request, "assessment/rating.html", context)


@login_required
@require_POST
def rating_run(request, year: int):
    _committee(request)
    try:
        jobs.year_rating_request(year=_year(year))
    except ValidationError as exc:
        flash_service_errors(request, exc)
    else:
        messages.success(request, _("已提交%(year)s年度星级评定的计算任务") % {"year": year})
    return redirect("assessment:rating", year)


@login_required
def rating_status(request, year: int):
    _committee(request)
    year_rating = YearRating.objects.filter(year=_year(year)).first()
    return render(request, "assessment/_job_status.html", {"job": _rating_job(year_rating, watching=True)})


@login_required
@require_POST
def rating_approve(request, year: int):
    _committee(request)
    try:
        ratings.year_approve(year=_year(year), by=request.user)
    except ValidationError as exc:
        flash_service_errors(request, exc)
    else:
        messages.success(request, _("%(year)s年度星级评定已审批，各支部现在可以看到评定结果") % {"year": year})
    return redirect("assessment:rating", year)


@login_required
@require_POST
def rating_reverse(request, year: int):
    _committee(request)
    form = ReverseForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        ratings.year_reverse(year=_year(year), by=request.user, reason=reason)
    except ValidationError as exc:
        flash_service_errors(request, exc)
    else:
        messages.success(request, _("已撤销%(year)s年度的审批，评定结果重新待审批") % {"year": year})
    return redirect("assessment:rating", year)


@login_required
def rating_override(request, year: int, pk: int):
    _committee(request)
    line = get_object_or_404(BranchRating.objects.select_related("branch", "rating"), pk=pk, rating__year=_year(year))
    form = OverrideForm(request.POST or None, initial={"level": line.override_level, "reason": line.override_reason})
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            ratings.branch_rating_override(
                branch_rating=line, level=data["level"], reason=data["reason"], by=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已调整%(name)s的星级") % {"name": line.branch.name})
            return redirect("assessment:rating", year)
    return render(request, "assessment/override.html", {"line": line, "form": form, "year": year})


# --- import --------------------------------------------------------------------------------------


@login_required
def import_scores(request):
    _committee(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            result = score_io.import_scores(form.cleaned_data["file"], by=request.user)
        except score_io.ImportFailed as exc:
            errors = exc.errors
        else:
            messages.success(request, result.summary)
            return redirect("assessment:import")
    today = timezone.localdate()
    year, quarter = previous_quarter(today)
    template_form = TemplateForm(initial={"year": year, "quarter": quarter})
    return render(request, "assessment/import.html", {"form": form, "errors": errors, "template_form": template_form})


@login_required
def import_template(request):
    scope = _committee(request)
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


# --- the home page's panel -----------------------------------------------------------------------


def home_panel(request, scope):
    """The five-star panel of the home page: for the committee what awaits it, for a branch its level."""
    if not can_read(scope):
        return None
    today = timezone.localdate()
    panel = {"is_committee": scope.is_committee, "proposed": None, "branches": [], "branch_count": 0}
    if scope.is_committee:
        panel["proposed"] = YearRating.objects.filter(status=YearRating.Status.PROPOSED).order_by("-year").first()
    else:
        units = selectors.visible_branches(scope)
        if not units:
            return None
        shown = units[:8]
        latest = {h.branch_id: h for h in StarHistory.objects.filter(branch__in=shown).order_by("year")}
        panel.update(branches=[(u, latest.get(u.pk)) for u in shown], branch_count=len(units))
    panel["overdue"] = Problem.objects.visible_to(scope).overdue(today).count()
    panel["open"] = Problem.objects.visible_to(scope).open().count()
    return "assessment/panel_home.html", panel
