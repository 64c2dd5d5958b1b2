"""Org tree pages. Who may change what:

- the committee: any unit, anywhere;
- a general-branch or branch secretary: units strictly under their own unit (create, edit, move
  within their subtree), and their own unit's details — not its place in the tree nor its kind;
- everyone else reads what their scope shows, and gets 404 for the rest.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import update_change_reason

from core.audit import audit_trail, merged
from core.params import query_id, query_text
from core.service_errors import add_service_errors

from . import rules, services
from .access import get_managed_or_404, get_visible_or_404, scope_for
from .forms import GroupChoiceField, UnitChoiceField, UnitForm, kinds_under
from .models import OrgUnit, UnitRole
from .role_history import role_trail
from .selectors import flagged_unit_ids, unit_rows, unit_rows_of, with_parent_name

FULL = "full"  # may change everything, including moving the unit
DETAILS = "details"  # may change the unit's details only


def edit_mode(scope, unit) -> str | None:
    if scope.is_committee:
        return FULL
    if any(unit.path.startswith(path) and unit.path != path for path in scope.manager_paths):
        return FULL
    if unit.path in scope.manager_paths:
        return DETAILS
    return None


def can_add_under(scope, unit) -> bool:
    return unit.kind != OrgUnit.Kind.GROUP and scope.can_manage(unit)


def _require_units(scope):
    """Tree pages are for people with a unit role; a plain member has only their own record."""
    if not (scope.is_committee or scope.has_units):
        raise Http404


# The tree opens on the user's own top units and their children; deeper levels load when opened
# (htmx), a page of children at a time: a province has thousands of units.
CHILD_PAGE = 50
WARNING_PAGE = 100


def _top_units(scope) -> list[OrgUnit]:
    """The roots of the user's subtrees: the whole tree's root for the committee."""
    if scope.is_committee:
        return list(OrgUnit.objects.get_root_nodes())
    paths = set(scope.paths)
    tops = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
    return list(OrgUnit.objects.filter(path__in=tops).order_by("path"))


def _with_actions(scope, rows):
    for row in rows:
        row.can_edit = edit_mode(scope, row.unit) is not None
        row.can_add = can_add_under(scope, row.unit)
    return rows


def _children_page(scope, unit, page_number, top: int):
    """One page of a unit's children as rows, and the Page (for the "more" button)."""
    children = OrgUnit.objects.visible_to(scope).filter(depth=unit.depth + 1, path__startswith=unit.path)
    page = Paginator(children.order_by("path"), CHILD_PAGE).get_page(page_number)
    return _with_actions(scope, unit_rows_of(page.object_list, timezone.localdate(), top)), page


@login_required
def tree(request):
    scope = scope_for(request.user)
    _require_units(scope)
    today = timezone.localdate()
    only_warnings = request.GET.get("warnings") == "1"
    tops = _top_units(scope)
    top = min((unit.depth for unit in tops), default=1)
    context = {"only_warnings": only_warnings, "top": top}
    if only_warnings:
        # Every unit's rules must be applied to find those with warnings; only a page of them is shown.
        # Found by the database (selectors.flagged_unit_ids); only the page shown is built into rows.
        flagged = flagged_unit_ids(OrgUnit.objects.visible_to(scope), today)
        page = Paginator(flagged, WARNING_PAGE).get_page(request.GET.get("page"))
        units = OrgUnit.objects.filter(pk__in=list(page.object_list)).order_by("path")
        rows = _with_actions(scope, unit_rows_of(units, today, top))
        context.update(rows=rows, page=page, warning_count=len(flagged), query="warnings=1")
    else:
        rows = _with_actions(scope, unit_rows_of(tops, today, top))
        for row in rows:
            row.children, row.children_page = _children_page(scope, row.unit, 1, top)
        context.update(rows=rows)
    context["can_create"] = scope.is_committee or any(can_add_under(scope, unit) for unit in tops)
    return render(request, "branches/tree.html", context)


@login_required
def children(request, pk):
    """A unit's children in the tree, a page at a time (htmx, when the unit is opened)."""
    scope = scope_for(request.user)
    _require_units(scope)
    unit = get_visible_or_404(OrgUnit.objects, request.user, pk=pk)
    top = min((u.depth for u in _top_units(scope)), default=1)
    rows, page = _children_page(scope, unit, request.GET.get("page"), top)
    return render(request, "branches/_tree_children.html", {"rows": rows, "page": page, "parent": unit})


