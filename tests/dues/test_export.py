"""export_dues: the sheets 党费台账 and 汇总 with the issue's columns, numbers stored as numbers."""

import time
from datetime import date
from decimal import Decimal as D
from io import BytesIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from config.celery import app as celery_app
from dues import exports, jobs
from dues.models import DuesJob
from dues.services import remittance_create
from tests.factories import make_member, pay_dues, set_dues_base

from .conftest import TODAY, YEAR

LEDGER_HEADERS = [
    "支部编码",
    "支部名称",
    "姓名",
    "类别",
    "计算基数",
    "比例",
    "月应交",
    *[f"{m}月" for m in range(1, 13)],
    "全年应交",
    "全年实交",
    "欠交金额",
    "连续未交月数",
]
SUMMARY_HEADERS = ["支部编码", "支部名称", "党员数", "全年应交", "全年实交", "按时交纳率", "已上缴", "待上缴"]


def read(out):
    book = load_workbook(out)
    return book, {name: [list(row) for row in book[name].iter_rows(values_only=True)] for name in book.sheetnames}


@pytest.fixture
def exported(dues_org):
    remittance_create(
        branch=dues_org.org.branch,
        year=YEAR,
        first_month=1,
        last_month=6,
        amount=D("800.00"),
        remitted_on=date(2025, 7, 10),
        by=None,
        today=TODAY,
    )
    out = BytesIO()
    exports.workbook_write(year=YEAR, out=out, today=TODAY)
    out.seek(0)
    return read(out)


def test_the_sheets_and_their_columns(exported):
    book, sheets = exported
    assert book.sheetnames == ["党费台账", "汇总"]
    assert sheets["党费台账"][0] == LEDGER_HEADERS
    assert sheets["汇总"][0] == SUMMARY_HEADERS


def test_ledger_rows_by_hand(exported):
    book, sheets = exported
    rows = {(r[0], r[2]): r for r in sheets["党费台账"][1:]}
    late = rows[("ZB1", "迟交")]
    assert late[:7] == ["ZB1", "刑事审判庭党支部", "迟交", "在职", 4000, 0.01, 40]
    assert late[7:19] == [40, 40, 30, *[40] * 9]
    assert late[19:] == [480, 470, 10, 0]
    lapsed = rows[("ZB1", "欠费")]
    assert lapsed[3:7] == ["离退休", 5000, 0.005, 25]
    assert lapsed[7:19] == [25] * 6 + [None] * 6  # blank where nothing was paid
    assert lapsed[19:] == [300, 150, 150, 6]
    newcomer = rows[("ZB1", "新党员")]
    assert newcomer[3:7] == ["学生", None, None, 0.2]  # no base, no rate for a student
    assert newcomer[7:15] == [None] * 8 and newcomer[15:17] == [0.2, 0.2]
    # A transferred member has a row in each branch, with that branch's months.
    assert rows[("ZB1", "调动")][7:19] == [15] * 6 + [None] * 6
    assert rows[("ZB9", "调动")][7:19] == [None] * 6 + [15] * 6
    # Formats: money with two decimals, the rate as a percentage.
    sheet = book["党费台账"]
    assert sheet["E2"].number_format == "0.00" and sheet["F2"].number_format == "0.00%"
    assert sheet["H2"].number_format == "0.00" and sheet["T2"].number_format == "0.00"


def test_summary_rows_by_hand(exported):
    book, sheets = exported
    rows = {r[0]: r for r in sheets["汇总"][1:]}
    paid = 1080 + 470 + 90 + 0.4 + 150
    zb1 = rows["ZB1"]
    assert zb1[:5] == ["ZB1", "刑事审判庭党支部", 5, pytest.approx(1080 + 480 + 90 + 0.8 + 300), pytest.approx(paid)]
    assert zb1[5] == pytest.approx(36 / 46)
    assert zb1[6:] == [800, pytest.approx(paid - 800)]
    assert rows["ZB9"][2:] == [1, 90, 90, 1, 0, 90]
    assert book["汇总"]["F2"].number_format == "0.00%" and book["汇总"]["D2"].number_format == "0.00"


def test_a_name_that_looks_like_a_formula_stays_text(dues_org):
    member = make_member(dues_org.org.branch, name="=HYPERLINK(1)")
    set_dues_base(member, YEAR, "5000")
    pay_dues(member, YEAR, 1, "50")
    out = BytesIO()
    exports.workbook_write(year=YEAR, out=out, today=TODAY)
    out.seek(0)
    sheet = load_workbook(out)["党费台账"]
    cell = next(row[2] for row in sheet.iter_rows(min_row=2) if row[2].value == "=HYPERLINK(1)")
    assert cell.data_type == "s" and cell.quotePrefix


def test_the_command_with_and_without_a_unit(dues_org, tmp_path, capsys):
    out = tmp_path / "dues.xlsx"
    call_command("export_dues", "--year", str(YEAR), "--out", str(out))
    assert "已导出2025年度党费台账：6行，汇总2个党支部" in capsys.readouterr().out
    call_command("export_dues", "--year", str(YEAR), "--out", str(out), "--unit", "ZB9")
    _book, sheets = read(out)
    assert [r[0] for r in sheets["党费台账"][1:]] == ["ZB9"] and len(sheets["汇总"]) == 2
    with pytest.raises(CommandError, match="没有编码为“NOPE”的党组织"):
        call_command("export_dues", "--year", str(YEAR), "--out", str(out), "--unit", "NOPE")


def test_the_browser_export_is_a_job_with_a_download(dues_org, login, django_capture_on_commit_callbacks):
    client = login(dues_org.org.secretary)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dues:export"), {"year": YEAR, "unit": dues_org.org.branch.pk})
    job = DuesJob.objects.get()
    assert response.url == reverse("dues:job", args=[job.pk])
    page = client.get(response.url).content.decode()
    assert "党费台账5行，汇总1个党支部" in page and reverse("dues:job_download", args=[job.pk]) in page
    download = client.get(reverse("dues:job_download", args=[job.pk]))
    _book, sheets = read(BytesIO(b"".join(download.streaming_content)))
    assert {r[0] for r in sheets["党费台账"][1:]} == {"ZB1"}
    # A secretary cannot export the whole organisation or another branch.
    client.post(reverse("dues:export"), {"year": YEAR, "unit": dues_org.org.other_branch.pk})
    client.post(reverse("dues:export"), {"year": YEAR, "unit": ""})
    assert DuesJob.objects.count() == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_builds_the_export_sent_through_redis(org, live_worker):
    assert "dues.tasks.run_job" in celery_app.tasks
    job = jobs.export_request(user=org.committee_user, year=YEAR, today=TODAY)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.is_running:
            break
        time.sleep(0.2)
    assert job.status == DuesJob.Status.DONE, job.message
    assert load_workbook(job.file.path).sheetnames == ["党费台账", "汇总"]
