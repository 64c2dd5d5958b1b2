"""pledge_facts: the records behind C2, C5 and E1, in a fixed number of queries for any number of branches."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.pledges import rules, selectors, services
from branches.models import OrgUnit
from core.periods import Period
from members.models import Member
from members.services import member_transfer
from tests.factories import make_member, make_unit

YEAR = 2025
TODAY = date(2025, 12, 20)
POINTS = {"C2": Decimal(3), "C5": Decimal(3), "E1": Decimal(4)}


def note(member, month, title="心得"):
    return services.study_note_create(member=member, month=date(YEAR, month, 1), title=title, body="b", today=TODAY)


def pledge(branch, member=None, content="承诺"):
    return services.pledge_create(branch=branch, member=member, year=YEAR, content=content, today=TODAY)


def test_facts_and_scores_of_a_branch(org):
    a = org.member
    b = make_member(org.branch, name="李娜")
    retired = make_member(org.branch, name="老党员", status=Member.Status.RETIRED)
    for month in (1, 2, 3):
        note(a, month)
    note(b, 1)
    note(b, 1, "second note in the same month counts once")
    note(retired, 1)
    p1, p2 = pledge(org.branch, a), pledge(org.branch)
    pledge(org.branch, a, "二")
    services.pledge_rate_all(
        branch=org.branch, year=YEAR, ratings={p1.pk: ("fulfilled", ""), p2.pk: ("partial", "")}, today=TODAY
    )

    q1 = selectors.pledge_facts([org.branch.pk], Period.for_quarter(YEAR, 1))[org.branch.pk]
    assert set(q1.members) == {a.pk, b.pk}  # the retired member is not counted by default
    assert q1.members[b.pk].note_months == {(YEAR, 1)}
    assert rules.study_note_coverage(q1) == (1, 2)
    assert rules.pledge_indicator_scores(q1, Period.for_quarter(YEAR, 1), POINTS)["C2"].earned == Decimal("1.50")

    year = selectors.pledge_facts([org.branch.pk], Period.for_year(YEAR))[org.branch.pk]
    assert year.ratings == rules.RatingCounts(fulfilled=1, partial=1, unrated=1)
    scores = rules.pledge_indicator_scores(year, Period.for_year(YEAR), POINTS)
    assert scores["C5"].earned == Decimal("1.50")  # one of two members pledged
    assert scores["E1"].earned == Decimal("3.00")  # (1 + ½) ÷ 2 × 4


def test_retired_members_count_when_the_branch_says_so(org):
    flagged = make_member(org.branch, name="老党员", status=Member.Status.RETIRED, counts_when_retired=True)
    facts = selectors.pledge_facts([org.branch.pk], Period.for_quarter(YEAR, 1))[org.branch.pk]
    assert flagged.pk in facts.members


def test_a_transfer_splits_the_months_between_branches(org):
    b = make_member(org.branch, name="李娜")
    member_transfer(member=b, to_branch=org.other_branch, on=date(YEAR, 2, 10))
    facts = selectors.pledge_facts([org.branch.pk, org.other_branch.pk], Period.for_quarter(YEAR, 1))
    assert facts[org.branch.pk].members[b.pk].required_months == {(YEAR, 1)}
    assert facts[org.other_branch.pk].members[b.pk].required_months == {(YEAR, 2), (YEAR, 3)}


def test_a_branch_with_nothing_gets_empty_facts(org):
    facts = selectors.pledge_facts([org.other_branch.pk], Period.for_year(YEAR))[org.other_branch.pk]
    assert facts.members == {} and facts.ratings == rules.RatingCounts()


def _branches(parent, n):
    ids = []
    for _ in range(n):
        branch = make_unit(OrgUnit.Kind.BRANCH, parent)
        m = make_member(branch)
        note(m, 1)
        pledge(branch, m)
        ids.append(branch.pk)
    return ids


@pytest.mark.parametrize("period", [Period.for_quarter(YEAR, 1), Period.for_year(YEAR)])
def test_query_count_does_not_depend_on_the_number_of_branches(org, period):
    few = _branches(org.committee, 2)
    many = few + _branches(org.committee, 10)
    with CaptureQueriesContext(connection) as small:
        selectors.pledge_facts(few, period)
    with CaptureQueriesContext(connection) as large:
        result = selectors.pledge_facts(many, period)
    assert len(large) == len(small) == 4
    assert len(result) == 12
    assert all(len(f.members) == 1 for f in result.values())
