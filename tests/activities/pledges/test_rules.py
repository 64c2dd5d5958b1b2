"""Fulfilment rate, coverage and the indicators C2, C5, E1, and the appraisal rules — no database."""

from datetime import date
from decimal import Decimal

import pytest

from activities.pledges import rules
from activities.pledges.rules import BranchPledgeFacts, MemberPeriodFacts, RatingCounts
from core.periods import Period

POINTS = {"C2": Decimal(3), "C5": Decimal(3), "E1": Decimal(4)}
Q1 = Period.for_quarter(2025, 1)
Y = Period.for_year(2025)
Q1_MONTHS = frozenset(Q1.months)


# --- fulfilment rate ---------------------------------------------------------------------------------


def test_fulfilment_rate_counts_partial_as_half():
    assert rules.fulfilment_rate(RatingCounts(fulfilled=3, partial=2, unfulfilled=1)) == Decimal("0.6667")
    assert rules.fulfilment_rate(RatingCounts(fulfilled=1, partial=1)) == Decimal("0.75")


def test_fulfilment_rate_leaves_out_unrated_items():
    assert rules.fulfilment_rate(RatingCounts(fulfilled=1, unrated=5)) == Decimal(1)


def test_fulfilment_rate_of_nothing_rated_is_none():
    assert rules.fulfilment_rate(RatingCounts()) is None
    assert rules.fulfilment_rate(RatingCounts(unrated=3)) is None


def test_fulfilment_rate_accepts_a_mapping_of_counts():
    assert rules.fulfilment_rate({"fulfilled": 1, "partial": 0, "unfulfilled": 1}) == Decimal("0.5")


def test_rating_counts_from_ratings_and_sum():
    counts = RatingCounts.of(["fulfilled", "partial", "", None, "unfulfilled", "fulfilled"])
    assert counts == RatingCounts(fulfilled=2, partial=1, unfulfilled=1, unrated=2)
    assert counts.rated == 4 and counts.total == 6
    assert counts + RatingCounts(partial=1) == RatingCounts(2, 2, 1, 2)


def test_rates_by_member():
    rates = rules.rates_by_member(
        [(1, "fulfilled", 3), (1, "unfulfilled", 1), (1, None, 2), (2, "partial", 1), (3, "", 1), (3, None, 2)]
    )
    assert rates == {1: Decimal("0.75"), 2: Decimal("0.5"), 3: None}


@pytest.mark.parametrize(
    ("rate", "text"),
    [(Decimal("0.875"), "87.5%"), (Decimal(1), "100%"), (Decimal("0.6667"), "66.7%"), (Decimal(0), "0%"), (None, "—")],
)
def test_format_rate(rate, text):
    assert rules.format_rate(rate) == text


# --- months a member counts for ------------------------------------------------------------------------


def test_months_in_branch_judges_each_month_by_its_last_day():
    # Transferred in on 20 February: February counts here (they were here on the 28th), January does not.
    assert rules.months_in_branch([(date(2025, 2, 20), None)], Q1.months) == {(2025, 2), (2025, 3)}
    # ...and the old branch keeps January only.
    assert rules.months_in_branch([(None, date(2025, 2, 19))], Q1.months) == {(2025, 1)}


def test_months_in_branch_skips_months_before_joining_the_party():
    assert rules.months_in_branch([(None, None)], Q1.months, joined_on=date(2025, 3, 10)) == {(2025, 3)}


def test_months_in_branch_unions_several_spans():
    spans = [(None, date(2025, 1, 31)), (date(2025, 2, 1), None)]  # a group change inside the branch
    assert rules.months_in_branch(spans, Q1.months) == Q1_MONTHS


def test_retired_members_count_only_when_flagged():
    assert rules.counts_in_roll("active", False)
    assert not rules.counts_in_roll("retired", False)
    assert rules.counts_in_roll("retired", True)


# --- coverage and the indicators ---------------------------------------------------------------------------


def member(notes=(), required=Q1_MONTHS, pledged=False):
    return MemberPeriodFacts(required_months=frozenset(required), note_months=frozenset(notes), has_pledge=pledged)


def facts(*members, ratings=None):
    ratings = ratings or RatingCounts()
    return BranchPledgeFacts(branch_id=1, year=2025, members=dict(enumerate(members)), ratings=ratings)


