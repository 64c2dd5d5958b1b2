"""Writes to the org tree. Every rule of branches.rules is enforced here, before anything is saved."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import set_history_user

from . import rules
from .models import OrgUnit, UnitRole

EDITABLE_FIELDS = ("code", "name", "kind", "founded_on", "elected_on", "departments")


def _check_parent(*, kind: str, parent: OrgUnit | None, unit: OrgUnit | None = None) -> None:
    error = rules.parent_error(kind, parent.kind if parent else None)
    if error:
        raise ValidationError({"parent": error})
    if parent is None and OrgUnit.objects.get_root_nodes().exclude(pk=unit.pk if unit else None).exists():
        raise ValidationError({"parent": _("组织树只能有一个根（机关党委）")})
    if unit is not None and parent is not None and parent.path.startswith(unit.path):
        raise ValidationError({"parent": _("不能把组织移到它自己或它的下级之下")})


def _check_kind_change(unit: OrgUnit, kind: str) -> None:
    if kind == unit.kind:
        return
    for child in OrgUnit.objects.get_children(unit):
        error = rules.parent_error(child.kind, kind)
        if error:
            raise ValidationError(
                {"kind": _("下级组织“%(name)s”不允许：%(reason)s") % {"name": child.name, "reason": error}}
            )
    if unit.kind == OrgUnit.Kind.BRANCH and unit.members.exists():
        raise ValidationError({"kind": _("支部还有党员，不能改为其他类型")})


@transaction.atomic
def unit_create(*, parent: OrgUnit | None, **fields) -> OrgUnit:
    kind = fields["kind"]
    _check_parent(kind=kind, parent=parent)
    if OrgUnit.objects.filter(code=fields["code"]).exists():
        raise ValidationError({"code": _("编码%(code)s已被使用") % {"code": fields["code"]}})
    unit = OrgUnit(**fields)
    unit.full_clean(exclude=["path", "depth", "numchild"])
    if parent is None:
        return OrgUnit.objects.add_root(instance=unit)
    parent.refresh_from_db()
    return OrgUnit.objects.add_child(parent, instance=unit)


@transaction.atomic
def unit_update(*, unit: OrgUnit, parent: OrgUnit | None, **fields) -> OrgUnit:
    """Change a unit's fields and, if `parent` differs, move it (with its subtree)."""
    unit.refresh_from_db()
    kind = fields.get("kind", unit.kind)
    _check_kind_change(unit, kind)
    current_parent = OrgUnit.objects.get_parent(unit)
    moved = (parent.pk if parent else None) != (current_parent.pk if current_parent else None)
    if moved or kind != unit.kind:
        _check_parent(kind=kind, parent=parent, unit=unit)
    if "code" in fields and OrgUnit.objects.filter(code=fields["code"]).exclude(pk=unit.pk).exists():
        raise ValidationError({"code": _("编码%(code)s已被使用") % {"code": fields["code"]}})
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            raise TypeError(f"unit_update got an unknown field {name!r}")
        setattr(unit, name, value)
    unit.full_clean(exclude=["path", "depth", "numchild"])
    unit.save()
    if moved:
        if parent is None:
            raise ValidationError({"parent": _("组织树只能有一个根（机关党委）")})
        parent.refresh_from_db()
        OrgUnit.objects.move(unit, parent, pos="sorted-child")
        unit.refresh_from_db()
    return unit


# --- Roles ----------------------------------------------------------------------------------------


def _record_by(grant: UnitRole, by) -> None:
    # simple-history takes the request's user by itself; a command or a service acting for someone
    # else names them here. None leaves the request's user (or "系统" outside a request).
    if by is not None:
        set_history_user(grant, by)


def _role_label(role: str) -> str:
    return str(UnitRole.Role(role).label)


@transaction.atomic
def role_grant(*, user, unit: OrgUnit, role: str, by=None) -> UnitRole:
    """Give `user` a role on `unit`. The caller has checked that `by` may (rules.grantable_roles).

    The grant is recorded in the role's history (who, when), shown on the unit's page.
    """
    if role not in rules.ROLE_KIND:
        raise ValidationError({"role": _("没有这个角色")})
    if error := rules.role_kind_error(role, unit.kind):
        raise ValidationError({"role": error})
    if not user.is_active:
        raise ValidationError({"user": _("账号%(username)s已停用，不能授予角色") % {"username": user.get_username()}})
    if UnitRole.objects.filter(user=user, unit=unit, role=role).exists():
        raise ValidationError(
            {
                "user": _("%(username)s已是%(unit)s的%(role)s")
                % {"username": user.get_username(), "unit": unit.name, "role": _role_label(role)}
            }
        )
    grant = UnitRole(user=user, unit=unit, role=role)
    _record_by(grant, by)
    grant.save()
    return grant


@transaction.atomic
def role_revoke(*, grant: UnitRole, by=None) -> None:
    """Withdraw one role; the history keeps who held it and who withdrew it."""
    _record_by(grant, by)
    grant.delete()


@transaction.atomic
def roles_withdraw_all(*, user, by=None) -> int:
    """Withdraw every role `user` holds (a member who left the organisation). Returns how many."""
    grants = list(UnitRole.objects.filter(user=user).select_for_update())
    for grant in grants:
        role_revoke(grant=grant, by=by)
    return len(grants)
