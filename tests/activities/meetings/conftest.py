"""Hand-made branches for the compliance ranking's tests (the SQL, the stored gaps and the rules)."""

import datetime as dt

import pytest

from activities.models import Meeting
from branches.models import OrgUnit
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
