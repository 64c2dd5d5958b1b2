"""The compliance rules and meeting indicators (DOMAIN.md) as pure functions: no database here."""

from datetime import date
from decimal import Decimal

import pytest

from activities import compliance as c
from activities.compliance import BranchMeetingFacts, GroupFacts, Tally
from core.periods import Period
from core.scoring import make_score

BRANCH, G1, G2 = 1, 11, 12


def facts(meetings=(), *, period=None, full_members=9, groups=(), members=0, talked=0):
    """Facts from (unit id, kind, day[, expected, present]) tuples, as meeting_facts would build them."""
    period = period or Period.for_quarter(2025, 1)
    tallies: dict = {}
    for unit_id, kind, day, *att in meetings:
        expected, present = att or (0, 0)
        key = (unit_id, kind, (day.year, day.month))
        tallies[key] = tallies.get(key, Tally()) + Tally(1, expected, present)
    return BranchMeetingFacts(
        BRANCH,
        period,
        full_members=full_members,
        members=members,
        members_talked=talked,
        groups=tuple(groups),
        tallies=tallies,
    )


def d(month, day=10, year=2025):
    return date(year, month, day)


# Periods --------------------------------------------------------------------------------------


def test_periods():
    q = Period.for_quarter(2024, 4)
    assert (q.start, q.end) == (date(2024, 10, 1), date(2024, 12, 31))
    assert q.months == ((2024, 10), (2024, 11), (2024, 12)) and q.quarters == ((2024, 4),)
    assert q.label == "2024年第4季度" and date(2024, 11, 5) in q and date(2025, 1, 1) not in q
    y = Period.for_year(2024)
    assert (y.start, y.end, len(y.months), y.quarters[-1], y.label) == (
        date(2024, 1, 1),
        date(2024, 12, 31),
        12,
        (2024, 4),
        "2024年",
    )
    assert Period.for_quarter(2024, 1).end == date(2024, 3, 31)
    with pytest.raises(ValueError):
        Period.for_quarter(2024, 5)


# One record's rules -----------------------------------------------------------------------------


def test_probationary_members_do_not_count_toward_quorum():
    # 3 full + 2 probationary expected; 1 full and both probationary came: 3 of 5 people, but only
    # 1 of 3 votes, so the general meeting is below quorum.
    rows = [(c.PRESENT, True), (c.ABSENT, True), (c.LEAVE, True), (c.PRESENT, False), (c.PRESENT, False)]
    counts = c.attendance_counts(rows)
    assert (counts.expected, counts.present, counts.leave, counts.absent) == (5, 3, 1, 1)
    assert (counts.voting_expected, counts.voting_present) == (3, 1)
    assert not c.quorum_met(c.GENERAL_MEETING, counts.voting_expected, counts.voting_present)
    # With two of the three full members there, it is quorate whatever the probationary ones do.
    assert c.quorum_met(c.GENERAL_MEETING, 3, 2)


def test_quorum_needs_more_than_half():
    assert not c.quorum_met(c.COMMITTEE_MEETING, 4, 2)  # exactly half is not enough
    assert c.quorum_met(c.COMMITTEE_MEETING, 5, 3)
    assert not c.quorum_met(c.COMMITTEE_MEETING, 0, 0)
    # Only the member meeting and the committee meeting have a quorum rule.
    assert c.quorum_met(c.PARTY_LESSON, 10, 1) and c.quorum_met(c.THEME_DAY, 10, 0)


def test_backfilled_after_fifteen_days():
    assert not c.is_backfilled(date(2025, 3, 1), date(2025, 3, 16))  # 15 days: in time
    assert c.is_backfilled(date(2025, 3, 1), date(2025, 3, 17))  # 16 days: 补录


# Indicators -------------------------------------------------------------------------------------


def scores_for(f, period=None, **points):
    return c.meeting_indicator_scores(f, period or f.period, {k: Decimal(v) for k, v in points.items()})


def test_b1_b4_count_quarters_over_a_year():
    y = Period.for_year(2025)
    f = facts(
        [(BRANCH, c.GENERAL_MEETING, d(2)), (BRANCH, c.GENERAL_MEETING, d(3)), (BRANCH, c.GENERAL_MEETING, d(8))]
        + [(BRANCH, c.PARTY_LESSON, d(m)) for m in (1, 4, 7, 10)],
        period=y,
    )
    s = scores_for(f)
    # Two meetings in Q1 count once: Q1 and Q3 of four quarters.
    assert s["B1"].earned == Decimal("3.00")
    assert s["B1"].explanation == "B1 支部党员大会：2/4 个季度召开 → 3.00/6"
    assert s["B4"].earned == Decimal("5.00")


