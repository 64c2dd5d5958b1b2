"""A branch with a year and a bit of dues whose figures are worked out by hand in the tests."""

from dataclasses import dataclass
from datetime import date

import pytest

from members.services import member_transfer
from tests.factories import make_member, open_dues_year, pay_dues, set_dues_base

YEAR = 2025
TODAY = date(2026, 3, 20)


@dataclass
class DuesOrg:
    org: object
    steady: object  # 6,000 a month (90.00), paid every month on time
    late: object  # 4,000 (40.00): February paid late, March partly, the rest on time
    mover: object  # transferred from `branch` to `other_branch` on 2025-07-10
    newcomer: object  # probationary, accepted 2025-09-15
    lapsed: object  # paid January–June 2025, nothing since


@pytest.fixture
def dues_org(org):
    """Dues of 2025 (and up to March 2026) in org.branch, by hand:

    - steady: 12 × 90.00 due, 12 × 90.00 paid, all on time;
    - late: 12 × 40.00 due; Feb paid 2025-03-05 (late), March 30.00 on 2025-03-31 (partial), the rest on time:
      paid 440 − 40 + 40 − 10 = 470.00, arrears 10.00, on time 10 of 12;
    - mover: 3,000 (15.00) in the branch January–June (the transfer on 2025-07-10 sends July on), all paid;
    - newcomer: student (0.20) from September (accepted 2025-09-15), paid September and October only;
    - lapsed: retired, 5,000 (25.00), paid January–June, nothing after: arrears 6 × 25 = 150.00, and by
      December six months unpaid in a row.
    """
    open_dues_year(YEAR)
    o = org
    steady = o.member
    late = make_member(o.branch, name="迟交")
    mover = make_member(o.branch, name="调动")
    newcomer = make_member(
        o.branch,
        name="新党员",
        category="probationary",
        joined_on=date(2025, 9, 15),
        full_on=None,
        since=date(2025, 9, 15),
    )
    lapsed = make_member(o.branch, name="欠费", status="retired")
    set_dues_base(steady, YEAR, "6000")
    set_dues_base(late, YEAR, "4000")
    set_dues_base(mover, YEAR, "3000")
    set_dues_base(newcomer, YEAR, None, category="student")
    set_dues_base(lapsed, YEAR, "5000", category="retired")
    for month in range(1, 13):
        pay_dues(steady, YEAR, month, "90.00")
        if month == 2:
            pay_dues(late, YEAR, 2, "40.00", paid_on=date(2025, 3, 5))
        elif month == 3:
            pay_dues(late, YEAR, 3, "30.00")
        else:
            pay_dues(late, YEAR, month, "40.00")
        if month <= 6:
            pay_dues(mover, YEAR, month, "15.00")
            pay_dues(lapsed, YEAR, month, "25.00")
    member_transfer(member=mover, to_branch=o.other_branch, on=date(2025, 7, 10))
    for month in range(7, 13):
        pay_dues(mover, YEAR, month, "15.00")
    pay_dues(newcomer, YEAR, 9, "0.20")
    pay_dues(newcomer, YEAR, 10, "0.20")
    return DuesOrg(o, steady, late, mover, newcomer, lapsed)
