"""The rules of publishing a rating as pure functions: no database here."""

from datetime import date
from decimal import Decimal as D

import pytest

from assessment.publication import rules
from assessment.publication.rules import Calendar, LevelFacts, NoticeState, OverrideBreak

# 2026's New Year as the State Council set it: 1–3 January off, Sunday 4 January worked (调休).
NEW_YEAR_2026 = Calendar(
    off=frozenset({date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 3)}), worked=frozenset({date(2026, 1, 4)})
)


# --- working days ----------------------------------------------------------------------------------


def test_weekends_are_not_working_days_unless_entered_as_worked():
    assert rules.is_working_day(date(2025, 12, 5), Calendar())  # a Friday
    assert not rules.is_working_day(date(2025, 12, 6), Calendar())  # Saturday
    assert not rules.is_working_day(date(2025, 12, 7), Calendar())  # Sunday
    assert rules.is_working_day(date(2026, 1, 4), NEW_YEAR_2026)  # a Sunday worked instead
    assert not rules.is_working_day(date(2026, 1, 2), NEW_YEAR_2026)  # a Friday off


def test_five_working_days_from_a_monday_end_on_the_next_monday():
    period = rules.notice_period(date(2025, 12, 1), 5, Calendar())
    # Counted from the next working day: Tue 2 … Fri 5, then Mon 8.
    assert (period.starts_on, period.ends_on) == (date(2025, 12, 2), date(2025, 12, 8))


def test_a_notice_put_up_on_friday_starts_on_monday():
    period = rules.notice_period(date(2025, 12, 5), 5, Calendar())
    assert (period.starts_on, period.ends_on) == (date(2025, 12, 8), date(2025, 12, 12))


def test_entered_holidays_are_skipped():
    national_day = Calendar(off=frozenset(date(2025, 10, d) for d in range(1, 9)))
    period = rules.notice_period(date(2025, 9, 29), 5, national_day)
    # Tue 30 September, then the holiday to 8 October, then Thu 9, Fri 10, Mon 13, Tue 14.
    assert rules.working_days_after(date(2025, 9, 29), 5, national_day) == [
        date(2025, 9, 30),
        date(2025, 10, 9),
        date(2025, 10, 10),
        date(2025, 10, 13),
        date(2025, 10, 14),
    ]
    assert period.ends_on == date(2025, 10, 14)


def test_a_period_spanning_new_year_skips_the_holiday_and_counts_the_sunday_worked():
    period = rules.notice_period(date(2025, 12, 29), 5, NEW_YEAR_2026)
    # Tue 30, Wed 31 December; 1–3 January off; Sunday 4 worked; Mon 5, Tue 6.
    assert rules.working_days_after(date(2025, 12, 29), 5, NEW_YEAR_2026) == [
        date(2025, 12, 30),
        date(2025, 12, 31),
        date(2026, 1, 4),
        date(2026, 1, 5),
        date(2026, 1, 6),
    ]
    assert (period.starts_on, period.ends_on) == (date(2025, 12, 30), date(2026, 1, 6))
    # Without the calendar, the 1st and 2nd count as working days and the Sunday does not: Mon 5.
    assert rules.notice_period(date(2025, 12, 29), 5, Calendar()).ends_on == date(2026, 1, 5)


def test_working_days_left_count_today_and_skip_the_holiday():
    assert rules.working_days_left(date(2025, 12, 31), date(2026, 1, 6), NEW_YEAR_2026) == 4
    assert rules.working_days_left(date(2026, 1, 6), date(2026, 1, 6), NEW_YEAR_2026) == 1
    assert rules.working_days_left(date(2026, 1, 7), date(2026, 1, 6), NEW_YEAR_2026) == 0


def test_a_notice_is_at_least_five_working_days_and_a_calendar_of_holidays_only_is_refused():
    with pytest.raises(ValueError, match="公示期须为 5–30 个工作日"):
        rules.notice_period(date(2025, 12, 1), 4, Calendar())
    every_day = Calendar(off=frozenset(date.fromordinal(date(2025, 12, 2).toordinal() + n) for n in range(400)))
    with pytest.raises(ValueError, match="不足 5 个工作日"):
        rules.notice_period(date(2025, 12, 1), 5, every_day)


# --- the notice's state ------------------------------------------------------------------------------


def test_the_notice_is_open_to_its_last_day_then_waits_for_answers_then_is_final():
    end = date(2026, 1, 6)
    assert rules.notice_state(ends_on=end, today=end, withdrawn=False, unanswered=2) == NoticeState.OPEN
    assert rules.notice_state(ends_on=end, today=date(2026, 1, 7), withdrawn=False, unanswered=1) == (
        NoticeState.AWAITING
    )
    assert rules.notice_state(ends_on=end, today=date(2026, 1, 7), withdrawn=False, unanswered=0) == NoticeState.FINAL
    assert rules.notice_state(ends_on=end, today=end, withdrawn=True, unanswered=0) == NoticeState.WITHDRAWN