def test_a_quarter_with_one_meeting_missing():
    q = Period.for_quarter(2025, 1)
    f = facts(
        [(BRANCH, c.COMMITTEE_MEETING, d(1)), (BRANCH, c.COMMITTEE_MEETING, d(3))]
        + [(BRANCH, c.THEME_DAY, d(m)) for m in (1, 2, 3)]
        + [(BRANCH, c.PARTY_LESSON, d(2))],
        period=q,
    )
    s = scores_for(f)
    assert s["B2"].earned == Decimal("4.00")
    assert s["B2"].explanation == "B2 支部委员会：2/3 个月达标 → 4.00/6"
    assert s["B5"].earned == Decimal("4.00")
    assert s["B1"].earned == Decimal("0.00")  # no general meeting this quarter
    assert s["B4"].earned == Decimal("5.00")


def test_b2_full_points_without_a_committee():
    f = facts([], full_members=6)
    assert not f.has_committee
    s = scores_for(f)
    assert s["B2"].earned == Decimal("6.00")
    assert "未设支委会" in s["B2"].explanation
    assert facts([], full_members=7).has_committee
    assert scores_for(facts([], full_members=7))["B2"].earned == Decimal("0.00")


def test_b3_a_group_that_met_in_two_of_three_months():
    f = facts(
        [(G1, c.GROUP_MEETING, d(1)), (G1, c.GROUP_MEETING, d(3))] + [(G2, c.GROUP_MEETING, d(m)) for m in (1, 2, 3)],
        groups=[GroupFacts(G1, "第一党小组"), GroupFacts(G2, "第二党小组")],
    )
    s = scores_for(f)
    # 5 of 6 group-months: 5 × 5/6 = 4.1666… → 4.17 (2 decimals, half up)
    assert s["B3"].earned == Decimal("4.17")
    assert s["B3"].explanation == "B3 党小组会：5/6 个小组·月达标（2 个党小组） → 4.17/5"


def test_b3_without_groups_and_for_a_group_founded_mid_quarter():
    assert scores_for(facts([]))["B3"].earned == Decimal("5.00")
    # Founded in February: January does not count for it; it met in Feb and Mar → 2/2.
    late = GroupFacts(G1, "新党小组", founded_on=date(2025, 2, 20))
    f = facts([(G1, c.GROUP_MEETING, d(2, 25)), (G1, c.GROUP_MEETING, d(3))], groups=[late])
    assert scores_for(f)["B3"].earned == Decimal("5.00")


def test_b6_needs_a_life_meeting_in_the_year():
    y = Period.for_year(2025)
    assert scores_for(facts([(BRANCH, c.LIFE_MEETING, d(12))], period=y))["B6"].earned == Decimal("4.00")
    # The democratic appraisal meeting is not the 组织生活会.
    assert scores_for(facts([(BRANCH, c.APPRAISAL_MEETING, d(12))], period=y))["B6"].earned == Decimal("0.00")


def test_c1_attendance_rate_against_ninety_percent():
    q = Period.for_quarter(2025, 1)
    f = facts(
        [
            (BRANCH, c.GENERAL_MEETING, d(1), 20, 16),
            (BRANCH, c.COMMITTEE_MEETING, d(2), 5, 5),
            (G1, c.GROUP_MEETING, d(3), 10, 8),
            (BRANCH, c.PARTY_LESSON, d(3), 20, 14),
            # not 三会一课: ignored
            (BRANCH, c.THEME_DAY, d(3), 20, 2),
        ],
        period=q,
        groups=[GroupFacts(G1)],
    )
    s = scores_for(f)
    # 43/55 = 0.7818…; ÷ 0.9 = 0.8687…; × 5 = 4.3434… → 4.34
    assert s["C1"].earned == Decimal("4.34")
    assert "实到 43/应到 55 = 78.2%" in s["C1"].explanation


def test_c1_clamps_at_full_points_and_is_zero_without_meetings():
    assert scores_for(facts([(BRANCH, c.GENERAL_MEETING, d(1), 10, 9)]))["C1"].earned == Decimal("5.00")
    assert scores_for(facts([(BRANCH, c.GENERAL_MEETING, d(1), 10, 10)]))["C1"].earned == Decimal("5.00")
    none = scores_for(facts([(BRANCH, c.THEME_DAY, d(1), 10, 10)]))["C1"]
    assert none.earned == Decimal("0.00") and "无党员大会" in none.explanation


def test_c3_share_of_members_talked_to():
    y = Period.for_year(2025)
    assert scores_for(facts(period=y, members=12, talked=9))["C3"].earned == Decimal("2.25")
    assert scores_for(facts(period=y, members=3, talked=1))["C3"].earned == Decimal("1.00")
    assert scores_for(facts(period=y, members=0, talked=0))["C3"].earned == Decimal("0.00")


