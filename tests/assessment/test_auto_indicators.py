"""The auto indicators of a quarterly check and of the year, against records computed by hand.

The formulas live in activities (compliance, pledges); this checks that a check reads the right
records (submitted only, the right period, the branch's groups and members) and stores each score
with its explanation.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from activities import compliance
from activities import services as meetings
from activities.pledges import services as pledges
from assessment import selectors
from assessment.models import Indicator, Score
from assessment.services import checks
from assessment.services.standards import standard_ensure
from tests.factories import make_member


def meeting(unit, kind, day, *, by, absent=(), submit=True, **fields):
    held_at = timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=9))
    record = meetings.meeting_create(
        by=by,
        unit=unit,
        kind=kind,
        held_at=held_at,
        marks={m.pk: (compliance.ABSENT, "") for m in absent},
        now=held_at + timedelta(days=1),
        topic=fields.pop("topic", "学习贯彻党的二十大精神"),
        **fields,
    )
    if submit:
        meetings.meeting_submit(meeting=record, by=by, now=held_at + timedelta(days=1))
    return record


def note(member, month):
    pledges.study_note_create(
        member=member, month=month, title="学习心得", body="认真学习，联系实际。", today=date(2025, 12, 31)
    )


@pytest.fixture
def branch_q1(org):
    """ZB1 in the first quarter of 2025: three full members (no branch committee), one party group."""
    zhang = org.member  # in the group
    li = make_member(org.branch, name="李娜")
    wang = make_member(org.branch, name="王强")
    by = org.secretary
    meeting(org.branch, compliance.GENERAL_MEETING, date(2025, 2, 10), by=by, absent=[wang])
    meeting(org.group, compliance.GROUP_MEETING, date(2025, 1, 15), by=by)
    meeting(org.branch, compliance.THEME_DAY, date(2025, 1, 20), by=by)
    meeting(org.branch, compliance.THEME_DAY, date(2025, 3, 20), by=by)
    meeting(org.branch, compliance.THEME_DAY, date(2025, 2, 20), by=by, submit=False)  # a draft: not counted
    meeting(org.branch, compliance.PARTY_LESSON, date(2025, 4, 2), by=by, lecturer="王书记")  # next quarter
    for month in (1, 2, 3):
        note(zhang, date(2025, month, 1))
    note(li, date(2025, 1, 1))
    problem = checks.problem_create(
        branch=org.branch, year=2025, quarter=1, description="台账不规范", found_on=date(2025, 1, 5),
        deadline=date(2025, 3, 1), by=None,
    )  # fmt: skip
    checks.problem_close(problem=problem, by=None, today=date(2025, 2, 25))
    return org


@pytest.mark.django_db
def test_a_quarter_is_scored_from_its_submitted_records(branch_q1):
    org = branch_q1
    checks.quarter_compute(year=2025, quarter=1, today=date(2025, 4, 5))
    scores = {
        s.indicator.code: (s.computed, s.computed_note)
        for s in Score.objects.filter(branch=org.branch, quarter=1).select_related("indicator")
    }
    earned = {code: value for code, (value, _) in scores.items()}
    assert earned == {
        "B1": D("6.00"),  # a general meeting in the quarter
        "B2": D("6.00"),  # three full members: no committee, full points
        "B3": D("1.67"),  # 1 of 3 group-months
        "B4": D("0.00"),  # the party lesson was in April
        "B5": D("2.67"),  # 2 of 3 months (the February one is a draft)
        "C1": D("4.17"),  # present 3 of 4 expected = 75%; 5 × 0.75 / 0.90
        "C2": D("1.00"),  # 1 of 3 members wrote a note every month
        "E4": D("4.00"),  # the one problem due was closed in time
    }
    assert scores["B5"][1] == "B5 主题党日：2/3 个月达标 → 2.67/4"
    assert scores["C1"][1].startswith("C1 三会一课出勤率：实到 3/应到 4")
    assert scores["C2"][1] == "C2 学习心得：1/3 名党员每月都有学习心得 → 1.00/3"

    # With the checker's A4 and A5, the quarter score: (25.51 + 3 + 2) / 43 × 100.
    for code, value in (("A4", "3"), ("A5", "2")):
        indicator = Indicator.objects.get(standard__year=2025, code=code)
        checks.score_enter(branch=org.branch, indicator=indicator, quarter=1, value=value, note="", by=None)
    rows = selectors.quarter_rows(2025, 1, [org.branch], standard_ensure(year=2025), date(2025, 4, 5))
    assert rows[0]["score"] == D("70.95")


@pytest.mark.django_db
def test_the_yearly_auto_indicators_come_from_the_years_records(org):
    by = org.secretary
    meeting(org.branch, compliance.LIFE_MEETING, date(2025, 11, 20), by=by)
    meeting(org.branch, compliance.VOLUNTEER, date(2025, 6, 1), by=by)
    meeting(org.other_branch, compliance.VOLUNTEER, date(2025, 6, 1), by=org.outsider, submit=False)
    checks.year_auto_compute(year=2025, today=date(2026, 1, 10))
    scores = {
        (s.branch.code, s.indicator.code): s.computed
        for s in Score.objects.filter(quarter=0).select_related("branch", "indicator")
    }
    assert scores["ZB1", "B6"] == D("4.00")  # an organisational-life meeting in the year
    assert scores["ZB1", "E2"] == D("2.00")  # one volunteer activity: half
    assert scores["ZB9", "B6"] == D("0.00")
    assert scores["ZB9", "E2"] == D("0.00")  # its only activity is a draft
    assert {code for _, code in scores} == {"B6", "C3", "C5", "D1", "D3", "E1", "E2"}
