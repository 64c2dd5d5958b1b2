"""Democratic appraisal (民主评议党员): opening a round, self-appraisal, the anonymous ballot, the branch's
grades and closing the round.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activities.models import Appraisal, AppraisalEntry, PeerBallot
from branches.access import get_managed_or_404, get_visible_or_404, scope_for
from core.service_errors import add_service_errors, flash_service_errors

from .. import forms, rules, selectors, services


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
            add_service_errors(form, error)
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
            flash_service_errors(request, error)
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
            flash_service_errors(request, error)
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
            flash_service_errors(request, error)
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
        flash_service_errors(request, error)
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
        flash_service_errors(request, error)
    else:
        messages.success(request, _("评议已结束，评议等次已确定"))
    return redirect("pledges:appraisal_manage", pk=pk)
