"""Pledges (承诺践诺): the list, a member's and a branch's pledges, progress notes, the board and rating (评诺).

Every object comes through a user-scoped queryset: what the user may not see is a 404.
"""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activities.models import Pledge
from branches.access import get_visible_or_404
from core.params import query_year
from core.service_errors import add_service_errors, flash_service_errors
from members.models import Member

from .. import forms, rules, selectors, services
from .lookups import branch_or_404


def _year_param(request, default: int) -> int:
    return query_year(request, default, low=2000, high=default + 1)


def _year_or_404(year: int) -> int:
    """A year in the address: the years pledges are kept for (as the index offers), else not found."""
    if not 2000 <= year <= timezone.localdate().year + 1:
        raise Http404
    return year


BRANCH_PAGE = 100


@login_required
def index(request):
    today = timezone.localdate()
    year = _year_param(request, today.year)
    me = selectors.own_member(request.user)
    my_pledges = []
    if me is not None:
        my_pledges = list(Pledge.objects.filter(member=me, year=year).select_related("branch").order_by("pk"))
    # A page of branches at a time: a province has thousands.
    page = Paginator(selectors.visible_branches(request.user), BRANCH_PAGE).get_page(request.GET.get("page"))
    branches = list(page.object_list)
    ids = [b.pk for b in branches]
    managed_ids = set(selectors.managed_branches(request.user).filter(pk__in=ids).values_list("pk", flat=True))
    summaries = selectors.branch_summaries(ids, year)
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
        "page": page,
        "query": f"year={year}",
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
            add_service_errors(form, error)
        else:
            messages.success(request, _("承诺已保存，已在支部公开承诺墙上公示"))
            return redirect(f"{reverse('pledges:index')}?year={pledge.year}")
    return render(request, "pledges/pledge_form.html", {"form": form, "title": _("作出公开承诺"), "branch": me.branch})


@login_required
def branch_pledge_new(request, branch_id):
    """A manager records the branch's collective pledge, or one for a member without a login."""
    branch = branch_or_404(selectors.managed_branches(request.user), branch_id)
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
            add_service_errors(form, error)
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
            add_service_errors(form, error)
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
        flash_service_errors(request, error)
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
            flash_service_errors(request, error)
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
    branch = branch_or_404(selectors.visible_branches(request.user), branch_id)
    year = _year_or_404(year)
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
    branch = branch_or_404(selectors.managed_branches(request.user), branch_id)
    year = _year_or_404(year)
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
            flash_service_errors(request, exc)
        else:
            messages.success(request, _("评诺结果已保存（%(n)s 项有变动）") % {"n": changed})
            return redirect("pledges:rate", branch_id=branch.pk, year=year)
    context = {"board": the_board, "rows": rows, "year": year, "year_error": error}
    return render(request, "pledges/rate.html", context)
