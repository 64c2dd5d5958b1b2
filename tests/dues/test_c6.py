"""C6 按时交纳党费 computed from the ledger, against the branch worked out by hand (conftest)."""

from decimal import Decimal as D

from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment import standard as spec
from assessment.indicators import c6_dues
from assessment.models import Score
from assessment.services import checks
from assessment.services.standards import standard_ensure, standard_save
from core.periods import Period
from dues.rules import OnTimeCounts
from tests.factories import make_member, make_unit, pay_dues, set_dues_base

from .conftest import TODAY, YEAR


def _mark_c6(year: int, mode: str) -> None:
    standard = standard_ensure(year=year)
    aspects = [spec.AspectSpec(a.code, a.name, a.points) for a in standard.aspects.all()]
    indicators = [
        spec.IndicatorSpec(i.code, i.aspect.code, i.name, i.points, mode if i.code == "C6" else i.mode, i.frequency)
        for i in standard.indicators.select_related("aspect")
    ]
    standard_save(standard=standard, parameters=standard.parameters(), aspects=aspects, indicators=indicators)


def test_the_formula():
    assert c6_dues(OnTimeCounts(118, 120), D(3)).explanation == "C6 按时交纳党费：118/120 人月按时 → 2.95/3"
    assert c6_dues(OnTimeCounts(118, 120), D(3)).earned == D("2.95")
    assert c6_dues(OnTimeCounts(0, 0), D(3)).earned == 0


def test_c6_stays_manual_by_default(dues_org):
    assert standard_ensure(year=YEAR).indicators.get(code="C6").mode == spec.MANUAL
    checks.year_auto_compute(year=YEAR, today=TODAY)
    assert not Score.objects.filter(indicator__code="C6").exists()


def test_c6_from_the_ledger_against_the_branch_by_hand(dues_org):
    _mark_c6(YEAR, spec.AUTO)
    checks.year_auto_compute(year=YEAR, today=TODAY)
    score = Score.objects.get(branch=dues_org.org.branch, indicator__code="C6")
    # On time: 张伟 12, 迟交 10, 调动 6, 新党员 2, 欠费 6 = 36 of 12 + 12 + 6 + 4 + 12 = 46 member-months.
    assert score.computed == D("2.35")  # 3 × 36 ÷ 46 = 2.3478…
    assert score.computed_note == "C6 按时交纳党费：36/46 人月按时 → 2.35/3"
    other = Score.objects.get(branch=dues_org.org.other_branch, indicator__code="C6")
    assert other.computed_note == "C6 按时交纳党费：6/6 人月按时 → 3.00/3"


def test_a_checker_still_overrides_c6_with_a_note(dues_org):
    _mark_c6(YEAR, spec.AUTO)
    checks.year_auto_compute(year=YEAR, today=TODAY)
    indicator = standard_ensure(year=YEAR).indicators.get(code="C6")
    try:
        checks.score_enter(branch=dues_org.org.branch, indicator=indicator, quarter=None, value="3", note="", by=None)
    except ValidationError as exc:
        assert "C6 是自动计分指标，人工评分覆盖须填写说明" in exc.messages
    else:
        raise AssertionError("an override without a note was accepted")
    score = checks.score_enter(
        branch=dues_org.org.branch, indicator=indicator, quarter=None, value="3", note="欠费党员已补交", by=None
    )
    score.refresh_from_db()
    assert score.effective == D("3.00") and score.computed == D("2.35")


def test_the_rating_job_reads_dues_in_bulk(dues_org):
    _mark_c6(YEAR, spec.AUTO)
    standard = standard_ensure(year=YEAR)
    c6 = [standard.indicators.select_related("aspect").get(code="C6")]

    def queries(branches, *, first_time: bool) -> int:
        # A year computed for the first time is written by COPY alone, a re-run through the upsert:
        # each path is compared with itself.
        if first_time:
            Score.objects.filter(indicator__code="C6").delete()
        with CaptureQueriesContext(connection) as captured:
            checks._compute_auto(c6, branches, _year(), 0, TODAY)
        return len(captured)

    two = [dues_org.org.branch, dues_org.org.other_branch]
    branches = list(two)
    for _ in range(4):
        branch = make_unit("branch", dues_org.org.committee)
        member = make_member(branch)
        set_dues_base(member, YEAR, "5000")
        pay_dues(member, YEAR, 1, "50")
        branches.append(branch)
    assert queries(branches, first_time=True) == queries(two, first_time=True)
    queries(branches, first_time=False)
    assert queries(branches, first_time=False) == queries(two, first_time=False)
    assert Score.objects.filter(indicator__code="C6").count() == 6


def test_marking_c6_auto_is_accepted_only_as_a_yearly_indicator(dues_org):
    standard = standard_ensure(year=YEAR)
    aspects = [spec.AspectSpec(a.code, a.name, a.points) for a in standard.aspects.all()]
    indicators = [
        spec.IndicatorSpec(
            i.code,
            i.aspect.code,
            i.name,
            i.points,
            spec.AUTO if i.code == "C6" else i.mode,
            spec.QUARTERLY if i.code == "C6" else i.frequency,
        )
        for i in standard.indicators.select_related("aspect")
    ]
    assert "自动指标 C6 只能按年度计分" in spec.standard_errors(standard.parameters(), aspects, indicators)


def _year():
    return Period.for_year(YEAR)
