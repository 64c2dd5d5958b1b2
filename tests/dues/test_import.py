"""import_dues and its browser upload: good files write everything, bad files nothing, and every bad
row is named in Chinese with its sheet, row and column. Files are built here with openpyxl."""

from datetime import date
from decimal import Decimal as D
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from core.spreadsheets import CellError
from dues import imports
from dues.access import dues_scope_for
from dues.models import DuesBase, DuesJob, DuesPayment
from dues.rules import Month
from dues.workbook import parse_money, parse_month
from members import idcard
from members.services import member_transfer
from tests.factories import make_member, open_dues_year

TODAY = date(2026, 3, 20)
BASE_HEADERS = ["身份证号", "姓名", "年度", "起始月份", "类别", "计算基数"]
PAYMENT_HEADERS = ["身份证号", "姓名", "月份", "实交金额", "交纳日期"]


def workbook(bases=None, payments=None, *, base_headers=BASE_HEADERS, payment_headers=PAYMENT_HEADERS) -> BytesIO:
    book = Workbook()
    book.remove(book.active)
    if bases is not None:
        sheet = book.create_sheet("基数")
        sheet.append(base_headers)
        for row in bases:
            sheet.append(row)
    if payments is not None:
        sheet = book.create_sheet("交纳")
        sheet.append(payment_headers)
        for row in payments:
            sheet.append(row)
    out = BytesIO()
    book.save(out)
    out.seek(0)
    return out


@pytest.fixture
def people(org):
    open_dues_year(2025, today=TODAY)
    zhang = org.member
    li = make_member(org.branch, name="李明")
    newcomer = make_member(
        org.branch,
        name="新党员",
        category="probationary",
        joined_on=date(2025, 9, 15),
        full_on=None,
        since=date(2025, 9, 15),
    )
    outsider = make_member(org.other_branch, name="王外")
    return zhang, li, newcomer, outsider


def errors_of(result):
    return [str(e) for e in result.errors]


def test_a_good_file_writes_bases_and_payments(org, people):
    zhang, li, newcomer, _ = people
    file = workbook(
        bases=[
            [zhang.id_number, "张伟", 2025, 1, "在职", 6000],
            [zhang.id_number, "张伟", 2025, 7, "在职", "8000.00"],  # a raise from July
            [li.id_number, "李明", 2025, None, "离退休", 5000],  # blank 起始月份 = January
            [newcomer.id_number, "新党员", "2025", "", "学生", None],
        ],
        payments=[
            [zhang.id_number, "张伟", "2025-01", 90, date(2025, 1, 20)],
            [zhang.id_number, "张伟", "2025/7", "120.00", "2025-08-05"],  # a back payment
            [li.id_number, "李明", date(2025, 3, 1), 25, date(2025, 3, 2)],  # a month Excel made a date
            [newcomer.id_number, "新党员", "2025年9月", 0.2, "2025年9月30日"],
        ],
    )
    result = imports.dues_import(file=file, today=TODAY)
    assert result.ok, errors_of(result)
    assert (result.bases, result.payments) == (4, 4)
    assert result.summary == "已导入计算基数4条，交纳记录4条"
    july = DuesBase.objects.get(member=zhang, year=2025, from_month=7)
    assert july.monthly_due == D("120.00") and july.rate == D("0.015")
    assert DuesBase.objects.get(member=li).from_month == 1
    assert DuesBase.objects.get(member=newcomer).monthly_due == D("0.20")
    back = DuesPayment.objects.get(member=zhang, month=date(2025, 7, 1))
    assert back.paid_on == date(2025, 8, 5) and back.is_back_payment and back.branch == org.branch
    assert DuesPayment.objects.get(member=newcomer).amount == D("0.20")
    # The same file again: the bases are set again, the payments are recognised and not doubled.
    file.seek(0)
    again = imports.dues_import(file=file, today=TODAY)
    assert again.ok and again.payments == 0 and again.already == 4
    assert DuesPayment.objects.count() == 4


def test_a_file_with_only_payments(org, people):
    zhang, *_ = people
    result = imports.dues_import(
        file=workbook(payments=[[zhang.id_number, "张伟", "2025-02", 50, "2025-02-10"]]), today=TODAY
    )
    assert result.ok and result.payments == 1


