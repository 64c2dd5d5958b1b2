"""Reads about members that other apps rely on."""

from datetime import date, timedelta

from django.db.models import Case, DateField, F, Func, Q, Value, When
from django.db.models.functions import Greatest, Least

from branches.models import OrgUnit

from . import idcard, rules
from .models import Member, Membership

# Lookups by ID number. The number is stored encrypted (security/fields.py), so the database finds
# it only through its keyed hash; these are the one way code looks a member up by number.


def _hash_field():
    return Member._meta.get_field("id_number_hash")


def id_number_q(number: str) -> Q:
    """A filter matching the member with ID number `number` (any case, spaces around ignored)."""
    number = idcard.normalise(number)
    if not number:
        return Q(pk__in=[])
    return Q(id_number_hash__in=_hash_field().indexes_of(number))


def members_by_id_numbers(numbers, *, among=None) -> dict[str, Member]:
    """{normalised number: member} for those of `numbers` that belong to a member of `among`
    (a queryset, e.g. a user-scoped one; every member by default). One query whatever the count."""
    wanted = {idcard.normalise(number) for number in numbers} - {""}
    if not wanted:
        return {}
    field = _hash_field()
    hashes = [index for number in wanted for index in field.indexes_of(number)]
    queryset = Member.objects.all() if among is None else among
    return {member.id_number: member for member in queryset.filter(id_number_hash__in=hashes)}


def member_by_id_number(number: str, *, among=None) -> Member | None:
    return members_by_id_numbers([number], among=among).get(idcard.normalise(number))


def members_with_id_number_part(members, part: str) -> list[int]:
    """Ids of `members` (a queryset) whose ID number contains `part`: decrypted and compared here.

    The database cannot search inside encrypted values. Only the committee searches by part of a
    number; callers narrow `members` first (scope and the other filters), and it reads only ids and
    numbers, so even the whole of a province's roster is one pass.
    """
    part = idcard.normalise(part)
    if not part:
        return []
    return [pk for pk, number in members.order_by().values_list("pk", "id_number") if part in number]


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


def full_on_q(day: date, prefix: str = "") -> Q:
    """rules.is_full_on as a filter, for counting voting members in the database.

    `prefix` leads from the queried model to the member ("member__" from a membership span).
    """
    return Q(**{f"{prefix}full_on__lte": day}) | Q(
        **{f"{prefix}full_on__isnull": True, f"{prefix}category": Member.Category.FULL}
    )


def _plus_a_year(expression):
    # PostgreSQL's `+ interval '1 year'` turns 29 February into 28 February, as rules.add_years does.
    return Func(expression, template="(%(expressions)s + interval '1 year')::date", output_field=DateField())


def probation_due_expression():
    """rules.probation_due as a database expression (a test holds the two equal at the boundaries)."""
    due = _plus_a_year(F("joined_on"))
    extended = Least(Greatest(F("probation_extended_until"), due), _plus_a_year(due))
    return Case(
        # PostgreSQL's GREATEST ignores NULLs: without an admission date there is no due date at all.
        When(joined_on__isnull=True, then=Value(None)),
        When(probation_extended_until__isnull=True, then=due),
        default=extended,
        output_field=DateField(),
    )


def probationary_by_due(members):
    """The probationary members among `members` annotated with `due`, soonest 转正 first, by the database.

    Members whose due date cannot be computed come last, so someone fixes their admission date.
    """
    return (
        members.filter(category=Member.Category.PROBATIONARY)
        .annotate(due=probation_due_expression())
        .order_by(F("due").asc(nulls_last=True), "name", "pk")
    )


def probation_soon(members, today: date):
    """probationary_by_due, only those due within PROBATION_WARNING_DAYS, overdue, or without a date."""
    soon = today + timedelta(days=rules.PROBATION_WARNING_DAYS)
    return probationary_by_due(members).filter(Q(due__isnull=True) | Q(due__lte=soon))


def probationary_members(members, today: date) -> list[tuple[Member, rules.ProbationStatus]]:
    """The probationary members among `members` (a user-scoped queryset), soonest 转正 first.

    Members whose due date cannot be computed come last, so someone fixes their admission date.
    """
    rows = [
        (member, rules.probation_status(member.probation_due, today))
        for member in members.filter(category=Member.Category.PROBATIONARY).select_related("branch", "group")
    ]
    return sorted(rows, key=lambda row: (row[1].due is None, row[1].due or today, row[0].name))
