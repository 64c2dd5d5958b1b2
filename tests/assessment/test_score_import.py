"""import_scores and the score template: good files, every kind of bad row, nothing written on error."""

from decimal import Decimal as D
from io import BytesIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from assessment.models import Application, Score, Standard, StarHistory
from assessment.score_io import ImportFailed, import_scores, template_workbook
from assessment.services.standards import standard_ensure

APPLY = ["支部编码", "年度", "申报星级"]
SCORES = ["支部编码", "年度", "季度", "指标编码", "得分", "说明"]
HISTORY = ["支部编码", "年度", "星级"]


def workbook(path, **sheets):
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def nothing_written():
    return not (Application.objects.exists() or Score.objects.exists() or StarHistory.objects.exists())


@pytest.mark.django_db
def test_a_good_file_imports_every_sheet(org, tmp_path):
    path = workbook(
        tmp_path / "good.xlsx",
        申报=[APPLY, ["ZB1", 2025, 4], ["ZB9", 2025, 3]],
        评分=[
            SCORES,
            ["ZB1", 2025, 1, "A4", 2.5, "研究部署两次"],
            ["ZB1", 2025, None, "A1", 3, None],
            ["ZB1", 2025, 2, "b2", "4", "一次支委会记录缺失"],  # an override of an auto indicator, with its note
        ],
        历史星级=[HISTORY, ["ZB1", 2023, 3], ["ZB9", 2024, 5]],
    )
    result = import_scores(path, by=org.committee_user)
    assert result.summary == "导入申报 2 条、评分 3 条、历史星级 2 条"
    assert dict(Application.objects.values_list("branch__code", "level")) == {"ZB1": 4, "ZB9": 3}
    scores = {
        (s.indicator.code, s.quarter): (s.manual, s.manual_note) for s in Score.objects.select_related("indicator")
    }
    assert scores == {
        ("A4", 1): (D("2.50"), "研究部署两次"),
        ("A1", 0): (D("3.00"), ""),
        ("B2", 2): (D("4.00"), "一次支委会记录缺失"),
    }
    assert set(StarHistory.objects.values_list("branch__code", "year", "level", "source")) == {
        ("ZB1", 2023, 3, "imported"),
        ("ZB9", 2024, 5, "imported"),
    }
    assert Standard.objects.get(year=2025).is_locked


@pytest.mark.django_db
def test_importing_the_same_file_twice_leaves_the_same_rows(org, tmp_path):
    path = workbook(tmp_path / "f.xlsx", 申报=[APPLY, ["ZB1", 2025, 4]], 评分=[SCORES, ["ZB1", 2025, 1, "A4", 2, ""]])
    import_scores(path, by=None)
    first = list(Score.objects.values_list("pk", "manual")), list(Application.objects.values_list("pk", "level"))
    import_scores(path, by=None)
    assert (
        list(Score.objects.values_list("pk", "manual")),
        list(Application.objects.values_list("pk", "level")),
    ) == first


@pytest.mark.django_db
def test_any_sheet_may_be_absent(org, tmp_path):
    path = workbook(tmp_path / "h.xlsx", 历史星级=[HISTORY, ["ZB1", 2022, 2]], 其他=[["随便什么"]])
    assert import_scores(path, by=None).summary == "导入申报 0 条、评分 0 条、历史星级 1 条"


