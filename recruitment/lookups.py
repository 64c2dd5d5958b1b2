"""Finding people by ID number: the only place recruitment does it.

ID numbers are about to be stored encrypted; whoever changes how they are stored redirects these two
functions and nothing else in this app.
"""

from collections.abc import Iterable

from members import idcard
from members.models import Member

from .models import Recruit


def members_by_id_number(numbers: Iterable[str]) -> dict[str, Member]:
    """Roster members whose ID number is among `numbers` (normalised), keyed by that number."""
    wanted = {idcard.normalise(number) for number in numbers if number}
    if not wanted:
        return {}
    return {member.id_number: member for member in Member.objects.filter(id_number__in=wanted)}


def recruits_by_id_number(numbers: Iterable[str]) -> dict[str, Recruit]:
    """Recruitment records whose ID number is among `numbers` (normalised), keyed by that number."""
    wanted = {idcard.normalise(number) for number in numbers if number}
    if not wanted:
        return {}
    return {recruit.id_number: recruit for recruit in Recruit.objects.filter(id_number__in=wanted)}
