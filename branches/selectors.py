"""Reads for the org tree pages: each visible unit with its member counts and its warnings.

Counts come from the members app through OrgUnit's reverse relations (`members`, `group_members`),
so this app still imports nothing from the apps above it. Whatever the number of units, the rows
cost three queries: the units, the branches' counts, the groups' counts.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Length, Substr

from . import rules
from .models import OrgUnit

NO_CADRE_WARNING = "未配备兼职党务干部，每个支部至少应有1名"


@dataclass
class Counts:
    full: int = 0
    all: int = 0
    committee: int = 0  # members holding a committee post (branches only)
    cadres: int = 0  # part-time party-affairs cadres (branches only)

    def add(self, other: "Counts") -> None:
        self.full += other.full
        self.all += other.all


@dataclass
class UnitRow:
    unit: OrgUnit
    level: int  # depth below the shallowest unit shown, for indenting
    counts: Counts
    term: rules.TermStatus
    warnings: list[str] = field(default_factory=list)

    @property
    def term_warning(self) -> bool:
        return self.term.level in ("due", "expired")

    @property
    def has_warnings(self) -> bool:
        return bool(self.warnings) or self.term_warning


def roll_up(branch_counts: dict[str, Counts], steplen: int) -> dict[str, Counts]:
    """Totals for every ancestor path of the given branch paths (a branch's own total included).

    A materialised path's prefixes of length steplen, 2×steplen, … are its ancestors, so each branch
    is added to its ancestors without searching the tree.
    """
    totals: dict[str, Counts] = {}
    for path, counts in branch_counts.items():
        for end in range(steplen, len(path) + 1, steplen):
            totals.setdefault(path[:end], Counts()).add(counts)
    return totals


def unit_warnings(kind: str, counts: Counts) -> list[str]:
    """The size warnings of branches.rules plus the missing-cadre warning (DOMAIN.md)."""
    warnings = rules.size_warnings(kind, counts.full, counts.all, counts.committee)
    if kind == rules.BRANCH and counts.cadres == 0:
        warnings.append(NO_CADRE_WARNING)
    return warnings


def unit_rows(units: Iterable[OrgUnit], today: date) -> list[UnitRow]:
    """One row per unit of `units` (a user-scoped queryset, in tree order) with counts and warnings.

    Pass whole subtrees (what `visible_to` returns): a unit's totals add up the branches below it
    that are in `units`.
    """
    units = list(units)
    if not units:
        return []
    ids = [unit.pk for unit in units]
    branch_counts = {
        row["path"]: Counts(row["n_full"], row["n_all"], row["n_committee"], row["n_cadres"])
        for row in OrgUnit.objects.filter(pk__in=ids, kind=rules.BRANCH)
        .values("path")
        .annotate(
            # Members who left the organisation (members.services.member_leave) count nowhere.
            n_all=Count("members", filter=Q(members__left_on__isnull=True)),
            n_full=Count("members", filter=Q(members__category="full", members__left_on__isnull=True)),
            n_committee=Count("members", filter=~Q(members__committee_post="") & Q(members__left_on__isnull=True)),
            n_cadres=Count("members", filter=Q(members__is_party_cadre=True, members__left_on__isnull=True)),
        )
    }
    group_counts = {
        row["path"]: Counts(row["n_full"], row["n_all"])
        for row in OrgUnit.objects.filter(pk__in=ids, kind=rules.GROUP)
        .values("path")
        .annotate(
            n_all=Count("group_members", filter=Q(group_members__left_on__isnull=True)),
            n_full=Count(
                "group_members", filter=Q(group_members__category="full", group_members__left_on__isnull=True)
            ),
        )
    }
    totals = roll_up(branch_counts, OrgUnit.steplen)
    top = min(unit.depth for unit in units)
    rows = []
    for unit in units:
        if unit.kind == rules.BRANCH:
            counts = branch_counts.get(unit.path, Counts())
        elif unit.kind == rules.GROUP:
            counts = group_counts.get(unit.path, Counts())
        else:
            counts = totals.get(unit.path, Counts())
        rows.append(
            UnitRow(
                unit=unit,
                level=unit.depth - top,
                counts=counts,
                term=rules.term_status(unit.kind, unit.elected_on, today),
                warnings=unit_warnings(unit.kind, counts),
            )
        )
    return rows


def with_parent_name(units):
    """`units` annotated with `parent_name`, in the same query: labels such as "某支部 · 第一党小组".

    A materialised path minus its last step is the parent's path.
    """
    parent_path = Substr(OuterRef("path"), 1, Length(OuterRef("path")) - OrgUnit.steplen)
    return units.annotate(parent_name=Subquery(OrgUnit.objects.filter(path=parent_path).values("name")[:1]))
