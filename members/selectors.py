"""Reads about members that other apps rely on."""

from datetime import date

from django.db.models import Q

from branches.models import OrgUnit

from . import idcard, rules
from .models import Member, Membership


def members_of_unit_on(unit: OrgUnit, day: date, *, include_retired: bool = False):
    """Members who belonged to `unit` (a branch or a group) on `day`.

    Retired members count only where their branch set `counts_when_retired` for them (DOMAIN.md),
    unless `include_retired` asks for everyone. Members admitted after `day` are not included.
    """
    field = "group" if unit.kind == OrgUnit.Kind.GROUP else "branch"
    spans = Membership.objects.on(day).filter(**{field: unit})
    members = Member.objects.filter(pk__in=spans.values("member_id")).filter(
        Q(joined_on__isnull=True) | Q(joined_on__lte=day)
    )
    if not include_retired:
        members = members.exclude(status=Member.Status.RETIRED, counts_when_retired=False)
    return members.order_by("name", "pk")


def member_by_id_number(number: str) -> Member | None:
    """The member with this ID-card number, or None. The one place that looks a member up by ID
    number outside the roster import, so that storing the numbers encrypted changes one function."""
    return Member.objects.filter(id_number=idcard.normalise(number)).select_related("user").first()


def full_on_q(day: date, prefix: str = "") -> Q:
    """rules.is_full_on as a filter, for counting voting members in the database.

    `prefix` leads from the queried model to the member ("member__" from a membership span).
    """
    return Q(**{f"{prefix}full_on__lte": day}) | Q(
        **{f"{prefix}full_on__isnull": True, f"{prefix}category": Member.Category.FULL}
    )


def probationary_members(members, today: date) -> list[tuple[Member, rules.ProbationStatus]]:
    """The probationary members among `members` (a user-scoped queryset), soonest 转正 first.

    Members whose due date cannot be computed come last, so someone fixes their admission date.
    """
    rows = [
        (member, rules.probation_status(member.probation_due, today))
        for member in members.filter(category=Member.Category.PROBATIONARY).select_related("branch", "group")
    ]
    return sorted(rows, key=lambda row: (row[1].due is None, row[1].due or today, row[0].name))
