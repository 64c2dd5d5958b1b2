"""The demo ratings show every action, and seeding twice changes nothing."""

from datetime import date
from types import SimpleNamespace

import pytest

from assessment.models import BranchRating, Problem, Score, StarHistory, YearRating
from branches.models import OrgUnit, UnitRole
from demo.ratings import seed_ratings
from tests.factories import UserFactory, grant, make_unit

TODAY = date(2026, 8, 20)


@pytest.fixture
def demo_org(db):
    committee = make_unit(OrgUnit.Kind.COMMITTEE, code="JG", name="机关党委")
    branches = [make_unit(OrgUnit.Kind.BRANCH, committee, code=f"ZB{n:02d}") for n in range(1, 13)]
    grant(UserFactory(username="jiguan"), committee, UnitRole.Role.COMMITTEE_STAFF)
    return SimpleNamespace(today=TODAY, committee=committee, branches=branches)


def snapshot():
    return (
        sorted(StarHistory.objects.values_list("branch__code", "year", "level", "source")),
        sorted(BranchRating.objects.values_list("pk", "score", "proposed_level", "override_level", "action")),
        Score.objects.count(),
        sorted(Problem.objects.values_list("pk", "closed_on")),
    )


def test_the_demo_shows_every_action_and_is_idempotent(demo_org):
    seed_ratings(demo_org)
    assert set(YearRating.objects.values_list("year", "status")) == {(2024, "approved"), (2025, "approved")}
    last = {r.branch.code: r for r in BranchRating.objects.filter(rating__year=2025).select_related("branch")}
    two = {r.branch.code: r for r in BranchRating.objects.filter(rating__year=2024).select_related("branch")}
    actions = {r.action for r in [*last.values(), *two.values()]}
    assert actions == {"up", "down", "restore", "same", "first", ""}
    assert (last["ZB05"].level, last["ZB05"].action) == (4, "restore")
    assert (last["ZB09"].level, last["ZB09"].vetoed, last["ZB09"].action) == (3, True, "down")
    assert (last["ZB04"].level, last["ZB04"].capped) == (4, True)
    assert (last["ZB08"].level, last["ZB08"].over_quota) == (4, True)
    assert (last["ZB02"].proposed_level, last["ZB02"].level, last["ZB02"].action) == (3, 4, "up")
    assert last["ZB10"].is_lagging and two["ZB03"].is_lagging
    assert last["ZB03"].action == "first"
    assert {code for code, r in last.items() if r.flags.interview} == {"ZB11", "ZB12"}
    assert {code for code, r in last.items() if r.flags.five_star} == {"ZB01", "ZB06", "ZB07"}
    lagging = Problem.objects.filter(kind=Problem.Kind.LAGGING).order_by("year")
    assert [(p.branch.code, p.year, p.closed_on is not None) for p in lagging] == [
        ("ZB03", 2024, True),
        ("ZB10", 2025, False),
    ]
    assert Score.objects.filter(indicator__standard__year=2026, quarter=3).exists()  # this year, computed so far
    assert Problem.objects.filter(year=2026).overdue(TODAY).exists()

    before = snapshot()
    seed_ratings(demo_org)
    assert snapshot() == before