def test_objections_only_while_open_about_a_published_branch_and_with_a_reason():
    end = date(2026, 1, 6)
    ok = {"ends_on": end, "text": "台账不实", "about_rated_branch": True}
    assert rules.objection_refusal(state=NoticeState.OPEN, **ok) is None
    assert rules.objection_refusal(state=NoticeState.FINAL, **ok) == "公示期已于 2026-01-06 结束，不能再提出异议"
    assert "撤回" in rules.objection_refusal(state=NoticeState.WITHDRAWN, **ok)
    assert "只能对本次公示" in rules.objection_refusal(state=NoticeState.OPEN, **{**ok, "about_rated_branch": False})
    assert "请写明" in rules.objection_refusal(state=NoticeState.OPEN, **{**ok, "text": "  "})


# --- reasons ------------------------------------------------------------------------------------------


def facts(**fields):
    return LevelFacts(**{"band_level": 5, "level": 5, "applied_level": 5, **fields})


def test_a_level_from_its_band_needs_no_note():
    plain = facts(action_reason="上次核定（2024年）四星 → 五星：升星授牌")
    assert rules.level_notes(plain) == []
    assert rules.explanation(plain) == "分数段五星；上次核定（2024年）四星 → 五星：升星授牌"


def test_each_rule_that_moves_a_level_is_named():
    assert rules.level_notes(facts(level=3, vetoed=True)) == ["一票否决（B项未满分）"]
    assert rules.level_notes(facts(level=3, applied_level=3, capped=True)) == ["申报星级封顶"]
    assert rules.level_notes(facts(level=4, over_quota=True, quota_rank=4)) == ["超过五星比例（排名第4）"]
    adjusted = facts(level=4, override_level=4, override_reason="群众满意度测评偏低")
    assert rules.level_notes(adjusted) == ["委员会调整：群众满意度测评偏低"]
    assert rules.is_adjusted(adjusted) and not rules.is_adjusted(facts())
    both = facts(band_level=5, level=2, applied_level=2, vetoed=True, capped=True, action_reason="…：保持")
    assert rules.explanation(both) == "分数段五星；一票否决（B项未满分）；申报星级封顶；…：保持"


def test_an_adjustment_that_broke_a_rule_says_so_and_the_veto_aspect_is_the_standards():
    broke = facts(
        level=5, override_level=5, override_reason="获评全国先进基层党组织", override_warnings=("突破一票否决",)
    )
    assert rules.level_notes(broke) == ["委员会调整（突破一票否决）：获评全国先进基层党组织"]
    assert rules.level_notes(facts(level=3, vetoed=True), veto_aspect="C") == ["一票否决（C项未满分）"]


def test_a_lagging_branch_is_explained_by_its_reason():
    lagging = facts(level=None, applied_level=None, band_reason="未申报星级：列为后进党支部，本年度不评定星级")
    assert rules.level_notes(lagging) == ["未申报星级，列为后进党支部"]
    assert rules.explanation(lagging) == "未申报星级：列为后进党支部，本年度不评定星级"


# --- the committee's adjustment --------------------------------------------------------------------------


def check(**fields):
    defaults = {
        "level": 4,
        "applied_level": 5,
        "veto_earned": D("30"),
        "veto_points": D("30"),
        "other_five_stars": 0,
        "places": 3,
    }
    return rules.override_check(**{**defaults, **fields})


def test_an_adjustment_above_the_application_is_refused():
    assert check(level=5, applied_level=4).above_application
    assert not check(level=4, applied_level=4).above_application
    assert not check(level=1, applied_level=4).above_application


def test_breaking_the_veto_or_the_quota_is_named():
    assert check(level=4, veto_earned=D("28.5")).breaks == (OverrideBreak.VETO,)
    assert check(level=3, veto_earned=D("28.5")).breaks == ()  # three stars need no full B
    assert check(level=5, other_five_stars=3, places=3).breaks == (OverrideBreak.QUOTA,)
    assert check(level=5, other_five_stars=2, places=3).breaks == ()
    both = check(level=5, veto_earned=D("29"), other_five_stars=1, places=1)
    assert both.breaks == (OverrideBreak.VETO, OverrideBreak.QUOTA)
    assert both.labels == ["突破一票否决", "超出五星比例"]
    assert check(level=5, veto_earned=None, veto_points=None).breaks == ()  # no veto aspect this year


def test_interviews_still_to_hold_keep_the_lists_order():
    assert rules.interviews_to_hold([12, 11, 5], [11]) == [12, 5]
    assert rules.interviews_to_hold([], [3]) == []
