"""The rating rules of DOMAIN.md as pure functions: no database here."""

from datetime import date
from decimal import Decimal as D

import pytest

from assessment import rating
from assessment.rating import Action, BranchYear, IndicatorDef, Rules
from assessment.standard import DEFAULT_INDICATORS
from core.scoring import clamp

RULES = Rules()
INDICATORS = [IndicatorDef(s.code, s.aspect, s.points, s.frequency == "quarterly") for s in DEFAULT_INDICATORS]
Q_CODES = [i.code for i in INDICATORS if i.quarterly]
FULL_ASPECTS = {"A": D(15), "B": D(30), "C": D(20), "D": D(15), "E": D(20)}


def branch(n, score, applied=5, b=D(30), overdue=0, history=(), code=None):
    aspects = {**FULL_ASPECTS, "B": b}
    return BranchYear(n, code or f"ZB{n:02d}", applied, D(score), aspects, overdue, tuple(history))


def fillers(start, count):
    """Three-star branches that make up the number of branches rated, hence the five-star places."""
    return [branch(n, "75", applied=3) for n in range(start, start + count)]


# --- quarter score, annual assessment, the year's score ------------------------------------------


def test_q_indicators_are_worth_43_points():
    assert sum(i.points for i in INDICATORS if i.quarterly) == 43
    assert Q_CODES == ["A4", "A5", "B1", "B2", "B3", "B4", "B5", "C1", "C2", "E4"]


def test_quarter_score_is_points_earned_over_43_times_100():
    full = {i.code: i.points for i in INDICATORS if i.quarterly}
    assert rating.quarter_score(full, INDICATORS) == D("100.00")
    assert rating.quarter_score({}, INDICATORS) == D("0.00")
    # 21.5 of 43 is half; 10 of 43 is 23.2558… → 23.26
    assert rating.quarter_score({"B1": D(6), "B2": D(6), "B3": D(5), "B4": D("4.5")}, INDICATORS) == D("50.00")
    assert rating.quarter_score({"B1": D(6), "B4": D(4)}, INDICATORS) == D("23.26")


def test_quarter_score_ignores_yearly_indicators_and_clamps_to_points():
    assert rating.quarter_score({"A1": D(3), "D1": D(4)}, INDICATORS) == D("0.00")
    assert rating.quarter_score({"B1": D(60)}, INDICATORS) == rating.quarter_score({"B1": D(6)}, INDICATORS)
    assert rating.quarter_score({"B1": D(-5)}, INDICATORS) == D("0.00")


def test_annual_assessment_takes_the_mean_of_the_four_quarters_and_the_year_points():
    quarterly = {"B1": {1: D(6), 2: D(6), 3: D(3), 4: D(0)}, "B2": {1: D(6)}}
    yearly = {"A1": D("2.5"), "D1": D(4)}
    points = rating.annual_indicator_points(quarterly, yearly, INDICATORS)
    assert points["B1"] == D("3.75")
    assert points["B2"] == D("1.50")  # quarters without a score count 0
    assert points["A1"] == D("2.50")
    assert points["C3"] == D("0.00")
    assert sum(points.values()) == D("11.75")


def test_indicator_means_round_half_up():
    points = rating.annual_indicator_points({"B2": {1: D("0.02")}}, {}, INDICATORS)
    assert points["B2"] == D("0.01")  # 0.005 rounds up, not to even


def test_year_score_is_40_percent_quarters_plus_60_percent_annual_rounded_to_2_decimals():
    assert rating.quarter_mean({1: D(80), 2: D(90), 3: D(100), 4: D("85.55")}) == D("88.89")
    assert rating.combined_score(D("88.89"), D("91.17"), RULES) == D("90.26")  # 35.556 + 54.702
    assert rating.combined_score(D("89.99"), D(90), RULES) == D("90.00")  # 89.996 rounds up
    assert rating.combined_score(D(100), D(0), Rules(quarter_weight=D(50), annual_weight=D(50))) == D("50.00")


