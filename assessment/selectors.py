"""Reads for the assessment: a fixed number of queries whatever the number of branches.

The year-end workbook (issue 6) reads through these too, so each returns plain rows for many
branches at once rather than one object per call.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from itertools import groupby
from operator import itemgetter
from typing import NamedTuple

from django.db import connections
from django.db.models import Count, F, Q

from activities.compliance import wants
from branches.models import OrgUnit
from branches.rules import term_status
from core.bulk import FETCH_ROWS, among, plain_rows
from core.periods import Period
from core.scoring import round2
from members.models import Member

from . import rating
from .indicators import OwnFacts, as_of
from .models import YEAR_QUARTER, Application, Indicator, Problem, Score, Standard, StarHistory, YearRating


def rules_of(standard: Standard) -> rating.Rules:
    veto_name = ""
    if standard.veto_aspect:
        veto_name = next((a.name for a in standard.aspects.all() if a.code == standard.veto_aspect), "")
    return rating.Rules(
        five=standard.band_five,
        four=standard.band_four,
        three=standard.band_three,
        two=standard.band_two,
        quarter_weight=standard.quarter_weight,
        annual_weight=standard.annual_weight,
        quota_percent=standard.five_star_quota,
        veto_aspect=standard.veto_aspect or None,
        veto_aspect_name=veto_name,
        lagging_deadline_days=standard.lagging_deadline_days,
    )


def veto_points(standard: Standard) -> Decimal | None:
    return next((a.points for a in standard.aspects.all() if a.code == standard.veto_aspect), None)


def indicators_of(standard: Standard) -> list[Indicator]:
    return list(standard.indicators.select_related("aspect").order_by("position", "code"))


class BranchRow(NamedTuple):
    """What the rating jobs use of a branch: a province's 5,000 model instances took 50–100 ms."""

    pk: int
    code: str
    kind: str
    elected_on: date | None


def branches() -> list[BranchRow]:
    """Every branch (党支部), the units that are checked and rated."""
    rows = (
        OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH)
        .order_by("code")
        .values_list("pk", "code", "kind", "elected_on")
    )
    return [BranchRow._make(row) for row in plain_rows(rows)]


def own_indicator_facts(
    units: Iterable[OrgUnit | BranchRow],
    period: Period,
    today: date,
    codes: Iterable[str] | None = None,
    *,
    every: bool = False,
) -> dict[int, OwnFacts]:
    """Facts for D1, D3 and E4 of many branches: two queries (with `codes`, only those they need;
    `every`: the units are every branch, as activities.selectors.meeting_facts)."""
    units = list(units)
    ids = [u.pk for u in units]
    day = as_of(period, today)
    cadres = defaultdict(list)
    if wants(codes, "D1"):
        members = Member.objects.current().filter(is_party_cadre=True).exclude(status=Member.Status.RETIRED)
        if not every:
            members = members.filter(branch_id__in=among(ids))
        for branch_id, name in plain_rows(members.order_by("name").values_list("branch_id", "name")):
            cadres[branch_id].append(name)
    # Problems whose deadline fell in the period and has passed: those are due.
    problems = {}
    if wants(codes, "E4"):
        due = Problem.objects.filter(deadline__gte=period.start, deadline__lte=day)
        if not every:
            due = due.filter(branch_id__in=among(ids))
        counted = due.values("branch_id").annotate(
            due=Count("pk"), on_time=Count("pk", filter=Q(closed_on__lte=F("deadline")))
        )
        problems = {row["branch_id"]: (row["due"], row["on_time"]) for row in counted}
    return {
        u.pk: OwnFacts(
            cadres=tuple(cadres[u.pk]),
            term=term_status(u.kind, u.elected_on, day),
            problems_due=problems.get(u.pk, (0, 0))[0],
            problems_closed_on_time=problems.get(u.pk, (0, 0))[1],
        )
        for u in units
    }


