"""The probationary list and the home panel's 转正 rows: the due date computed by the database equals
members.rules.probation_due, and the order is soonest first with unknown dates last."""

from datetime import date, timedelta

import pytest

from members import rules, selectors
from members.models import Member
from tests.factories import make_member

CASES = [
    # (joined_on, probation_extended_until)
    (date(2024, 2, 29), None),  # no 29 February a year later: the 28th
    (date(2024, 2, 28), None),
    (date(2024, 3, 1), None),
    (date(2024, 2, 29), date(2025, 1, 1)),  # an "extension" before the due date: the due date
    (date(2024, 2, 29), date(2025, 8, 1)),  # within a year: the extension's end
    (date(2024, 2, 29), date(2026, 3, 1)),  # longer than a year: a year after the due date
    (date(2024, 6, 30), date(2026, 6, 30)),  # exactly a year more
    (None, None),
    (None, date(2026, 1, 1)),
]


@pytest.mark.django_db
def test_the_database_computes_the_due_date_as_the_rule_does(org):
    people = [
        make_member(
            org.branch,
            category="probationary",
            joined_on=joined,
            full_on=None,
            probation_extended_until=extended,
        )
        for joined, extended in CASES
    ]
    due = dict(selectors.probationary_by_due(Member.objects.all()).values_list("pk", "due"))
    assert len(due) == len(CASES)
    for person, (joined, extended) in zip(people, CASES, strict=True):
        assert due[person.pk] == rules.probation_due(joined, extended), (joined, extended)


@pytest.mark.django_db
def test_soonest_first_unknown_last_and_the_panel_window(org):
    today = date(2026, 12, 7)
    for name, days_ago in [("甲", 300), ("乙", 365 - 30), ("丙", 365 - 31), ("丁", 400), ("戊", None)]:
        joined = None if days_ago is None else today - timedelta(days=days_ago)
        make_member(org.branch, name=name, category="probationary", joined_on=joined, full_on=None)
    everyone = Member.objects.all()
    assert [m.name for m in selectors.probationary_by_due(everyone)] == ["丁", "乙", "丙", "甲", "戊"]
    soon = [m.name for m in selectors.probation_soon(everyone, today)]
    expected = [m.name for m, status in selectors.probationary_members(everyone, today) if status.level != "ok"]
    assert soon == expected == ["丁", "乙", "戊"]
