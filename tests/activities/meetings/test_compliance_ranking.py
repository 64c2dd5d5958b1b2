"""The compliance overview's ranking, counted by PostgreSQL, equals the Python rules of
activities/compliance.py on hand-made branches, on the days where the windows turn over."""

import datetime as dt

import pytest
from django.test.utils import CaptureQueriesContext

from activities import selectors
from core.periods import Period

from .conftest import YEAR


def python_ranking(branches, quarter, today):
    lines = selectors.compliance_table(branches, YEAR, quarter, today)
    return [(line.branch.pk, line.compliance.missing, line.compliance.due) for line in lines]


def sql_ranking(branches, quarter, today):
    ranks = selectors.compliance_ranking([b.pk for b in branches], YEAR, quarter, today)
    return [(rank.branch_id, rank.missing, rank.due) for rank in ranks]


def days_around(quarter):
    """The quarter's first and last day, each month's first and last day, and the days either side."""
    days = set()
    for month in range(3 * quarter - 2, 3 * quarter + 1):
        first = dt.date(YEAR, month, 1)
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        days |= {first - dt.timedelta(days=1), first, last, last + dt.timedelta(days=1)}
    return sorted(days | {dt.date(YEAR + 1, 6, 1)})


@pytest.mark.parametrize("quarter", [1, 2, 3, 4])
def test_the_sql_ranking_equals_the_python_rules_at_every_boundary(branches, quarter):
    seen = set()
    for today in days_around(quarter):
        expected = python_ranking(branches, quarter, today)
        assert sql_ranking(branches, quarter, today) == expected, today
        seen |= {(missing > 0, due > 0) for _, missing, due in expected}
    # Not vacuous: the cases have branches missing windows, branches with windows due, and both.
    assert {(True, False), (False, True), (True, True)} <= seen


def test_the_cases_distinguish_the_branches(branches):
    """On the year's last day the fourth quarter's counts differ between the branches."""
    ranking = sql_ranking(branches, 4, dt.date(YEAR, 12, 31))
    assert len({(missing, due) for _, missing, due in ranking}) >= 3
    assert ranking == python_ranking(branches, 4, dt.date(YEAR, 12, 31))


def test_full_members_are_counted_as_for_the_branch_pages(branches):
    """The committee decides whether 支委会 months count: distinct voting members on 31 December."""
    by_code = {b.code: b for b in branches}
    facts = selectors.meeting_facts([by_code["ZB4"].pk, by_code["ZB5"].pk], Period.for_year(YEAR))
    assert facts[by_code["ZB4"].pk].full_members == 6
    assert facts[by_code["ZB5"].pk].full_members == 7
    new_year = dt.date(YEAR + 1, 1, 1)
    ranks = {r.branch_id: r for r in selectors.compliance_ranking([b.pk for b in branches], YEAR, 4, new_year)}
    # ZB5: October's and December's 支委会 missing besides the windows both miss; ZB4: not those.
    assert ranks[by_code["ZB5"].pk].missing == ranks[by_code["ZB4"].pk].missing + 2
    assert sql_ranking(branches, 4, new_year) == python_ranking(branches, 4, new_year)


def test_a_quarter_not_started_ranks_by_code(branches):
    ranking = sql_ranking(branches, 1, dt.date(YEAR - 1, 12, 31))
    assert all(missing == due == 0 for _, missing, due in ranking)
    assert [pk for pk, _, _ in ranking] == [b.pk for b in sorted(branches, key=lambda b: b.code)]


def test_without_postgresql_the_ranking_follows_the_rules(branches, monkeypatch):
    """SQLite (the laptop demo) has no arrays, SET LOCAL or triggers: the ranking is the rules' own
    (it was a 500 on 完成情况 there). Checked here by making the connection look like another vendor."""
    from django.db import connection

    monkeypatch.setattr(connection, "vendor", "sqlite")
    today = dt.date(YEAR, 12, 31)
    with CaptureQueriesContext(connection) as queries:
        assert sql_ranking(branches, 4, today) == python_ranking(branches, 4, today)
    assert not any("SET LOCAL" in q["sql"] or "WITH w" in q["sql"] for q in queries.captured_queries)
