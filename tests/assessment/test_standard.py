"""The year's five-star standard: defaults, copying, validation, locking at the first check."""

import dataclasses
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from assessment import standard as spec
from assessment.models import Standard
from assessment.services.checks import quarter_compute
from assessment.services.standards import standard_ensure, standard_save


def specs_of(standard):
    aspects = [spec.AspectSpec(a.code, a.name, a.points) for a in standard.aspects.all()]
    indicators = [
        spec.IndicatorSpec(i.code, i.aspect.code, i.name, i.points, i.mode, i.frequency)
        for i in standard.indicators.select_related("aspect")
    ]
    return aspects, indicators


def replace(items, code, **changes):
    return [dataclasses.replace(item, **changes) if item.code == code else item for item in items]


# --- pure checks ---------------------------------------------------------------------------------


def test_the_default_standard_is_sound():
    assert spec.standard_errors(spec.DEFAULT_PARAMETERS, spec.DEFAULT_ASPECTS, spec.DEFAULT_INDICATORS) == []
    assert len(spec.DEFAULT_INDICATORS) == 29
    assert sum(i.points for i in spec.DEFAULT_INDICATORS) == 100
    assert sum(i.points for i in spec.DEFAULT_INDICATORS if i.frequency == spec.QUARTERLY) == 43
    auto = sorted(i.code for i in spec.DEFAULT_INDICATORS if i.mode == spec.AUTO)
    assert auto == sorted(spec.MEETING_CODES + spec.PLEDGE_CODES + spec.OWN_CODES)


def test_indicator_points_must_add_up_to_their_aspect():
    indicators = replace(spec.DEFAULT_INDICATORS, "B1", points=D(7))
    errors = spec.standard_errors(spec.DEFAULT_PARAMETERS, spec.DEFAULT_ASPECTS, indicators)
    assert errors == ["方面 B「制度执行」分值 30 分，其下指标合计 31 分，两者须相等"]


def test_aspects_must_add_up_to_100():
    aspects = replace(spec.DEFAULT_ASPECTS, "A", points=D(16))
    indicators = replace(spec.DEFAULT_INDICATORS, "A1", points=D(4))
    errors = spec.standard_errors(spec.DEFAULT_PARAMETERS, aspects, indicators)
    assert errors == ["各方面分值合计 101 分，须为 100 分"]


def test_parameters_are_checked():
    parameters = {**spec.DEFAULT_PARAMETERS, "band_four": D(95), "annual_weight": D(50), "veto_aspect": "X"}
    errors = spec.standard_errors(parameters, spec.DEFAULT_ASPECTS, spec.DEFAULT_INDICATORS)
    assert "星级分数线须满足 100 ≥ 五星 > 四星 > 三星 > 二星 > 0" in errors
    assert "季度检查权重与年度考评权重之和须为 100%（现为 40% + 50%）" in errors
    assert "一票否决方面 X 不在本年度标准的方面中" in errors


def test_only_computable_indicators_may_be_auto_and_keep_their_period():
    indicators = replace(spec.DEFAULT_INDICATORS, "A1", mode=spec.AUTO)
    indicators = replace(indicators, "B6", frequency=spec.QUARTERLY)
    errors = spec.standard_errors(spec.DEFAULT_PARAMETERS, spec.DEFAULT_ASPECTS, indicators)
    assert any(e.startswith("指标 A1 设为自动计分，但系统不能自动计算它") for e in errors)
    assert "自动指标 B6 只能按年度计分" in errors


def test_duplicate_codes_are_refused():
    indicators = [*spec.DEFAULT_INDICATORS, dataclasses.replace(spec.DEFAULT_INDICATORS[0], points=D(1))]
    errors = spec.standard_errors(spec.DEFAULT_PARAMETERS, spec.DEFAULT_ASPECTS, indicators)
    assert "指标编码 A1 重复" in errors


# --- the year's standard in the database ---------------------------------------------------------


@pytest.mark.django_db
def test_a_year_starts_with_the_defaults():
    standard = standard_ensure(year=2025)
    assert (standard.band_five, standard.quarter_weight, standard.five_star_quota) == (D(90), D(40), D(30))
    assert (standard.veto_aspect, standard.lagging_deadline_days, standard.copied_from) == ("B", 60, None)
    assert standard.aspects.count() == 5
    assert standard.indicators.count() == 29
    assert standard_ensure(year=2025).pk == standard.pk


@pytest.mark.django_db
def test_a_year_starts_as_a_copy_of_the_year_before():
    first = standard_ensure(year=2024)
    aspects, indicators = specs_of(first)
    indicators = replace(indicators, "A4", points=D(2))
    indicators = replace(indicators, "A1", points=D(4), name="书记抓党建述职评议")
    standard_save(
        standard=first,
        parameters={**first.parameters(), "five_star_quota": D(25)},
        aspects=aspects,
        indicators=indicators,
    )
    second = standard_ensure(year=2026)
    assert second.copied_from == 2024
    assert second.five_star_quota == D(25)
    a1 = second.indicators.get(code="A1")
    assert (a1.name, a1.points) == ("书记抓党建述职评议", D(4))
    assert second.indicators.get(code="A4").points == D(2)


@pytest.mark.django_db
def test_an_unsound_edit_changes_nothing():
    standard = standard_ensure(year=2025)
    aspects, indicators = specs_of(standard)
    with pytest.raises(ValidationError) as exc:
        standard_save(
            standard=standard,
            parameters=standard.parameters(),
            aspects=aspects,
            indicators=replace(indicators, "B1", points=D(10)),
        )
    assert "方面 B「制度执行」分值 30 分，其下指标合计 34 分，两者须相等" in exc.value.messages
    assert standard.indicators.get(code="B1").points == D(6)


@pytest.mark.django_db
def test_the_standard_locks_at_the_years_first_check(org):
    standard = standard_ensure(year=2025)
    quarter_compute(year=2025, quarter=1, today=date(2025, 4, 5))
    standard.refresh_from_db()
    assert standard.is_locked
    aspects, indicators = specs_of(standard)
    with pytest.raises(ValidationError) as exc:
        standard_save(standard=standard, parameters=standard.parameters(), aspects=aspects, indicators=indicators)
    assert "评定标准已锁定" in exc.value.messages[0]
    assert Standard.objects.get(year=2025).locked_at == standard.locked_at