def cents(values):
    """Scores as branch_numbers reads them: whole cents under (code, quarter)."""
    return {(code, q): int(v * 100) for code, by_q in values.items() for q, v in by_q.items()}


def test_branch_numbers_from_stored_scores():
    values = {
        code: {q: ind for q in (1, 2, 3, 4)} for code, ind in ((i.code, i.points) for i in INDICATORS if i.quarterly)
    }
    values.update({i.code: {0: i.points} for i in INDICATORS if not i.quarterly})
    scheme = rating.scheme(INDICATORS, RULES)
    numbers = rating.branch_numbers(cents(values), scheme)
    assert numbers.quarter_scores == {1: D("100.00"), 2: D("100.00"), 3: D("100.00"), 4: D("100.00")}
    assert numbers.annual == D("100.00")
    assert numbers.score == D("100.00")
    assert numbers.aspects == FULL_ASPECTS
    assert list(numbers.aspects) == ["A", "B", "C", "D", "E"]  # the standard's order, as the proposal stores them

    values["B2"] = {1: D(6), 2: D(4), 3: D(4), 4: D(6)}  # loses 2 points a quarter twice
    numbers = rating.branch_numbers(cents(values), scheme)
    assert numbers.quarter_scores[2] == D("95.35")  # 41/43
    assert numbers.annual_by_code["B2"] == D("5.00")
    assert numbers.aspects["B"] == D("29.00")
    assert numbers.score == D("98.47")  # 0.4 × 97.68 (97.675 rounded) + 0.6 × 99 = 39.072 + 59.4
    assert str(numbers.score) == "98.47" and str(numbers.annual_by_code["B2"]) == "5.00"


def test_a_scheme_refuses_points_finer_than_cents():
    with pytest.raises(ValueError, match="B1"):
        rating.scheme([IndicatorDef("B1", "B", D("0.005"), True)], RULES)


def _numbers_composed(values, indicators, rules):
    """branch_numbers as the composition of the rules' own functions (what it computes in one pass)."""
    quarter_scores = {
        q: rating.quarter_score({c: by_q[q] for c, by_q in values.items() if q in by_q}, indicators)
        for q in (1, 2, 3, 4)
    }
    quarterly = {i.code: values.get(i.code, {}) for i in indicators if i.quarterly}
    yearly = {i.code: values[i.code][0] for i in indicators if not i.quarterly and 0 in values.get(i.code, {})}
    annual_by_code = rating.annual_indicator_points(quarterly, yearly, indicators)
    annual = sum(annual_by_code.values(), D(0))
    mean = rating.quarter_mean(quarter_scores)
    return rating.BranchNumbers(
        quarter_scores,
        mean,
        {code: rating.to_cents(points) for code, points in annual_by_code.items()},
        annual,
        rating.aspect_totals(annual_by_code, indicators),
        rating.combined_score(mean, annual, rules),
    )


def _text(numbers):
    """The numbers as the proposal writes them (2 decimals each) and in the aspects' order."""
    return (
        {q: f"{v:.2f}" for q, v in numbers.quarter_scores.items()},
        f"{numbers.quarter_mean:.2f}",
        f"{numbers.annual:.2f}",
        [(a, f"{v:.2f}") for a, v in numbers.aspects.items()],
        f"{numbers.score:.2f}",
    )


@pytest.mark.parametrize("seed", range(60))
def test_branch_numbers_equal_the_rules_composed(seed):
    """branch_numbers in cents against quarter_score, annual_indicator_points and the rest in Decimal, on
    random scores: over the points, negative, missing quarters, a year's score on a q indicator,
    codes of no indicator, a standard with no q indicators, and (every third seed) points and weights
    with cents of their own, so that the divisions fall between cents and round half up."""
    import random

    rnd = random.Random(seed)
    indicators, rules = INDICATORS, RULES
    if seed % 3 == 0:
        indicators = [IndicatorDef(i.code, i.aspect, D(rnd.randint(1, 1200)) / 100, i.quarterly) for i in INDICATORS]
        weight = D(rnd.randint(0, 10000)) / 100
        rules = Rules(quarter_weight=weight, annual_weight=100 - weight)
    if seed % 10 == 1:
        indicators = [i for i in indicators if not i.quarterly]
    values: dict[str, dict[int, D]] = {}
    for code in [i.code for i in INDICATORS] + ["Z9"]:
        quarters = rnd.sample([0, 1, 2, 3, 4], rnd.randint(0, 5))
        if quarters:
            values[code] = {q: D(rnd.randint(-300, 1300)) / 100 for q in quarters}
    got = rating.branch_numbers(cents(values), rating.scheme(indicators, rules))
    expected = _numbers_composed(values, indicators, rules)
    assert got == expected
    assert _text(got) == _text(expected)


