"""Import jobs (imports/): the first errors on the page with the total, the whole list as the user's
workbook marked row by row, a large import as a background job with progress, all or nothing."""

from __future__ import annotations

import re
import time
from io import BytesIO
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from activities import ledger_io
from activities.models import Meeting
from config.celery import app as celery_app
from core.spreadsheets import ERROR_COLUMN, ERROR_SHEET, RowError, write_marked_workbook
from core.uploads import open_workbook
from imports import jobs
from imports.models import ImportJob

HEADER = ledger_io.IMPORT_COLUMNS


def ledger_file(rows, name="台账.xlsx") -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.title = "会议"
    sheet.append(HEADER)
    for values in rows:
        sheet.append(values)
    out = BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def meeting(day: int, *, code="ZB1", topic=None, kind="主题党日"):
    values = {"单位编码": code, "类型": kind, "日期": f"2024-03-{day:02d}", "主题": topic or f"第{day}次主题党日"}
    return [values.get(column, "") for column in HEADER]


def many(count: int, *, bad_at: set[int] = frozenset()):
    """`count` meetings on distinct days (and topics); those numbered in `bad_at` name no unit."""
    rows = []
    for n in range(count):
        day = 1 + n % 28
        rows.append(meeting(day, code="NOPE" if n in bad_at else "ZB1", topic=f"学习{n}"))
    return rows


# --- the marked workbook, on plain data -------------------------------------------------------


def test_the_marked_workbook_fills_and_explains_each_bad_row(tmp_path):
    source = ledger_file([meeting(1), meeting(2, code="NOPE"), meeting(3)])
    errors = [
        RowError("会议", 3, "单位编码", "编码“NOPE”的党支部或党小组不存在"),
        RowError("会议", 3, "", "与第2行重复"),
        RowError("会议", None, "", "工作表中没有会议记录"),
    ]
    out = BytesIO()
    assert write_marked_workbook(BytesIO(source.read()), errors, out, open_workbook=open_workbook) == 3
    book = load_workbook(BytesIO(out.getvalue()))
    assert book.sheetnames == [ERROR_SHEET, "会议"]
    listed = [[c.value for c in row] for row in book[ERROR_SHEET].iter_rows(min_row=2)]
    assert listed[0] == ["会议", 3, "单位编码", "编码“NOPE”的党支部或党小组不存在"]
    assert len(listed) == 3
    sheet = book["会议"]
    width = len(HEADER)
    assert sheet.cell(1, width + 1).value == ERROR_COLUMN
    assert sheet.cell(3, width + 1).value == "单位编码：编码“NOPE”的党支部或党小组不存在；与第2行重复"
    bad_cell = sheet.cell(3, HEADER.index("单位编码") + 1)
    assert bad_cell.value == "NOPE" and bad_cell.fill.fgColor.rgb.endswith("F4B6B0")
    assert bad_cell.comment is not None and "不存在" in bad_cell.comment.text
    assert sheet.cell(3, HEADER.index("主题") + 1).fill.fgColor.rgb.endswith("FDE9E7")
    assert sheet.cell(2, 1).fill.fill_type is None and sheet.cell(2, width + 1).value is None
    # Past the rows filled cell by cell, a conditional format fills every row that has a 错误说明.
    (rule_range,) = list(sheet.conditional_formatting)
    note = get_column_letter(width + 1)
    assert str(rule_range.sqref) == f"A2:{note}4" and rule_range.rules[0].formula == [f'${note}2<>""']
    # The marked file uploaded again is marked again, without a second 错误说明 column.
    again = BytesIO()
    write_marked_workbook(BytesIO(out.getvalue()), errors[:1], again, open_workbook=open_workbook)
    sheet = load_workbook(BytesIO(again.getvalue()))["会议"]
    assert [c.value for c in sheet[1]].count(ERROR_COLUMN) == 1


# --- in the request: the first errors, the total, the download --------------------------------


