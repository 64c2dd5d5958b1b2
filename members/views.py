"""Roster pages. Managers (committee, general-branch and branch secretaries) add, edit and transfer
members within their scope; group leaders read their group; a plain member sees only their own
record. Anything else is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.access import get_managed_or_404, get_visible_or_404, scope_for
from branches.models import OrgUnit
from branches.selectors import with_parent_name
from core.audit import audit_trail
from core.service_errors import add_service_errors

from . import idcard, rules, selectors, services
from .filters import MemberFilter
from .forms import LeaveForm, MemberForm, TransferForm
from .models import Member

PAGE_SIZE = 50
PROBATION_PAGE = 100


def _require_units(scope):
    if not (scope.is_committee or scope.has_units):
        raise Http404


@login_required
def member_list(request):
    scope = scope_for(request.user)
    if not (scope.is_committee or scope.has_units):
        # A plain member's roster is their own record.
        if scope.member_id is not None:
            return redirect("members:detail", pk=scope.member_id)
        raise Http404
    members = Member.objects.visible_to(scope).select_related("branch", "group")
    if request.GET.get("left") not in ("left", "all"):
        members = members.current()
    filterset = MemberFilter(request.GET or None, queryset=members, scope=scope)
    if filterset.is_bound and not filterset.is_valid() and {"unit", "group"} & set(filterset.errors):
        # A unit outside the user's subtree is not a choice; say nothing about whether it exists.
        raise Http404
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter": filterset,
        "page": page,
        "filtered": any(value for key, value in request.GET.items() if key != "page"),
        "can_add": scope.is_manager or scope.is_committee,
    }
    return render(request, "members/list.html", context)


@login_required
def detail(request, pk):
    scope = scope_for(request.user)
    member = get_visible_or_404(Member.objects.select_related("branch", "group", "user"), request.user, pk=pk)
    today = timezone.localdate()
    context = {
        "member": member,
        "id_number": member.id_number if scope.is_committee else member.masked_id_number,
        "probation": rules.probation_status(member.probation_due, today) if not member.is_full else None,
        "transfers": member.transfers.select_related("from_branch", "to_branch", "created_by"),
        "memberships": member.memberships.select_related("branch", "group").order_by(F("start").desc(nulls_last=True)),
        "history": audit_trail(member.history, masks={} if scope.is_committee else {"id_number": idcard.mask}),
        "can_manage": scope.can_manage(member.branch),
        "branch_visible": scope.covers(member.branch),
    }
    return render(request, "members/detail.html", context)


def _chosen_branch(branches, value):
    try:
        return branches.get(pk=int(value))
    except (TypeError, ValueError, OrgUnit.DoesNotExist):
        return None


@login_required
def create(request):
    scope = scope_for(request.user)
    if not scope.is_manager and not scope.is_committee:
        raise Http404
    branches = OrgUnit.objects.managed_by(scope).filter(kind=OrgUnit.Kind.BRANCH)
    initial = {}
    if request.GET.get("branch"):
        initial["branch"] = _chosen_branch(branches, request.GET["branch"])
        if initial["branch"] is None:
            raise Http404
    else:
        # A branch secretary has one branch: choose it for them.
        only = list(branches[:2])
        if len(only) == 1:
            initial["branch"] = only[0]
    # Groups of the branches the user manages; once a branch is chosen, only that branch's groups.
    groups = OrgUnit.objects.managed_by(scope).filter(kind=OrgUnit.Kind.GROUP)
    chosen = _chosen_branch(branches, request.POST.get("branch")) or initial.get("branch")
    if chosen is not None:
        groups = groups.filter(path__startswith=chosen.path)
    groups = with_parent_name(groups)
    form = MemberForm(request.POST or None, branches=branches, groups=groups, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        since = data.pop("since")
        try:
            member = services.member_create(since=since, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已添加党员%(name)s。") % {"name": member.name})
            return redirect("members:detail", pk=member.pk)
    context = {"form": form, "member": None, "has_branches": branches.exists()}
    return render(request, "members/form.html", context)


@login_required
def group_options(request):
    """The <option>s of a branch's party groups, for the add form's group select (htmx)."""
    if not request.GET.get("branch"):
        return render(request, "members/_group_options.html", {"groups": []})
    branches = OrgUnit.objects.managed_by(request.user).filter(kind=OrgUnit.Kind.BRANCH)
    branch = _chosen_branch(branches, request.GET["branch"])
    if branch is None:
        raise Http404
    groups = OrgUnit.objects.get_children(branch).filter(kind=OrgUnit.Kind.GROUP)
    return render(request, "members/_group_options.html", {"groups": groups})


@login_required
def edit(request, pk):
    scope = scope_for(request.user)
    lookup = Member.objects.select_related("branch", "group")
    member = get_managed_or_404(lookup, request.user, pk=pk)
    member_name = member.name
    groups = with_parent_name(OrgUnit.objects.get_children(member.branch).filter(kind=OrgUnit.Kind.GROUP))
    form = MemberForm(request.POST or None, instance=member, groups=groups, show_id_number=scope.is_committee)
    if request.method == "POST" and form.is_valid():
        # The form has written the new values onto `member`; the service compares with the stored row.
        stored = get_managed_or_404(lookup, request.user, pk=pk)
        try:
            member = services.member_update(member=stored, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存%(name)s的信息。") % {"name": member.name})
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/form.html", {"form": form, "member": member, "member_name": member_name})


@login_required
def transfer(request, pk):
    scope = scope_for(request.user)
    member = get_managed_or_404(Member.objects.select_related("branch", "group"), request.user, pk=pk)
    form = TransferForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.member_transfer(
                member=member, to_branch=data["to_branch"], on=data["on"], note=data["note"], by=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s的组织关系已转入%(branch)s。") % {"name": member.name, "branch": data["to_branch"].name},
            )
            # Transferred out of the user's subtree, the member is no longer theirs to see.
            if Member.objects.visible_to(scope).filter(pk=member.pk).exists():
                return redirect("members:detail", pk=member.pk)
            return redirect("members:list")
    return render(request, "members/transfer.html", {"form": form, "member": member})


@login_required
def leave(request, pk):
    """A member leaves the organisation (转出本单位, 去世 …): see services.member_leave."""
    member = get_managed_or_404(Member.objects.select_related("branch", "user"), request.user, pk=pk)
    if member.left_on is not None:
        messages.info(request, _("%(name)s已离开本单位。") % {"name": member.name})
        return redirect("members:detail", pk=member.pk)
    form = LeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.member_leave(
                member=member, on=data["on"], reason=data["reason"], note=data["note"], by=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("已登记%(name)s离开本单位，其角色已撤销，登录账号已停用。") % {"name": member.name}
            )
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/leave.html", {"form": form, "member": member})


@login_required
def probationary(request):
    scope = scope_for(request.user)
    _require_units(scope)
    today = timezone.localdate()
    members = selectors.probationary_by_due(Member.objects.visible_to(scope).current())
    members = members.select_related("branch", "group")
    page = Paginator(members, PROBATION_PAGE).get_page(request.GET.get("page"))
    rows = [(member, rules.probation_status(member.probation_due, today)) for member in page.object_list]
    return render(request, "members/probationary.html", {"rows": rows, "page": page})
