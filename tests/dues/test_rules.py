"""The dues rules as plain functions, without a database (DOMAIN.md, 党费)."""

from datetime import date
from decimal import Decimal as D

import pytest

from dues import rules
from dues.rules import DEFERRED, EXEMPT, BaseRow, Excuse, History, Month, MonthDues, Payment, Span

# --- bands --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "share", "due"),
    [
        ("0", "0.005", "0.00"),
        ("2999.99", "0.005", "15.00"),
        ("3000.00", "0.005", "15.00"),  # the bound is in the lower band
        ("3000.01", "0.01", "30.00"),
        ("4999.99", "0.01", "50.00"),
        ("5000", "0.01", "50.00"),
        ("5000.01", "0.015", "75.00"),
        ("10000", "0.015", "150.00"),
        ("10000.01", "0.02", "200.00"),
        ("23456.78", "0.02", "469.14"),
    ],
)
def test_employed_bands_include_their_upper_bound(base, share, due):
    assert rules.rate(rules.EMPLOYED, D(base)) == D(share)
    assert rules.monthly_due(rules.EMPLOYED, D(base)) == D(due)


@pytest.mark.parametrize(
    ("base", "share", "due"),
    [("3000", "0.005", "15.00"), ("5000", "0.005", "25.00"), ("5000.01", "0.01", "50.00"), ("8123", "0.01", "81.23")],
)
def test_retired_bands(base, share, due):
    assert rules.rate(rules.RETIRED, D(base)) == D(share)
    assert rules.monthly_due(rules.RETIRED, D(base)) == D(due)


def test_students_pay_twenty_fen_whatever_their_base():
    assert rules.monthly_due(rules.STUDENT, None) == D("0.20")
    assert rules.monthly_due(rules.STUDENT, D("800")) == D("0.20")
    assert rules.rate(rules.STUDENT, None) is None
    assert rules.base_errors(rules.STUDENT, None) == []


@pytest.mark.parametrize("amount", ["0.20", "0.50", "1.00"])
def test_fixed_amounts_between_twenty_fen_and_one_yuan(amount):
    assert rules.base_errors(rules.FIXED, D(amount)) == []
    assert rules.monthly_due(rules.FIXED, D(amount)) == D(amount)
    assert rules.rate(rules.FIXED, D(amount)) is None


@pytest.mark.parametrize(("amount", "shown"), [("0.19", "0.19"), ("1.01", "1.01"), ("0", "0.00"), ("5", "5.00")])
def test_fixed_amounts_outside_the_range_are_refused(amount, shown):
    assert rules.base_errors(rules.FIXED, D(amount)) == [f"其他固定额每月交纳金额应在0.20–1.00元之间，不能是{shown}元"]


def test_base_errors():
    assert rules.base_errors("farmer", D(1)) == ["类别应为在职、离退休、学生、其他固定额之一"]
    assert rules.base_errors(rules.EMPLOYED, None) == ["请填写计算基数（每月工资或离退休费收入，元）"]
    assert rules.base_errors(rules.EMPLOYED, D("-1")) == ["计算基数不能为负数"]
    assert rules.base_errors(rules.EMPLOYED, D("1.234")) == ["金额最多保留2位小数（到分）"]
    assert rules.base_errors(rules.RETIRED, D("4000")) == []


# --- rounding -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rounding", "base", "due"),
    [
        (rules.FEN, "3333", "33.33"),
        (rules.FEN, "2999", "15.00"),  # 14.995 rounds half up
        (rules.JIAO, "3333", "33.30"),
        (rules.JIAO, "3335", "33.40"),  # 33.35 rounds half up
        (rules.YUAN, "3333", "33.00"),
        (rules.YUAN, "3350", "34.00"),  # 33.50 rounds half up
        (rules.YUAN, "2900", "15.00"),  # 14.50
    ],
)
def test_rounding_modes_round_half_up(rounding, base, due):
    assert rules.monthly_due(rules.EMPLOYED, D(base), rounding) == D(due)


def test_rounding_never_touches_fixed_amounts():
    assert rules.monthly_due(rules.STUDENT, None, rules.YUAN) == D("0.20")
    assert rules.monthly_due(rules.FIXED, D("0.30"), rules.YUAN) == D("0.30")