def score_values(year: int, branch_ids: Iterable[int] | None = None) -> dict[int, dict[str, dict[int, Decimal]]]:
    """Each branch's effective scores for the year: values[branch_id][code][quarter] (quarter 0 = year)."""
    qs = Score.objects.of_year(year).with_value().filter(value__isnull=False)
    if branch_ids is not None:
        qs = qs.filter(branch_id__in=among(branch_ids))
    values: dict[int, dict[str, dict[int, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    rows = qs.order_by().values_list("branch_id", "indicator__code", "quarter", "value")
    for branch_id, code, quarter, value in plain_rows(rows):
        values[branch_id][code][quarter] = value
    return values


# A score's slot in score_cents' mapping: one integer of its indicator and quarter (0–4, the year 0).
SLOTS = 8


def score_slot(indicator_id: int, quarter: int) -> int:
    return indicator_id * SLOTS + quarter


# A branch's scores as two arrays (slots, cents): a province's 300,000 scores come as 5,000 rows, which
# the driver parses in C and dict(zip(…)) pairs in C, instead of 300,000 tuples built one by one.
SCORE_CENTS_SQL = """
SELECT branch_id, array_agg(indicator_id * %(slots)s + quarter), array_agg(round(coalesce(manual, computed) * 100)::int)
FROM assessment_score
WHERE indicator_id = ANY(%(ids)s) AND coalesce(manual, computed) IS NOT NULL
GROUP BY branch_id ORDER BY branch_id
"""


def score_cents(indicator_ids: Iterable[int]) -> Iterator[tuple[int, dict[int, int]]]:
    """Each branch's effective scores on these indicators in cents, a branch at a time:
    (branch_id, cents[score_slot(indicator_id, quarter)]), quarter 0 = the year.

    For rating a province, by the year's indicator ids so that no row joins the indicators or the
    standard: on PostgreSQL one row a branch (SCORE_CENTS_SQL); elsewhere the rows in branch order,
    grouped here. Scores have 2 decimals: cents are exact (rounded, for SQLite's floating point).
    """
    ids = list(indicator_ids)
    if connections[Score.objects.db].vendor == "postgresql":
        with connections[Score.objects.db].cursor() as cursor:
            cursor.execute(SCORE_CENTS_SQL, {"slots": SLOTS, "ids": ids})
            while batch := cursor.fetchmany(FETCH_ROWS):
                for branch_id, slots, values in batch:
                    yield branch_id, dict(zip(slots, values, strict=True))
        return
    rows = (
        Score.objects.filter(indicator_id__in=ids)
        .with_cents()
        .filter(value__isnull=False)
        .order_by("branch_id")
        .values_list("branch_id", "indicator_id", "quarter", "cents")
    )
    for branch_id, branch_rows in groupby(rows.iterator(chunk_size=FETCH_ROWS), key=itemgetter(0)):
        yield branch_id, {score_slot(indicator_id, quarter): cents for _b, indicator_id, quarter, cents in branch_rows}


def approved_history(before_year: int, branch_ids: Iterable[int] | None = None) -> dict[int, list[tuple[int, int]]]:
    """(year, level) of every approved (or imported) year before `before_year`, per branch."""
    qs = StarHistory.objects.filter(year__lt=before_year)
    if branch_ids is not None:
        qs = qs.filter(branch_id__in=list(branch_ids))
    history = defaultdict(list)
    for branch_id, year, level in qs.order_by("year").values_list("branch_id", "year", "level"):
        history[branch_id].append((year, level))
    return history


def applications(year: int) -> dict[int, int]:
    return dict(Application.objects.filter(year=year).values_list("branch_id", "level"))


def overdue_counts(year: int, today: date) -> dict[int, int]:
    """Problems of the year's checks still open past their deadline, per branch (the quota's third key)."""
    rows = (
        Problem.objects.filter(year=year, kind=Problem.Kind.CHECK)
        .overdue(today)
        .values("branch_id")
        .annotate(n=Count("pk"))
    )
    return {row["branch_id"]: row["n"] for row in rows}


def year_status(year: int) -> str:
    return YearRating.objects.filter(year=year).values_list("status", flat=True).first() or YearRating.Status.PENDING


def is_year_approved(year: int) -> bool:
    return year_status(year) == YearRating.Status.APPROVED


def indicator_table(standard: Standard, branch: OrgUnit) -> list[dict]:
    """One row per indicator of the year for a branch: points, each quarter's score and note, the year's."""
    indicators = indicators_of(standard)
    scores = {
        (s.indicator_id, s.quarter): s
        for s in Score.objects.filter(branch=branch, indicator__standard=standard)
        .select_related("entered_by")
        .prefetch_related("citations")
    }
    code_of = {i.pk: i.code for i in indicators}
    values: dict[str, dict[int, Decimal]] = {}
    for (indicator_id, quarter), s in scores.items():
        if s.effective is not None:
            values.setdefault(code_of[indicator_id], {})[quarter] = s.effective
    annual = rating.annual_indicator_points(
        {i.code: values.get(i.code, {}) for i in indicators if i.is_quarterly},
        {i.code: values[i.code][YEAR_QUARTER] for i in indicators if not i.is_quarterly and i.code in values},
        [i.as_def() for i in indicators],
    )
    rows = []
    for ind in indicators:
        periods = (1, 2, 3, 4) if ind.is_quarterly else (YEAR_QUARTER,)
        rows.append(
            {
                "indicator": ind,
                "cells": [(q, scores.get((ind.pk, q))) for q in periods],
                "annual": annual[ind.code],
                "missing": ind.points - annual[ind.code],
            }
        )
    return rows


# --- pages ---------------------------------------------------------------------------------------


def visible_branches(scope) -> list[OrgUnit]:
    return list(OrgUnit.objects.visible_to(scope).filter(kind=OrgUnit.Kind.BRANCH).order_by("code"))


def quarter_rows(year: int, quarter: int, units: list[OrgUnit], standard: Standard, today: date) -> list[dict]:
    """Each branch's quarter score and problem counts: three queries whatever the number of branches."""
    defs = [i.as_def() for i in indicators_of(standard)]
    ids = [u.pk for u in units]
    values = score_values(year, ids)
    problems = {
        row["branch_id"]: row
        for row in Problem.objects.filter(branch_id__in=among(ids), year=year, quarter=quarter)
        .values("branch_id")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=Q(closed_on__isnull=True)),
            overdue=Count("pk", filter=Q(closed_on__isnull=True, deadline__lt=today)),
        )
    }
    rows = []
    for unit in units:
        earned = {code: by_q[quarter] for code, by_q in values.get(unit.pk, {}).items() if quarter in by_q}
        rows.append(
            {
                "branch": unit,
                "scored": len(earned),
                "score": rating.quarter_score(earned, defs) if earned else None,
                "problems": problems.get(unit.pk, {"total": 0, "open": 0, "overdue": 0}),
            }
        )
    return rows


def level_counts(levels: Iterable[int | None]) -> dict:
    counts = {level: 0 for level in rating.LEVELS}
    lagging = 0
    for level in levels:
        if level is None:
            lagging += 1
        else:
            counts[level] += 1
    return {"levels": counts, "lagging": lagging}


def level_totals(lines) -> dict:
    """level_counts of BranchRating lines annotated with `final` (the level the year gives), by the database."""
    by_level = dict(lines.order_by().values_list("final").annotate(n=Count("pk")))
    counts = {level: by_level.get(level, 0) for level in rating.LEVELS}
    return {"levels": counts, "lagging": by_level.get(None, 0), "total": sum(by_level.values())}


def history_by_year(branch_ids: Iterable[int] | None = None) -> dict[int, dict[int, int]]:
    """How many branches held each level in each year of the star history."""
    qs = StarHistory.objects.all()
    if branch_ids is not None:
        qs = qs.filter(branch_id__in=list(branch_ids))
    table: dict[int, dict[int, int]] = defaultdict(lambda: {level: 0 for level in rating.LEVELS})
    for row in qs.values("year", "level").annotate(n=Count("pk")).order_by("year"):
        table[row["year"]][row["level"]] = row["n"]
    return dict(table)


def improvement_hints(rows: list[dict], limit: int = 5) -> list[dict]:
    """The indicators with the most points missing so far: what would raise the branch's score.

    A quarterly indicator counts the mean of the quarters checked so far; a yearly one only once it is
    scored (or previewed), so a year in progress is not blamed for quarters still to come.
    """
    hints = []
    for row in rows:
        ind = row["indicator"]
        values = [cell.effective for _, cell in row["cells"] if cell is not None and cell.effective is not None]
        if not values:
            continue
        got = sum(values, Decimal(0)) / len(values)
        missing = round2(ind.points - got)
        if missing > 0:
            notes = [cell.explanation for _, cell in row["cells"] if cell is not None and cell.explanation]
            hints.append({"indicator": ind, "missing": missing, "note": notes[-1] if notes else ""})
    hints.sort(key=lambda h: (-h["missing"], h["indicator"].position))
    return hints[:limit]
