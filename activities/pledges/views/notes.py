"""Study notes (学习心得): a member's notes with their attachments, and a branch's grid of who wrote what when."""

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activities.models import StudyNote
from branches.access import get_visible_or_404, scope_for
from core.params import query_id
from core.service_errors import add_service_errors
from members.models import Member

from .. import forms, selectors, services
from .lookups import branch_or_404


@login_required
def note_list(request):
    me = selectors.own_member(request.user)
    notes = []
    if me is not None:
        notes = StudyNote.objects.filter(member=me).order_by("-month", "-pk")[:100]
    context = {
        "me": me,
        "notes": notes,
        "managed": selectors.managed_branches(request.user),
        "year": timezone.localdate().year,
    }
    return render(request, "pledges/note_list.html", context)


def _note_author(request) -> Member:
    """Whose note a new one is: the user's own, or (?member=) a member of a branch they manage."""
    if member_id := query_id(request, "member"):
        try:
            return Member.objects.managed_by(request.user).select_related("branch").get(pk=member_id)
        except Member.DoesNotExist as exc:
            raise Http404 from exc
    me = selectors.own_member(request.user)
    if me is None:
        raise Http404
    return me


@login_required
def note_new(request):
    member = _note_author(request)
    today = timezone.localdate()
    form = forms.StudyNoteForm(request.POST or None, request.FILES or None, today=today)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            note = services.study_note_create(
                member=member,
                month=data["month"],
                title=data["title"],
                body=data["body"],
                attachment=data.get("attachment"),
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("学习心得已保存"))
            return redirect("pledges:note_detail", pk=note.pk)
    on_behalf = member.pk != scope_for(request.user).member_id
    return render(request, "pledges/note_form.html", {"form": form, "member": member, "on_behalf": on_behalf})


@login_required
def note_detail(request, pk):
    note = get_visible_or_404(StudyNote.objects.select_related("member", "branch"), request.user, pk=pk)
    writable = StudyNote.objects.writable_by(request.user).filter(pk=pk).exists()
    return render(request, "pledges/note_detail.html", {"note": note, "writable": writable})


@login_required
def note_edit(request, pk):
    note = get_visible_or_404(StudyNote.objects.writable_by(request.user).select_related("member"), request.user, pk=pk)
    today = timezone.localdate()
    initial = {"month": f"{note.month:%Y-%m}", "title": note.title, "body": note.body}
    form = forms.StudyNoteForm(
        request.POST or None,
        request.FILES or None,
        today=today,
        current_month=note.month,
        has_attachment=bool(note.attachment),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.study_note_update(
                note=note,
                month=data["month"],
                title=data["title"],
                body=data["body"],
                attachment=data.get("attachment"),
                remove_attachment=data.get("remove_attachment", False),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("学习心得已修改"))
            return redirect("pledges:note_detail", pk=pk)
    return render(request, "pledges/note_form.html", {"form": form, "member": note.member, "note": note})


@login_required
@require_POST
def note_delete(request, pk):
    note = get_visible_or_404(StudyNote.objects.writable_by(request.user), request.user, pk=pk)
    services.study_note_delete(note=note)
    messages.success(request, _("学习心得已删除"))
    return redirect("pledges:notes")


@login_required
def note_attachment(request, pk):
    """Attachments are stored outside static and served only to those who may see the note."""
    note = get_visible_or_404(StudyNote.objects.all(), request.user, pk=pk)
    if not note.attachment:
        raise Http404
    try:
        handle = note.attachment.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    name = note.attachment_name or note.attachment.name.rsplit("/", 1)[-1]
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def note_grid(request, branch_id, year):
    branch = branch_or_404(selectors.managed_branches(request.user), branch_id)
    today = timezone.localdate()
    if not 2000 <= year <= today.year:
        raise Http404
    grid = selectors.note_grid(branch, year, today)
    return render(request, "pledges/note_grid.html", {"grid": grid, "year": year, "today": today})
