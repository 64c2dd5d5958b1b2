"""The problem list (问题清单): problems found by the checks, their evidence and their closing (销号)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branches.access import get_managed_or_404, get_visible_or_404
from core.downloads import stored_file_response
from core.service_errors import flash_service_errors

from ..forms import CloseForm, EvidenceForm, ProblemForm
from ..models import Evidence, Problem, Standard
from ..services import checks
from .access import branch_or_404, committee_only, reader_only, year_or_404


@login_required
@require_POST
def problem_create(request, branch_id: int, year: int):
    committee_only(request)
    unit = branch_or_404(request, branch_id)
    standard = get_object_or_404(Standard, year=year_or_404(year))
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
    scope = reader_only(request)
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
    scope = reader_only(request)
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
    return stored_file_response(evidence.file, evidence.original_name)


@login_required
@require_POST
def problem_close(request, pk: int):
    committee_only(request)
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
