"""Quarterly checks: computing the auto indicators, re-running, checkers' scores, problems."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from assessment.models import Indicator, Problem, QuarterCheck, Score, Standard, YearRating
from assessment.services import checks
from assessment.services.standards import standard_ensure
from branches.models import OrgUnit
from tests.factories import make_member

Q1_END = date(2025, 4, 5)


def indicator(code, year=2025):
    standard_ensure(year=year)
    return Indicator.objects.get(standard__year=year, code=code)


def rows(year=2025, quarter=None):
    qs = Score.objects.of_year(year)
    if quarter is not None:
        qs = qs.filter(quarter=quarter)
    return sorted(qs.values_list("pk", "branch__code", "indicator__code", "quarter", "computed", "computed_note"))


def problem(branch, deadline, closed_on=None, year=2025):
    p = Problem.objects.create(
        branch=branch, year=year, quarter=1, description="台账不规范", found_on=date(2025, 1, 10), deadline=deadline
    )
    if closed_on:
        Problem.objects.filter(pk=p.pk).update(closed_on=closed_on)
    return p


@pytest.mark.django_db
def test_a_quarter_check_scores_every_auto_quarterly_indicator_of_every_branch(org):
    check = checks.quarter_compute(year=2025, quarter=1, today=Q1_END)
    assert (check.status, check.branch_count, check.as_of) == ("done", 2, date(2025, 3, 31))
    codes = {code for _, _, code, _, _, _ in rows()}
    assert codes == {"B1", "B2", "B3", "B4", "B5", "C1", "C2", "E4"}
    assert {b for _, b, _, _, _, _ in rows()} == {"ZB1", "ZB9"}  # branches only, not the committee or groups
    assert all(note for *_, note in rows())


@pytest.mark.django_db
def test_e4_counts_problems_closed_by_their_deadline_among_those_due_in_the_quarter(org):
    problem(org.branch, date(2025, 2, 1), closed_on=date(2025, 1, 30))
    problem(org.branch, date(2025, 3, 1), closed_on=date(2025, 3, 5))  # closed late
    problem(org.branch, date(2025, 5, 1))  # due next quarter: not counted
    checks.quarter_compute(year=2025, quarter=1, today=Q1_END)
    e4 = Score.objects.get(branch=org.branch, indicator__code="E4", quarter=1)
    assert e4.computed == D("2.00")
    assert e4.computed_note == "E4 问题整改：1/2 个到期问题按期销号 → 2.00/4"
    other = Score.objects.get(branch=org.other_branch, indicator__code="E4", quarter=1)
    assert (other.computed, other.computed_note) == (D("4.00"), "E4 问题整改：本期无到期问题 → 4.00/4")


@pytest.mark.django_db
def test_e4_of_a_running_quarter_counts_only_deadlines_already_passed(org):
    problem(org.branch, date(2025, 2, 1))
    problem(org.branch, date(2025, 3, 20))
    checks.quarter_compute(year=2025, quarter=1, today=date(2025, 3, 1))
    e4 = Score.objects.get(branch=org.branch, indicator__code="E4", quarter=1)
    assert e4.computed_note == "E4 问题整改：0/1 个到期问题按期销号 → 0.00/4"


@pytest.mark.django_db
def test_d1_and_d3_are_computed_for_the_year(org):
    make_member(org.branch, name="李娜", is_party_cadre=True)
    OrgUnit.objects.filter(pk=org.branch.pk).update(elected_on=date(2023, 6, 1))
    OrgUnit.objects.filter(pk=org.other_branch.pk).update(elected_on=date(2021, 6, 1))
    checks.year_auto_compute(year=2025, today=date(2026, 1, 15))
    scores = {
        (s.branch.code, s.indicator.code): (s.computed, s.computed_note)
        for s in Score.objects.filter(quarter=0).select_related("branch", "indicator")
    }
    assert scores["ZB1", "D1"] == (D("4.00"), "D1 兼职党务干部：李娜 → 4.00/4")
    assert scores["ZB9", "D1"] == (D("0.00"), "D1 兼职党务干部：未配备 → 0.00/4")
    assert scores["ZB1", "D3"] == (D("3.00"), "D3 按期换届：任期至2026-06-01 → 3.00/3")
    assert scores["ZB9", "D3"] == (D("0.00"), "D3 按期换届：任期已于2024-06-01届满，未换届 → 0.00/3")
    assert {code for _, code in scores} >= {"B6", "C3", "C5", "D1", "D3", "E1", "E2"}


@pytest.mark.django_db
def test_running_a_quarter_twice_leaves_the_same_rows(org):
    problem(org.branch, date(2025, 2, 1))
    checks.quarter_compute(year=2025, quarter=1, today=Q1_END)
    first = rows()
    checks.quarter_compute(year=2025, quarter=1, today=Q1_END)
    assert rows() == first
    assert QuarterCheck.objects.filter(year=2025, quarter=1).count() == 1


@pytest.mark.django_db
def test_a_rerun_updates_computed_scores_and_keeps_checkers_scores(org):
    checks.quarter_compute(year=2025, quarter=1, today=Q1_END)
    e4 = indicator("E4")
    checks.score_enter(branch=org.branch, indicator=e4, quarter=1, value="3.5", note="整改材料已补齐", by=None)
    checks.score_enter(branch=org.branch, indicator=indicator("A4"), quarter=1, value="2", note="", by=None)
    problem(org.other_branch, date(2025, 2, 1))  # changes the other branch's E4
    checks.quarter_compute(year=2025, quarter=1, today=Q1_END)
    mine = Score.objects.with_value().get(branch=org.branch, indicator=e4, quarter=1)
    assert (mine.manual, mine.manual_note, mine.value) == (D("3.50"), "整改材料已补齐", D("3.50"))
    assert mine.computed == D("4.00")
    assert Score.objects.get(branch=org.branch, indicator__code="A4", quarter=1).manual == D("2.00")
    assert Score.objects.get(branch=org.other_branch, indicator=e4, quarter=1).computed == D("0.00")


@pytest.mark.django_db
def test_an_approved_year_is_never_recomputed(org):
    checks.quarter_compute(year=2025, quarter=1, today=Q1_END)
    before = rows()
    YearRating.objects.create(year=2025, status=YearRating.Status.APPROVED)
    problem(org.branch, date(2025, 2, 1))
    with pytest.raises(ValidationError, match="已审批"):
        checks.quarter_compute(year=2025, quarter=1, today=Q1_END)
    with pytest.raises(ValidationError, match="已审批"):
        checks.score_enter(branch=org.branch, indicator=indicator("A4"), quarter=1, value=1, note="", by=None)
    assert rows() == before


@pytest.mark.django_db
def test_a_quarter_that_has_not_started_is_refused(org):
    with pytest.raises(ValidationError, match="2025年第3季度尚未开始"):
        checks.quarter_compute(year=2025, quarter=3, today=date(2025, 5, 1))
    with pytest.raises(ValidationError, match="季度须为 1–4"):
        checks.quarter_compute(year=2025, quarter=5, today=date(2026, 5, 1))


# --- checkers' scores ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "quarter", "value", "note", "field", "message"),
    [
        ("A4", None, "2", "", "quarter", "A4 是季度指标，须填写季度（1–4）"),
        ("A1", 2, "2", "", "quarter", "A1 是年度指标，季度须留空"),
        ("A4", 1, "3.5", "", "value", "得分 3.5 超过 A4 的分值 3"),
        ("A4", 1, "-1", "", "value", "得分 -1 低于 0"),
        ("A4", 1, "abc", "", "value", "得分“abc”不是数字"),
        ("A4", 1, "1.234", "", "value", "得分 1.234 最多保留 2 位小数"),
        ("B1", 1, "5", " ", "note", "B1 是自动计分指标，人工评分覆盖须填写说明"),
    ],
)
def test_a_bad_score_is_refused_with_a_chinese_message(org, code, quarter, value, note, field, message):
    with pytest.raises(ValidationError) as exc:
        checks.score_enter(
            branch=org.branch, indicator=indicator(code), quarter=quarter, value=value, note=note, by=None
        )
    assert exc.value.message_dict[field] == [message]
    assert not Score.objects.exists()


@pytest.mark.django_db
def test_a_score_locks_the_standard_and_clearing_an_override_brings_back_the_computed_score(org):
    checks.quarter_compute(year=2025, quarter=1, today=Q1_END)
    b1 = indicator("B1")
    computed = Score.objects.get(branch=org.branch, indicator=b1, quarter=1).computed
    score = checks.score_enter(branch=org.branch, indicator=b1, quarter=1, value="1", note="会议记录不实", by=None)
    assert Standard.objects.get(year=2025).is_locked
    checks.score_clear(score=score, by=None)
    assert Score.objects.with_value().get(pk=score.pk).value == computed


# --- problems ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_problem_lifecycle_with_evidence(org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    p = checks.problem_create(
        branch=org.branch,
        year=2025,
        quarter=1,
        description="党小组会记录缺少签到",
        deadline=date(2025, 4, 30),
        found_on=date(2025, 4, 5),
        by=org.committee_user,
    )
    assert not Problem.objects.overdue(date(2025, 4, 30)).exists()
    assert list(Problem.objects.overdue(date(2025, 5, 1))) == [p]
    upload = SimpleUploadedFile("签到表.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    evidence = checks.evidence_add(problem=p, upload=upload, note="补充签到表", by=org.secretary)
    assert (evidence.original_name, evidence.size) == ("签到表.pdf", 17)
    checks.problem_close(problem=p, by=org.committee_user, note="材料齐全", today=date(2025, 4, 20))
    p.refresh_from_db()
    assert p.closed_on == date(2025, 4, 20) and not Problem.objects.overdue(date(2025, 5, 1)).exists()
    with pytest.raises(ValidationError, match="已销号"):
        checks.evidence_add(problem=p, upload=upload, note="", by=org.secretary)


@pytest.mark.django_db
def test_evidence_type_and_size_are_limited(org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    p = problem(org.branch, date(2025, 4, 30))
    with pytest.raises(ValidationError) as exc:
        checks.evidence_add(problem=p, upload=SimpleUploadedFile("run.exe", b"MZ"), note="", by=None)
    assert "“run.exe”的类型不允许" in exc.value.messages[0]
    with pytest.raises(ValidationError, match="内容不是PDF文件"):
        checks.evidence_add(problem=p, upload=SimpleUploadedFile("renamed.pdf", b"MZ not a pdf"), note="", by=None)
    big = SimpleUploadedFile("scan.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ValidationError, match="超过 10 MB"):
        checks.evidence_add(problem=p, upload=big, note="", by=None)
    assert not p.evidence.exists()


@pytest.mark.django_db
def test_a_problem_needs_a_description_and_a_sensible_deadline(org):
    with pytest.raises(ValidationError) as exc:
        checks.problem_create(
            branch=org.group, year=2025, quarter=1, description=" ", deadline=date(2025, 1, 1),
            found_on=date(2025, 2, 1), by=None,
        )  # fmt: skip
    assert exc.value.message_dict == {
        "branch": ["问题须开具给党支部"],
        "description": ["请填写问题"],
        "deadline": ["整改期限不能早于发现日期"],
    }
