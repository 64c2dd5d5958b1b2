"""The demo dues: a year and a half, a few late payers, one back payment, one member six months
unpaid, remittances; and running it twice changes nothing."""

from datetime import date

from demo.dues import seed_dues
from demo.org import DEMO_BRANCH, seed_org_and_roster
from dues import selectors
from dues.models import DuesBase, DuesExemption, DuesPayment, DuesYear, Remittance
from dues.rules import Month

TODAY = date(2026, 3, 20)


def _snapshot():
    return [
        list(DuesYear.objects.order_by("year").values_list("year", "rounding")),
        list(DuesBase.objects.order_by("pk").values_list("member_id", "year", "from_month", "base", "set_at")),
        list(DuesPayment.objects.order_by("pk").values_list("member_id", "month", "amount", "paid_on")),
        DuesExemption.objects.count(),
        list(Remittance.objects.order_by("pk").values_list("branch_id", "year", "first_month", "amount")),
    ]


def test_the_demo_shows_every_case_and_is_idempotent(db):
    org = seed_org_and_roster(TODAY)
    seed_dues(org)
    first = _snapshot()
    seed_dues(org)
    assert _snapshot() == first

    assert [y for y, _r in first[0]] == [2025, 2026]
    months = {Month.of(m) for _pk, m, _a, _d in first[2]}
    assert min(months) == Month(2025, 1) and max(months) == Month(2026, 2)  # March is still being collected

    branch = org.unit(DEMO_BRANCH)
    ledger = selectors.branch_ledger(branch, 2026, TODAY)
    # One member six months in a row unpaid, October to March, across the year boundary.
    assert [(row.member.name, row.year.streak) for row in ledger.attention] == [(ledger.attention[0].member.name, 6)]
    last_year = selectors.branch_ledger(branch, 2025, TODAY)
    states = [d.state for led in (last_year, ledger) for row in led.rows for d in row.year.months.values()]
    assert states.count("late") >= 4  # a few late payers, and the back payment
    assert "partial" in states and "deferred" in states
    back = DuesPayment.objects.filter(member__branch=branch, month__lt=date(2025, 10, 1)).values("paid_on")
    dates = [row["paid_on"] for row in back]
    assert any(dates.count(day) == 3 and day.day == 12 for day in set(dates))  # three months paid back at once
    deferral = DuesExemption.objects.get()
    assert deferral.approved_by and deferral.approved_on
    # Remittances of both halves of last year for every branch; the summary shows collected vs remitted.
    assert Remittance.objects.filter(year=2025).count() == 2 * len(org.branches)
    summary = selectors.branch_summaries([branch.pk], 2025, TODAY)[branch.pk]
    assert summary.remitted > 0 and summary.paid >= summary.remitted
