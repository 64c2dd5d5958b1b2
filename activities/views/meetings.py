"""Meeting records (三会一课): the units a user logs for, the meeting form with its attendance, a record's page,
submitting it, returning it and deleting a draft.

Every object is fetched through a user-scoped queryset: outside the user's subtree it does not
exist (404). Changing something also needs can_log / can_edit / can_return, again 404 otherwise.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branches.access import GROUP_LEADER, get_visible_or_404, scope_for
from branches.models import OrgUnit
from core.periods import Period, quarter_of
from core.service_errors import add_service_errors, flash_service_errors
from members.models import Member

from .. import compliance, pending_uploads, selectors, services
from ..forms import AttachmentForm, MeetingForm, ReturnForm, marks_from_post
from ..models import Attendance, Meeting
from . import PAGE_SIZE


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
    pending: list[pending_uploads.PendingUpload] = []
    if request.method == "POST":
        form = MeetingForm(request.POST, request.FILES, instance=meeting, units=units)
        form.is_valid()
        # What was entered, even where refused (a future date): the marks are kept whatever the error.
        unit, kind, held_at = (form.posted(k) for k in ("unit", "kind", "held_at"))
        attendance = _attendance_for(unit, kind, held_at)
        marks, mark_errors = marks_from_post(request.POST, attendance.member_ids if attendance else [])
        if attendance is not None:
            attendance = attendance.marked(marks)
        for error in mark_errors:
            form.add_error(None, error)
        # Files chosen now, and those kept aside when the form last came back with an error.
        pending = pending_uploads.claim(request.POST.getlist("pending"), user=request.user)
        fresh = []
        for upload in form.cleaned_data.get("files") or []:
            problem = services.attachment_problem(upload)
            if problem:
                form.add_error("files", problem)
            else:
                fresh.append(upload)
        if not form.errors:
            fields = {name: form.cleaned_data[name] for name in services.TEXT_FIELDS}
            what = {"unit": unit, "kind": kind, "held_at": held_at, "marks": marks, "attendance": attendance}
            kept = [p.open() for p in pending]
            try:
                if meeting is None:
                    meeting = services.meeting_create(by=request.user, **what, **fields, uploads=fresh + kept)
                else:
                    meeting = services.meeting_update(
                        meeting=meeting, by=request.user, **what, **fields, uploads=fresh + kept
                    )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                pending_uploads.discard(pending)
                if "submit" in request.POST:
                    return _submit(request, meeting)
                messages.success(request, _("已保存草稿。核对无误后请点击“提交”。"))
                return redirect("activities:detail", pk=meeting.pk)
            finally:
                for upload in kept:
                    upload.close()
        # The form comes back: the good files wait aside, so they need not be chosen again.
        pending += [pending_uploads.keep(upload, user=request.user) for upload in fresh]
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
            "pending": pending,
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


def editable_meeting(request, pk):
    meeting = _meeting_for(request, pk)
    if not selectors.can_log(scope_for(request.user), meeting.unit):
        raise Http404
    return meeting


@login_required
def meeting_edit(request, pk):
    meeting = editable_meeting(request, pk)
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
            # New evidence is welcome after submission too; removing any needs the record returned.
            "can_add_evidence": selectors.can_log(scope, meeting.unit),
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
    meeting = editable_meeting(request, pk)
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
    meeting = editable_meeting(request, pk)
    unit_id = meeting.unit_id
    try:
        services.meeting_delete(meeting=meeting, by=request.user)
    except ValidationError as exc:
        flash_service_errors(request, exc)
        return redirect("activities:detail", pk=pk)
    messages.success(request, _("草稿已删除。"))
    return redirect("activities:ledger", unit_id=unit_id)