def test_every_bad_row_is_named_and_nothing_is_written(org, people):
    zhang, li, newcomer, outsider = people
    unknown = idcard.make_id_number("110101", date(1970, 1, 1), 999)
    file = workbook(
        bases=[
            [unknown, "无名", 2025, 1, "在职", 5000],  # row 2: unknown ID number
            [zhang.id_number, "张三", 2025, 1, "在职", 5000],  # row 3: the name does not match
            [li.id_number, "李明", 2025, 1, "农民", 5000],  # row 4: not a category
            [li.id_number, "李明", 2025, 2, "其他固定额", "1.50"],  # row 5: fixed amount out of range
            [li.id_number, "李明", 2025, 13, "在职", 5000],  # row 6: no such month
            [zhang.id_number, "张伟", 2025, 1, "在职", 6000],  # row 7: fine …
            [zhang.id_number, "张伟", 2025, 1, "在职", 6500],  # row 8: … and again
            [li.id_number, "李明", 2023, 1, "在职", 5000],  # row 9: a year the ledger does not keep
        ],
        payments=[
            [newcomer.id_number, "新党员", "2025-08", 0.2, "2025-08-20"],  # row 2: before joining
            [zhang.id_number, "张伟", "2025-03", -10, "2025-03-10"],  # row 3: negative
            [zhang.id_number, "张伟", "2025-04", 90, "2026-04-01"],  # row 4: dated in the future
            [zhang.id_number, "张伟", "2025-05", 90, "2025-05-10"],  # row 5: fine …
            [zhang.id_number, "张伟", "2025-5", 45, "2025-05-20"],  # row 6: … the same month again
            [zhang.id_number, "张伟", "2025-13", 90, "2025-05-10"],  # row 7: not a month
            [zhang.id_number, "张伟", "2025-06", "九十", "2025-06-10"],  # row 8: not an amount
            [li.id_number, "李明", "2025-06", 0, "2025-06-10"],  # row 9: nothing paid
            [li.id_number, "李明", "2025-07", 50, None],  # row 10: no date
            [li.id_number, "李明", "2025-07", 50.125, "2025-07-01"],  # row 11: more than fen
        ],
    )
    result = imports.dues_import(file=file, today=TODAY)
    masked = idcard.mask(unknown)
    assert errors_of(result) == [
        f"工作表“基数”第2行“身份证号”列：系统中没有身份证号为{masked}的党员",
        f"工作表“基数”第3行“姓名”列：身份证号{idcard.mask(zhang.id_number)}对应的党员是“张伟”，不是“张三”",
        "工作表“基数”第4行“类别”列：“农民”不是有效的类别，应为在职、离退休、学生、其他固定额",
        "工作表“基数”第5行“计算基数”列：其他固定额每月交纳金额应在0.20–1.00元之间，不能是1.50元",
        "工作表“基数”第6行“起始月份”列：起始月份应为1–12，不能是13",
        "工作表“基数”第8行“起始月份”列：与第7行重复（同一党员、同一年度、同一起始月份）",
        "工作表“基数”第9行“年度”列：2023年度不在党费台账范围内；补录往年党费，请先由机关党委开设该年度",
        "工作表“交纳”第2行“月份”列：2025-08早于该党员入党（2025-09-15），不需要交纳党费",
        "工作表“交纳”第3行“实交金额”列：实交金额不能为负数（-10.00）",
        "工作表“交纳”第4行“交纳日期”列：交纳日期2026-04-01晚于今天，不能登记尚未发生的交纳",
        "工作表“交纳”第6行“月份”列：与第5行重复（同一党员、同一月份）",
        "工作表“交纳”第7行“月份”列：“2025-13”中的月份应为1–12",
        "工作表“交纳”第8行“实交金额”列：“九十”不是金额，应填写数字（元），如 12.50",
        "工作表“交纳”第9行“实交金额”列：实交金额须大于0；没有交纳的月份不用填写",
        "工作表“交纳”第10行“交纳日期”列：交纳日期不能为空",
        "工作表“交纳”第11行“实交金额”列：金额50.125最多保留2位小数（到分）",
    ]
    assert not DuesBase.objects.exists() and not DuesPayment.objects.exists()


def test_a_month_after_the_member_left_or_of_another_branch(org, people):
    zhang, li, _newcomer, outsider = people
    member_transfer(member=li, to_branch=org.other_branch, on=date(2025, 7, 10))
    file = workbook(
        payments=[
            [li.id_number, "李明", "2025-06", 50, "2025-06-10"],  # still in org.branch: the secretary's
            [li.id_number, "李明", "2025-08", 50, "2025-08-10"],  # after leaving: the other branch's
            [outsider.id_number, "王外", "2025-08", 50, "2025-08-10"],  # never the secretary's
        ]
    )
    result = imports.dues_import(file=file, scope=dues_scope_for(org.secretary), today=TODAY)
    assert errors_of(result) == [
        "工作表“交纳”第3行“月份”列：该党员2025-08的党费应交给其他党支部，不在您的管理范围内",
        f"工作表“交纳”第4行“身份证号”列：系统中没有身份证号为{idcard.mask(outsider.id_number)}的党员，或该党员不在您管理的支部",
    ]
    # The committee's command line reaches every branch; the payment goes to the branch of that month.
    file.seek(0)
    result = imports.dues_import(file=file, today=TODAY)
    assert result.ok
    assert DuesPayment.objects.get(member=li, month=date(2025, 8, 1)).branch == org.other_branch


