"""发展党员 pages. Secretaries keep their branch's records; the committee records its own steps
(备案, 预审, 谈话, 审批) and sees every branch's pipeline. Everything is read through `managed_by`,
so anyone else — another branch, a group leader, a plain member — gets a 404.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Prefetch, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from branches.access import get_managed_or_404, scope_for
from branches.models import OrgUnit
from core import pdf
from core.downloads import evidence_response
from core.params import query_id, query_year
from core.service_errors import add_service_errors
from core.spreadsheets import xlsx_response
from imports.models import ImportJob
from imports.pages import import_page as imports_page

from . import recruit_io, rules, selectors, services, tasks
from .forms import DocumentForm, ImportForm, RecruitEditForm, RecruitFilterForm, RecruitForm, StepForm
from .models import STAGE_LABELS, STEP_LABELS, Recruit, RecruitDocument, RecruitStep, Status

PAGE_SIZE = 50
STATUS_RANK = Case(
    *[When(status=status, then=Value(index)) for index, status in enumerate(rules.STATUS_ORDER)],
    output_field=IntegerField(),
)


def _manager_scope(request):
    scope = scope_for(request.user)
    if not (scope.is_committee or scope.is_manager):
        raise Http404
    return scope


def _recruits(request):
    return Recruit.objects.managed_by(request.user)


def _can_record(scope, number: int) -> bool:
    """The committee records its own acts; the branch (and the committee) the branch's."""
    return scope.is_committee or not rules.STEPS[number].by_committee


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _errors(exc: ValidationError) -> list[str]:
    return exc.messages


# --- The branch's list -----------------------------------------------------------------------------


@login_required
def recruit_list(request):
    scope = _manager_scope(request)
    recruits = _recruits(request)
    unit = None
    if unit_id := query_id(request, "unit"):
        unit = get_managed_or_404(OrgUnit.objects, request.user, pk=unit_id)
        recruits = selectors.in_unit(recruits, unit)
    status = request.GET.get("status", "")
    if status in rules.STATUS_LABELS:
        recruits = recruits.filter(status=status)
    ordered = recruits.annotate(rank=STATUS_RANK).order_by("-rank", "branch__code", "name", "pk")
    page = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = selectors.branch_rows(recruits.filter(pk__in=[r.pk for r in page.object_list]), today)
    # Whether there is a branch to add to, and more than one to filter by: two ids, not every branch.
    first_branches = list(
        OrgUnit.objects.managed_by(scope).filter(kind=OrgUnit.Kind.BRANCH).values_list("pk", flat=True)[:2]
    )
    units = OrgUnit.objects.managed_by(scope).exclude(kind=OrgUnit.Kind.GROUP)
    context = {
        "rows": rows,
        "page": page,
        "unit": unit,
        "status": status,
        "statuses": Status.choices,
        "filter_form": RecruitFilterForm(initial={"unit": unit.pk if unit else None}, units=units),
        "many_branches": len(first_branches) > 1,
        "can_add": bool(first_branches),
        "today": today,
        "query": _query_without_page(request),
    }
    return render(request, "recruitment/list.html", context)