@pytest.mark.django_db
def test_the_page_lists_the_first_errors_with_the_total_and_offers_the_marked_workbook(org, login, settings):
    settings.IMPORT_ERRORS_SHOWN = 50
    client = login(org.secretary)
    response = client.post(reverse("activities:import"), {"file": ledger_file(many(80, bad_at=set(range(20, 80))))})
    html = response.content.decode()
    assert response.status_code == 200
    assert "文件中有60处错误，未写入任何数据" in html
    assert "下表列出前 50 处（共 60 处）" in html
    table = html.split('id="import-errors"', 1)[1].split("</table>", 1)[0]
    assert len(re.findall(r"<tr>", table)) == 51  # the header and 50 errors
    assert not Meeting.objects.exists()
    job = ImportJob.objects.get()
    assert job.error_count == 60 and len(job.errors) == 50 and not job.upload
    link = reverse("imports:errors", args=[job.pk])
    assert link in html
    download = client.get(link)
    assert download.status_code == 200 and quote("台账-错误标注.xlsx") in download["Content-Disposition"]
    book = load_workbook(BytesIO(b"".join(download.streaming_content)))
    assert book[ERROR_SHEET].max_row == 61  # every error, not only those on the page
    marked = [r for r in book["会议"].iter_rows(min_row=2) if r[len(HEADER)].value]
    assert len(marked) == 60
    # The upload page lists the uploader's recent imports, so a job left running is found again.
    job_link = reverse("imports:job", args=[job.pk])
    assert job_link in client.get(reverse("activities:import")).content.decode()
    # The file and its errors are the uploader's alone.
    assert job_link not in login(org.outsider).get(reverse("activities:import")).content.decode()
    assert login(org.outsider).get(link).status_code == 404
    assert login(org.outsider).get(reverse("imports:job", args=[job.pk])).status_code == 404


# --- large imports: a job with progress, all or nothing ---------------------------------------


@pytest.mark.django_db
def test_a_large_import_runs_as_a_job_and_its_page_shows_progress_then_the_result(
    org, login, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_JOB_ROWS = 10
    client = login(org.secretary)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(reverse("activities:import"), {"file": ledger_file(many(25))})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("imports:job", args=[job.pk])
    assert job.status == ImportJob.Status.QUEUED and job.total == 26 and len(queued) == 1
    page = client.get(response["Location"]).content.decode()
    assert "排队中" in page and f'hx-get="{reverse("imports:job_progress", args=[job.pk])}"' in page
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, stage="检查文件", done=13)
    box = client.get(reverse("imports:job_progress", args=[job.pk])).content.decode()
    assert 'data-sb-width="50"' in box and "13 / 26 行" in box and "hx-trigger" in box
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
    queued[0]()  # the worker's turn (in-process: tasks are eager in the tests)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.message
    assert job.message == "已导入 25 条会议记录（其中补录 25 条）"
    assert Meeting.objects.count() == 25 and not job.upload
    box = client.get(reverse("imports:job_progress", args=[job.pk])).content.decode()
    assert "已导入 25 条会议记录" in box and "hx-trigger" not in box


@pytest.mark.django_db
def test_progress_counts_rows_across_sheets_then_the_writes_inside_the_transaction(org, login, monkeypatch):
    monkeypatch.setattr(jobs, "PROGRESS_INTERVAL", 0)
    job = ImportJob.objects.create(
        kind=ImportJob.Kind.ROSTER,
        requested_by=org.committee_user,
        status=ImportJob.Status.RUNNING,
        stage="检查文件",
        total=2000,
    )
    progress = jobs.Progress(job)
    for count in (500, 1000, 500):  # 组织 reaches 1000 rows, then 党员 starts again from 1
        progress.rows(count)
    assert jobs.live(ImportJob.objects.get(pk=job.pk)).done == 1500
    progress.stage("写入数据")
    with transaction.atomic():  # the import's own transaction: the job's row would not show the writes
        progress.written(600, 1500)
        box = login(org.committee_user).get(reverse("imports:job_progress", args=[job.pk])).content.decode()
    assert "写入数据" in box and "600 / 1500 行" in box and 'data-sb-width="40"' in box


