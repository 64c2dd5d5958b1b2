"""meeting_facts against real records: what it counts, and a query count that does not grow with branches."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities import selectors, services
from activities.compliance import meeting_indicator_scores
from activities.models import Meeting, Talk
from activities.selectors import meeting_facts
from branches.models import OrgUnit
from core.periods import Period
from tests.factories import log_meeting, make_member, make_unit


def build_branch(parent, n_full=7, code=None):
    branch = make_unit(OrgUnit.Kind.BRANCH, parent, code=code)
    group = make_unit(OrgUnit.Kind.GROUP, branch)
    members = [
        make_member(branch, group=group, committee_post="书记" if i == 0 else ("委员" if i < 3 else ""))
        for i in range(n_full)
    ]
    members.append(make_member(branch, category="probationary", joined_on=date(2025, 1, 1), full_on=None))
    return branch, group, members


def test_facts_count_only_submitted_records(org):
    branch, group, members = build_branch(org.general)
    log_meeting(branch, Meeting.Kind.GENERAL_MEETING, date(2025, 2, 10), marks={members[1].pk: ("absent", "")})
    log_meeting(branch, Meeting.Kind.COMMITTEE_MEETING, date(2025, 1, 10))
    log_meeting(branch, Meeting.Kind.COMMITTEE_MEETING, date(2025, 3, 10), submit=False)  # draft: ignored
    log_meeting(group, Meeting.Kind.GROUP_MEETING, date(2025, 1, 10), logged=date(2025, 3, 1))  # 补录
    log_meeting(branch, Meeting.Kind.THEME_DAY, date(2025, 4, 10))  # next quarter
    services.talk_create(by=None, branch=branch, member=members[2], talked_on=date(2025, 2, 1), talker=members[0])

    facts = meeting_facts([branch.pk], Period.for_quarter(2025, 1))[branch.pk]
    assert facts.full_members == 7 and facts.members == 8 and facts.has_committee
    assert facts.members_talked == 1
    assert [g.id for g in facts.groups] == [group.pk]
    assert facts.months_held(Meeting.Kind.COMMITTEE_MEETING) == {(2025, 1)}
    assert facts.months_held(Meeting.Kind.GROUP_MEETING, group.pk) == {(2025, 1)}
    everything = facts.tally()
    assert (everything.meetings, everything.backfilled) == (3, 1)
    # 8 expected at the general meeting (one absent), 3 at the committee, 7 in the group (the
    # probationary member joined the Party on 1 January but is not in the group).
    assert (everything.expected, everything.present) == (8 + 3 + 7, 7 + 3 + 7)

    scores = meeting_indicator_scores(facts, Period.for_quarter(2025, 1), {})
    assert scores["B1"].earned == Decimal("6.00")
    assert scores["B2"].earned == Decimal("2.00")  # 1 of 3 months: the March draft does not count
    assert scores["B3"].earned == Decimal("1.67")


def test_a_branch_without_records_gets_empty_facts(org):
    facts = meeting_facts([org.other_branch.pk], Period.for_year(2025))
    assert facts[org.other_branch.pk].tally().meetings == 0 and not facts[org.other_branch.pk].groups


def test_query_count_does_not_grow_with_branches(org):
    branches = []
    for i in range(6):
        branch, group, members = build_branch(org.general, n_full=3 + i)
        log_meeting(branch, Meeting.Kind.GENERAL_MEETING, date(2025, 2, 10))
        log_meeting(group, Meeting.Kind.GROUP_MEETING, date(2025, 2, 11))
        services.talk_create(by=None, branch=branch, member=members[1], talked_on=date(2025, 2, 1), talker_name="上级")
        branches.append(branch)

    def count(ids):
        with CaptureQueriesContext(connection) as ctx:
            facts = meeting_facts(ids, Period.for_year(2025))
        return len(ctx.captured_queries), facts

    few, facts_few = count([b.pk for b in branches[:2]])
    many, facts_many = count([b.pk for b in branches])
    assert few == many == 3
    assert len(facts_many) == 6 and all(f.tally().meetings == 2 for f in facts_many.values())
    assert [f.has_committee for f in facts_many.values()] == [False, False, False, False, True, True]


@pytest.mark.parametrize("few", [0, 500])
def test_members_talked_the_same_whether_looked_up_per_member_or_read_for_the_year(org, monkeypatch, few):
    """A page's branches look their members' talks up; a province's read the year's talks: same counts."""
    monkeypatch.setattr(selectors, "FEW_BRANCHES", few)
    branch, _, members = build_branch(org.general)
    other, _, strangers = build_branch(org.general)
    services.talk_create(by=None, branch=branch, member=members[1], talked_on=date(2025, 2, 1), talker_name="上级")
    services.talk_create(by=None, branch=branch, member=members[1], talked_on=date(2025, 3, 1), talker_name="上级")
    # Recorded by another branch, still the member's talk; one outside the year and a stranger's do not count.
    Talk.objects.create(branch=other, member=members[2], talked_on=date(2025, 12, 31), talker_name="上级")
    Talk.objects.create(branch=branch, member=members[3], talked_on=date(2024, 12, 31), talker_name="上级")
    services.talk_create(by=None, branch=other, member=strangers[0], talked_on=date(2025, 5, 1), talker_name="上级")
    facts = meeting_facts([branch.pk, other.pk], Period.for_year(2025))
    assert (facts[branch.pk].members_talked, facts[other.pk].members_talked) == (2, 1)
