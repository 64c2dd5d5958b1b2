"""Rating a year: the proposal from stored scores, overrides, approval, reversal and who sees what."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from assessment.models import (
    Application,
    BranchRating,
    Problem,
    QuarterCheck,
    RatingReversal,
    StarHistory,
    YearRating,
)
from assessment.services import ratings
from branches.models import OrgUnit
from tests.factories import give_scores, make_unit

YEAR = 2025
TODAY = date(2026, 1, 15)


@pytest.fixture
def year(org):
    """Five branches with every case of DOMAIN.md's rules (4 rated → 1 five-star place)."""
    zb2 = make_unit(OrgUnit.Kind.BRANCH, org.committee, code="ZB2", name="民事审判庭党支部")
    zb3 = make_unit(OrgUnit.Kind.BRANCH, org.committee, code="ZB3", name="执行局党支部")
    zb4 = make_unit(OrgUnit.Kind.BRANCH, org.committee, code="ZB4", name="立案庭党支部")
    give_scores(org.branch, YEAR)  # 100: five stars
    give_scores(org.other_branch, YEAR, B1="1.5")  # 98.50 annual, B not full: vetoed to three
    give_scores(zb2, YEAR, A1=3, A2=2, A3=2, A6=3, E3=3)  # annual 87: four stars, first rating
    give_scores(zb3, YEAR)  # did not apply: lagging
    give_scores(zb4, YEAR)  # applied for two stars: capped, interview
    for branch, level in ((org.branch, 5), (org.other_branch, 5), (zb2, 5), (zb4, 2)):
        ratings.application_submit(branch=branch, year=YEAR, level=level, by=None)
    for branch, year_, level in ((org.branch, 2024, 3), (org.other_branch, 2023, 4), (org.other_branch, 2024, 2)):
        ratings.history_record(branch=branch, year=year_, level=level, by=None)
    ratings.history_record(branch=zb4, year=2024, level=2, by=None)
    return {"zb2": zb2, "zb3": zb3, "zb4": zb4}


def line(code, year=YEAR):
    return BranchRating.objects.get(rating__year=year, branch__code=code)


@pytest.mark.django_db
def test_the_proposal_applies_every_rule(org, year):
    result = ratings.year_propose(year=YEAR, today=TODAY)
    assert result.status == YearRating.Status.PROPOSED
    zb1, zb9, zb2, zb3, zb4 = (line(c) for c in ("ZB1", "ZB9", "ZB2", "ZB3", "ZB4"))

    assert (zb1.score, zb1.level, zb1.action, zb1.flags.five_star) == (D("100.00"), 5, "up", True)

    # 41.5/43 each quarter; 0.4 × 96.51 + 0.6 × 98.50 = 97.704
    assert (zb9.q1, zb9.quarter_mean, zb9.annual, zb9.score) == (D("96.51"), D("96.51"), D("98.50"), D("97.70"))
    assert (zb9.band_level, zb9.level, zb9.vetoed, zb9.action) == (5, 3, True, "restore")
    assert zb9.aspects["B"] == "28.50"

    assert (zb2.annual, zb2.score, zb2.level, zb2.action) == (D("87.00"), D("92.20"), 4, "first")
    assert zb2.over_quota  # two five-star candidates for one place: ZB1 scores higher

    assert (zb3.level, zb3.action, zb3.is_lagging) == (None, "", True)
    assert zb3.flags.labels == ["后进党支部"]

    assert (zb4.level, zb4.capped, zb4.action, zb4.flags.interview) == (2, True, "same", True)
    assert any("约谈" in r for r in zb4.consequences)


@pytest.mark.django_db
def test_the_proposal_computes_missing_quarters_and_opens_one_lagging_problem(org, year):
    ratings.year_propose(year=YEAR, today=TODAY)
    assert set(QuarterCheck.objects.filter(year=YEAR, status="done").values_list("quarter", flat=True)) == {1, 2, 3, 4}
    lagging = Problem.objects.get(kind=Problem.Kind.LAGGING)
    assert (lagging.branch, lagging.deadline) == (year["zb3"], date(2026, 3, 16))
    ratings.year_propose(year=YEAR, today=date(2026, 1, 20))
    assert Problem.objects.filter(kind=Problem.Kind.LAGGING).count() == 1


@pytest.mark.django_db
def test_a_lagging_branch_that_applies_later_loses_its_untouched_problem(org, year):
    ratings.year_propose(year=YEAR, today=TODAY)
    ratings.application_submit(branch=year["zb3"], year=YEAR, level=4, by=None)
    ratings.year_propose(year=YEAR, today=TODAY)
    assert not Problem.objects.filter(kind=Problem.Kind.LAGGING).exists()
    assert line("ZB3").level == 4


@pytest.mark.django_db
def test_rating_twice_leaves_the_same_rows_and_keeps_the_override(org, year):
    ratings.year_propose(year=YEAR, today=TODAY)
    # Five stars for ZB2 goes beyond the one five-star place: the committee confirms it.
    ratings.branch_rating_override(
        branch_rating=line("ZB2"), level=5, reason="获评全省先进基层党组织", by=None, confirmed=True
    )
    before = sorted(BranchRating.objects.values_list("pk", "branch_id", "score", "proposed_level", "override_level"))
    ratings.year_propose(year=YEAR, today=TODAY)
    after = sorted(BranchRating.objects.values_list("pk", "branch_id", "score", "proposed_level", "override_level"))
    assert after == before
    assert line("ZB2").level == 5


