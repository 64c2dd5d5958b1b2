"""A year rated with a case of every rule, for the publication tests."""

from datetime import date

import pytest

from assessment.services import ratings
from branches.models import OrgUnit
from tests.factories import give_scores, make_member, make_unit, member_with_login

YEAR = 2025
RATED_ON = date(2026, 1, 15)  # the January job
# Approved on Monday 19 January 2026: five working days are Tue 20 … Mon 26 January.
APPROVED_ON = date(2026, 1, 19)


@pytest.fixture
def year(org, settings, tmp_path):
    """Five branches (4 rated → 1 five-star place):
    ZB1 (org.branch) 100 points, five stars, up from three;
    ZB9 (org.other_branch) 97.70 but B not full: vetoed to three, restored from two;
    ZB2 92.20 but second for the one five-star place: four, first rating;
    ZB3 did not apply: lagging;
    ZB4 applied for two stars: capped at two, interview list.
    """
    settings.MEDIA_ROOT = tmp_path
    zb2 = make_unit(OrgUnit.Kind.BRANCH, org.committee, code="ZB2", name="民事审判庭党支部")
    zb3 = make_unit(OrgUnit.Kind.BRANCH, org.committee, code="ZB3", name="执行局党支部")
    zb4 = make_unit(OrgUnit.Kind.BRANCH, org.committee, code="ZB4", name="立案庭党支部")
    give_scores(org.branch, YEAR)
    give_scores(org.other_branch, YEAR, B1="1.5")
    give_scores(zb2, YEAR, A1=3, A2=2, A3=2, A6=3, E3=3)
    give_scores(zb3, YEAR)
    give_scores(zb4, YEAR)
    for branch, level in ((org.branch, 5), (org.other_branch, 5), (zb2, 5), (zb4, 2)):
        ratings.application_submit(branch=branch, year=YEAR, level=level, by=None)
    for branch, year_, level in ((org.branch, 2024, 3), (org.other_branch, 2023, 4), (org.other_branch, 2024, 2)):
        ratings.history_record(branch=branch, year=year_, level=level, by=None)
    ratings.history_record(branch=zb4, year=2024, level=2, by=None)
    ratings.year_propose(year=YEAR, today=RATED_ON)
    for unit in (org.branch, org.other_branch):
        unit.refresh_from_db()
    return {"zb2": zb2, "zb3": zb3, "zb4": zb4}


@pytest.fixture
def colleague(org):
    """Another member of org.branch, with a login and no role."""
    return member_with_login(make_member(org.branch, name="王芳"), "colleague")