def test_branch_numbers_round_half_up_where_the_division_falls_on_half_a_cent():
    # 1 point of 8 in a quarter: 12.5 %; the B2 mean 0.005 → 0.01; 0.4 × 12.50 + 0.6 × 0.01 = 5.006 → 5.01
    indicators = [IndicatorDef("B2", "B", D(8), True)]
    quarters = {("B2", 1): 100, ("B2", 2): 0, ("B2", 3): 0, ("B2", 4): 0}
    got = rating.branch_numbers(quarters, rating.scheme(indicators, RULES))
    assert got.quarter_scores[1] == D("12.50")
    assert got.annual_by_code["B2"] == D("0.25")
    got = rating.branch_numbers({("B2", 1): 2}, rating.scheme(indicators, RULES))
    assert got.annual_by_code["B2"] == D("0.01")  # 0.005, not to even
    assert got == _numbers_composed({"B2": {1: D("0.02")}}, indicators, RULES)


# --- bands ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "level"),
    [
        ("100", 5),
        ("90.00", 5),
        ("89.99", 4),
        ("80.00", 4),
        ("79.99", 3),
        ("70.00", 3),
        ("69.99", 2),
        ("60.00", 2),
        ("59.99", 1),
        ("0", 1),
    ],
)
def test_bands(score, level):
    assert rating.band(D(score), RULES) == level


def test_bands_follow_the_years_thresholds():
    rules = Rules(five=D(95), four=D(85), three=D(75), two=D(65))
    assert rating.band(D("94.99"), rules) == 4
    assert rating.band(D("95"), rules) == 5


# --- veto, cap ------------------------------------------------------------------------------------


def test_veto_four_or_five_stars_need_full_points_on_aspect_b():
    rows = [branch(1, "95", b=D("29.99")), branch(2, "85", b=D(29)), branch(3, "95"), *fillers(4, 1)]  # 1 place
    out = rating.rate_year(rows, RULES, D(30))
    assert (out[1].band_level, out[1].level, out[1].vetoed) == (5, 3, True)
    assert (out[2].band_level, out[2].level, out[2].vetoed) == (4, 3, True)
    assert (out[3].level, out[3].vetoed) == (5, False)
    assert any("一票否决" in r for r in out[1].reasons)


def test_veto_does_not_touch_three_stars_or_fewer():
    out = rating.rate_year([branch(1, "75", b=D(10))], RULES, D(30))
    assert (out[1].level, out[1].vetoed) == (3, False)


def test_level_is_never_above_the_level_applied_for():
    out = rating.rate_year(
        [branch(1, "95", applied=3), branch(2, "85", applied=5), branch(3, "75", applied=3)], RULES, D(30)
    )
    assert (out[1].level, out[1].capped) == (3, True)
    assert (out[2].level, out[2].capped) == (4, False)
    assert (out[3].level, out[3].capped) == (3, False)
    assert any("不高于申报星级" in r for r in out[1].reasons)


def test_vetoed_and_capped_takes_the_lower():
    out = rating.rate_year([branch(1, "95", applied=2, b=D(20))], RULES, D(30))
    assert out[1].level == 2


# --- quota ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("rated", "places"), [(10, 3), (9, 2), (4, 1), (3, 0), (1, 0), (0, 0), (20, 6)])
def test_quota_is_30_percent_of_branches_rated_rounded_down(rated, places):
    assert rating.quota_size(rated, D(30)) == places