@pytest.mark.django_db
def test_an_override_needs_a_reason_and_moves_the_action(org, year):
    ratings.year_propose(year=YEAR, today=TODAY)
    with pytest.raises(ValidationError) as exc:
        ratings.branch_rating_override(branch_rating=line("ZB4"), level=3, reason=" ", by=None)
    assert exc.value.message_dict == {"reason": ["调整星级须写明理由"]}
    # Never above the level applied for (two stars): refused, with what and why.
    with pytest.raises(ValidationError) as exc:
        ratings.branch_rating_override(branch_rating=line("ZB4"), level=3, reason="申报有误", by=org.committee_user)
    assert exc.value.message_dict == {"level": ["不能调整为三星：该支部申报二星，评定星级不能高于申报星级"]}
    ratings.branch_rating_override(
        branch_rating=line("ZB4"), level=1, reason="台账不实，经党委会研究", by=org.committee_user
    )
    zb4 = line("ZB4")
    assert (zb4.level, zb4.proposed_level, zb4.action, zb4.overridden_by) == (1, 2, "down", org.committee_user)
    assert zb4.flags.interview
    with pytest.raises(ValidationError, match="后进党支部"):
        ratings.branch_rating_override(branch_rating=line("ZB3"), level=3, reason="x", by=None)
    ratings.branch_rating_override(branch_rating=line("ZB4"), level=None, reason="", by=None)
    assert (line("ZB4").level, line("ZB4").action) == (2, "same")


@pytest.mark.django_db
def test_approval_publishes_the_levels_and_writes_the_star_history(org, year):
    ratings.year_propose(year=YEAR, today=TODAY)
    assert not BranchRating.objects.for_viewer(org.secretary).exists()
    assert BranchRating.objects.for_viewer(org.committee_user).count() == 5
    ratings.branch_rating_override(branch_rating=line("ZB2"), level=3, reason="群众满意度测评偏低", by=None)
    ratings.year_approve(year=YEAR, by=org.committee_user)

    history = dict(StarHistory.objects.filter(year=YEAR).values_list("branch__code", "level"))
    assert history == {"ZB1": 5, "ZB9": 3, "ZB2": 3, "ZB4": 2}
    assert set(StarHistory.objects.filter(year=YEAR).values_list("source", flat=True)) == {"approved"}
    assert [r.branch.code for r in BranchRating.objects.for_viewer(org.secretary)] == ["ZB1"]
    assert not BranchRating.objects.for_viewer(org.outsider).filter(branch=org.branch).exists()
    with pytest.raises(ValidationError, match="已审批"):
        ratings.year_propose(year=YEAR, today=TODAY)
    with pytest.raises(ValidationError, match="已审批"):
        ratings.branch_rating_override(branch_rating=line("ZB1"), level=4, reason="x", by=None)
    with pytest.raises(ValidationError, match="已经审批"):
        ratings.year_approve(year=YEAR, by=None)


@pytest.mark.django_db
def test_an_approved_year_changes_only_through_a_recorded_reversal(org, year):
    ratings.year_propose(year=YEAR, today=TODAY)
    approved = ratings.year_approve(year=YEAR, by=org.committee_user)
    with pytest.raises(ValidationError) as exc:
        ratings.year_reverse(year=YEAR, by=org.committee_user, reason="")
    assert exc.value.message_dict == {"reason": ["撤销审批须写明理由"]}
    reversal = ratings.year_reverse(year=YEAR, by=org.committee_user, reason="ZB9 的 B1 评分录入有误")
    assert (reversal.reversed_by, reversal.approved_at) == (org.committee_user, approved.approved_at)
    assert YearRating.objects.get(year=YEAR).status == YearRating.Status.PROPOSED
    assert not StarHistory.objects.filter(year=YEAR).exists()
    assert StarHistory.objects.filter(year=2024).count() == 3  # imported history stays
    assert not BranchRating.objects.for_viewer(org.secretary).exists()
    ratings.year_approve(year=YEAR, by=org.committee_user)
    assert RatingReversal.objects.count() == 1


@pytest.mark.django_db
def test_a_year_that_has_not_ended_cannot_be_rated(org):
    with pytest.raises(ValidationError, match="2025年度尚未结束"):
        ratings.year_propose(year=YEAR, today=date(2025, 12, 31))
    with pytest.raises(ValidationError, match="还没有评定结果"):
        ratings.year_approve(year=YEAR, by=None)


@pytest.mark.django_db
def test_applications_and_imported_history_are_checked(org):
    with pytest.raises(ValidationError, match="申报星级须为 1–5"):
        ratings.application_submit(branch=org.branch, year=YEAR, level=6, by=None)
    with pytest.raises(ValidationError, match="只有党支部可以申报星级"):
        ratings.application_submit(branch=org.general, year=YEAR, level=3, by=None)
    ratings.application_submit(branch=org.branch, year=YEAR, level=3, by=None)
    ratings.application_submit(branch=org.branch, year=YEAR, level=4, by=None)
    assert Application.objects.get(branch=org.branch, year=YEAR).level == 4
    YearRating.objects.create(year=2024, status=YearRating.Status.APPROVED)
    with pytest.raises(ValidationError, match="已在本系统评定"):
        ratings.history_record(branch=org.branch, year=2024, level=3, by=None)
