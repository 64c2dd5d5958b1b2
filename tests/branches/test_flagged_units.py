"""The home panel's and the tree's "有提醒的组织", found by PostgreSQL, equal the Python rules
(branches.rules.size_warnings, unit_warnings, term_status) on units at every threshold."""

from datetime import date, timedelta

import pytest

from branches import rules
from branches.models import OrgUnit
from branches.selectors import flagged_unit_ids, flagged_units, unit_rows, unit_rows_of
from tests.factories import make_member, make_unit

TODAY = date(2026, 12, 7)


def branch_with(org, code, full, committee=0, cadres=1, probationary=0, **fields):
    branch = make_unit(OrgUnit.Kind.BRANCH, org.general, code=code, **fields)
    for i in range(full):
        make_member(branch, committee_post="委员" if i < committee else "", is_party_cadre=i < cadres)
    for _ in range(probationary):
        make_member(branch, category="probationary", full_on=None)
    return branch


@pytest.fixture
def units(org):
    term = rules.TERM_YEARS[rules.BRANCH]
    ends = TODAY + timedelta(days=rules.TERM_WARNING_DAYS)
    elected_due = ends.replace(year=ends.year - term)  # the term ends in exactly 90 days
    branch_with(org, "B02", 2)  # fewer than 3 full members
    branch_with(org, "B03", 3)
    branch_with(org, "B03P", 2, probationary=1)  # probationary members are not full members
    branch_with(org, "B03C", 3, cadres=0)  # no party-affairs cadre
    branch_with(org, "B07", 7)  # 7 full members and no committee
    branch_with(org, "B07C2", 7, committee=2)
    branch_with(org, "B07C3", 7, committee=3)
    branch_with(org, "B07C5", 7, committee=5)
    branch_with(org, "B07C6", 7, committee=6)
    branch_with(org, "B06C1", 6, committee=1)  # a committee below 7 full members
    branch_with(org, "BT90", 3, elected_on=elected_due)
    branch_with(org, "BT91", 3, elected_on=elected_due + timedelta(days=1))
    branch_with(org, "BTX", 3, elected_on=date(2000, 1, 1))
    left = branch_with(org, "BL", 3)
    member = left.members.first()
    member.left_on = date(2026, 1, 1)  # a member who left counts nowhere: 2 full members remain
    member.save()
    return org


@pytest.mark.django_db
@pytest.mark.parametrize("today", [TODAY, TODAY + timedelta(days=1), TODAY - timedelta(days=1), date(2031, 1, 1)])
def test_the_database_flags_the_units_the_rules_flag(units, today):
    everyone = OrgUnit.objects.all()
    expected = [row.unit.pk for row in unit_rows(everyone, today) if row.has_warnings]
    assert flagged_unit_ids(everyone, today) == expected
    codes = set(OrgUnit.objects.filter(pk__in=expected).values_list("code", flat=True))
    if today == TODAY:
        assert {"B02", "B03P", "B03C", "B07", "B07C2", "B07C6", "B06C1", "BT90", "BTX", "BL", "JG"} <= codes
        assert not {"B03", "B07C3", "B07C5", "BT91", "ZZ1"} & codes  # ZZ1: 50 to 99 members


@pytest.mark.django_db
def test_a_secretary_is_flagged_only_their_own_units(units):
    branch = OrgUnit.objects.get(code="B02")
    assert flagged_unit_ids(OrgUnit.objects.visible_to(units.secretary), TODAY) == [
        row.unit.pk for row in unit_rows(OrgUnit.objects.visible_to(units.secretary), TODAY) if row.has_warnings
    ]
    assert branch.pk not in flagged_unit_ids(OrgUnit.objects.visible_to(units.secretary), TODAY)


def test_unit_rows_of_counts_the_units_above_branches_as_unit_rows_does(units):
    """The tree's and the home panel's totals of a general branch and of the committee, counted from the
    members' side (unit_rows_of), equal unit_rows' sums of the branches below them: probationary
    members in the total only, members who left nowhere, groups not counted twice."""
    everyone = OrgUnit.objects.all()
    expected = {row.unit.pk: row.counts for row in unit_rows(everyone, TODAY)}
    above = [u for u in everyone.order_by("path") if u.kind not in (rules.BRANCH, rules.GROUP)]
    assert len({u.depth for u in above}) >= 2  # the committee and a general branch: two depths
    rows = unit_rows_of(above, TODAY)
    assert [(row.unit.pk, row.counts) for row in rows] == [(u.pk, expected[u.pk]) for u in above]
    assert all(row.counts.all > row.counts.full > 0 for row in rows)
    # The same totals as the home page takes them from the flagged units' statement.
    _, totals = flagged_units(everyone, TODAY)
    assert {pk: totals[pk] for pk in (u.pk for u in above)} == {row.unit.pk: row.counts for row in rows}
    assert set(totals) == {u.pk for u in above}
