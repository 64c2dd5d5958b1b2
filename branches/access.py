"""Who may see what: every query for a user goes through the queryset this module builds.

A user's roles name units; the user sees those units' subtrees and nothing else. An object outside
is simply not in the queryset, so views that look objects up through it answer 404, never 403.
"""

from dataclasses import dataclass, field

from django.db import models
from django.http import Http404

# Role values, spelled out here because models.py imports this module for ScopedQuerySet.
COMMITTEE_STAFF = "committee_staff"
GENERAL_SECRETARY = "general_secretary"
BRANCH_SECRETARY = "branch_secretary"
GROUP_LEADER = "group_leader"
MANAGER_ROLES = {COMMITTEE_STAFF, GENERAL_SECRETARY, BRANCH_SECRETARY}

MATCH_NOTHING = models.Q(pk__in=[])
MATCH_ALL = ~MATCH_NOTHING


@dataclass
class Scope:
    """What one user may reach. Built once per request (see `scope_for`)."""

    user_id: int | None
    is_committee: bool = False
    # (unit id, path, role) for each role the user holds.
    grants: list[tuple[int, str, str]] = field(default_factory=list)
    member_id: int | None = None

    @property
    def paths(self) -> list[str]:
        return [path for _, path, _ in self.grants]

    @property
    def manager_paths(self) -> list[str]:
        return [path for _, path, role in self.grants if role in MANAGER_ROLES]

    @property
    def roles(self) -> set[str]:
        return {role for _, _, role in self.grants}

    @property
    def is_manager(self) -> bool:
        return bool(self.manager_paths)

    @property
    def has_units(self) -> bool:
        return bool(self.grants)

    def unit_q(self, prefix: str = "", paths: list[str] | None = None) -> models.Q:
        """Q matching objects whose unit (reached through `prefix`) lies in the user's subtrees."""
        paths = self.paths if paths is None else paths
        if self.is_committee:
            # Not Q(): an empty Q vanishes when OR-ed (`Q() | Q(pk=1)` is `Q(pk=1)`), which would let
            # any extra condition narrow the committee's view. This one matches every row and stays.
            return MATCH_ALL
        q = MATCH_NOTHING
        for path in paths:
            q |= models.Q(**{f"{prefix}path__startswith": path})
        return q

    def covers(self, unit, manage: bool = False) -> bool:
        if self.is_committee:
            return True
        paths = self.manager_paths if manage else self.paths
        return any(unit.path.startswith(path) for path in paths)

    def can_manage(self, unit) -> bool:
        return self.covers(unit, manage=True)


ANONYMOUS_SCOPE = Scope(user_id=None)


def scope_for(user) -> Scope:
    """The user's scope, cached on the user object for the rest of the request."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS_SCOPE
    cached = getattr(user, "_star_branch_scope", None)
    if cached is not None:
        return cached
    from .models import UnitRole

    grants = list(UnitRole.objects.filter(user=user).values_list("unit_id", "unit__path", "role"))
    is_committee = user.is_superuser or any(role == COMMITTEE_STAFF for _, _, role in grants)
    member_id = _member_id(user)
    scope = Scope(user_id=user.pk, is_committee=is_committee, grants=grants, member_id=member_id)
    user._star_branch_scope = scope
    return scope


def _member_id(user) -> int | None:
    # The members app sits above this one; ask through the reverse accessor, not an import.
    member = getattr(user, "member", None) if hasattr(user, "member") else None
    return member.pk if member is not None else None


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how to restrict itself to what a user may see.

    Subclasses set `unit_path_prefix`: the lookup path from the model to its OrgUnit's fields,
    e.g. "branch__" for a member, "" for an OrgUnit itself.
    """

    unit_path_prefix = ""

    def visible_to(self, user_or_scope):
        scope = user_or_scope if isinstance(user_or_scope, Scope) else scope_for(user_or_scope)
        if scope.user_id is None:
            return self.none()
        return self.filter(self.scope_q(scope))

    def managed_by(self, user_or_scope):
        scope = user_or_scope if isinstance(user_or_scope, Scope) else scope_for(user_or_scope)
        if scope.user_id is None:
            return self.none()
        return self.filter(scope.unit_q(self.unit_path_prefix, scope.manager_paths))

    def scope_q(self, scope: Scope) -> models.Q:
        return scope.unit_q(self.unit_path_prefix)


def get_visible_or_404(queryset: ScopedQuerySet, user, **lookup):
    """The only way views fetch an object by id: outsiders get 404."""
    try:
        return queryset.visible_to(user).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc


def get_managed_or_404(queryset: ScopedQuerySet, user, **lookup):
    """Like get_visible_or_404, for objects the user must be allowed to change.

    An object the user may see but not change is a 404 too, so the change URL never confirms more
    than the read URL does.
    """
    try:
        return queryset.managed_by(user).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc
