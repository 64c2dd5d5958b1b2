"""Every time and order rule of recruitment at its boundary, without a database."""

from datetime import date, timedelta

import pytest

from core.workdays import Calendar
from recruitment import rules
from recruitment.rules import Sponsor


def test_twenty_five_steps_in_five_stages():
    assert len(rules.STEPS) == 25
    assert [stage.name for stage in rules.STAGES] == [
        "申请人",
        "积极分子",
        "发展对象",
        "预备党员的接收",
        "预备党员的教育考察和转正",
    ]
    assert sorted(n for stage in rules.STAGES for n in stage.steps) == list(range(1, 26))
    assert rules.STEPS[15].name == "支部大会讨论" and rules.STEPS[15].stage == 4
    assert rules.STEPS[17].by_committee and not rules.STEPS[15].by_committee
    assert rules.STEPS[6].repeatable and rules.STEPS[21].repeatable


# --- Age: at least 18 on the application date ---------------------------------------------------


def test_the_eighteenth_birthday_itself_is_old_enough():
    born = date(2008, 5, 20)
    assert rules.age_error(born, date(2026, 5, 20)) is None
    assert "才满18周岁" in rules.age_error(born, date(2026, 5, 19))


def test_born_on_29_february_is_eighteen_on_28_february():
    assert rules.age_error(date(2008, 2, 29), date(2026, 2, 28)) is None
    assert rules.age_error(date(2008, 2, 29), date(2026, 2, 27)) is not None


# --- The talk within a month: a warning --------------------------------------------------------


def test_talk_on_the_last_day_of_the_month_is_on_time():
    assert rules.talk_due(date(2025, 3, 10)) == date(2025, 4, 10)
    assert rules.talk_warning(date(2025, 3, 10), date(2025, 4, 10)) is None
    assert "晚了1天" in rules.talk_warning(date(2025, 3, 10), date(2025, 4, 11))


def test_a_month_after_31_january_is_the_end_of_february():
    assert rules.talk_due(date(2025, 1, 31)) == date(2025, 2, 28)
    assert rules.talk_due(date(2024, 1, 31)) == date(2024, 2, 29)


def test_a_talk_not_held_a_month_after_the_application_is_late():
    dates = {1: [date(2025, 3, 10)]}
    due = rules.progress(dates, date(2025, 4, 10))
    assert [(a.kind, a.due_on, a.late) for a in due.alerts] == [("talk", date(2025, 4, 10), False)]
    late = rules.progress(dates, date(2025, 4, 11))
    assert late.late[0].kind == "talk" and "已逾期1天" in late.late[0].message


def test_a_late_talk_is_recorded_with_a_warning_not_refused():
    check = rules.check_step_date(2, date(2025, 5, 1), {1: [date(2025, 3, 10)]}, today=date(2025, 6, 1))
    assert check.errors == {}
    assert check.warnings and "一个月内" in check.warnings[0]


# --- Order -------------------------------------------------------------------------------------


def test_a_date_before_the_previous_steps_is_refused():
    dates = {1: [date(2024, 1, 1)], 2: [date(2024, 1, 20)]}
    assert "第2步" in rules.order_error(dates, 3, date(2024, 1, 19))
    assert rules.order_error(dates, 3, date(2024, 1, 20)) is None  # the same day is in order


def test_a_backfilled_step_must_sit_between_its_neighbours():
    dates = {1: [date(2024, 1, 1)], 2: [date(2024, 1, 20)], 3: [date(2024, 6, 1)], 5: [date(2024, 7, 1)]}
    assert rules.order_error(dates, 4, date(2024, 6, 15)) is None
    assert "不能晚于第5步" in rules.order_error(dates, 4, date(2024, 7, 2))


def test_a_step_cannot_jump_ahead_of_the_next_one():
    assert rules.skip_error({1, 2}, 3) is None
    assert rules.skip_error({1, 2}, 4) == "请先登记第3步“推荐和确定入党积极分子”"
    # A step left blank before the furthest one (an import) may be filled in.
    assert rules.skip_error({1, 2, 3, 7}, 4) is None


def test_a_future_date_is_refused():
    check = rules.check_step_date(1, date(2026, 1, 2), {}, birth_date=date(1990, 1, 1), today=date(2026, 1, 1))
    assert "还没到" in check.errors["done_on"][0]


# --- 发展对象 a year after becoming an activist ---------------------------------------------------


def test_exactly_one_year_as_activist_is_enough():
    assert rules.candidate_error(date(2024, 3, 1), date(2025, 3, 1)) is None
    assert "满一年" in rules.candidate_error(date(2024, 3, 1), date(2025, 2, 28))


def test_candidate_check_runs_with_the_step():
    dates = {1: [date(2023, 1, 1)], 2: [date(2023, 1, 10)], 3: [date(2024, 3, 1)], 6: [date(2024, 8, 1)]}
    assert rules.check_step_date(7, date(2025, 3, 1), dates).errors == {}
    assert "done_on" in rules.check_step_date(7, date(2025, 2, 28), dates).errors


# --- Half-yearly assessment of an activist -----------------------------------------------------


def test_an_activist_not_assessed_for_more_than_six_months_is_late():
    dates = {1: [date(2024, 1, 1)], 2: [date(2024, 1, 5)], 3: [date(2024, 3, 1)], 6: [date(2024, 4, 15)]}
    assert rules.assessment_due(date(2024, 3, 1), [date(2024, 4, 15)]) == date(2024, 10, 15)
    on_day = rules.progress(dates, date(2024, 10, 15))
    assert [(a.kind, a.late) for a in on_day.alerts] == [("assessment", False)]
    after = rules.progress(dates, date(2024, 10, 16))
    assert after.late[0].kind == "assessment" and "超过六个月未考察" in after.late[0].message


def test_no_assessment_at_all_counts_from_becoming_an_activist():
    dates = {1: [date(2024, 1, 1)], 2: [date(2024, 1, 5)], 3: [date(2024, 3, 1)]}
    assert rules.progress(dates, date(2024, 9, 2)).late[0].kind == "assessment"
    # Once a 发展对象, the activist's assessment is no longer asked for.
    dates[7] = [date(2025, 3, 1)]
    assert rules.progress(dates, date(2025, 12, 1)).alerts == ()


# --- Introducers and contacts ------------------------------------------------------------------


def test_two_full_members_as_introducers():
    two = [Sponsor("王建国", True, 1), Sponsor("李明", True, 2)]
    assert rules.sponsor_errors("入党介绍人", two) == []


def test_a_probationary_introducer_is_refused():
    errors = rules.sponsor_errors("入党介绍人", [Sponsor("王建国", True, 1), Sponsor("赵强", False, 2)])
    assert errors == ["赵强不是正式党员（预备党员不能担任入党介绍人）"]


@pytest.mark.parametrize(
    "sponsors", [[Sponsor("王建国", True, 1)], [Sponsor("王建国", True, 1), Sponsor("王建国", True, 1)], []]
)
def test_contacts_are_exactly_two_different_people(sponsors):
    assert "两名不同的正式党员" in rules.sponsor_errors("培养联系人", sponsors)[0]


# --- Political review and training before the branch meeting -------------------------------------


def test_review_and_training_must_precede_the_meeting():
    meeting = date(2025, 6, 10)
    assert len(rules.meeting_prerequisite_errors({}, meeting)) == 2
    done = {10: [date(2025, 5, 1)], 11: [date(2025, 6, 10)]}
    assert rules.meeting_prerequisite_errors(done, meeting) == []
    late = {10: [date(2025, 5, 1)], 11: [date(2025, 6, 11)]}
    assert "应在支部大会" in rules.meeting_prerequisite_errors(late, meeting)[0]


@pytest.mark.parametrize(
    ("days", "hours", "ok"),
    [(3, None, True), (2, 24, True), (2, 23, False), (None, None, False), (0, 24, True), (2, None, False)],
)
def test_training_three_days_or_twenty_four_hours(days, hours, ok):
    assert (rules.training_error(days, hours) is None) is ok


# --- The public notice of the pre-review --------------------------------------------------------


def test_publicity_counts_working_days():
    # Monday 2025-06-02 to Friday 06-06: five working days.
    assert rules.publicity_error(date(2025, 6, 2), date(2025, 6, 6)) is None
    # Wednesday to the next Monday: Wed Thu Fri Mon = four.
    assert "只有4个工作日" in rules.publicity_error(date(2025, 6, 4), date(2025, 6, 9))
    assert rules.working_days(date(2025, 6, 7), date(2025, 6, 8)) == 0
    assert rules.working_days(date(2025, 6, 2), date(2025, 6, 29)) == 20


# 国庆 2025 as the committee enters it: 1–8 October off, Sunday 28 September and Saturday 11 October worked.
NATIONAL_DAY_2025 = Calendar(
    off=frozenset(date(2025, 10, day) for day in range(1, 9)),
    worked=frozenset({date(2025, 9, 28), date(2025, 10, 11)}),
)


def test_publicity_skips_the_entered_holidays_and_counts_the_weekend_days_worked():
    # Friday 26 September to Thursday 9 October: 26, Sunday 28 (worked), 29, 30 and 9 October = five.
    assert rules.working_days(date(2025, 9, 26), date(2025, 10, 9), NATIONAL_DAY_2025) == 5
    assert rules.publicity_error(date(2025, 9, 26), date(2025, 10, 9), NATIONAL_DAY_2025) is None
    # A day shorter, ending on the holiday's last day: four, refused, saying the holidays do not count.
    assert rules.publicity_error(date(2025, 9, 26), date(2025, 10, 8), NATIONAL_DAY_2025) == (
        "公示应不少于5个工作日，2025-09-26至2025-10-08只有4个工作日（节假日不计）"
    )
    # Weekdays only, the same days would have been nine.
    assert rules.publicity_error(date(2025, 9, 26), date(2025, 10, 8)) is None
    # After the holiday, Saturday 11 October is worked: Thursday 9 to Tuesday 14 is five, not four.
    assert rules.publicity_error(date(2025, 10, 9), date(2025, 10, 14), NATIONAL_DAY_2025) is None
    assert "只有4个工作日" in rules.publicity_error(date(2025, 10, 9), date(2025, 10, 14))
    # A notice entirely inside the holiday has none.
    assert rules.working_days(date(2025, 10, 1), date(2025, 10, 8), NATIONAL_DAY_2025) == 0


# --- The branch meeting's vote -----------------------------------------------------------------


def test_the_vote_passes_with_more_than_half():
    assert rules.vote_errors(10, 6, 6) == {}
    assert rules.vote_errors(9, 5, 5) == {}


def test_present_at_exactly_half_fails():
    assert "未超过" in rules.vote_errors(10, 5, 5)["present"]


def test_votes_for_at_exactly_half_of_those_who_should_attend_fails():
    # Nine of ten present, five for: a majority of those present but not of those who should attend.
    assert "不能通过" in rules.vote_errors(10, 9, 5)["votes_for"]
    assert rules.vote_errors(10, 9, 6) == {}


def test_impossible_counts_are_refused():
    assert "present" in rules.vote_errors(10, 11, 6)
    assert "votes_for" in rules.vote_errors(10, 6, 7)
    assert "expected" in rules.vote_errors(0, 0, 0)
    assert set(rules.vote_errors(None, None, 1)) == {"expected", "present"}


# --- Approval within three months ---------------------------------------------------------------


def test_approval_on_day_ninety_is_on_time_and_day_ninety_two_is_late():
    meeting = date(2025, 1, 10)  # three calendar months later is 10 April, day 90
    assert rules.approval_due(meeting) == meeting + timedelta(days=90)
    assert rules.approval_warning(meeting, meeting + timedelta(days=90)) is None
    assert "晚了2天" in rules.approval_warning(meeting, meeting + timedelta(days=92))


def test_three_months_are_calendar_months():
    # From 1 July the three months run to 1 October: day 92 is the last day on time.
    assert rules.approval_due(date(2025, 7, 1)) == date(2025, 10, 1)
    assert rules.approval_warning(date(2025, 7, 1), date(2025, 10, 1)) is None
    assert rules.approval_due(date(2025, 11, 30)) == date(2026, 2, 28)


def test_approval_waiting_is_an_alert_for_the_committee():
    dates = {n: [date(2025, 1, 10)] for n in range(1, 16)}
    waiting = rules.progress(dates, date(2025, 4, 10))
    assert [(a.kind, a.late, a.for_committee) for a in waiting.alerts] == [("approval", False, True)]
    assert waiting.next_step == 16 and waiting.next_due == date(2025, 4, 10)
    assert rules.progress(dates, date(2025, 4, 12)).late[0].kind == "approval"


def test_late_approval_is_recorded_with_a_warning():
    dates = {n: [date(2025, 1, 10)] for n in range(1, 17)}
    check = rules.check_step_date(17, date(2025, 4, 12), dates, today=date(2025, 5, 1))
    assert check.errors == {} and "三个月内" in check.warnings[0]


# --- Probation and 转正 -----------------------------------------------------------------------


def test_probation_is_a_year_from_the_meeting_and_extendable():
    assert rules.probation_end(date(2025, 1, 10)) == date(2026, 1, 10)
    assert rules.probation_end(date(2025, 1, 10), date(2026, 7, 10)) == date(2026, 7, 10)


def test_the_full_membership_meeting_is_on_or_after_the_end_of_probation():
    assert rules.full_meeting_error(date(2026, 1, 10), date(2026, 1, 10)) is None
    assert "才满" in rules.full_meeting_error(date(2026, 1, 10), date(2026, 1, 9))
    dates = {n: [date(2025, 1, 10)] for n in range(1, 23)}
    check = rules.check_step_date(23, date(2026, 1, 9), dates, probation_ends=date(2026, 1, 10))
    assert "done_on" in check.errors


def test_full_approval_within_three_months_of_its_meeting():
    dates = {n: [date(2025, 1, 10)] for n in range(1, 23)}
    dates[23] = [date(2026, 1, 10)]
    assert rules.check_step_date(24, date(2026, 4, 10), dates).warnings == []
    assert rules.check_step_date(24, date(2026, 4, 12), dates).warnings
    assert rules.progress(dates, date(2026, 4, 11)).late[0].kind == "full_approval"


def test_probation_ending_asks_for_the_meeting():
    dates = {n: [date(2025, 1, 10)] for n in range(1, 18)}
    ends = date(2026, 1, 10)
    assert rules.progress(dates, date(2025, 11, 1), probation_ends=ends).alerts == ()
    soon = rules.progress(dates, date(2025, 12, 20), probation_ends=ends)
    assert [(a.kind, a.late) for a in soon.alerts] == [("full_meeting", False)]
    assert rules.progress(dates, date(2026, 1, 11), probation_ends=ends).late[0].kind == "full_meeting"


# --- Stage and next step ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("steps", "status"),
    [((1,), "applicant"), ((1, 2, 3), "activist"), ((1, 7), "candidate"), ((17,), "probationary"), ((24,), "full")],
)
def test_the_status_follows_the_furthest_milestone(steps, status):
    assert rules.status_of(steps) == status


def test_next_step_of_an_activist_is_not_before_a_year():
    dates = {1: [date(2024, 1, 1)], 2: [date(2024, 1, 5)], 3: [date(2024, 3, 1)], 4: [date(2024, 3, 5)]}
    dates |= {5: [date(2024, 3, 6)], 6: [date(2024, 8, 1)]}
    standing = rules.progress(dates, date(2024, 9, 1))
    assert standing.status_label == "积极分子"
    assert standing.next_step == 7 and standing.next_not_before == date(2025, 3, 1)
    assert standing.waiting_since == date(2024, 8, 1)


def test_the_translated_labels_are_the_rules_names():
    from recruitment.models import STAGE_CHOICES, STEP_CHOICES, Status

    assert [str(label) for _, label in STEP_CHOICES] == [step.name for step in rules.STEPS.values()]
    assert [str(label) for _, label in STAGE_CHOICES] == [stage.name for stage in rules.STAGES]
    assert {value: str(label) for value, label in Status.choices} == rules.STATUS_LABELS