def test_study_note_coverage_needs_a_note_in_every_month():
    f = facts(
        member(notes=Q1_MONTHS),
        member(notes={(2025, 1), (2025, 2)}),  # missed March
        member(notes={(2025, 2), (2025, 3)}, required={(2025, 2), (2025, 3)}),  # came in February: covered
        member(),
    )
    assert rules.study_note_coverage(f) == (2, 4)


def test_c2_is_points_times_covered_share():
    f = facts(member(notes=Q1_MONTHS), member(notes=Q1_MONTHS), member(), member(notes={(2025, 1)}))
    score = rules.pledge_indicator_scores(f, Q1, POINTS)["C2"]
    assert score.earned == Decimal("1.50")
    assert score.points == Decimal(3)
    assert score.explanation == "C2 学习心得：2/4 名党员每月都有学习心得 → 1.50/3"


def test_c2_with_no_members_scores_zero_and_says_why():
    score = rules.pledge_indicator_scores(facts(), Q1, POINTS)["C2"]
    assert score.earned == 0
    assert "没有应计的党员" in score.explanation


def test_a_quarter_gives_c2_only():
    assert set(rules.pledge_indicator_scores(facts(member()), Q1, POINTS)) == {"C2"}


def test_only_requested_codes_are_computed():
    assert set(rules.pledge_indicator_scores(facts(member()), Y, {"E1": Decimal(4)})) == {"E1"}


def test_c5_is_points_times_share_of_members_with_a_pledge():
    year_months = frozenset(Y.months)
    f = facts(
        member(required=year_months, pledged=True),
        member(required=year_months, pledged=True),
        member(required=year_months),
    )
    score = rules.pledge_indicator_scores(f, Y, POINTS)["C5"]
    assert score.earned == Decimal("2.00")
    assert score.explanation == "C5 党员承诺全覆盖：2/3 名党员作出了公开承诺 → 2.00/3"


def test_c5_ignores_members_with_no_month_in_the_branch():
    f = facts(member(required=Y.months, pledged=True), member(required=()))
    assert rules.pledge_coverage(f) == (1, 1)
    assert rules.pledge_indicator_scores(f, Y, POINTS)["C5"].earned == Decimal("3.00")


def test_e1_is_points_times_fulfilment_rate():
    f = facts(ratings=RatingCounts(fulfilled=6, partial=1, unfulfilled=1, unrated=2))
    score = rules.pledge_indicator_scores(f, Y, POINTS)["E1"]
    # (6 + 0.5) / 8 = 0.8125 → 4 × 0.8125 = 3.25
    assert score.earned == Decimal("3.25")
    assert "已兑现 6、部分兑现 1、未兑现 1" in score.explanation
    assert "兑现率 81.3%" in score.explanation
    assert "另有 2 项未评诺" in score.explanation
    assert score.explanation.endswith("→ 3.25/4")


def test_e1_rounds_half_up_to_two_places():
    # 4 × 2/3 = 2.666… → 2.67
    f = facts(ratings=RatingCounts(fulfilled=2, unfulfilled=1))
    assert rules.pledge_indicator_scores(f, Y, POINTS)["E1"].earned == Decimal("2.67")


def test_e1_with_nothing_rated_is_zero_and_says_so():
    none_rated = rules.pledge_indicator_scores(facts(ratings=RatingCounts(unrated=4)), Y, POINTS)["E1"]
    assert none_rated.earned == 0 and "均未评诺" in none_rated.explanation
    no_items = rules.pledge_indicator_scores(facts(), Y, POINTS)["E1"]
    assert no_items.earned == 0 and "没有承诺事项" in no_items.explanation


def test_full_marks_and_points_written_plainly():
    f = facts(member(notes=Q1_MONTHS), ratings=RatingCounts(fulfilled=5))
    scores = rules.pledge_indicator_scores(f, Y, {"C2": Decimal("2.5"), "E1": Decimal(4)})
    assert scores["E1"].earned == Decimal("4.00")
    assert scores["C2"].explanation.endswith("/2.5")


# --- pledges: years, limits ---------------------------------------------------------------------------


def test_pledges_are_for_this_year_or_in_december_the_next():
    assert rules.pledge_year_error(2025, date(2025, 3, 1)) is None
    assert rules.pledge_year_error(2026, date(2025, 3, 1)) == "承诺年度只能是2025年，不能是2026年"
    assert rules.pledge_year_error(2026, date(2025, 12, 5)) is None
    assert rules.pledge_year_error(2024, date(2025, 1, 5)) is not None


