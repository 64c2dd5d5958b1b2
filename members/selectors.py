"""Reads about members that other apps rely on."""

from datetime import date

from django.db.models import Q

from branches.models import OrgUnit

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
