"""Who keeps a branch's dues: its managers (the committee, general-branch and branch secretaries),
and the branch's 组织委员, who by custom keeps the dues book whether or not they hold a unit role.

`dues_scope_for(user)` is the user's ordinary scope (branches.access) with one more managing grant
for the branch where the user's member record holds the post 组织委员. Every dues page asks its
querysets for `visible_to(dues_scope)` / `managed_by(dues_scope)` with it, so the 组织委员 reaches
their branch's dues and nothing else of it (the roster, meetings and scores keep the ordinary scope).
"""

from django.db.models import Q
from django.http import Http404

from branches.access import BRANCH_SECRETARY, Scope, scope_for
from branches.models import OrgUnit
from members.models import Member, Membership

from . import rules

ORGANISATION_OFFICER = "组织委员"


def is_dues_officer(member: Member | None) -> bool:
    return member is not None and ORGANISATION_OFFICER in (member.committee_post or "")


def dues_scope_for(user) -> Scope:
    """The user's scope for dues pages, cached on the user for the request."""
    cached = getattr(user, "_dues_scope", None)
    if cached is not None:
        return cached
    scope = scope_for(user)
    if scope.member_id is not None:
        # scope_for has loaded user.member already; its branch is one more query, for officers only.
        member = getattr(user, "member", None)
        if is_dues_officer(member):
            branch = OrgUnit.objects.only("pk", "path").get(pk=member.branch_id)
            if not any(path and branch.path.startswith(path) for path in scope.manager_paths):
                scope = Scope(
                    user_id=scope.user_id,
                    is_committee=scope.is_committee,
                    grants=[*scope.grants, (branch.pk, branch.path, BRANCH_SECRETARY)],
                    member_id=scope.member_id,
                )
    if user is not None and user.is_authenticated:
        user._dues_scope = scope
    return scope


def can_keep_dues(scope: Scope) -> bool:
    return scope.is_committee or scope.is_manager


def managed_branches(user_or_scope):
    """The branches whose dues the user keeps (and may read): a user-scoped OrgUnit queryset."""
    scope = user_or_scope if isinstance(user_or_scope, Scope) else dues_scope_for(user_or_scope)
    return OrgUnit.objects.managed_by(scope).filter(kind=OrgUnit.Kind.BRANCH)


def branch_or_404(user, pk: int) -> OrgUnit:
    try:
        return managed_branches(user).get(pk=pk)
    except OrgUnit.DoesNotExist as exc:
        raise Http404 from exc


def year_span_q(year: int, prefix: str = "") -> Q:
    """Membership spans that touch the year."""
    first, last = rules.Month(year, 1).first, rules.Month(year, 12).last
    return (Q(**{f"{prefix}start__isnull": True}) | Q(**{f"{prefix}start__lte": last})) & (
        Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gte": first})
    )


def dues_members(user, year: int):
    """Members whose dues for `year` the user keeps: everyone who belonged to one of the user's
    branches during the year (so a back payment can still be recorded for a member who has since
    been transferred away), and the members of those branches now."""
    scope = dues_scope_for(user)
    spans = Membership.objects.managed_by(scope).filter(year_span_q(year))
    return Member.objects.filter(Q(pk__in=spans.values("member_id")) | Q(pk__in=Member.objects.managed_by(scope)))


def member_or_404(user, pk: int, year: int) -> tuple[Member, bool]:
    """A member's dues page: (member, may the user change it). The member themself reads their own;
    anyone else gets 404."""
    manageable = dues_members(user, year).filter(pk=pk).select_related("branch").first()
    if manageable is not None:
        return manageable, True
    scope = dues_scope_for(user)
    if scope.member_id == pk:
        return Member.objects.select_related("branch").get(pk=pk), False
    raise Http404
