"""The compliance overview's ranking, counted by PostgreSQL, equals the Python rules of
activities/compliance.py on hand-made branches, on the days where the windows turn over."""

import datetime as dt

import pytest

from activities import selectors
from activities.models import Meeting
from branches.models import OrgUnit
from core.periods import Period
from members.models import Member, Membership
from tests.factories import log_meeting, make_member, make_unit

YEAR = 2025
K = Meeting.Kind


@pytest.fixture
def branches(org):
    """Branches whose every count sits on a boundary: the last and first day of a month, a group
    founded on a month's last day and one on the next month's first, exactly seven full members, a
    member who becomes full after the year, drafts, the previous quarter's meetings."""
    big = make_unit(OrgUnit.Kind.BRANCH, org.general, code="ZB2", name="七人支部")
    late = make_unit(OrgUnit.Kind.GROUP, big, code="ZB2-1", name="十一月底成立的小组", founded_on=dt.date(YEAR, 11, 30))
    later = make_unit(OrgUnit.Kind.GROUP, big, code="ZB2-2", name="十二月成立的小组", founded_on=dt.date(YEAR, 12, 1))
    for i in range(7):  # exactly seven full members on 31 December: a committee, monthly 支委会
        group = late if i < 2 else later if i < 4 else None
        make_member(big, since=dt.date(2020, 1, 1), group=group, committee_post="委员" if i >= 4 else "")
    log_meeting(big, K.COMMITTEE_MEETING, dt.date(YEAR, 10, 31))
    log_meeting(big, K.COMMITTEE_MEETING, dt.date(YEAR, 12, 1))
    log_meeting(big, K.GENERAL_MEETING, dt.date(YEAR, 12, 31))
    log_meeting(big, K.PARTY_LESSON, dt.date(YEAR, 9, 30))  # the third quarter's, not the fourth's
    log_meeting(big, K.LIFE_MEETING, dt.date(YEAR, 1, 1))
    log_meeting(big, K.THEME_DAY, dt.date(YEAR, 11, 1), submit=False)  # a draft counts for nothing
    log_meeting(big, K.THEME_DAY, dt.date(YEAR, 4, 1))
    log_meeting(later, K.GROUP_MEETING, dt.date(YEAR, 12, 31))
    log_meeting(late, K.GROUP_MEETING, dt.date(YEAR, 10, 1) + dt.timedelta(days=61))  # 1 December

    six = make_unit(OrgUnit.Kind.BRANCH, org.committee, code="ZB3", name="六人支部")
    for i in range(6):
        make_member(six, since=dt.date(2020, 1, 1), committee_post="书记" if i == 0 else "")
    # Probationary until the next year: not a voting member on 31 December, so no committee.
    make_member(six, since=dt.date(2020, 1, 1), category="probationary", joined_on=dt.date(YEAR, 6, 1), full_on=None)
    log_meeting(six, K.GENERAL_MEETING, dt.date(YEAR, 10, 1))
    log_meeting(six, K.THEME_DAY, dt.date(YEAR, 10, 1))
    log_meeting(six, K.THEME_DAY, dt.date(YEAR, 11, 30))
    log_meeting(six, K.PARTY_LESSON, dt.date(YEAR, 7, 1))
    log_meeting(six, K.LIFE_MEETING, dt.date(YEAR, 12, 31))
    log_meeting(six, K.COMMITTEE_MEETING, dt.date(YEAR, 3, 31))

    for i in range(7):
        make_member(org.branch, since=dt.date(2020, 1, 1), committee_post="委员" if i < 3 else "")
    log_meeting(org.group, K.GROUP_MEETING, dt.date(YEAR, 3, 1))
    log_meeting(org.group, K.GROUP_MEETING, dt.date(YEAR, 1, 31))
    log_meeting(org.branch, K.COMMITTEE_MEETING, dt.date(YEAR, 1, 1))
    log_meeting(org.branch, K.COMMITTEE_MEETING, dt.date(YEAR, 2, 28))
    log_meeting(org.branch, K.THEME_DAY, dt.date(YEAR, 3, 31))
    log_meeting(org.branch, K.PARTY_LESSON, dt.date(YEAR, 1, 1))
    # Six full members counted once each however many spans they have on 31 December, whoever else is
    # on the rolls: no committee, so the empty 支委会 months are not missing. (Counting spans, or
    # counting the retired, the late joiner, the one who left on the 30th or the one who moved away,
    # would make seven and a committee.)
    spans = make_unit(OrgUnit.Kind.BRANCH, org.general, code="ZB4", name="重复组织关系的支部")
    six_full = [make_member(spans, since=dt.date(2020, 1, 1), committee_post="委员" if i else "书记") for i in range(6)]
    Membership.objects.create(member=six_full[1], branch=spans, start=dt.date(YEAR, 6, 1))  # overlaps the first
    make_member(spans, since=dt.date(2020, 1, 1), status=Member.Status.RETIRED, counts_when_retired=False)
    make_member(spans, since=dt.date(2020, 1, 1), joined_on=dt.date(YEAR + 1, 1, 1), full_on=dt.date(YEAR + 1, 1, 1))
    left = make_member(spans, since=dt.date(2020, 1, 1))
    Membership.objects.filter(member=left).update(end=dt.date(YEAR, 12, 30))
    moved = make_member(org.branch, since=dt.date(2020, 1, 1))
    Membership.objects.filter(member=moved).update(end=dt.date(YEAR, 11, 30))
    Membership.objects.create(member=moved, branch=spans, start=dt.date(YEAR, 12, 1), end=dt.date(YEAR, 12, 30))
    # The same six and a retired member who still counts (flagged): seven, a committee, months missing.
    flagged = make_unit(OrgUnit.Kind.BRANCH, org.general, code="ZB5", name="退休仍计入的支部")
    for i in range(6):
        make_member(flagged, since=dt.date(2020, 1, 1), committee_post="书记" if i == 0 else "")
    make_member(flagged, since=dt.date(2020, 1, 1), status=Member.Status.RETIRED, counts_when_retired=True)
    for branch in (spans, flagged):
        log_meeting(branch, K.GENERAL_MEETING, dt.date(YEAR, 11, 15))
    log_meeting(flagged, K.COMMITTEE_MEETING, dt.date(YEAR, 11, 15))
    return list(OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH))


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