def test_pledge_limit():
    assert rules.pledge_limit_error(rules.MAX_MEMBER_PLEDGES - 1, for_branch=False) is None
    assert "最多 5 项" in rules.pledge_limit_error(rules.MAX_MEMBER_PLEDGES, for_branch=False)
    assert rules.pledge_limit_error(rules.MAX_MEMBER_PLEDGES, for_branch=True) is None


# --- appraisal ------------------------------------------------------------------------------------------


def test_one_third_excellent_is_fine_more_warns():
    assert rules.excellent_share_warning(["excellent", "competent", "competent"]) is None
    warning = rules.excellent_share_warning(["excellent", "excellent", "competent", "competent", "", None])
    assert warning == "评为优秀的 2 人，超过已评定 4 人的三分之一（一般不超过 1 人），请再斟酌"


def test_one_third_counts_only_those_graded():
    # 1 of 3 graded is exactly one third; the ungraded do not dilute the share.
    assert rules.excellent_share_warning(["excellent", "basic", "competent", "", ""]) is None
    assert rules.excellent_share_warning(["excellent", "competent", "", ""]) is not None


def test_grade_tally_has_every_grade():
    assert rules.grade_tally(["excellent", "competent", "competent"]) == {
        "excellent": 1,
        "competent": 2,
        "basic": 0,
        "incompetent": 0,
    }


def test_ballot_must_grade_every_other_participant_and_not_oneself():
    assert rules.ballot_errors(1, [1, 2, 3], {2: "excellent", 3: "competent"}) == []
    assert rules.ballot_errors(1, [1, 2, 3], {2: "excellent"}) == ["还有 1 名党员未评定等次"]
    assert "不能给自己评定等次，请在自我评价中写明" in rules.ballot_errors(1, [1, 2], {1: "excellent", 2: "basic"})
    assert "只能评议本次参加评议的党员" in rules.ballot_errors(1, [1, 2], {2: "basic", 9: "basic"})
    assert rules.ballot_errors(1, [1, 2], {2: "great"}) == ["等次只能是优秀、合格、基本合格或不合格"]


def test_close_lists_who_has_no_grade():
    assert rules.close_errors([]) == []
    assert rules.close_errors(["张伟", "李娜"]) == ["以下党员尚未确定评议等次：张伟、李娜"]


# --- study notes ----------------------------------------------------------------------------------------


def test_attachment_type_and_size():
    assert rules.attachment_error("心得.PDF", 1000) is None
    assert "类型不允许" in rules.attachment_error("run.exe", 10)
    assert "超过 10 MB" in rules.attachment_error("scan.jpg", rules.MAX_ATTACHMENT_BYTES + 1)
    assert "空文件" in rules.attachment_error("scan.jpg", 0)


def test_attachment_content_must_match_its_name():
    assert rules.attachment_content_error("scan.JPG", "jpeg") is None
    assert (
        rules.attachment_content_error("心得.pdf", None)
        == "附件“心得.pdf”的内容不是PDF文件，文件可能已损坏或扩展名不对"
    )


def test_attachment_limits_are_those_of_meeting_attachments():
    from activities import services as meeting_services

    assert rules.MAX_ATTACHMENT_BYTES == meeting_services.MAX_ATTACHMENT_BYTES
    assert rules.ATTACHMENT_KINDS == {ext: kind for ext, (_type, kind) in meeting_services.ALLOWED_TYPES.items()}


def test_no_notes_for_months_to_come():
    assert rules.note_month_error(date(2025, 5, 1), date(2025, 5, 31)) is None
    assert rules.note_month_error(date(2025, 6, 1), date(2025, 5, 31)) == "2025年6月还没到，不能提前提交学习心得"


# --- the member's record: attendance by year --------------------------------------------------------


def test_attendance_by_year_counts_only_the_given_kinds_newest_first():
    rows = [
        (date(2024, 3, 1), "general_meeting", "present"),
        (date(2024, 4, 1), "party_lesson", "absent"),
        (date(2025, 1, 5), "general_meeting", "present"),
        (date(2025, 2, 5), "group_meeting", "leave"),
        (date(2025, 2, 9), "theme_day", "absent"),  # not 三会一课: not in the rate
    ]
    years = rules.attendance_by_year(rows, ["general_meeting", "group_meeting", "party_lesson"])
    assert [(y.year, y.expected, y.present, y.leave, y.absent) for y in years] == [
        (2025, 2, 1, 1, 0),
        (2024, 2, 1, 0, 1),
    ]
    assert years[0].rate == Decimal("0.5") and years[0].rate_display == "50%"
    assert rules.YearAttendance(year=2023).rate is None
