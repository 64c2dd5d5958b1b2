"""Writes to the roster. Membership spans are kept in step with Member.branch / Member.group here."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from branches import services as branch_services
from branches.models import OrgUnit
from core.audit import set_history_user

from . import idcard
from .models import Member, Membership, Transfer
from .selectors import id_number_q


def _validate_member(member: Member) -> None:
    errors: dict[str, str | list[str]] = {}
    member.id_number = idcard.normalise(member.id_number)
    id_errors = idcard.id_number_errors(member.id_number, member.birth_date)
    if id_errors:
        errors["id_number"] = id_errors
    else:
        # The unique index is on the keyed hash; checked here so the error names the number's field.
        if Member.objects.filter(id_number_q(member.id_number)).exclude(pk=member.pk).exists():
            # Says only that it exists: the holder may be in a branch the user cannot see.
            errors["id_number"] = [_("该身份证号已登记；同一党员不能重复建档，在其他支部的请办理组织关系转接")]
    if member.branch_id and member.branch.kind != OrgUnit.Kind.BRANCH:
        errors["branch"] = _("所在支部必须是党支部")
    group = member.group  # None without a query when there is no group
    if group is not None:
        if group.kind != OrgUnit.Kind.GROUP:
            errors["group"] = _("党小组必须是党小组类型的组织")
        elif member.branch_id and OrgUnit.objects.get_parent(group).pk != member.branch_id:
            errors["group"] = _("党小组“%(group)s”不属于所在支部") % {"group": group.name}
    if member.category == Member.Category.FULL and member.joined_on and member.full_on:
        if member.full_on < member.joined_on:
            errors["full_on"] = _("转正日期不能早于入党日期")
    if errors:
        raise ValidationError(errors)
    # branch and group were checked above from the objects themselves; letting full_clean check them
    # again costs two queries per member, which a 5,000-row roster import feels. The hash's
    # uniqueness was checked above, under every configured key.
    member.full_clean(exclude=["branch", "group", "id_number_hash"])


@transaction.atomic
def member_create(*, since: date | None = None, **fields) -> Member:
    """Add a member. `since` is the day they joined the branch (None: before records began)."""
    member = Member(**fields)
    _validate_member(member)
    member.save()
    Membership.objects.create(member=member, branch=member.branch, group=member.group, start=since)
    return member


@transaction.atomic
def member_update(*, member: Member, **fields) -> Member:
    """Change a member's details. Moving to another branch goes through member_transfer instead."""
    if "branch" in fields and fields["branch"].pk != member.branch_id:
        raise ValidationError({"branch": _("调整所在支部请使用“组织关系转接”")})
    old_group_id = member.group_id
    for name, value in fields.items():
        setattr(member, name, value)
    _validate_member(member)
    member.save()
    if member.group_id != old_group_id:
        _reopen_span(member, member.branch, member.group, date.today())
    return member


def _refuse_if_left(member: Member) -> None:
    if member.left_on is not None:
        raise ValidationError(
            _("%(name)s已于%(date)s离开本单位") % {"name": member.name, "date": f"{member.left_on:%Y-%m-%d}"}
        )


def _reopen_span(member: Member, branch: OrgUnit, group: OrgUnit | None, on: date) -> None:
    current = member.memberships.filter(end__isnull=True).order_by("-start").first()
    if current is not None:
        if current.start is not None and current.start >= on:
            # Changed again on the day the span began: amend it rather than leave a zero-day span.
            current.branch, current.group = branch, group
            current.save(update_fields=["branch", "group"])
            return
        current.end = on - timedelta(days=1)
        current.save(update_fields=["end"])
    Membership.objects.create(member=member, branch=branch, group=group, start=on)


@transaction.atomic
def member_transfer(
    *, member: Member, to_branch: OrgUnit, on: date, group: OrgUnit | None = None, note: str = "", by=None
) -> Transfer:
    """组织关系转接. Past attendance stays with the old branch because it belongs to its meetings."""
    _refuse_if_left(member)
    if to_branch.kind != OrgUnit.Kind.BRANCH:
        raise ValidationError({"to_branch": _("只能转入党支部")})
    if to_branch.pk == member.branch_id:
        raise ValidationError({"to_branch": _("转入支部与当前所在支部相同")})
    if group is not None and OrgUnit.objects.get_parent(group).pk != to_branch.pk:
        raise ValidationError(
            {"group": _("党小组“%(group)s”不属于%(branch)s") % {"group": group.name, "branch": to_branch.name}}
        )
    last = member.memberships.filter(end__isnull=True).first()
    if last is not None and last.start is not None and on <= last.start:
        raise ValidationError({"on": _("转接日期应晚于进入现支部的日期%(date)s") % {"date": f"{last.start:%Y-%m-%d}"}})
    transfer = Transfer.objects.create(
        member=member, from_branch=member.branch, to_branch=to_branch, transferred_on=on, note=note, created_by=by
    )
    member.branch, member.group = to_branch, group
    member.save(update_fields=["branch", "group"])
    _reopen_span(member, to_branch, group, on)
    return transfer


@transaction.atomic
def member_leave(*, member: Member, on: date, reason: str, note: str = "", by=None) -> Member:
    """A member leaves the organisation (转出本单位, 去世, …) on `on`.

    Their current Membership span ends the day before, so from `on` they count nowhere (roster
    counts, attendance expected, the rating's member counts all read the spans); the record and
    everything in the past stay. Their roles are withdrawn and their login is switched off, both
    in the audit history.
    """
    _refuse_if_left(member)
    if reason not in Member.LeaveReason.values:
        raise ValidationError({"reason": _("请选择离开原因")})
    current = member.memberships.filter(end__isnull=True).order_by("-start").first()
    if current is not None and current.start is not None and on <= current.start:
        raise ValidationError(
            {"on": _("离开日期应晚于进入现支部的日期%(date)s") % {"date": f"{current.start:%Y-%m-%d}"}}
        )
    if current is not None:
        current.end = on - timedelta(days=1)
        current.save(update_fields=["end"])
    member.left_on, member.leave_reason, member.leave_note = on, reason, note.strip()
    if by is not None:
        set_history_user(member, by)
    member.save(update_fields=["left_on", "leave_reason", "leave_note"])
    user = member.user
    if user is not None:
        branch_services.roles_withdraw_all(user=user, by=by)
        if user.is_active:
            user.is_active = False
            user.save(update_fields=["is_active"])
    return member
