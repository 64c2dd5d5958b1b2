"""Pages for meeting records, the ledger, compliance and talks.

Every object is fetched through a user-scoped queryset: outside the user's subtree it does not
exist (404). Changing something also needs can_log / can_edit / can_return, again 404 otherwise.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branches.access import GROUP_LEADER, get_managed_or_404, get_visible_or_404, scope_for
from branches.models import OrgUnit
from core.periods import Period, quarter_of
from core.service_errors import add_service_errors, flash_service_errors
from members.models import Member
from members.selectors import members_of_unit_on

from . import compliance, ledger_io, selectors, services
from .forms import (
    AttachmentForm,
    LedgerFilter,
    LedgerImportForm,
    MeetingForm,
    ReturnForm,
    TalkForm,
    marks_from_post,
)
from .models import Attachment, Attendance, Meeting, Talk

PAGE_SIZE = 50


# Index -------------------------------------------------------------------------------------------


@login_required
def index(request):
    scope = scope_for(request.user)
    if not scope.has_units:
        raise Http404
    units = OrgUnit.objects.visible_to(scope).filter(kind__in=[OrgUnit.Kind.BRANCH, OrgUnit.Kind.GROUP])
    q = (request.GET.get("q") or "").strip()
    if q:
        units = units.filter(Q(name__icontains=q) | Q(code__icontains=q))
    page = Paginator(units.order_by("path"), PAGE_SIZE).get_page(request.GET.get("page"))
    for unit in page:
        unit.can_log = selectors.can_log(scope, unit)
    pending = (
        Meeting.objects.visible_to(scope)
        .filter(status__in=[Meeting.Status.DRAFT, Meeting.Status.RETURNED])
        .select_related("unit")
        .order_by("status", "-held_at")[:20]
    )
    return render(
        request,
        "activities/index.html",
        {
            "page": page,
            "q": q,
            "query": urlencode({"q": q}) if q else "",
            "pending": pending,
            "can_import": scope.is_manager or GROUP_LEADER in scope.roles,
        },
    )


# Meeting form ------------------------------------------------------------------------------------


def _attendance_for(unit, kind, held_at, marks=None) -> services.AttendancePlan | None:
    """Who is expected at the meeting the form describes, with their marks (None until it says enough)."""
    if unit is None or not kind or held_at is None:
        return None
    return services.attendance_plan(unit=unit, kind=kind, day=timezone.localtime(held_at).date(), marks=marks)


def _suggest(scope, units, today):
    """The unit and kind most due now: the first requirement of the quarter still waiting in this
    month (or quarter), so a secretary who follows the panel's advice needs to change nothing."""
    branches = [u for u in units if u.kind == OrgUnit.Kind.BRANCH]
    groups = [u for u in units if u.kind == OrgUnit.Kind.GROUP]
    branch = branches[0] if branches else (selectors.branch_of(groups[0]) if groups else None)
    if branch is None:
        return None, None
    year, quarter = quarter_of(today)
    facts = selectors.meeting_facts([branch.pk], Period.for_year(year))[branch.pk]
    allowed = {u.pk: u for u in units}
    for row in compliance.requirement_rows(facts, year, quarter, today):
        cells = row.months if row.requirement.frequency == compliance.MONTHLY else (row.summary,)
        if any(c.state == compliance.DUE for c in cells) and row.unit_id in allowed:
            return allowed[row.unit_id], row.requirement.kind
    if branches:
        return branches[0], compliance.THEME_DAY
    return groups[0], compliance.GROUP_MEETING