def _committee_members(unit):
    """The branch committee, 书记 first, in the order of branches.rules.COMMITTEE_POSTS."""
    if unit.kind != OrgUnit.Kind.BRANCH:
        return []
    order = {post: i for i, post in enumerate(rules.COMMITTEE_POSTS)}
    people = list(unit.members.filter(left_on__isnull=True).exclude(committee_post="").order_by("name", "pk"))
    return sorted(people, key=lambda m: order.get(m.committee_post, len(order)))


@login_required
def detail(request, pk):
    scope = scope_for(request.user)
    unit = get_visible_or_404(OrgUnit.objects, request.user, pk=pk)
    rows = unit_rows(OrgUnit.objects.visible_to(scope).filter(path__startswith=unit.path), timezone.localdate())
    row, below = rows[0], rows[1:]
    parent = OrgUnit.objects.get_parent(unit)
    mode = edit_mode(scope, unit)
    context = {
        "unit": unit,
        "row": row,
        "children": [child for child in below if child.unit.depth == unit.depth + 1],
        "parent": parent,
        "parent_visible": parent is not None and scope.covers(parent),
        "committee_members": _committee_members(unit),
        "history": merged(audit_trail(unit.history), role_trail(UnitRole.history.filter(unit_id=unit.pk))),
        "can_edit": mode is not None,
        "can_add": can_add_under(scope, unit),
        **_role_context(scope, unit),
    }
    return render(request, "branches/detail.html", context)


# --- Roles on a unit ------------------------------------------------------------------------------

# The username box offers the accounts of the unit's members; past this many it offers none and
# the user types the name (a list of thousands helps nobody).
CANDIDATE_LIMIT = 1000


def grantable(scope, unit) -> list[str]:
    return rules.grantable_roles(
        [(path, role) for _, path, role in scope.grants],
        is_committee=scope.is_committee,
        unit_path=unit.path,
        unit_kind=unit.kind,
    )


def _role_context(scope, unit) -> dict:
    roles = list(unit.roles.select_related("user", "user__member").order_by("role", "user__username"))
    may_grant = grantable(scope, unit)
    for grant in roles:
        grant.can_revoke = grant.role in may_grant and grant.user_id != scope.user_id
    candidates = []
    if may_grant:
        users = get_user_model().objects.filter(
            is_active=True, member__branch__path__startswith=unit.path, member__left_on__isnull=True
        )
        if users.count() <= CANDIDATE_LIMIT:
            candidates = list(users.values_list("username", "member__name").order_by("username"))
    return {
        "roles": roles,
        "grant_choices": [(role, UnitRole.Role(role).label) for role in may_grant],
        "role_candidates": candidates,
    }


def _unit_for_roles(request, pk):
    """A unit the user may grant some role on; anything else, including units they only see, is a 404."""
    scope = scope_for(request.user)
    unit = get_managed_or_404(OrgUnit.objects, request.user, pk=pk)
    may_grant = grantable(scope, unit)
    if not may_grant:
        raise Http404
    return scope, unit, may_grant


@login_required
def role_grant(request, pk):
    """POST grants; GET shows the same form on a page of its own (the unit's page has it too)."""
    scope, unit, may_grant = _unit_for_roles(request, pk)
    if request.method != "POST":
        context = {"unit": unit, **_role_context(scope, unit), "standalone": True}
        return render(request, "branches/role_grant.html", context)
    role = request.POST.get("role", "")
    username = query_text(request, "username", max_length=150, params=request.POST)
    user = get_user_model().objects.filter(username=username).first() if username else None
    if role not in may_grant:
        messages.error(request, _("您不能在%(unit)s授予这个角色") % {"unit": unit.name})
    elif user is None:
        messages.error(request, _("没有用户名为“%(username)s”的账号") % {"username": username})
    else:
        try:
            services.role_grant(user=user, unit=unit, role=role, by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("已授予%(username)s“%(role)s”角色。") % {"username": username, "role": UnitRole.Role(role).label},
            )
    return redirect(f"{reverse('branches:detail', args=[unit.pk])}#roles")


@login_required
def role_revoke(request, pk, role_pk):
    """POST withdraws; GET asks to confirm."""
    scope, unit, may_grant = _unit_for_roles(request, pk)
    try:
        grant = unit.roles.select_related("user", "user__member").get(pk=role_pk, role__in=may_grant)
    except UnitRole.DoesNotExist as exc:
        raise Http404 from exc
    if request.method != "POST":
        return render(request, "branches/role_revoke.html", {"unit": unit, "grant": grant})
    if grant.user_id == scope.user_id:
        messages.error(request, _("不能撤销自己的角色"))
    else:
        services.role_revoke(grant=grant, by=request.user)
        messages.success(
            request,
            _("已撤销%(username)s的“%(role)s”角色。")
            % {"username": grant.user.get_username(), "role": grant.get_role_display()},
        )
    return redirect(f"{reverse('branches:detail', args=[unit.pk])}#roles")


