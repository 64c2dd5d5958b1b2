"""Pages for pledges, democratic appraisal, study notes and the member's record.

Every object comes through a user-scoped queryset: what the user may not see is a 404.
"""

import mimetypes
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activities.models import Appraisal, AppraisalEntry, PeerBallot, Pledge, StudyNote
from branches.access import get_managed_or_404, get_visible_or_404, scope_for
from branches.models import OrgUnit
from members.models import Member

from . import forms, rules, selectors, services


def _year_param(request, default: int) -> int:
    try:
        year = int(request.GET.get("year", default))
    except ValueError:
        return default
    return year if 2000 <= year <= default + 1 else default


def _add_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: per field where it names one."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _message_errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _branch_or_404(queryset, pk):
    try:
        return queryset.get(pk=pk)
    except OrgUnit.DoesNotExist as exc:
        raise Http404 from exc


# --- Pledges ---------------------------------------------------------------------------------------


@login_required
def index(request):
    today = timezone.localdate()
    year = _year_param(request, today.year)
    me = selectors.own_member(request.user)
    my_pledges = []
    if me is not None:
        my_pledges = list(Pledge.objects.filter(member=me, year=year).select_related("branch").order_by("pk"))
    branches = list(selectors.visible_branches(request.user))
    managed_ids = set(selectors.managed_branches(request.user).values_list("pk", flat=True))
    summaries = selectors.branch_summaries([b.pk for b in branches], year)
    rows = []
    for branch in branches:
        counts = summaries.get(branch.pk, rules.RatingCounts())
        rows.append((branch, counts, rules.format_rate(rules.fulfilment_rate(counts)), branch.pk in managed_ids))
    context = {
        "year": year,
        "years": list(range(today.year + (1 if today.month == 12 else 0), today.year - 5, -1)),
        "me": me,
        "my_pledges": my_pledges,
        "my_rate": rules.format_rate(rules.fulfilment_rate(rules.RatingCounts.of(p.rating for p in my_pledges))),
        "can_pledge": me is not None and rules.pledge_year_error(year, today) is None,
        "max_items": rules.MAX_MEMBER_PLEDGES,
        "rows": rows,
    }
    return render(request, "pledges/index.html", context)


def _pledge_years(today: date) -> list[int]:
    return [today.year, today.year + 1] if today.month == 12 else [today.year]


@login_required
def pledge_new(request):
    """A member pledges for themselves."""
    me = selectors.own_member(request.user)
    if me is None:
        raise Http404
    today = timezone.localdate()
    form = forms.PledgeForm(request.POST or None, years=_pledge_years(today), initial={"year": today.year})
    if request.method == "POST" and form.is_valid():
        try:
            pledge = services.pledge_create(
                branch=me.branch,
                member=me,
                year=form.cleaned_data["year"],
                content=form.cleaned_data["content"],
                by=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("承诺已保存，已在支部公开承诺墙上公示"))
            return redirect(f"{reverse('pledges:index')}?year={pledge.year}")
    return render(request, "pledges/pledge_form.html", {"form": form, "title": _("作出公开承诺"), "branch": me.branch})


@login_required
def branch_pledge_new(request, branch_id):
    """A manager records the branch's collective pledge, or one for a member without a login."""
    branch = _branch_or_404(selectors.managed_branches(request.user), branch_id)
    today = timezone.localdate()
    members = list(Member.objects.current().filter(branch=branch).order_by("name", "pk"))
    form = forms.PledgeForm(
        request.POST or None, years=_pledge_years(today), members=members, initial={"year": today.year}
    )
    if request.method == "POST" and form.is_valid():
        member_id = form.cleaned_data.get("member")
        member = next((m for m in members if m.pk == member_id), None)
        try:
            pledge = services.pledge_create(
                branch=branch,
                member=member,
                year=form.cleaned_data["year"],
                content=form.cleaned_data["content"],
                by=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("承诺已保存"))
            return redirect("pledges:board", branch_id=branch.pk, year=pledge.year)
    return render(
        request, "pledges/pledge_form.html", {"form": form, "title": _("录入承诺"), "branch": branch, "managed": True}
    )