def _meeting_form_page(request, *, units, meeting=None):
    scope = scope_for(request.user)
    if request.method == "POST":
        form = MeetingForm(request.POST, instance=meeting, units=units)
        valid = form.is_valid()
        unit, kind, held_at = (form.cleaned_data.get(k) for k in ("unit", "kind", "held_at"))
        # Worked out even when the form has errors, so the marks survive the round trip.
        attendance = _attendance_for(unit, kind, held_at)
        marks, mark_errors = marks_from_post(request.POST, attendance.member_ids if attendance else [])
        if attendance is not None:
            attendance = attendance.marked(marks)
        for error in mark_errors:
            form.add_error(None, error)
        if valid and not mark_errors:
            fields = {name: form.cleaned_data[name] for name in services.TEXT_FIELDS}
            what = {"unit": unit, "kind": kind, "held_at": held_at, "marks": marks, "attendance": attendance}
            try:
                if meeting is None:
                    meeting = services.meeting_create(by=request.user, **what, **fields)
                else:
                    meeting = services.meeting_update(meeting=meeting, by=request.user, **what, **fields)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if "submit" in request.POST:
                    return _submit(request, meeting)
                messages.success(request, _("已保存草稿。核对无误后请点击“提交”。"))
                return redirect("activities:detail", pk=meeting.pk)
    else:
        if meeting is not None:
            form = MeetingForm(instance=meeting, units=units)
            marks = {a.member_id: (a.status, a.reason) for a in meeting.attendance.all()}
            unit, kind, held_at = meeting.unit, meeting.kind, meeting.held_at
        else:
            today = timezone.localdate()
            unit, kind = _suggest(scope, units, today)
            requested_unit = request.GET.get("unit")
            if requested_unit and requested_unit.isdigit():
                unit = next((u for u in units if u.pk == int(requested_unit)), unit)
            requested_kind = request.GET.get("kind")
            if requested_kind in compliance.KIND_LABELS:
                kind = requested_kind
            if unit is not None and unit.kind == OrgUnit.Kind.GROUP:
                kind = compliance.GROUP_MEETING
            elif kind == compliance.GROUP_MEETING:
                kind = compliance.THEME_DAY
            held_at = timezone.localtime().replace(minute=0, second=0, microsecond=0)
            last = Meeting.objects.filter(unit=unit).exclude(place="").order_by("-held_at").first()
            me = Member.objects.filter(pk=scope.member_id).first() if scope.member_id else None
            initial = {
                "unit": unit,
                "kind": kind,
                "held_at": held_at,
                "place": last.place if last else "",
                "host": me.name if me else "",
            }
            form = MeetingForm(initial=initial, units=units)
            marks = {}
        attendance = _attendance_for(unit, kind, held_at, marks)
    return render(
        request,
        "activities/meeting_form.html",
        {
            "form": form,
            "meeting": meeting,
            "rows": attendance.lines if attendance else [],
            "statuses": Attendance.Status.choices,
        },
    )


@login_required
def meeting_create(request):
    scope = scope_for(request.user)
    around = None
    unit_id = request.GET.get("unit") or request.POST.get("unit")
    if unit_id and str(unit_id).isdigit():
        around = get_visible_or_404(OrgUnit.objects, request.user, pk=unit_id)
    elif scope.is_committee:
        # The whole tree is theirs: ask which unit rather than list thousands in a select.
        messages.info(request, _("请先选择要登记会议的支部或党小组。"))
        return redirect("activities:index")
    units = selectors.loggable_units(scope, around=around)
    if not units:
        raise Http404
    if around is None and len({selectors.branch_of(u).pk if u.kind == "group" else u.pk for u in units}) > 1:
        messages.info(request, _("请先选择要登记会议的支部或党小组。"))
        return redirect("activities:index")
    return _meeting_form_page(request, units=units)