def test_e2_volunteer_two_full_one_half():
    y = Period.for_year(2025)
    one = [(BRANCH, c.VOLUNTEER, d(5))]
    assert scores_for(facts([], period=y))["E2"].earned == Decimal("0.00")
    assert scores_for(facts(one, period=y))["E2"].earned == Decimal("2.00")
    assert scores_for(facts(one * 3, period=y))["E2"].earned == Decimal("4.00")
    assert scores_for(facts(one, period=y), E2="3")["E2"].earned == Decimal("1.50")


def test_points_come_from_the_year_standard_and_rounding_is_half_up():
    # 1 of 3 months × 5 points = 1.6666… → 1.67; with 2.5 points: 0.8333… → 0.83
    f = facts([(BRANCH, c.COMMITTEE_MEETING, d(1))])
    assert scores_for(f, B2="5")["B2"].earned == Decimal("1.67")
    assert scores_for(f, B2="2.5")["B2"].explanation.endswith("→ 0.83/2.5")
    # make_score clamps whatever it is given and rounds half up.
    assert make_score("X", Decimal("7"), Decimal("6"), "r").earned == Decimal("6.00")
    assert make_score("X", Decimal("-1"), Decimal("6"), "r").earned == Decimal("0.00")
    assert make_score("X", Decimal("2.345"), Decimal("6"), "r").earned == Decimal("2.35")
    assert set(scores_for(f)) == {"B1", "B2", "B3", "B4", "B5", "B6", "C1", "C3", "E2"}


def test_meetings_outside_the_period_do_not_count():
    q = Period.for_quarter(2025, 2)
    f = facts([(BRANCH, c.GENERAL_MEETING, d(3)), (BRANCH, c.THEME_DAY, d(3))], period=q)
    s = scores_for(f)
    assert s["B1"].earned == Decimal("0.00") and s["B5"].earned == Decimal("0.00")


# Compliance for the pages -------------------------------------------------------------------------


def test_requirement_rows_held_missing_and_due():
    today = date(2025, 2, 20)
    f = facts(
        [(BRANCH, c.COMMITTEE_MEETING, d(1)), (BRANCH, c.THEME_DAY, d(2, 3)), (G1, c.GROUP_MEETING, d(1))],
        period=Period.for_year(2025),
        groups=[GroupFacts(G1, "第一党小组")],
    )
    rows = {(r.unit_id, r.requirement.kind): r for r in c.requirement_rows(f, 2025, 1, today)}
    committee = rows[(BRANCH, c.COMMITTEE_MEETING)]
    assert [cell.state for cell in committee.months] == [c.HELD, c.DUE, c.UPCOMING]
    assert committee.months[1].days_left == 8
    assert (committee.met, committee.required, committee.summary.state) == (1, 2, c.DUE)
    theme = rows[(BRANCH, c.THEME_DAY)]
    assert [cell.state for cell in theme.months] == [c.MISSING, c.HELD, c.UPCOMING]
    assert theme.summary.state == c.MISSING and theme.missing == 1
    group = rows[(G1, c.GROUP_MEETING)]
    assert group.unit_name == "第一党小组" and [x.state for x in group.months][:2] == [c.HELD, c.DUE]
    general = rows[(BRANCH, c.GENERAL_MEETING)]
    assert general.summary.state == c.DUE and general.summary.days_left == 39  # to 31 March
    life = rows[(BRANCH, c.LIFE_MEETING)]
    assert life.summary.state == c.DUE and life.summary.label == "2025年"


def test_a_past_quarter_is_held_or_missing_and_no_committee_is_not_required():
    f = facts([(BRANCH, c.GENERAL_MEETING, d(2))], full_members=4, period=Period.for_year(2025))
    result = c.branch_compliance(f, 2025, 1, date(2025, 6, 1))
    by_kind = {s.requirement.kind: s for s in result.summaries}
    assert by_kind[c.GENERAL_MEETING].state == c.HELD
    assert by_kind[c.COMMITTEE_MEETING].state == c.NOT_REQUIRED
    assert by_kind[c.GROUP_MEETING].state == c.NOT_REQUIRED  # no groups
    assert by_kind[c.THEME_DAY].text == "0/3" and by_kind[c.THEME_DAY].state == c.MISSING
    assert by_kind[c.PARTY_LESSON].state == c.MISSING
    # 3 theme-day months + the party lesson are missing; the year's life meeting is still due.
    assert (result.missing, result.due) == (4, 1)


def test_worst_branches_sort_first():
    today = date(2025, 4, 2)
    good = facts([(BRANCH, k, d(m)) for k in (c.COMMITTEE_MEETING, c.THEME_DAY) for m in (1, 2, 3)])
    good = BranchMeetingFacts(2, good.period, 9, tallies={(2, k, m): t for (_, k, m), t in good.tallies.items()})
    bad = facts([], full_members=9)
    ranked = sorted(
        [c.branch_compliance(good, 2025, 1, today), c.branch_compliance(bad, 2025, 1, today)], key=lambda b: b.sort_key
    )
    assert [b.branch_id for b in ranked] == [BRANCH, 2]