@pytest.mark.django_db
def test_every_bad_row_is_listed_and_nothing_is_written(org, tmp_path):
    path = workbook(
        tmp_path / "bad.xlsx",
        申报=[APPLY, ["ZB1", 2025, 6], ["NOPE", 2025, 3], ["ZB1-1", 2025, 3], ["ZB9", 2025, 4]],
        评分=[
            SCORES,
            ["ZB1", 2025, 1, "A4", 2, ""],  # good, but the file as a whole is not
            ["XX", 2025, 1, "A4", 2, ""],
            ["ZB1", 2025, 1, "Z9", 2, ""],
            ["ZB1", 2025, 1, "A4", 3.5, ""],
            ["ZB1", 2025, 1, "A5", -1, ""],
            ["ZB1", 2025, None, "A4", 2, ""],
            ["ZB1", 2025, 3, "A1", 2, ""],
            ["ZB1", 2025, 1, "B1", 5, None],
            ["ZB1", 2025, 5, "A4", 1, ""],
            ["ZB1", 2025, 2, "A4", "两分", ""],
        ],
        历史星级=[HISTORY, ["ZB1", 2023, 0], ["ZB9", "去年", 3]],
    )
    with pytest.raises(ImportFailed) as exc:
        import_scores(path, by=None)
    assert [str(error) for error in exc.value.errors] == [
        "工作表“申报”第2行“申报星级”列：须在 1–5 之间，不能是 6",
        "工作表“申报”第3行“支部编码”列：找不到编码为“NOPE”的党组织",
        "工作表“申报”第4行“支部编码”列：“ZB1-1”是党小组，不是党支部",
        "工作表“评分”第3行“支部编码”列：找不到编码为“XX”的党组织",
        "工作表“评分”第4行“指标编码”列：2025年度评定标准中没有指标“Z9”",
        "工作表“评分”第5行“得分”列：得分 3.5 超过 A4 的分值 3",
        "工作表“评分”第6行“得分”列：得分 -1 低于 0",
        "工作表“评分”第7行“季度”列：A4 是季度指标，须填写季度（1–4）",
        "工作表“评分”第8行“季度”列：A1 是年度指标，季度须留空",
        "工作表“评分”第9行“说明”列：B1 是自动计分指标，人工评分覆盖须填写说明",
        "工作表“评分”第10行“季度”列：须在 1–4 之间，不能是 5",
        "工作表“评分”第11行“得分”列：得分“两分”不是数字",
        "工作表“历史星级”第2行“星级”列：须在 1–5 之间，不能是 0",
        "工作表“历史星级”第3行“年度”列：“去年”不是整数",
    ]
    assert nothing_written()
    assert not Standard.objects.exists()  # the year's standard created while reading is rolled back too


@pytest.mark.django_db
def test_a_missing_column_or_a_file_that_is_not_a_workbook_is_refused(org, tmp_path):
    path = workbook(tmp_path / "cols.xlsx", 评分=[["支部编码", "年度", "指标编码", "得分"], ["ZB1", 2025, "A1", 1]])
    with pytest.raises(ImportFailed) as exc:
        import_scores(path, by=None)
    assert [str(error) for error in exc.value.errors] == [
        "工作表“评分”第1行：缺少列“季度”“说明”（表头须为：支部编码、年度、季度、指标编码、得分、说明）"
    ]
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a spreadsheet")
    with pytest.raises(ImportFailed, match="无法读取文件"):
        import_scores(junk, by=None)
    assert nothing_written()


@pytest.mark.django_db
def test_the_downloaded_template_imports_once_filled_in(org, tmp_path):
    data = template_workbook(year=2025, quarter=2, branches=[org.branch, org.other_branch])
    wb = load_workbook(BytesIO(data))
    assert wb.sheetnames == ["申报", "评分", "历史星级", "指标", "填写说明"]
    rows = list(wb["评分"].iter_rows(values_only=True))
    assert rows[0] == tuple(SCORES)
    assert rows[1:] == [
        ("ZB1", 2025, 2, "A4", None, None),
        ("ZB1", 2025, 2, "A5", None, None),
        ("ZB9", 2025, 2, "A4", None, None),
        ("ZB9", 2025, 2, "A5", None, None),
    ]
    wb["评分"]["E2"] = 3
    wb["评分"]["F2"] = "每月研究党建"
    path = tmp_path / "filled.xlsx"
    wb.save(path)
    assert import_scores(path, by=None).scores == 1  # rows left blank are skipped
    assert Score.objects.get().manual == D("3.00")


@pytest.mark.django_db
def test_template_text_never_runs_as_a_formula(org):
    standard = standard_ensure(year=2025)
    standard.indicators.filter(code="A1").update(name='=HYPERLINK("http://x")')
    wb = load_workbook(BytesIO(template_workbook(year=2025)))
    names = [row[1] for row in wb["指标"].iter_rows(min_row=2, values_only=True)]
    assert '=HYPERLINK("http://x")' in names
    cell = next(c for c in wb["指标"]["B"] if c.value == '=HYPERLINK("http://x")')
    assert cell.data_type == "s"


@pytest.mark.django_db
def test_the_command_imports_or_lists_the_errors(org, tmp_path):
    good = workbook(tmp_path / "g.xlsx", 申报=[APPLY, ["ZB1", 2025, 5]])
    call_command("import_scores", str(good))
    assert Application.objects.get().level == 5
    bad = workbook(tmp_path / "b.xlsx", 申报=[APPLY, ["ZB1", 2025, 9]])
    with pytest.raises(CommandError) as exc:
        call_command("import_scores", str(bad))
    assert "工作表“申报”第2行“申报星级”列：须在 1–5 之间，不能是 9" in str(exc.value)
    assert Application.objects.get().level == 5