def _creatable_parents(scope):
    return OrgUnit.objects.managed_by(scope).exclude(kind=OrgUnit.Kind.GROUP)


@login_required
def create(request):
    scope = scope_for(request.user)
    parents = _creatable_parents(scope)
    has_root = OrgUnit.objects.get_root_nodes().exists()
    if not parents.exists() and not (scope.is_committee and not has_root):
        raise Http404
    initial = {}
    if parent_id := query_id(request, "parent"):
        try:
            initial["parent"] = parents.get(pk=parent_id)
        except OrgUnit.DoesNotExist as exc:
            raise Http404 from exc
    kinds = kinds_under(parents)
    if scope.is_committee and not has_root:
        kinds = [OrgUnit.Kind.COMMITTEE, *kinds]
    form = UnitForm(
        request.POST or None, parents=parents, kinds=kinds, parent_required=not scope.is_committee, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        parent = data.pop("parent")
        try:
            unit = services.unit_create(parent=parent, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已新增%(name)s。") % {"name": unit.name})
            return redirect("branches:detail", pk=unit.pk)
    return render(request, "branches/form.html", {"form": form, "parent": initial.get("parent"), "unit": None})


@login_required
def edit(request, pk):
    scope = scope_for(request.user)
    unit = get_managed_or_404(OrgUnit.objects, request.user, pk=pk)
    mode = edit_mode(scope, unit)
    old_parent = OrgUnit.objects.get_parent(unit)
    old_kind, old_name = unit.kind, unit.name
    if mode == FULL:
        parents = _creatable_parents(scope).exclude(path__startswith=unit.path)
        kinds = kinds_under(parents)
        if old_kind not in kinds:
            kinds.append(old_kind)
    else:
        parents = OrgUnit.objects.filter(pk=old_parent.pk if old_parent else None)
        kinds = [old_kind]
    form = UnitForm(
        request.POST or None,
        instance=unit,
        parents=parents,
        kinds=kinds,
        lock_place=mode == DETAILS,
        parent_required=old_parent is not None,
        initial={"parent": old_parent},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        parent = data.pop("parent")
        if mode == DETAILS:
            parent, data["kind"] = old_parent, old_kind
        try:
            unit = services.unit_update(unit=unit, parent=parent, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if old_parent != parent:
                # The tree position is not a tracked field; say in the history what moved where. The note is
                # stored data everyone reads, so it is Chinese whatever the editor's language.
                reason = f"上级组织：{old_parent or '无'} → {parent}"
                update_change_reason(unit, reason[:100])
            messages.success(request, _("已保存%(name)s。") % {"name": unit.name})
            return redirect("branches:detail", pk=unit.pk)
    # The form writes what was typed onto `unit`; the page title keeps the saved name.
    context = {"form": form, "unit": unit, "unit_name": old_name, "parent": old_parent}
    return render(request, "branches/form.html", context)


# --- Type-ahead -----------------------------------------------------------------------------------

OPTION_LIMIT = 20


@login_required
def unit_options(request):
    """The <option>s of the units whose name or code contains the typed text, for a TypeAheadSelect.

    Only units the user sees (their subtrees; everything for the committee), like every other read.
    """
    scope = scope_for(request.user)
    _require_units(scope)
    field = request.GET.get("field", "unit")
    term = request.GET.get("term", "").replace("\0", "").strip()[:50]
    units = OrgUnit.objects.visible_to(scope)
    if field == "group":
        units = with_parent_name(units.filter(kind=OrgUnit.Kind.GROUP))
        label = GroupChoiceField(queryset=units).label_from_instance
    else:
        units = units.exclude(kind=OrgUnit.Kind.GROUP)
        label = UnitChoiceField(queryset=units).label_from_instance
    if term:
        units = units.filter(Q(name__icontains=term) | Q(code__icontains=term))
    found = list(units.order_by("path")[: OPTION_LIMIT + 1])
    options = [(unit.pk, label(unit)) for unit in found[:OPTION_LIMIT]]
    return render(
        request, "branches/_unit_options.html", {"options": options, "more": len(found) > OPTION_LIMIT, "term": term}
    )