def test_rate_labels():
    assert rules.format_rate(D("0.015")) == "1.5%"
    assert rules.format_rate(D("0.005")) == "0.5%"
    assert rules.format_rate(None) == "固定额"


# --- months and branches ------------------------------------------------------------------------


def test_months():
    assert Month(2025, 12).shift(1) == Month(2026, 1)
    assert Month(2026, 1).shift(-1) == Month(2025, 12)
    assert Month(2024, 2).last == date(2024, 2, 29)
    assert rules.months_between(Month(2025, 11), Month(2026, 2)) == [
        Month(2025, 11),
        Month(2025, 12),
        Month(2026, 1),
        Month(2026, 2),
    ]
    today = date(2026, 5, 10)
    assert rules.year_months(2026, today) == [Month(2026, m) for m in range(1, 6)]
    assert len(rules.year_months(2025, today)) == 12
    assert rules.year_months(2027, today) == []
    assert rules.reference_month(2026, today) == Month(2026, 5)
    assert rules.reference_month(2025, today) == Month(2025, 12)


def test_a_probationary_member_pays_from_the_month_of_acceptance():
    spans = [Span(1, None, None)]
    months = [Month(2026, m) for m in range(1, 7)]
    owed = rules.dues_branches(spans, date(2026, 3, 31), months)
    assert list(owed) == [Month(2026, 3), Month(2026, 4), Month(2026, 5), Month(2026, 6)]
    # Accepted on the first of the month: that month is owed too.
    assert Month(2026, 4) in rules.dues_branches(spans, date(2026, 4, 1), [Month(2026, 4)])
    assert rules.dues_branches(spans, date(2026, 5, 1), [Month(2026, 4)]) == {}


def test_a_transfer_mid_year_sends_each_month_to_the_branch_of_its_last_day():
    # Transferred from branch 1 to branch 2 on 2026-06-15: the old span ends the day before.
    spans = [Span(1, None, date(2026, 6, 14)), Span(2, date(2026, 6, 15), None)]
    owed = rules.dues_branches(spans, date(2000, 1, 1), [Month(2026, m) for m in range(1, 13)])
    assert [owed[Month(2026, m)] for m in range(1, 13)] == [1] * 5 + [2] * 7
    # Transferred on the first of a month: that month is the new branch's.
    spans = [Span(1, None, date(2026, 6, 30)), Span(2, date(2026, 7, 1), None)]
    owed = rules.dues_branches(spans, None, [Month(2026, 6), Month(2026, 7)])
    assert owed == {Month(2026, 6): 1, Month(2026, 7): 2}


def test_months_before_the_records_begin_are_owed_nowhere():
    spans = [Span(1, date(2026, 3, 10), None)]
    assert list(rules.dues_branches(spans, None, [Month(2026, 2), Month(2026, 3)])) == [Month(2026, 3)]


def test_a_base_changing_mid_year_applies_from_its_month():
    bases = [
        BaseRow(2026, 1, rules.EMPLOYED, D("6000"), D("90.00")),
        BaseRow(2026, 7, rules.EMPLOYED, D("8000"), D("120.00")),
        BaseRow(2025, 1, rules.EMPLOYED, D("5000"), D("50.00")),
    ]
    assert rules.base_for(bases, Month(2026, 6)).due == D("90.00")
    assert rules.base_for(bases, Month(2026, 7)).due == D("120.00")
    assert rules.base_for(bases, Month(2026, 12)).due == D("120.00")
    assert rules.base_for(bases, Month(2025, 12)).due == D("50.00")
    # A year's months before its first row have no base: nothing carries over from the year before.
    assert rules.base_for([BaseRow(2026, 3, rules.EMPLOYED, D("6000"), D("90.00"))], Month(2026, 2)) is None
    history = History(1, spans=[Span(1, None, None)], bases=bases)
    months = history.months([Month(2026, m) for m in range(1, 13)])
    member_year = rules.member_year(1, months, 1, 2026)
    assert member_year.due_total == 6 * D("90") + 6 * D("120")
    assert rules.current_base(bases, member_year.months).due == D("120.00")


# --- a month: partial, over, late -----------------------------------------------------------------


BASE = BaseRow(2026, 1, rules.EMPLOYED, D("6000"), D("90.00"))
MARCH = Month(2026, 3)