@login_required
def pledge_detail(request, pk):
    pledge = get_visible_or_404(Pledge.objects.select_related("branch", "member", "rated_by"), request.user, pk=pk)
    writable = Pledge.objects.writable_by(request.user).filter(pk=pk).exists()
    context = {
        "pledge": pledge,
        "notes": pledge.notes.select_related("author").all(),
        "writable": writable,
        "manages": selectors.managed_branches(request.user).filter(pk=pledge.branch_id).exists(),
        "note_form": forms.PledgeNoteForm(initial={"noted_on": timezone.localdate()}) if writable else None,
    }
    return render(request, "pledges/pledge_detail.html", context)


@login_required
def pledge_edit(request, pk):
    pledge = get_visible_or_404(
        Pledge.objects.writable_by(request.user).select_related("branch", "member"), request.user, pk=pk
    )
    form = forms.PledgeEditForm(request.POST or None, instance=pledge)
    if pledge.rating:
        messages.warning(request, _("该承诺已评诺，不能再修改"))
        return redirect("pledges:detail", pk=pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.pledge_update(pledge=pledge, content=form.cleaned_data["content"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("承诺已修改"))
            return redirect("pledges:detail", pk=pk)
    return render(request, "pledges/pledge_edit.html", {"form": form, "pledge": pledge})


@login_required
@require_POST
def pledge_delete(request, pk):
    pledge = get_visible_or_404(Pledge.objects.writable_by(request.user), request.user, pk=pk)
    year = pledge.year
    try:
        services.pledge_delete(pledge=pledge)
    except ValidationError as error:
        _message_errors(request, error)
        return redirect("pledges:detail", pk=pk)
    messages.success(request, _("承诺已删除"))
    return redirect(f"{reverse('pledges:index')}?year={year}")


@login_required
@require_POST
def pledge_note_add(request, pk):
    pledge = get_visible_or_404(Pledge.objects.writable_by(request.user), request.user, pk=pk)
    form = forms.PledgeNoteForm(request.POST)
    if form.is_valid():
        try:
            services.pledge_note_add(
                pledge=pledge, text=form.cleaned_data["text"], noted_on=form.cleaned_data["noted_on"], by=request.user
            )
        except ValidationError as error:
            _message_errors(request, error)
        else:
            messages.success(request, _("践诺记录已添加"))
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            joined = _("；").join(errors)
            messages.error(
                request, _("%(label)s：%(errors)s") % {"label": label, "errors": joined} if label else joined
            )
    return redirect("pledges:detail", pk=pk)


@login_required
def board(request, branch_id, year):
    """公开承诺墙: big type for a screen in the office, and a layout that prints on A4."""
    branch = _branch_or_404(selectors.visible_branches(request.user), branch_id)
    context = {
        "board": selectors.board(branch, year),
        "year": year,
        "manages": selectors.managed_branches(request.user).filter(pk=branch.pk).exists(),
        "screen": request.GET.get("screen") == "1",
        "now": timezone.localtime(),
    }
    return render(request, "pledges/board.html", context)


@login_required
def rate(request, branch_id, year):
    """评诺: the branch rates each of the year's items, all on one page."""
    branch = _branch_or_404(selectors.managed_branches(request.user), branch_id)
    the_board = selectors.board(branch, year)
    pledges = the_board.all_pledges
    rows = [
        (
            pledge,
            forms.RatingForm(
                request.POST or None,
                prefix=f"p{pledge.pk}",
                initial={"rating": pledge.rating, "note": pledge.rating_note},
            ),
        )
        for pledge in pledges
    ]
    error = rules.rating_year_error(year, timezone.localdate())
    if request.method == "POST" and not error and all(form.is_valid() for _p, form in rows):
        ratings = {pledge.pk: (form.cleaned_data["rating"], form.cleaned_data["note"]) for pledge, form in rows}
        try:
            changed = services.pledge_rate_all(branch=branch, year=year, ratings=ratings, by=request.user)
        except ValidationError as exc:
            _message_errors(request, exc)
        else:
            messages.success(request, _("评诺结果已保存（%(n)s 项有变动）") % {"n": changed})
            return redirect("pledges:rate", branch_id=branch.pk, year=year)
    context = {"board": the_board, "rows": rows, "year": year, "year_error": error}
    return render(request, "pledges/rate.html", context)


# --- Democratic appraisal --------------------------------------------------------------------------


@login_required
def appraisal_list(request):
    appraisals = Appraisal.objects.visible_to(request.user).select_related("branch")[:200]
    context = {
        "appraisals": appraisals,
        "can_open": selectors.managed_branches(request.user).exists(),
    }
    return render(request, "pledges/appraisal_list.html", context)


@login_required
def appraisal_open(request):
    branches = list(selectors.managed_branches(request.user))
    if not branches:
        raise Http404
    today = timezone.localdate()
    years = [today.year, today.year - 1]
    form = forms.AppraisalOpenForm(request.POST or None, branches=branches, years=years, initial={"year": today.year})
    if request.method == "POST" and form.is_valid():
        branch = next(b for b in branches if b.pk == form.cleaned_data["branch"])
        try:
            appraisal = services.appraisal_open(
                branch=branch, year=form.cleaned_data["year"], quarter=form.cleaned_data["quarter"], by=request.user
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("已开展评议，请通知党员登录填写自我评价并互评"))
            return redirect("pledges:appraisal_manage", pk=appraisal.pk)
    return render(request, "pledges/appraisal_open.html", {"form": form})


def _my_entry(request, appraisal) -> AppraisalEntry | None:
    member_id = scope_for(request.user).member_id
    if member_id is None:
        return None
    return AppraisalEntry.objects.visible_to(request.user).filter(appraisal=appraisal, member_id=member_id).first()


@login_required
def appraisal_detail(request, pk):
    """What a participant sees: their self-appraisal and their ballot. Never anyone's votes."""
    appraisal = get_visible_or_404(Appraisal.objects.select_related("branch"), request.user, pk=pk)
    entry = _my_entry(request, appraisal)
    manages = Appraisal.objects.managed_by(request.user).filter(pk=pk).exists()
    if entry is None and manages:
        return redirect("pledges:appraisal_manage", pk=pk)
    voted = entry is not None and PeerBallot.objects.visible_to(request.user).filter(appraisal=appraisal).exists()
    context = {
        "appraisal": appraisal,
        "entry": entry,
        "manages": manages,
        "voted": voted,
        "self_form": forms.SelfAppraisalForm(instance=entry) if entry and not appraisal.is_closed else None,
        "ballot_form": (
            forms.BallotForm(peers=selectors.peers_to_grade(appraisal, entry.member))
            if entry and appraisal.is_open and not voted
            else None
        ),
    }
    return render(request, "pledges/appraisal_detail.html", context)


@login_required
@require_POST
def appraisal_self(request, pk):
    appraisal = get_visible_or_404(Appraisal.objects.all(), request.user, pk=pk)
    entry = _my_entry(request, appraisal)
    if entry is None:
        raise Http404
    form = forms.SelfAppraisalForm(request.POST, instance=entry)
    if form.is_valid():
        try:
            services.appraisal_self_submit(entry=entry, text=form.cleaned_data["self_text"])
        except ValidationError as error:
            _message_errors(request, error)
        else:
            messages.success(request, _("自我评价已保存"))
    else:
        messages.error(request, _("请填写自我评价"))
    return redirect("pledges:appraisal_detail", pk=pk)


@login_required
@require_POST
def appraisal_ballot(request, pk):
    appraisal = get_visible_or_404(Appraisal.objects.select_related("branch"), request.user, pk=pk)
    entry = _my_entry(request, appraisal)
    if entry is None:
        raise Http404
    form = forms.BallotForm(request.POST, peers=selectors.peers_to_grade(appraisal, entry.member))
    if form.is_valid():
        try:
            services.appraisal_ballot_cast(appraisal=appraisal, grader=entry.member, grades=form.grades())
        except ValidationError as error:
            _message_errors(request, error)
        else:
            messages.success(request, _("互评票已提交。系统只记录每人得票总数，不记录谁投了什么票"))
            return redirect("pledges:appraisal_detail", pk=pk)
    voted = PeerBallot.objects.visible_to(request.user).filter(appraisal=appraisal).exists()
    context = {
        "appraisal": appraisal,
        "entry": entry,
        "manages": Appraisal.objects.managed_by(request.user).filter(pk=pk).exists(),
        "voted": voted,
        "self_form": forms.SelfAppraisalForm(instance=entry) if not appraisal.is_closed else None,
        "ballot_form": form if appraisal.is_open and not voted else None,
    }
    return render(request, "pledges/appraisal_detail.html", context)


@login_required
def appraisal_manage(request, pk):
    """The branch's page. While voting is open: who takes part and how many ballots are in. Once
    voting has ended: self-appraisals, each member's majority grade (from enough ballots), the
    branch's comment and final grade. Never vote counts, never who voted."""
    appraisal = get_managed_or_404(Appraisal.objects.select_related("branch"), request.user, pk=pk)
    overview = selectors.appraisal_overview(appraisal)
    data = request.POST if request.method == "POST" else None
    rows = [
        (
            entry,
            forms.DecisionForm(
                data, prefix=f"e{entry.pk}", initial={"final_grade": entry.final_grade, "comment": entry.branch_comment}
            ),
        )
        for entry in overview.entries
    ]
    if data is not None and appraisal.is_deciding and all(form.is_valid() for _e, form in rows):
        decisions = {entry.pk: (form.cleaned_data["final_grade"], form.cleaned_data["comment"]) for entry, form in rows}
        try:
            warning = services.appraisal_decide(appraisal=appraisal, decisions=decisions, by=request.user)
        except ValidationError as error:
            _message_errors(request, error)
        else:
            messages.success(request, _("评议意见和等次已保存"))
            if warning:
                messages.warning(request, warning)
            return redirect("pledges:appraisal_manage", pk=pk)
    elif data is not None and not appraisal.is_deciding:
        messages.error(request, rules.CLOSED_ERROR if appraisal.is_closed else rules.VOTING_OPEN_ERROR)
    context = {"appraisal": appraisal, "overview": overview, "rows": rows}
    return render(request, "pledges/appraisal_manage.html", context)


@login_required
@require_POST
def appraisal_end_voting(request, pk):
    appraisal = get_managed_or_404(Appraisal.objects.all(), request.user, pk=pk)
    try:
        services.appraisal_end_voting(appraisal=appraisal)
    except ValidationError as error:
        _message_errors(request, error)
    else:
        messages.success(request, _("互评投票已结束，请评定每名党员的等次"))
    return redirect("pledges:appraisal_manage", pk=pk)


@login_required
@require_POST
def appraisal_close(request, pk):
    appraisal = get_managed_or_404(Appraisal.objects.all(), request.user, pk=pk)
    try:
        services.appraisal_close(appraisal=appraisal, by=request.user)
    except ValidationError as error:
        _message_errors(request, error)
    else:
        messages.success(request, _("评议已结束，评议等次已确定"))
    return redirect("pledges:appraisal_manage", pk=pk)


# --- Study notes -----------------------------------------------------------------------------------


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
    member_id = request.GET.get("member")
    if member_id:
        try:
            return Member.objects.managed_by(request.user).select_related("branch").get(pk=int(member_id))
        except (ValueError, Member.DoesNotExist) as exc:
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
            _add_errors(form, error)
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
            _add_errors(form, error)
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
    branch = _branch_or_404(selectors.managed_branches(request.user), branch_id)
    today = timezone.localdate()
    if not 2000 <= year <= today.year:
        raise Http404
    grid = selectors.note_grid(branch, year, today)
    return render(request, "pledges/note_grid.html", {"grid": grid, "year": year, "today": today})


# --- The member's record ---------------------------------------------------------------------------


@login_required
def my_record(request):
    member_id = scope_for(request.user).member_id
    if member_id is None:
        raise Http404
    return redirect("pledges:record", member_id=member_id)


@login_required
def record(request, member_id):
    """个人综合业绩档案: a member sees their own, managers their branch's; anyone else a 404."""
    scope = scope_for(request.user)
    member = get_visible_or_404(Member.objects.select_related("branch", "group"), request.user, pk=member_id)
    if member.pk != scope.member_id and not Member.objects.managed_by(request.user).filter(pk=member.pk).exists():
        # A group leader sees the group's members in the roster, but a record holds grades: managers only.
        raise Http404
    context = {
        "member": member,
        "sections": selectors.member_record(member, request.user),
        "is_self": member.pk == scope.member_id,
    }
    return render(request, "pledges/record.html", context)


def home_panel(request):
    """The member's reminders on the home page: (template, context), or None."""
    todo = selectors.home_todo(request.user, timezone.localdate())
    return ("pledges/_home_panel.html", {"todo": todo}) if todo else None