@login_required
def attendance_table(request):
    """The attendance table for a unit, kind and date (htmx swaps it in when those change)."""
    scope = scope_for(request.user)
    unit_id = request.GET.get("unit", "")
    unit = get_visible_or_404(OrgUnit.objects, request.user, pk=int(unit_id) if unit_id.isdigit() else 0)
    if not selectors.can_log(scope, unit):
        raise Http404
    kind = request.GET.get("kind")
    try:
        held_at = dt.datetime.fromisoformat(request.GET.get("held_at", ""))
    except ValueError:
        held_at = None
    rows: tuple[services.AttendanceLine, ...] = ()
    if kind in compliance.KIND_LABELS and held_at is not None:
        attendance = services.attendance_plan(unit=unit, kind=kind, day=held_at.date())
        marks, _errors_ = marks_from_post(request.GET, attendance.member_ids)
        rows = attendance.marked(marks).lines
    return render(
        request,
        "activities/_attendance_table.html",
        {"rows": rows, "statuses": Attendance.Status.choices, "kind": kind},
    )


def _meeting_for(request, pk):
    return get_visible_or_404(
        Meeting.objects.select_related("unit", "branch", "created_by", "returned_by", "similar_to"), request.user, pk=pk
    )


def _editable_meeting(request, pk):
    meeting = _meeting_for(request, pk)
    if not selectors.can_log(scope_for(request.user), meeting.unit):
        raise Http404
    return meeting


@login_required
def meeting_edit(request, pk):
    meeting = _editable_meeting(request, pk)
    if not meeting.is_editable:
        messages.error(request, _("已提交的记录不能修改；如需更正，请上级党组织退回后再改。"))
        return redirect("activities:detail", pk=meeting.pk)
    units = selectors.loggable_units(scope_for(request.user), around=meeting.unit)
    return _meeting_form_page(request, units=units, meeting=meeting)


@login_required
def meeting_detail(request, pk):
    scope = scope_for(request.user)
    meeting = _meeting_for(request, pk)
    attendance = list(meeting.attendance.select_related("member").order_by("status", "member__name"))
    history = meeting.history.select_related("history_user").order_by("-history_date")[:20]
    return render(
        request,
        "activities/meeting_detail.html",
        {
            "meeting": meeting,
            "attendance": attendance,
            "absences": [a for a in attendance if a.status != compliance.PRESENT],
            "present": [a for a in attendance if a.status == compliance.PRESENT],
            "attachments": meeting.attachments.all(),
            "history": history,
            "can_edit": selectors.can_edit(scope, meeting),
            "can_return": selectors.can_return(scope, meeting),
            "submit_problems": services.submit_errors(meeting, timezone.localdate()) if meeting.is_editable else [],
            "attachment_form": AttachmentForm(),
            "similar_visible": meeting.similar_to_id
            and Meeting.objects.visible_to(scope).filter(pk=meeting.similar_to_id).exists(),
        },
    )


def _submit(request, meeting):
    try:
        services.meeting_submit(meeting=meeting, by=request.user)
    except ValidationError as exc:
        flash_service_errors(request, exc)
        messages.info(request, _("记录已保存为草稿，补充后再提交。"))
    else:
        messages.success(request, _("已提交。提交后的记录计入三会一课完成情况和星级评定。"))
    return redirect("activities:detail", pk=meeting.pk)


@login_required
@require_POST
def meeting_submit(request, pk):
    meeting = _editable_meeting(request, pk)
    return _submit(request, meeting)


