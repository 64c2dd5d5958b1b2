"""Reads for the org tree pages: each visible unit with its member counts and its warnings.

Counts come from the members app through OrgUnit's reverse relations (`members`, `group_members`),
so this app still imports nothing from the apps above it. Whatever the number of units, the rows
cost three queries: the units, the branches' counts, the groups' counts.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Length, Substr

from core.bulk import among

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
        for row in OrgUnit.objects.filter(pk__in=among(ids), kind=rules.BRANCH)
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
        for row in OrgUnit.objects.filter(pk__in=among(ids), kind=rules.GROUP)
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


def _member_counts(**extra):
    return {
        # Members who left the organisation (members.services.member_leave) count nowhere.
        "n_all": Count("members", filter=Q(members__left_on__isnull=True)),
        "n_full": Count("members", filter=Q(members__category="full", members__left_on__isnull=True)),
        **extra,
    }


def unit_rows_of(
    units: Iterable[OrgUnit], today: date, top: int | None = None, totals: dict[int, Counts] | None = None
) -> list[UnitRow]:
    """Rows like `unit_rows` for any units, not only whole subtrees: the org tree's shown levels.

    A general branch's or the committee's totals are counted by the database over every branch whose
    path starts with theirs, one query per depth shown; branches and groups as in `unit_rows`. Queries
    do not grow with the organisation: at most four for any page of units. `top` is the depth shown
    unindented (default: the shallowest of `units`).
    """
    units = list(units)
    if not units:
        return []
    branch_ids = [u.pk for u in units if u.kind == rules.BRANCH]
    group_ids = [u.pk for u in units if u.kind == rules.GROUP]
    counts: dict[int, Counts] = {}
    if branch_ids:
        for row in (
            OrgUnit.objects.filter(pk__in=branch_ids)
            .order_by()
            .values("pk")
            .annotate(
                **_member_counts(
                    n_committee=Count(
                        "members", filter=~Q(members__committee_post="") & Q(members__left_on__isnull=True)
                    ),
                    n_cadres=Count("members", filter=Q(members__is_party_cadre=True, members__left_on__isnull=True)),
                )
            )
        ):
            counts[row["pk"]] = Counts(row["n_full"], row["n_all"], row["n_committee"], row["n_cadres"])
    if group_ids:
        for row in (
            OrgUnit.objects.filter(pk__in=group_ids)
            .order_by()
            .values("pk")
            .annotate(
                n_all=Count("group_members", filter=Q(group_members__left_on__isnull=True)),
                n_full=Count(
                    "group_members", filter=Q(group_members__category="full", group_members__left_on__isnull=True)
                ),
            )
        ):
            counts[row["pk"]] = Counts(row["n_full"], row["n_all"])
    # `totals`: units above the branches already counted by the caller (flagged_units)
    above = [u for u in units if u.kind not in (rules.BRANCH, rules.GROUP) and u.pk not in (totals or {})]
    counts.update({u.pk: totals[u.pk] for u in units if totals and u.pk in totals})
    for depth in sorted({u.depth for u in above}):
        paths = {u.path: u.pk for u in above if u.depth == depth}
        # Counted from the members' side with the units' paths as prefixes (LIKE 'path%', which
        # PostgreSQL estimates from the path's statistics): grouping branches by a computed prefix
        # was estimated at a few dozen branches, and the committee's row then looked up the
        # province's members branch by branch (about 125,000 at N = 5,000) instead of one hash join.
        members = OrgUnit._meta.get_field("members").related_model._default_manager
        within = Q()
        for path in paths:
            within |= Q(branch__path__startswith=path)
        for row in (
            members.filter(within, branch__kind=rules.BRANCH, left_on__isnull=True)
            .annotate(prefix=Substr("branch__path", 1, depth * OrgUnit.steplen))
            .order_by()
            .values("prefix")
            .annotate(n_all=Count("pk"), n_full=Count("pk", filter=Q(category="full")))
        ):
            counts[paths[row["prefix"]]] = Counts(row["n_full"], row["n_all"])
    top = min(unit.depth for unit in units) if top is None else top
    rows = []
    for unit in units:
        unit_counts = counts.get(unit.pk, Counts())
        rows.append(
            UnitRow(
                unit=unit,
                level=unit.depth - top,
                counts=unit_counts,
                term=rules.term_status(unit.kind, unit.elected_on, today),
                warnings=unit_warnings(unit.kind, unit_counts),
            )
        )
    return rows


def with_parent_name(units):
    """`units` annotated with `parent_name`, in the same query: labels such as "某支部 · 第一党小组".

    A materialised path minus its last step is the parent's path.
    """
    parent_path = Substr(OuterRef("path"), 1, Length(OuterRef("path")) - OrgUnit.steplen)
    return units.annotate(parent_name=Subquery(OrgUnit.objects.filter(path=parent_path).values("name")[:1]))


# The home panel's "需要关注": which units have a warning (unit_warnings, or a term due or expired), counted
# by the database so the committee's home page does not apply the rules to a province's every unit.
# The same rules as rules.size_warnings, unit_warnings and rules.term_status; a test holds them equal.
# The units' query is inlined where it is used (NOT MATERIALIZED): PostgreSQL has no statistics for a
# materialised CTE and guessed 55 of the committee's 5,000 branches, so it counted members with an
# index lookup per branch instead of one hash join over them.
FLAGGED_SQL = """
WITH v AS NOT MATERIALIZED ({units}),
bc AS (
    -- Members counted per branch first, then joined: one pass over the members, not a lookup per branch.
    SELECT b.id, b.path, coalesce(c.n_all, 0) AS n_all, coalesce(c.n_full, 0) AS n_full,
           coalesce(c.n_committee, 0) AS n_committee, coalesce(c.n_cadres, 0) AS n_cadres
    FROM v b LEFT JOIN (
        SELECT m.branch_id, count(*) AS n_all,
               count(*) FILTER (WHERE m.category = 'full') AS n_full,
               count(*) FILTER (WHERE m.committee_post <> '') AS n_committee,
               count(*) FILTER (WHERE m.is_party_cadre) AS n_cadres
        FROM {members} m WHERE m.left_on IS NULL AND m.branch_id IN (SELECT id FROM v WHERE kind = 'branch')
        GROUP BY m.branch_id
    ) c ON c.branch_id = b.id
    WHERE b.kind = 'branch'
),
up AS (
    SELECT substr(bc.path, 1, i * %s) AS path, sum(bc.n_all) AS n_all, sum(bc.n_full) AS n_full
    FROM bc CROSS JOIN generate_series(1, length(bc.path) / %s) AS i GROUP BY 1
)
SELECT v.id, (v.kind = 'branch' AND (
           bc.n_full < 3 OR bc.n_all > 50 OR bc.n_cadres = 0
           OR (bc.n_committee > 0 AND bc.n_full < 7)
           OR (bc.n_full >= 7 AND (bc.n_committee < 3 OR bc.n_committee > 5))))
   OR (v.kind = 'general_branch' AND (coalesce(up.n_all, 0) < 50 OR coalesce(up.n_all, 0) >= 100))
   OR (v.kind = 'committee' AND coalesce(up.n_all, 0) < 100)
   OR (v.elected_on IS NOT NULL AND v.kind IN ('committee', 'general_branch', 'branch') AND
       (v.elected_on + make_interval(years => CASE v.kind WHEN 'committee' THEN %s
                                                        ELSE %s END))::date - %s <= %s) AS flagged,
       coalesce(up.n_full, 0), coalesce(up.n_all, 0), v.kind