@pytest.mark.django_db
def test_a_large_import_with_one_bad_row_writes_nothing_and_marks_the_row(
    org, login, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_JOB_ROWS = 10
    client = login(org.secretary)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("activities:import"), {"file": ledger_file(many(30, bad_at={28}))})
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("imports:job", args=[job.pk])
    assert job.status == ImportJob.Status.FAILED and job.error_count == 1
    assert job.errors[0]["row"] == 30 and job.errors[0]["column"] == "单位编码"
    assert not Meeting.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "文件中有1处错误，未写入任何数据" in page and reverse("imports:errors", args=[job.pk]) in page


@pytest.mark.django_db
def test_a_failure_in_the_middle_of_writing_keeps_nothing(
    org, login, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.IMPORT_JOB_ROWS = 10
    from activities import services

    real, calls = services._replace_attendance, []

    def failing(meeting, attendance):
        calls.append(meeting.pk)
        if len(calls) == 20:
            raise RuntimeError("disk full")
        return real(meeting, attendance)

    monkeypatch.setattr(services, "_replace_attendance", failing)
    client = login(org.secretary)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("activities:import"), {"file": ledger_file(many(25))})
    job = ImportJob.objects.get()
    assert len(calls) == 20
    assert job.status == ImportJob.Status.FAILED and "未导入任何数据" in job.message
    assert not Meeting.objects.exists()  # the 19 written before the failure were rolled back


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_imports_a_large_roster_sent_through_redis(org, live_worker, settings):
    """The job goes through Redis to a worker thread; its progress is read while it runs."""
    from members.tasks import run_roster_import
    from tests.members.test_roster_import import GOOD_MEMBERS, GOOD_UNITS, workbook

    assert "members.tasks.run_roster_import" in celery_app.tasks
    settings.IMPORT_JOB_ROWS = 3
    upload = workbook(GOOD_UNITS, GOOD_MEMBERS)
    upload.name = "名册.xlsx"
    job = jobs.import_request(
        kind=ImportJob.Kind.ROSTER, user=org.committee_user, upload=upload, task=run_roster_import
    )
    assert job.is_running
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.is_running:
            break
        time.sleep(0.2)
    assert job.status == ImportJob.Status.DONE, job.message
    assert "党员：新增" in job.message and job.percent == 100


def test_past_max_marked_rows_are_explained_and_left_to_the_conditional_format(monkeypatch):
    import core.spreadsheets as spreadsheets

    monkeypatch.setattr(spreadsheets, "MAX_MARKED", 1)
    source = ledger_file([meeting(1, code="NOPE"), meeting(2, code="NOPE")])
    errors = [RowError("会议", row, "单位编码", "不存在") for row in (2, 3)]
    out = BytesIO()
    write_marked_workbook(BytesIO(source.read()), errors, out, open_workbook=open_workbook)
    sheet = load_workbook(BytesIO(out.getvalue()))["会议"]
    column = HEADER.index("单位编码") + 1
    assert sheet.cell(2, column).comment is not None and sheet.cell(2, column).fill.fill_type == "solid"
    assert sheet.cell(3, column).comment is None and sheet.cell(3, column).fill.fill_type is None
    assert sheet.cell(3, len(HEADER) + 1).value == "单位编码：不存在"


@pytest.mark.django_db
def test_an_import_whose_worker_went_silent_is_failed_by_the_sweep(org, settings):
    from datetime import timedelta

    from django.utils import timezone

    from core.tasks import stale_jobs_fail

    settings.JOB_STALE_SECONDS = 180
    now = timezone.now()
    silent, beating = (
        ImportJob.objects.create(
            kind=ImportJob.Kind.ROSTER,
            requested_by=org.committee_user,
            status=ImportJob.Status.RUNNING,
            heartbeat_at=now - timedelta(seconds=seconds),
        )
        for seconds in (181, 30)
    )
    stale_jobs_fail(now=now)
    silent.refresh_from_db()
    beating.refresh_from_db()
    assert silent.status == ImportJob.Status.FAILED and "未导入任何数据" in silent.message
    assert beating.status == ImportJob.Status.RUNNING
    from members.tasks import run_roster_import

    run_roster_import.heartbeat(beating.pk)
    assert ImportJob.objects.get(pk=beating.pk).heartbeat_at > beating.heartbeat_at
