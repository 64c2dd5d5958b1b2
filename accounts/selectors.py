"""Reads about accounts."""

from django.db.models import Q

from branches.access import scope_for
from branches.models import OrgUnit
from members.models import Member


def units_for_accounts(user):
    """Units whose members' accounts the user may create and reset: those they manage (the
    committee: all), without party groups (a group's members are its branch's)."""
    return OrgUnit.objects.managed_by(user).exclude(kind=OrgUnit.Kind.GROUP).order_by("path")


def members_without_account(unit: OrgUnit):
    """Current members of the unit's subtree with no login yet, by branch then name."""
    return (
        Member.objects.current()
        .filter(unit.subtree_filter("branch__"), user__isnull=True)
        .select_related("branch")
        .order_by("branch__code", "name", "pk")
    )


def account_counts(unit: OrgUnit) -> dict[str, int]:
    members = Member.objects.current().filter(unit.subtree_filter("branch__"))
    return {
        "members": members.count(),
        "with_account": members.filter(user__isnull=False).count(),
        "pending": members.filter(user__pending_password_change__isnull=False).count(),
    }


def resettable_member(user, pk: int) -> Member | None:
    """A member whose password `user` may reset: a current member they manage, with an active login."""
    scope = scope_for(user)
    return (
        Member.objects.managed_by(scope)
        .current()
        .filter(Q(pk=pk), user__isnull=False, user__is_active=True)
        .select_related("user", "branch")
        .first()
    )