FROM v
LEFT JOIN bc ON bc.id = v.id
LEFT JOIN up ON up.path = v.path
WHERE v.kind <> 'group'
ORDER BY v.path
"""


def flagged_unit_ids(units, today: date) -> list[int]:
    """Ids of the units of `units` (a user-scoped queryset of whole subtrees) that `unit_rows` shows
    with warnings, in tree order: one query."""
    return flagged_units(units, today)[0]


def flagged_units(units, today: date) -> tuple[list[int], dict[int, Counts]]:
    """flagged_unit_ids, and the totals (full, all) of every unit above the branches in `units`, as
    unit_rows_of counts them: the statement counts every branch's members anyway, and the home page
    would otherwise count the committee's whole province a second time for its own row."""
    members = OrgUnit._meta.get_field("members").related_model._meta.db_table
    units_sql, units_params = units.order_by().values("id", "path", "kind", "elected_on").query.sql_with_params()
    assert rules.TERM_YEARS[rules.GENERAL_BRANCH] == rules.TERM_YEARS[rules.BRANCH]
    params = [
        *units_params,
        OrgUnit.steplen,
        OrgUnit.steplen,
        rules.TERM_YEARS[rules.COMMITTEE],
        rules.TERM_YEARS[rules.BRANCH],
        today,
        rules.TERM_WARNING_DAYS,
    ]
    # Estimated at millions of rows (generate_series is guessed at 1,000 per branch), the statement
    # passes jit_above_cost, and compiling it took longer than running it: no JIT, for this
    # statement only (SET LOCAL lasts until the atomic block, or the caller's transaction, ends).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(FLAGGED_SQL.format(units=units_sql, members=members), params)
        rows = cursor.fetchall()
    totals = {pk: Counts(n_full, n_all) for pk, _, n_full, n_all, kind in rows if kind != rules.BRANCH}
    return [row[0] for row in rows if row[1]], totals