def test_quota_keeps_the_highest_scores_and_gives_the_rest_four_stars():
    rows = [branch(1, "91"), branch(2, "99"), branch(3, "93"), branch(4, "95"), *fillers(5, 6)]  # 10 rated: 3 places
    out = rating.rate_year(rows, RULES, D(30))
    assert {n: out[n].level for n in (1, 2, 3, 4)} == {1: 4, 2: 5, 3: 5, 4: 5}
    assert out[1].over_quota and not out[2].over_quota
    assert any("超出名额" in r for r in out[1].reasons)


def test_quota_tie_on_score_is_broken_by_aspect_b():
    ranked = rating.quota_ranking(
        [
            rating.QuotaCandidate(1, "ZB01", D("92"), D("28"), 0),
            rating.QuotaCandidate(2, "ZB02", D("92"), D("30"), 5),
        ]
    )
    assert [c.branch_id for c in ranked] == [2, 1]
    # In a year whose standard has no veto, B can differ among five-star candidates.
    rows = [branch(1, "92", b=D(28)), branch(2, "92", b=D(30), overdue=5), *fillers(3, 3)]  # 5 rated: 1 place
    out = rating.rate_year(rows, Rules(veto_aspect=None), None)
    assert (out[1].level, out[2].level) == (4, 5)


def test_quota_tie_on_score_and_b_is_broken_by_fewer_overdue_problems():
    rows = [branch(1, "92", overdue=2, code="ZB01"), branch(2, "92", overdue=1, code="ZB02"), *fillers(3, 3)]
    out = rating.rate_year(rows, RULES, D(30))
    assert (out[1].level, out[2].level) == (4, 5)


def test_quota_last_tie_break_is_the_branch_code():
    rows = [branch(1, "92", code="ZB20"), branch(2, "92", code="ZB10"), *fillers(3, 3)]
    out = rating.rate_year(rows, RULES, D(30))
    assert (out[1].level, out[2].level) == (4, 5)


def test_quota_counts_only_branches_rated_and_keeps_everyone_within_it():
    rows = [branch(1, "95"), branch(2, "96"), branch(3, "97"), *fillers(4, 7), branch(11, "99", applied=None)]
    out = rating.rate_year(rows, RULES, D(30))  # 10 rated (the lagging one is not): 3 places
    assert [out[n].level for n in (1, 2, 3)] == [5, 5, 5]
    assert out[11].level is None


def test_quota_of_zero_places_leaves_no_five_star_branch():
    out = rating.rate_year([branch(1, "99"), branch(2, "75", applied=3)], RULES, D(30))
    assert out[1].level == 4 and out[1].over_quota


# --- actions -------------------------------------------------------------------------------------


def test_first_rating():
    assert rating.action_for(3, []).action == Action.FIRST


def test_same_up_down_against_the_last_approved_level():
    history = [(2022, 2), (2023, 3)]
    assert rating.action_for(3, history).action == Action.SAME
    assert rating.action_for(4, history).action == Action.UP
    assert rating.action_for(2, history).action == Action.DOWN
    assert rating.action_for(2, history).previous_level == 3


def test_last_approved_level_is_the_latest_year_whatever_the_order_given():
    assert rating.action_for(3, [(2023, 3), (2021, 5)]).action == Action.SAME


def test_restore_after_a_demotion_up_to_the_level_before_it():
    history = [(2022, 5), (2023, 3)]
    assert rating.action_for(4, history).action == Action.RESTORE
    result = rating.action_for(5, history)
    assert (result.action, result.ceiling) == (Action.RESTORE, 5)


def test_restore_is_capped_at_the_level_before_the_latest_demotion():
    history = [(2022, 4), (2023, 2)]
    assert rating.action_for(4, history).action == Action.RESTORE
    assert rating.action_for(5, history).action == Action.UP  # higher than before the demotion: a real rise


def test_restore_looks_at_the_latest_demotion_only():
    history = [(2020, 5), (2021, 2), (2022, 4), (2023, 3)]  # latest demotion: 4 → 3
    assert rating.action_for(4, history).action == Action.RESTORE
    assert rating.action_for(5, history).action == Action.UP
    assert rating.level_before_latest_demotion(history) == 4


