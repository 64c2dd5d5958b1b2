"""Rules of the org tree (branches.rules) and the tree page's roll-up, without a database."""

from datetime import date

import pytest

from branches import rules
from branches.selectors import NO_CADRE_WARNING, Counts, roll_up, unit_warnings


@pytest.mark.parametrize(
    ("kind", "parent_kind", "ok"),
    [
        (rules.COMMITTEE, None, True),
        (rules.GENERAL_BRANCH, rules.COMMITTEE, True),
        (rules.BRANCH, rules.COMMITTEE, True),
        (rules.BRANCH, rules.GENERAL_BRANCH, True),
        (rules.GROUP, rules.BRANCH, True),
        (rules.GROUP, rules.GENERAL_BRANCH, False),
        (rules.GROUP, rules.COMMITTEE, False),
        (rules.BRANCH, rules.BRANCH, False),
        (rules.GENERAL_BRANCH, rules.GENERAL_BRANCH, False),
        (rules.COMMITTEE, rules.COMMITTEE, False),
        (rules.BRANCH, None, False),
    ],
)
def test_which_unit_may_hang_under_which(kind, parent_kind, ok):
    assert (rules.parent_error(kind, parent_kind) is None) is ok


def test_parent_errors_say_what_is_allowed_in_chinese():
    assert rules.parent_error(rules.GROUP, rules.GENERAL_BRANCH) == "党小组的上级只能是党支部，不能是党总支"
    assert rules.parent_error(rules.BRANCH, None) == "党支部必须有上级党组织"
    assert "根" in rules.parent_error(rules.COMMITTEE, rules.BRANCH)


@pytest.mark.parametrize(
    ("full", "all_", "committee", "expected"),
    [
        (2, 2, 0, ["不足3人"]),
        (3, 4, 0, []),
        (6, 6, 0, []),
        (7, 7, 0, ["应设立支部委员会"]),
        (7, 7, 3, []),
        (6, 6, 3, ["不设支部委员会"]),
        (20, 20, 6, ["一般为3至5人"]),
        (20, 20, 8, ["应为3至5人，最多不超过7人"]),
        (20, 20, 2, ["应为3至5人"]),
        (45, 51, 5, ["超过50人"]),
    ],
)
def test_branch_size_warnings(full, all_, committee, expected):
    warnings = rules.size_warnings(rules.BRANCH, full, all_, committee)
    assert len(warnings) == len(expected)
    for fragment, warning in zip(expected, warnings, strict=True):
        assert fragment in warning


def test_general_branch_and_committee_size_warnings():
    assert rules.size_warnings(rules.GENERAL_BRANCH, 30, 40) == ["党员40人，不足50人，一般不设党总支"]
    assert rules.size_warnings(rules.GENERAL_BRANCH, 60, 70) == []
    assert "基层党委" in rules.size_warnings(rules.GENERAL_BRANCH, 100, 120)[0]
    assert rules.size_warnings(rules.COMMITTEE, 90, 99) == ["党员99人，不足100人，一般不设基层党委"]
    assert rules.size_warnings(rules.GROUP, 0, 0) == []


def test_a_branch_without_a_party_cadre_is_warned():
    assert NO_CADRE_WARNING in unit_warnings(rules.BRANCH, Counts(full=5, all=5, cadres=0))
    assert unit_warnings(rules.BRANCH, Counts(full=5, all=5, cadres=1)) == []
    # Only branches need one: a general branch's cadres sit in its branches.
    assert NO_CADRE_WARNING not in unit_warnings(rules.GENERAL_BRANCH, Counts(full=60, all=60))


def test_terms_last_three_years_for_branches_and_five_for_the_committee():
    assert rules.term_end(rules.BRANCH, date(2023, 5, 10)) == date(2026, 5, 10)
    assert rules.term_end(rules.GENERAL_BRANCH, date(2023, 5, 10)) == date(2026, 5, 10)
    assert rules.term_end(rules.COMMITTEE, date(2023, 5, 10)) == date(2028, 5, 10)
    assert rules.term_end(rules.GROUP, date(2023, 5, 10)) is None
    assert rules.term_end(rules.BRANCH, date(2024, 2, 29)) == date(2027, 2, 28)


@pytest.mark.parametrize(
    ("today", "level", "fragment"),
    [
        (date(2026, 2, 8), "ok", "任期至2026-05-10"),  # 91 days before
        (date(2026, 2, 9), "due", "还有90天"),  # the first day of the warning
        (date(2026, 5, 10), "due", "还有0天"),
        (date(2026, 5, 11), "expired", "已超期1天"),
    ],
)
def test_term_warning_starts_90_days_before_the_end(today, level, fragment):
    status = rules.term_status(rules.BRANCH, date(2023, 5, 10), today)
    assert status.level == level
    assert fragment in status.message


def test_a_term_without_an_election_date_is_unknown():
    status = rules.term_status(rules.BRANCH, None, date(2026, 1, 1))
    assert (status.level, status.message) == ("unknown", "未登记换届日期")
    assert rules.term_status(rules.GROUP, None, date(2026, 1, 1)).level == "ok"


def test_roll_up_adds_each_branch_to_every_ancestor():
    # steplen 4: 0001 committee, 00010001 general branch, 000100010001 and 000100010002 its branches,
    # 00010002 a branch directly under the committee.
    totals = roll_up(
        {
            "000100010001": Counts(full=5, all=6),
            "000100010002": Counts(full=2, all=2),
            "00010002": Counts(full=10, all=12),
        },
        steplen=4,
    )
    assert (totals["0001"].full, totals["0001"].all) == (17, 20)
    assert (totals["00010001"].full, totals["00010001"].all) == (7, 8)
    assert (totals["00010002"].full, totals["00010002"].all) == (10, 12)
    assert totals["000100010001"].all == 6
