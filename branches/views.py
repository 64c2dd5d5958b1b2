"""Org tree pages. Who may change what:

- the committee: any unit, anywhere;
- a general-branch or branch secretary: units strictly under their own unit (create, edit, move
  within their subtree), and their own unit's details — not its place in the tree nor its kind;
- everyone else reads what their scope shows, and gets 404 for the rest.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import update_change_reason

from core.audit import audit_trail
from core.service_errors import add_service_errors

from . import rules, services
from .access import get_managed_or_404, get_visible_or_404, scope_for
from .forms import UnitForm, kinds_under
from .models import OrgUnit
from .selectors import unit_rows

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


@login_required
def tree(request):
    scope = scope_for(request.user)
    _require_units(scope)
    rows = unit_rows(OrgUnit.objects.visible_to(scope), timezone.localdate())
    for row in rows:
        row.can_edit = edit_mode(scope, row.unit) is not None
        row.can_add = can_add_under(scope, row.unit)
    only_warnings = request.GET.get("warnings") == "1"
    shown = [row for row in rows if row.has_warnings] if only_warnings else rows
    context = {
        "rows": shown,
        "total": len(rows),
        "warning_count": sum(1 for row in rows if row.has_warnings),
        "only_warnings": only_warnings,
        "can_create": any(row.can_add for row in rows) or (scope.is_committee and not rows),
    }
    return render(request, "branches/tree.html", context)


def _committee_members(unit):
    """The branch committee, 书记 first, in the order of branches.rules.COMMITTEE_POSTS."""
    if unit.kind != OrgUnit.Kind.BRANCH:
        return []
    order = {post: i for i, post in enumerate(rules.COMMITTEE_POSTS)}
    people = list(unit.members.exclude(committee_post="").order_by("name", "pk"))
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
        "history": audit_trail(unit.history),
        "can_edit": mode is not None,
        "can_add": can_add_under(scope, unit),
    }
    return render(request, "branches/detail.html", context)


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
    if request.GET.get("parent"):
        try:
            initial["parent"] = parents.get(pk=int(request.GET["parent"]))
        except (ValueError, OrgUnit.DoesNotExist) as exc:
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
