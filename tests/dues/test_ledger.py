"""The ledger of a branch worked out by hand, and the database's counts held to the rules'."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dues import rules, selectors
from dues.rules import Month
from dues.services import exemption_create
from members.services import member_transfer
from tests.factories import make_member, make_unit, open_dues_year, pay_dues, set_dues_base

from .conftest import TODAY, YEAR


def test_the_branch_ledger_by_hand(dues_org):
    d = dues_org
    ledger = selectors.branch_ledger(d.org.branch, YEAR, TODAY)
    rows = {row.member.name: row for row in ledger.rows}
    assert sorted(rows) == sorted(["张伟", "迟交", "调动", "新党员", "欠费"])
    assert rows["张伟"].year.due_total == D("1080.00") and rows["张伟"].year.arrears == 0
    late = rows["迟交"].year
    assert late.due_total == D("480.00") and late.paid_total == D("470.00") and late.arrears == D("10.00")
    assert late.on_time == 10 and late.counted == 12
    assert late.months[Month(YEAR, 2)].state == rules.LATE
    assert late.months[Month(YEAR, 3)].state == rules.PARTIAL
    mover = rows["调动"].year
    assert sorted(m.month for m in mover.months) == list(range(1, 7))  # July on is the other branch's
    assert mover.due_total == D("90.00") and mover.arrears == 0
    newcomer = rows["新党员"].year
    assert sorted(m.month for m in newcomer.months) == [9, 10, 11, 12]  # from the month of acceptance
    assert newcomer.arrears == D("0.40") and newcomer.on_time == 2
    lapsed = rows["欠费"].year
    assert lapsed.arrears == D("150.00") and lapsed.streak == 6
    assert [row.member.name for row in ledger.attention] == ["欠费"]
    s = ledger.summary
    assert s.members == 5
    assert s.due == D("1080") + D("480") + D("90") + D("0.80") + D("300")
    assert s.paid == D("1080") + D("470") + D("90") + D("0.40") + D("150")
    assert s.arrears == D("10") + D("0.40") + D("150")
    assert (s.on_time, s.counted) == (12 + 10 + 6 + 2 + 6, 12 + 12 + 6 + 4 + 12)
    assert s.attention == 1


def test_the_other_branch_gets_the_movers_months_from_the_transfer(dues_org):
    ledger = selectors.branch_ledger(dues_org.org.other_branch, YEAR, TODAY)
    [row] = ledger.rows
    assert row.member == dues_org.mover
    assert sorted(m.month for m in row.year.months) == list(range(7, 13))
    assert row.year.paid_total == D("90.00")


def test_the_run_of_unpaid_months_crosses_into_the_next_year(dues_org):
    # 2026 is not opened: the ledger keeps 2025 only, so January–March 2026 are owed without a base.
    open_dues_year(2026, today=TODAY)
    ledger = selectors.branch_ledger(dues_org.org.branch, 2026, TODAY)
    rows = {row.member.name: row for row in ledger.rows}
    assert rows["欠费"].year.streak == 9  # July 2025 to March 2026
    assert rows["张伟"].year.streak == 3  # no base for 2026 yet: nothing can be paid in full
    assert rows["张伟"].year.no_base == 3


@pytest.mark.parametrize("in_sql", [True, False])
def test_summaries_in_sql_and_in_python_agree(dues_org, in_sql):
    d = dues_org
    ids = [d.org.branch.pk, d.org.other_branch.pk]
    expected = selectors.branch_ledger(d.org.branch, YEAR, TODAY).summary
    summaries = selectors.branch_summaries(ids, YEAR, TODAY, in_sql=in_sql)
    assert summaries[d.org.branch.pk] == expected
    assert summaries[d.org.other_branch.pk].members == 1
    assert summaries[d.org.other_branch.pk].paid == D("90.00")


def test_sql_and_python_agree_on_a_messy_year(org):
    """Mid-year bases, exemptions, deferrals, no bases, over-payments, transfers: the same answers."""
    open_dues_year(2025)
    today = date(2026, 2, 10)
    open_dues_year(2026, today=today)
    members = [make_member(org.branch, name=f"党员{i}") for i in range(8)]
    a, b, c, e, f, g, h, k = members
    set_dues_base(a, 2025, "6000")
    set_dues_base(a, 2025, "12000", from_month=7)
    set_dues_base(b, 2025, "0.50", category="fixed")
    set_dues_base(c, 2025, "4000", category="retired", from_month=4)  # January–March without a base
    set_dues_base(e, 2025, "3000")
    set_dues_base(f, 2025, "2000")
    for month in range(1, 13):
        pay_dues(a, 2025, month, "300.00" if month == 1 else "90.00")  # over in January, short from July
        if month % 2:
            pay_dues(b, 2025, month, "0.50")
        pay_dues(e, 2025, month, "15.00", paid_on=date(2026, 1, 15) if month > 9 else None)
    exemption_create(
        member=f,
        kind=rules.EXEMPT,
        first=Month(2025, 3),
        last=Month(2025, 5),
        reason="生活困难",
        approved_by="机关党委",
        approved_on=date(2025, 2, 20),
        by=None,
        today=today,
    )
    exemption_create(
        member=g,
        kind=rules.DEFERRED,
        first=Month(2025, 8),
        last=Month(2025, 12),
        reason="长期出国",
        approved_by="支部委员会",
        approved_on=date(2025, 7, 20),
        by=None,
        today=today,
    )
    member_transfer(member=h, to_branch=org.other_branch, on=date(2025, 10, 1))
    member_transfer(member=k, to_branch=org.other_branch, on=date(2025, 4, 20))
    branches = [org.branch.pk, org.other_branch.pk]
    for year in (2025, 2026):
        in_sql = selectors.branch_summaries(branches, year, today, in_sql=True)
        in_python = selectors.branch_summaries(branches, year, today, in_sql=False)
        assert in_sql == in_python
    assert in_sql[org.branch.pk].attention > 0
    sql_list = [(e.member.pk, e.streak) for e in selectors.attention_list(branches, today, in_sql=True)]
    python_list = [(e.member.pk, e.streak) for e in selectors.attention_list(branches, today, in_sql=False)]
    assert sql_list == python_list and sql_list


def test_summaries_take_a_fixed_number_of_queries(dues_org):
    d = dues_org
    more = [make_unit("branch", d.org.committee) for _ in range(3)]
    for branch in more:
        member = make_member(branch)
        set_dues_base(member, YEAR, "5000")
        pay_dues(member, YEAR, 1, "50")
    ids = [d.org.branch.pk, d.org.other_branch.pk, *[b.pk for b in more]]
    with CaptureQueriesContext(connection) as few:
        selectors.branch_summaries(ids[:2], YEAR, TODAY)
    with CaptureQueriesContext(connection) as many:
        summaries = selectors.branch_summaries(ids, YEAR, TODAY)
    assert len(many) == len(few) <= 4
    assert summaries[more[0].pk].paid == D("50.00")


def test_members_by_id_number(dues_org):
    found = selectors.members_by_id_number([dues_org.late.id_number, "110101199001011234", ""])
    assert list(found) == [dues_org.late.id_number]


def test_nothing_is_owed_before_the_ledger_begins(org):
    set_dues_base(org.member, 2026, "6000", today=date(2026, 5, 1))
    assert selectors.ledger_start() == Month(2026, 1)
    assert selectors.branch_summaries([org.branch.pk], 2025, date(2026, 5, 1))[org.branch.pk].members == 0
    summary = selectors.branch_summaries([org.branch.pk], 2026, date(2026, 5, 1))[org.branch.pk]
    assert (summary.members, summary.counted, summary.due) == (1, 5, D("450.00"))