def test_paid_in_full_by_the_months_end_is_on_time():
    dues = rules.month_dues(MARCH, BASE, [Payment(MARCH, D("90.00"), date(2026, 3, 31))])
    assert dues.on_time and dues.in_full and dues.owed == 0 and dues.state == rules.PAID


def test_a_back_payment_settles_the_month_but_is_not_on_time():
    dues = rules.month_dues(MARCH, BASE, [Payment(MARCH, D("90.00"), date(2026, 4, 1))])
    assert dues.in_full and not dues.on_time and dues.state == rules.LATE
    assert dues.last_paid_on == date(2026, 4, 1)


def test_a_partial_payment_leaves_the_rest_owed():
    dues = rules.month_dues(MARCH, BASE, [Payment(MARCH, D("50.00"), date(2026, 3, 5))])
    assert not dues.in_full and not dues.on_time and dues.owed == D("40.00") and dues.state == rules.PARTIAL
    # Paid in two parts, the second after the month's end: settled, late.
    dues = rules.month_dues(
        MARCH, BASE, [Payment(MARCH, D("50.00"), date(2026, 3, 5)), Payment(MARCH, D("40.00"), date(2026, 4, 2))]
    )
    assert dues.in_full and not dues.on_time and dues.paid_on_time == D("50.00")


def test_over_payment_in_one_month_never_covers_another():
    history = History(
        1,
        spans=[Span(1, None, None)],
        bases=[BASE],
        payments={
            Month(2026, 1): [Payment(Month(2026, 1), D("200.00"), date(2026, 1, 10))],  # 110 more than due
            Month(2026, 2): [Payment(Month(2026, 2), D("30.00"), date(2026, 2, 10))],
        },
    )
    months = history.months([Month(2026, 1), Month(2026, 2), Month(2026, 3)])
    member_year = rules.member_year(1, months, 1, 2026)
    assert member_year.due_total == D("270.00")
    assert member_year.paid_total == D("230.00")
    assert member_year.arrears == D("60.00") + D("90.00")  # not 40: January's surplus covers nothing
    assert member_year.on_time == 1 and member_year.counted == 3


def test_a_month_without_a_base_cannot_be_paid_in_full():
    dues = rules.month_dues(MARCH, None, [Payment(MARCH, D("90.00"), date(2026, 3, 5))])
    assert dues.due is None and not dues.in_full and not dues.on_time and dues.owed == 0
    assert dues.state == rules.NO_BASE
    assert dues.unpaid_without_reason


def test_exempt_months_owe_nothing_and_are_not_counted():
    dues = rules.month_dues(MARCH, BASE, [], EXEMPT)
    assert dues.due == 0 and dues.owed == 0 and dues.in_full and not dues.counted and not dues.on_time
    assert dues.state == EXEMPT and not dues.unpaid_without_reason


def test_deferred_months_stay_owed_but_are_not_unpaid_without_a_reason():
    dues = rules.month_dues(MARCH, BASE, [], DEFERRED)
    assert dues.due == D("90.00") and dues.owed == D("90.00") and not dues.counted
    assert dues.state == DEFERRED and not dues.unpaid_without_reason
    excuses = [Excuse(DEFERRED, Month(2026, 1), Month(2026, 6)), Excuse(EXEMPT, Month(2026, 3), Month(2026, 3))]
    assert rules.excuse_for(excuses, Month(2026, 3)) == EXEMPT
    assert rules.excuse_for(excuses, Month(2026, 4)) == DEFERRED
    assert rules.excuse_for(excuses, Month(2026, 7)) is None


# --- the six-month rule ---------------------------------------------------------------------------


def _history(paid_months, bases_years=(2025, 2026), excuses=(), joined_on=None, spans=None):
    bases = [BaseRow(y, 1, rules.EMPLOYED, D("6000"), D("90.00")) for y in bases_years]
    payments = {m: [Payment(m, D("90.00"), m.last)] for m in paid_months}
    return History(1, joined_on, spans or [Span(1, None, None)], bases=bases, payments=payments, excuses=list(excuses))


def _streak(history, ref, first=None):
    first = first or Month(2025, 1)
    months = history.months(rules.months_between(first, ref))
    return rules.unpaid_streak({m: d for m, (_b, d) in months.items()}, ref)