@login_required
def meeting_return(request, pk):
    meeting = _meeting_for(request, pk)
    if not selectors.can_return(scope_for(request.user), meeting):
        raise Http404
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_return(meeting=meeting, by=request.user, comment=form.cleaned_data["comment"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已退回，支部修改后可重新提交。"))
            return redirect("activities:detail", pk=meeting.pk)
    return render(request, "activities/meeting_return.html", {"meeting": meeting, "form": form})


@login_required
@require_POST
def meeting_delete(request, pk):
    meeting = _editable_meeting(request, pk)
    unit_id = meeting.unit_id
    try:
        services.meeting_delete(meeting=meeting, by=request.user)
    except ValidationError as exc:
        flash_service_errors(request, exc)
        return redirect("activities:detail", pk=pk)
    messages.success(request, _("草稿已删除。"))
    return redirect("activities:ledger", unit_id=unit_id)


# Attachments -------------------------------------------------------------------------------------


@login_required
@require_POST
def attachment_upload(request, pk):
    meeting = _editable_meeting(request, pk)
    if not meeting.is_editable:
        raise Http404
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(meeting=meeting, by=request.user, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            flash_service_errors(request, exc)
        else:
            messages.success(request, _("附件已上传。"))
    else:
        for error in form.errors.get("file", [_("请选择要上传的文件。")]):
            messages.error(request, error)
    return redirect(reverse("activities:detail", args=[meeting.pk]) + "#attachments")


@login_required
def attachment_download(request, pk):
    attachment = get_visible_or_404(Attachment.objects.select_related("meeting"), request.user, pk=pk)
    inline = attachment.is_image or request.GET.get("inline") == "1" and attachment.content_type == "application/pdf"
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=not inline,
        filename=attachment.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=0"
    return response


@login_required
@require_POST
def attachment_delete(request, pk):
    attachment = get_visible_or_404(Attachment.objects.select_related("meeting__unit"), request.user, pk=pk)
    if not selectors.can_edit(scope_for(request.user), attachment.meeting):
        raise Http404
    meeting_pk = attachment.meeting_id
    try:
        services.attachment_delete(attachment=attachment, by=request.user)
    except ValidationError as exc:
        flash_service_errors(request, exc)
    else:
        messages.success(request, _("附件已删除。"))
    return redirect(reverse("activities:detail", args=[meeting_pk]) + "#attachments")


# Ledger ------------------------------------------------------------------------------------------


def _ledger_queryset(request, unit):
    base = selectors.ledger_meetings(unit)
    data = request.GET.copy()
    if "year" not in data:
        data["year"] = str(timezone.localdate().year)
    return LedgerFilter(data, queryset=base)


@login_required
def ledger(request, unit_id):
    scope = scope_for(request.user)
    unit = get_visible_or_404(OrgUnit.objects, request.user, pk=unit_id)
    if unit.kind not in (OrgUnit.Kind.BRANCH, OrgUnit.Kind.GROUP, OrgUnit.Kind.GENERAL_BRANCH):
        raise Http404
    filterset = _ledger_queryset(request, unit)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "activities/ledger.html",
        {
            "unit": unit,
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "can_log": selectors.can_log(scope, unit),
            "parent": OrgUnit.objects.get_parent(unit) if unit.kind == OrgUnit.Kind.GROUP else None,
        },
    )


@login_required
def ledger_export(request, unit_id):
    unit = get_visible_or_404(OrgUnit.objects, request.user, pk=unit_id)
    filterset = _ledger_queryset(request, unit)
    absences = Attendance.objects.exclude(status=compliance.PRESENT).select_related("member").order_by("member__name")
    meetings = (
        filterset.qs.select_related("unit")
        .prefetch_related(Prefetch("attendance", queryset=absences, to_attr="absences"))
        .iterator(chunk_size=500)
    )
    # A spooled file: small ledgers stay in memory, big ones go to disk; write-only mode keeps the
    # workbook itself out of memory either way.
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    ledger_io.write_ledger(meetings, out)
    out.seek(0)
    name = _("%(unit)s台账%(year)s.xlsx") % {"unit": unit.name, "year": filterset.form.cleaned_data.get("year") or ""}
    response = FileResponse(
        out,
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    return response


# Compliance --------------------------------------------------------------------------------------


def _year_quarter(request, today):
    year, quarter = quarter_of(today)
    try:
        year = int(request.GET.get("year", year))
        quarter = int(request.GET.get("quarter", quarter))
    except ValueError:
        pass
    if quarter not in (1, 2, 3, 4) or not 2000 <= year <= today.year + 1:
        year, quarter = quarter_of(today)
    return year, quarter


@login_required
def compliance_page(request):
    scope = scope_for(request.user)
    if not scope.is_manager:
        raise Http404
    today = timezone.localdate()
    year, quarter = _year_quarter(request, today)
    branches = list(selectors.branches_in_scope(scope).order_by("code"))
    parents = dict(
        OrgUnit.objects.filter(kind__in=[OrgUnit.Kind.GENERAL_BRANCH, OrgUnit.Kind.COMMITTEE]).values_list(
            "path", "name"
        )
    )
    for branch in branches:
        branch.parent_name = parents.get(branch.path[: -OrgUnit.steplen], "")
    table = selectors.compliance_table(branches, year, quarter, today)
    behind = sum(1 for line in table if line.compliance.missing)
    only = request.GET.get("only")
    if only == "missing":
        table = [line for line in table if line.compliance.missing]
    page = Paginator(table, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "activities/compliance.html",
        {
            "page": page,
            "year": year,
            "quarter": quarter,
            "years": range(today.year, today.year - 5, -1),
            "requirements": compliance.REQUIREMENTS,
            "behind": behind,
            "total": len(branches),
            "only": only,
            "query": query.urlencode(),
        },
    )


PANEL_MAX_BRANCHES = 10


def compliance_panel(request):
    """The home page's 三会一课 panel: the current quarter, per branch and group the user runs."""
    scope = scope_for(request.user)
    if not scope.has_units:
        return None
    today = timezone.localdate()
    year, quarter = quarter_of(today)
    context = {"year": year, "quarter": quarter, "today": today}
    if scope.is_committee:
        return "activities/panel.html", {**context, "summary_only": True}
    branches = list(selectors.branches_in_scope(scope, managed=True).order_by("code"))
    led_groups = []
    if not branches and GROUP_LEADER in scope.roles:
        led_groups = list(
            OrgUnit.objects.filter(kind=OrgUnit.Kind.GROUP).filter(
                scope.unit_q("", [p for _, p, r in scope.grants if r == GROUP_LEADER])
            )
        )
        branch_paths = {g.path[: -OrgUnit.steplen] for g in led_groups}
        branches = list(OrgUnit.objects.filter(path__in=branch_paths).order_by("code"))
    if not branches:
        return None
    if len(branches) > PANEL_MAX_BRANCHES:
        return "activities/panel.html", {**context, "summary_only": True, "count": len(branches)}
    facts = selectors.meeting_facts([b.pk for b in branches], Period.for_year(year))
    blocks = []
    for branch in branches:
        rows = compliance.requirement_rows(facts[branch.pk], year, quarter, today)
        if led_groups:
            led = {g.pk for g in led_groups}
            rows = [r for r in rows if r.unit_id in led]
        can_log_branch = selectors.can_log(scope, branch)
        blocks.append({"branch": branch, "rows": rows, "can_log": can_log_branch})
    months = [dt.date(y, m, 1) for y, m in Period.for_quarter(year, quarter).months]
    returned = Meeting.objects.visible_to(scope).filter(status=Meeting.Status.RETURNED).count()
    drafts = Meeting.objects.visible_to(scope).filter(status=Meeting.Status.DRAFT).count()
    return (
        "activities/panel.html",
        {**context, "blocks": blocks, "months": months, "returned": returned, "drafts": drafts},
    )


# Import ------------------------------------------------------------------------------------------


@login_required
def ledger_import(request):
    scope = scope_for(request.user)
    if not (scope.is_manager or GROUP_LEADER in scope.roles):
        raise Http404
    form = LedgerImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        rows, errors = ledger_io.read_ledger(form.cleaned_data["file"], scope=scope)
        if not errors:
            created = services.meetings_import(rows=rows, by=request.user)
            messages.success(request, _("已导入 %(n)d 条会议记录。") % {"n": len(created)})
            return redirect("activities:index")
    return render(request, "activities/import.html", {"form": form, "errors": errors})


@login_required
def ledger_template(request):
    scope = scope_for(request.user)
    if not scope.has_units:
        raise Http404
    out = tempfile.SpooledTemporaryFile()
    ledger_io.template_workbook(out)
    out.seek(0)
    return FileResponse(
        out,
        as_attachment=True,
        filename=_("三会一课台账导入模板.xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# Talks -------------------------------------------------------------------------------------------


@login_required
def talk_list(request):
    scope = scope_for(request.user)
    if not scope.is_manager:
        raise Http404
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    branches = selectors.branches_in_scope(scope, managed=True).order_by("code")
    branch = None
    if request.GET.get("branch", "").isdigit():
        branch = get_managed_or_404(
            OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH), request.user, pk=request.GET["branch"]
        )
    elif branches.count() == 1:
        branch = branches.first()
    talks = Talk.objects.managed_by(scope).filter(talked_on__year=year).select_related("branch", "member", "talker")
    coverage = None
    if branch is not None:
        talks = talks.filter(branch=branch)
        day = min(today, dt.date(year, 12, 31))
        members = list(members_of_unit_on(branch, day))
        talked = set(Talk.objects.filter(talked_on__year=year, member__in=members).values_list("member_id", flat=True))
        coverage = {
            "total": len(members),
            "done": sum(1 for m in members if m.pk in talked),
            "pending": [m for m in members if m.pk not in talked],
        }
    page = Paginator(talks.order_by("-talked_on", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "activities/talk_list.html",
        {
            "page": page,
            "year": year,
            "years": range(today.year, today.year - 5, -1),
            "branch": branch,
            "branches": branches[:200],
            "coverage": coverage,
            "query": urlencode({"year": year, **({"branch": branch.pk} if branch else {})}),
        },
    )


def _talk_form_page(request, *, branch, talk=None):
    today = timezone.localdate()
    members = list(members_of_unit_on(branch, today, include_retired=True))
    if talk is not None and talk.member not in members:
        members.append(talk.member)
    initial = {"talked_on": today}
    if request.GET.get("member", "").isdigit():
        initial["member"] = int(request.GET["member"])
    me = scope_for(request.user).member_id
    if me and any(m.pk == me for m in members):
        initial["talker"] = me
    form = TalkForm(request.POST or None, instance=talk, members=members, initial=None if talk else initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if talk is None:
                services.talk_create(by=request.user, branch=branch, **data)
            else:
                services.talk_update(talk=talk, by=request.user, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("谈心谈话记录已保存。"))
            return redirect(f"{reverse('activities:talks')}?branch={branch.pk}&year={data['talked_on'].year}")
    return render(request, "activities/talk_form.html", {"form": form, "branch": branch, "talk": talk})


@login_required
def talk_create(request):
    scope = scope_for(request.user)
    if not scope.is_manager:
        raise Http404
    branch_id = request.GET.get("branch", "")
    branches = selectors.branches_in_scope(scope, managed=True)
    if branch_id.isdigit():
        branch = get_managed_or_404(OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH), request.user, pk=branch_id)
    elif branches.count() == 1:
        branch = branches.first()
    else:
        messages.info(request, _("请先选择支部。"))
        return redirect("activities:talks")
    return _talk_form_page(request, branch=branch)


@login_required
def talk_edit(request, pk):
    talk = get_managed_or_404(Talk.objects.select_related("branch", "member"), request.user, pk=pk)
    return _talk_form_page(request, branch=talk.branch, talk=talk)


@login_required
@require_POST
def talk_delete(request, pk):
    talk = get_managed_or_404(Talk.objects.all(), request.user, pk=pk)
    branch_id, year = talk.branch_id, talk.talked_on.year
    services.talk_delete(talk=talk, by=request.user)
    messages.success(request, _("已删除。"))
    return redirect(f"{reverse('activities:talks')}?branch={branch_id}&year={year}")