def test_a_rise_without_any_demotion_is_up():
    assert rating.action_for(5, [(2022, 3), (2023, 4)]).action == Action.UP


def test_actions_in_the_year_rating_use_the_final_level():
    rows = [
        branch(1, "75", applied=3, history=[(2023, 3)]),
        branch(2, "85", applied=4, history=[(2023, 3)]),
        branch(3, "65", applied=3, history=[(2023, 3)]),
        branch(4, "85", applied=4, history=[(2022, 5), (2023, 3)]),
        branch(5, "75", applied=3),
    ]
    out = rating.rate_year(rows, RULES, D(30))
    assert [out[n].action for n in range(1, 6)] == [Action.SAME, Action.UP, Action.DOWN, Action.RESTORE, Action.FIRST]
    assert out[3].previous_level == 3
    assert any("复星复牌" in r for r in out[4].consequences)


def test_quota_demotion_feeds_the_action():
    rows = [branch(1, "95", history=[(2023, 5)]), branch(2, "99"), *fillers(3, 3)]  # 1 place
    out = rating.rate_year(rows, RULES, D(30))
    assert (out[1].level, out[1].action) == (4, Action.DOWN)


# --- lagging, interview, five-star flags ---------------------------------------------------------


def test_a_branch_that_did_not_apply_is_lagging_with_no_level():
    out = rating.rate_year([branch(1, "95", applied=None, history=[(2023, 4)])], RULES, D(30))
    o = out[1]
    assert o.level is None and o.action is None
    assert o.flags.lagging and not o.flags.interview and not o.flags.five_star
    assert o.previous_level == 4
    assert "后进党支部" in o.reasons[0] and "60 天" in o.reasons[0]


def test_lagging_rectification_deadline_is_60_days():
    assert rating.lagging_deadline(date(2025, 1, 15), RULES) == date(2025, 3, 16)
    assert rating.lagging_deadline(date(2025, 1, 15), Rules(lagging_deadline_days=30)) == date(2025, 2, 14)


@pytest.mark.parametrize(("level", "interview"), [(1, True), (2, True), (3, False), (4, False), (5, False)])
def test_below_three_stars_puts_the_secretary_on_the_interview_list(level, interview):
    assert rating.flags_for(level).interview is interview


def test_interview_in_the_year_rating():
    out = rating.rate_year([branch(1, "65", applied=5), branch(2, "70", applied=5)], RULES, D(30))
    assert out[1].flags.interview and not out[2].flags.interview
    assert any("约谈" in r for r in out[1].consequences)


def test_five_star_branches_are_flagged_for_bonus_and_nomination():
    out = rating.rate_year([branch(1, "95"), *fillers(2, 3)], RULES, D(30))  # 4 rated: 1 place
    assert out[1].level == 5 and out[1].flags.five_star
    assert out[1].flags.labels == ["五星激励"]
    assert not out[2].flags.five_star
    assert rating.flags_for(None).labels == ["后进党支部"]
    assert rating.flags_for(2).labels == ["约谈"]


def test_every_level_has_its_reason_and_its_consequences_explained():
    out = rating.rate_year([branch(1, "89.99", applied=5, history=[(2023, 4)])], RULES, D(30))
    assert out[1].reasons == ("综合得分 89.99（80 ≤ 得分 < 90）→ 四星",)
    assert out[1].consequences == ("上次核定（2023年）四星 → 四星：保持",)
    result, explained = rating.consequences(2, [(2022, 3), (2023, 4)])
    assert result.action == Action.DOWN
    assert explained == ["上次核定（2023年）四星 → 二星：降星摘牌", "评定低于三星：支部书记列入约谈名单"]


def test_scores_clamp_to_points_with_2_decimals():
    assert clamp(D("7.5"), D(6)) == D("6.00")
    assert clamp(D("-1"), D(6)) == D("0.00")
    assert clamp(D("3.335"), D(6)) == D("3.34")