def test_six_months_unpaid_across_a_year_boundary_needs_attention():
    paid = rules.months_between(Month(2025, 1), Month(2025, 9))
    history = _history(paid)
    # Unpaid October 2025 to March 2026: six months in a row.
    assert _streak(history, Month(2026, 2)) == 5
    assert not rules.needs_attention(5)
    assert _streak(history, Month(2026, 3)) == 6
    assert rules.needs_attention(6)
    assert rules.attention_message(6) == "连续6个月未交纳党费，且无批准的免交、缓交理由（党章第九条）"


def test_a_back_payment_ends_the_run():
    paid = [*rules.months_between(Month(2025, 1), Month(2025, 9)), Month(2025, 12)]
    assert _streak(_history(paid), Month(2026, 3)) == 3


def test_a_partial_payment_does_not_end_the_run():
    history = _history(rules.months_between(Month(2025, 1), Month(2025, 9)))
    history.payments[Month(2025, 12)] = [Payment(Month(2025, 12), D("10.00"), date(2025, 12, 5))]
    assert _streak(history, Month(2026, 3)) == 6


def test_an_approved_reason_ends_the_run():
    paid = rules.months_between(Month(2025, 1), Month(2025, 9))
    excused = _history(paid, excuses=[Excuse(DEFERRED, Month(2025, 12), Month(2025, 12))])
    assert _streak(excused, Month(2026, 3)) == 3


def test_months_before_joining_or_before_the_ledger_end_the_run():
    history = _history([], joined_on=date(2025, 11, 20))
    assert _streak(history, Month(2026, 3)) == 5  # November to March
    assert _streak(_history([]), Month(2026, 3), first=Month(2026, 1)) == 3  # the ledger starts in 2026


def test_a_transfer_does_not_end_the_run():
    spans = [Span(1, None, date(2025, 12, 14)), Span(2, date(2025, 12, 15), None)]
    history = _history(rules.months_between(Month(2025, 1), Month(2025, 9)), spans=spans)
    assert _streak(history, Month(2026, 3)) == 6


# --- counts, payments, remittances ----------------------------------------------------------------


def test_on_time_counts_and_rate():
    a = rules.MemberYear(1, {MARCH: MonthDues(MARCH, D("90"), D("90"), D("90"))})
    b = rules.MemberYear(
        2,
        {
            MARCH: MonthDues(MARCH, D("90"), D("90"), D("0")),
            Month(2026, 4): MonthDues(Month(2026, 4), D("90"), excuse=EXEMPT),
        },
    )
    counts = rules.on_time_counts([a, b])
    assert counts == rules.OnTimeCounts(on_time=1, due=2)
    assert rules.on_time_rate(counts) == D("0.5")
    assert rules.on_time_rate(rules.OnTimeCounts()) is None


def test_payment_errors():
    today = date(2026, 5, 10)
    assert rules.payment_errors(D("1"), date(2026, 5, 10), today) == {}
    assert rules.payment_errors(D("-1"), date(2026, 5, 11), today) == {
        "amount": "实交金额不能为负数",
        "paid_on": "交纳日期2026-05-11晚于今天，不能登记尚未发生的交纳",
    }
    assert rules.payment_errors(D("0"), None, today) == {"amount": "实交金额须大于0", "paid_on": "请填写交纳日期"}


def test_remittance_errors():
    assert rules.remittance_errors(2026, 1, 6, D("100"), date(2026, 7, 5)) == []
    assert rules.remittance_errors(2026, 7, 6, D("0"), date(2026, 7, 5)) == [
        "起始月份不能晚于截止月份",
        "上缴金额须大于0",
    ]
    assert rules.remittance_errors(2026, 3, 6, D("10"), date(2026, 2, 1)) == ["上缴日期不能早于所属的第一个月"]


def test_years_the_ledger_keeps():
    today = date(2026, 5, 10)
    assert rules.year_kept(2026, None, today) and rules.year_kept(2027, None, today)
    assert not rules.year_kept(2025, None, today)
    assert rules.year_kept(2025, 2024, today) and not rules.year_kept(2023, 2024, today)
    assert not rules.year_kept(2028, 2024, today)
