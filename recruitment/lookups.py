"""Finding people by ID number: the only place recruitment does it.

ID numbers are stored encrypted (security.fields); they are found through their keyed hash.
"""

from collections.abc import Iterable

from members import idcard
from members.models import Member
from members.selectors import members_by_id_numbers

from .models import Recruit


def members_by_id_number(numbers: Iterable[str]) -> dict[str, Member]:
    """Roster members whose ID number is among `numbers` (normalised), keyed by that number."""
    wanted = {idcard.normalise(number) for number in numbers if number}
    if not wanted:
        return {}
    return members_by_id_numbers(wanted)


def recruits_by_id_number(numbers: Iterable[str]) -> dict[str, Recruit]:
    """Recruitment records whose ID number is among `numbers` (normalised), keyed by that number."""
    wanted = {idcard.normalise(number) for number in numbers if number}
    if not wanted:
        return {}
    field = Recruit._meta.get_field("id_number_hash")
    hashes = [index for number in wanted for index in field.indexes_of(number)]  # type: ignore[attr-defined]
    return {recruit.id_number: recruit for recruit in Recruit.objects.filter(id_number_hash__in=hashes)}