def test_sheets_and_columns_must_be_there(org, people):
    assert errors_of(imports.dues_import(file=BytesIO(b"not a workbook"), today=TODAY)) == [
        "工作表“基数”：无法读取文件：它不是有效的Excel工作簿（.xlsx）"
    ]
    book = Workbook()
    book.active.title = "Sheet1"
    out = BytesIO()
    book.save(out)
    out.seek(0)
    assert errors_of(imports.dues_import(file=out, today=TODAY)) == [
        "工作表“基数”：文件中没有工作表“基数”或“交纳”（现有：Sheet1）"
    ]
    file = workbook(payments=[], payment_headers=["身份证号", "姓名", "月份", "交纳日期"])
    assert errors_of(imports.dues_import(file=file, today=TODAY)) == [
        "工作表“交纳”第1行“实交金额”列：缺少必需的列“实交金额”"
    ]


def test_the_command(org, people, tmp_path, capsys):
    zhang, *_ = people
    path = tmp_path / "dues.xlsx"
    path.write_bytes(workbook(bases=[[zhang.id_number, "张伟", 2025, 1, "在职", 6000]]).getvalue())
    call_command("import_dues", str(path), "--check")
    assert "检查通过，未写入任何数据" in capsys.readouterr().out and not DuesBase.objects.exists()
    call_command("import_dues", str(path))
    assert DuesBase.objects.get(member=zhang).monthly_due == D("90.00")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook(bases=[[zhang.id_number, "张伟", 2025, 1, "在职", -1]]).getvalue())
    with pytest.raises(CommandError, match="导入失败：共1处错误"):
        call_command("import_dues", str(bad))
    assert "工作表“基数”第2行“计算基数”列：计算基数不能为负数" in capsys.readouterr().err


def test_the_browser_upload_runs_as_a_job(org, people, login, django_capture_on_commit_callbacks):
    zhang, li, *_ = people
    client = login(org.secretary)
    good = workbook(payments=[[zhang.id_number, "张伟", "2025-03", 90, "2025-03-10"]])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dues:import"), {"file": SimpleUploadedFile("党费.xlsx", good.getvalue())})
    job = DuesJob.objects.get()
    assert response.url == reverse("dues:job", args=[job.pk])
    job.refresh_from_db()
    assert job.status == DuesJob.Status.DONE and not job.upload
    assert "已导入计算基数0条，交纳记录1条" in client.get(response.url).content.decode()
    bad = workbook(payments=[[li.id_number, "李明", "2025-03", -5, "2025-03-10"]])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dues:import"), {"file": SimpleUploadedFile("b.xlsx", bad.getvalue())})
    page = client.get(response.url).content.decode()
    assert "发现1处问题，未导入任何数据" in page and "实交金额不能为负数（-5.00）" in page
    assert DuesPayment.objects.count() == 1
    # The whole list of problems is the upload itself, each bad row marked and explained.
    failed = DuesJob.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[1])
    assert reverse("dues:job_download", args=[failed.pk]) in page
    marked = load_workbook(
        BytesIO(b"".join(client.get(reverse("dues:job_download", args=[failed.pk])).streaming_content))
    )
    assert marked.sheetnames == ["错误清单", "交纳"]
    assert marked["交纳"].cell(2, len(PAYMENT_HEADERS) + 1).value == "实交金额：实交金额不能为负数（-5.00）"
    assert marked["交纳"].cell(2, 4).comment is not None
    # Someone else's job is a 404, even for the committee.
    assert login(org.committee_user).get(reverse("dues:job", args=[job.pk])).status_code == 404


def test_the_template_has_both_sheets(org, login):
    response = login(org.secretary).get(reverse("dues:template"))
    book = load_workbook(BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["基数", "交纳", "说明"]
    assert [c.value for c in book["基数"][1]] == BASE_HEADERS
    assert [c.value for c in book["交纳"][1]] == PAYMENT_HEADERS


def test_months_are_read_as_typed():
    assert parse_month("2025-03") == parse_month("2025/3") == parse_month("2025年3月") == Month(2025, 3)
    assert parse_month("202503") == parse_month(date(2025, 3, 1)) == Month(2025, 3)
    with pytest.raises(CellError, match="请以文本格式填写 YYYY-MM"):
        parse_month(2025.1)
    assert parse_money("¥1,234.50元") == D("1234.50") and parse_money(12.3) == D("12.30")