@login_required
def recruit_create(request):
    scope = _manager_scope(request)
    branches = OrgUnit.objects.managed_by(scope).filter(kind=OrgUnit.Kind.BRANCH)
    initial = {}
    if branch_id := query_id(request, "branch"):
        initial["branch"] = get_managed_or_404(branches, request.user, pk=branch_id)
    elif len(only := list(branches[:2])) == 1:
        initial["branch"] = only[0]
    form = RecruitForm(request.POST or None, branches=branches, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            recruit = services.recruit_create(**form.cleaned_data, by=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已登记%(name)s的入党申请。") % {"name": recruit.name})
            return redirect("recruitment:detail", pk=recruit.pk)
    return render(request, "recruitment/form.html", {"form": form, "recruit": None})


@login_required
def recruit_edit(request, pk):
    recruit = get_managed_or_404(_recruits(request), request.user, pk=pk)
    fields = ("name", "department", "post", "education", "ethnicity", "phone")
    form = RecruitEditForm(request.POST or None, initial={name: getattr(recruit, name) for name in fields})
    if request.method == "POST" and form.is_valid():
        try:
            services.recruit_update(recruit=recruit, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("recruitment:detail", pk=recruit.pk)
    return render(request, "recruitment/form.html", {"form": form, "recruit": recruit})


# --- A person's file --------------------------------------------------------------------------------


def _file(request, pk):
    """The recruit with every step, its people and documents: a fixed number of queries."""
    steps = RecruitStep.objects.prefetch_related("people", "documents").order_by("number", "done_on", "pk")
    return get_managed_or_404(
        _recruits(request).select_related("branch", "member").prefetch_related(Prefetch("steps", queryset=steps)),
        request.user,
        pk=pk,
    )


def _step_rows(recruit: Recruit, scope=None):
    """The 25 steps in their five stages, each with its records (several for an assessment)."""
    by_number: dict[int, list[RecruitStep]] = {}
    for step in recruit.steps.all():
        by_number.setdefault(step.number, []).append(step)
    top = rules.frontier(by_number)
    stages = []
    for stage in rules.STAGES:
        rows = []
        for number in stage.steps:
            records = by_number.get(number, [])
            open_to_record = number <= top + 1 and (not records or rules.STEPS[number].repeatable)
            rows.append(
                {
                    "number": number,
                    "label": STEP_LABELS[number],
                    "records": records,
                    "by_committee": rules.STEPS[number].by_committee,
                    "can_record": scope is not None and open_to_record and _can_record(scope, number),
                    "can_edit": scope is not None and _can_record(scope, number),
                    "can_delete": scope is not None and _can_record(scope, number) and number == top,
                    "is_next": number == top + 1,
                }
            )
        stages.append({"number": stage.number, "label": STAGE_LABELS[stage.number], "rows": rows})
    return stages


@login_required
def recruit_detail(request, pk):
    scope = scope_for(request.user)
    recruit = _file(request, pk)
    today = timezone.localdate()
    context = {
        "recruit": recruit,
        "id_number": recruit.id_number if scope.is_committee else recruit.masked_id_number,
        "progress": selectors.standing(recruit, today),
        "stages": _step_rows(recruit, scope),
        "document_form": DocumentForm(),
        "today": today,
    }
    return render(request, "recruitment/detail.html", context)


def _print_context(request, recruit):
    today = timezone.localdate()
    return {
        "recruit": recruit,
        "progress": selectors.standing(recruit, today),
        "stages": _step_rows(recruit),
        "printed_on": today,
    }


@login_required
def recruit_print(request, pk):
    recruit = _file(request, pk)
    return render(request, "recruitment/record_print.html", _print_context(request, recruit))


@login_required
def recruit_pdf(request, pk):
    recruit = _file(request, pk)
    content = pdf.render_pdf(
        "recruitment/record_print.html",
        _print_context(request, recruit),
        base_url=str(settings.BASE_DIR / "static") + "/",
        request=request,
    )
    response = HttpResponse(content, content_type="application/pdf")
    filename = _("发展党员纪实-%(name)s.pdf") % {"name": recruit.name}
    response["Content-Disposition"] = content_disposition_header(False, filename)
    response["Cache-Control"] = "private, max-age=0"
    return response


# --- Steps ------------------------------------------------------------------------------------------


STEP_EXTRA_FIELDS = (
    "people",
    "training_days",
    "training_hours",
    "notice_start",
    "notice_end",
    "voters_expected",
    "voters_present",
    "votes_for",
    "group",
)


@login_required
def step_record(request, pk, number):
    scope = scope_for(request.user)
    if number not in rules.STEPS or not _can_record(scope, number):
        raise Http404
    recruit = get_managed_or_404(_recruits(request).select_related("branch", "member"), request.user, pk=pk)
    step = None
    if step_id := query_id(request, "step"):
        try:
            step = recruit.steps.get(pk=step_id, number=number)
        except RecruitStep.DoesNotExist as exc:
            raise Http404 from exc
    elif not rules.STEPS[number].repeatable:
        step = recruit.steps.filter(number=number).first()
    initial = {}
    if step is not None:
        initial = {name: getattr(step, name) for name in ("done_on", "actor", "note", *STEP_EXTRA_FIELDS[1:-1])}
        if number in services.SPONSOR_ROLES:
            initial["people"] = list(step.people.all())
    meeting_day = step.done_on if step is not None else timezone.localdate()
    voting = selectors.voting_members_on(recruit.branch, meeting_day) if number == rules.BRANCH_MEETING else None
    if number == rules.BRANCH_MEETING and step is None:
        initial["voters_expected"] = voting
    groups = OrgUnit.objects.get_children(recruit.branch).filter(kind=OrgUnit.Kind.GROUP)
    form = StepForm(
        request.POST or None,
        number=number,
        sponsors=selectors.sponsor_choices(request.user),
        groups=groups,
        voting_members=voting,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            saved = services.recruit_step_record(recruit=recruit, number=number, step=step, by=request.user, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已登记第%(n)s步“%(label)s”。") % {"n": number, "label": STEP_LABELS[number]})
            for warning in saved.warning_list:
                messages.warning(request, warning)
            return redirect(reverse("recruitment:detail", args=[recruit.pk]) + f"#step-{number}")
    context = {"form": form, "recruit": recruit, "number": number, "label": STEP_LABELS[number], "step": step}
    return render(request, "recruitment/step_form.html", context)


@login_required
@require_POST
def step_delete(request, pk):
    scope = scope_for(request.user)
    step = get_managed_or_404(RecruitStep.objects.select_related("recruit"), request.user, pk=pk)
    if not _can_record(scope, step.number):
        raise Http404
    try:
        services.recruit_step_delete(step=step, by=request.user)
    except ValidationError as exc:
        for error in _errors(exc):
            messages.error(request, error)
    else:
        messages.success(request, _("已删除这一步骤的登记。"))
    return redirect("recruitment:detail", pk=step.recruit_id)


# --- Documents --------------------------------------------------------------------------------------


@login_required
@require_POST
def document_upload(request, pk):
    step = get_managed_or_404(RecruitStep.objects.select_related("recruit"), request.user, pk=pk)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.recruit_document_add(step=step, upload=form.cleaned_data["file"], by=request.user)
        except ValidationError as exc:
            for error in _errors(exc):
                messages.error(request, error)
        else:
            messages.success(request, _("材料已上传。"))
    else:
        for error in form.errors.get("file", [_("请选择要上传的文件。")]):
            messages.error(request, error)
    return redirect(reverse("recruitment:detail", args=[step.recruit_id]) + f"#step-{step.number}")


@login_required
def document_download(request, pk):
    document = get_managed_or_404(RecruitDocument.objects.all(), request.user, pk=pk)
    return evidence_response(request, document)


@login_required
@require_POST
def document_delete(request, pk):
    document = get_managed_or_404(RecruitDocument.objects.select_related("step"), request.user, pk=pk)
    step = document.step
    services.recruit_document_delete(document=document, by=request.user)
    messages.success(request, _("材料已删除。"))
    return redirect(reverse("recruitment:detail", args=[step.recruit_id]) + f"#step-{step.number}")


# --- The committee's pipeline --------------------------------------------------------------------------


@login_required
def pipeline(request):
    scope = _manager_scope(request)
    recruits = _recruits(request)
    today = timezone.localdate()
    counts = Paginator(selectors.stage_counts(recruits), PAGE_SIZE).get_page(request.GET.get("page"))
    queue = Paginator(selectors.committee_queue(recruits, today), PAGE_SIZE).get_page(request.GET.get("qpage"))
    queue_rows = [
        {
            "recruit": recruit,
            "label": STEP_LABELS[recruit.next_step],
            "days": (today - recruit.waiting_since).days if recruit.waiting_since else None,
        }
        for recruit in queue.object_list
    ]
    context = {
        "scope": scope,
        "counts": counts,
        "totals": selectors.stage_totals(recruits),
        "statuses": Status.choices,
        "queue": queue,
        "queue_rows": queue_rows,
        "queue_counts": [
            (number, STEP_LABELS[number], n) for number, n in sorted(selectors.committee_queue_counts(recruits).items())
        ],
        "today": today,
    }
    return render(request, "recruitment/pipeline.html", context)


# --- Files ------------------------------------------------------------------------------------------------


@login_required
def import_page(request):
    scope = _manager_scope(request)
    return imports_page(
        request,
        ImportForm(request.POST or None, request.FILES or None),
        kind=ImportJob.Kind.RECRUITS,
        task=tasks.run_recruit_import,
        template="recruitment/import.html",
        done="recruitment:import",
        success=lambda job: _("导入成功。%(summary)s") % {"summary": job.message},
        context={"scope": scope},
    )


@login_required
@require_GET
def template_download(request):
    _manager_scope(request)
    return xlsx_response(recruit_io.template_workbook, _("发展党员导入模板.xlsx"))


@login_required
def export_download(request):
    _manager_scope(request)
    year = query_year(request, timezone.localdate().year, warn=False)
    recruits = selectors.recruits_of_year(_recruits(request), year)
    if unit_id := query_id(request, "unit"):
        unit = get_managed_or_404(OrgUnit.objects, request.user, pk=unit_id)
        recruits = selectors.in_unit(recruits, unit)
    filename = _("发展党员纪实-%(year)s.xlsx") % {"year": year}
    return xlsx_response(lambda out: recruit_io.write_recruits(recruits, out), filename)
