"""Bounded imports (core/uploads.py): every spreadsheet import, in the browser and on the command
line, refuses a decompression bomb, an oversize file or too many rows in seconds, with bounded
memory, before parsing it; every other upload is capped by the request size."""

from __future__ import annotations

import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from activities import ledger_io
from activities.models import Meeting
from assessment import score_io
from core.uploads import UploadRefused, bounded_rows, inspect_xlsx
from dues import imports as dues_imports
from members import roster_import
from members.models import Member
from recruitment import recruit_io
from recruitment.models import Recruit
from tests.bombs import MB, bloated_shared_strings, bloated_sheet, sheet_part, without_dimension, xlsx_with

# Each import: the sheet it reads first, and a call returning its error messages.


def _roster(path):
    with open(path, "rb") as handle:
        return [str(e) for e in roster_import.roster_import(file=handle).errors]


def _ledger(path):
    with open(path, "rb") as handle:
        return [str(e) for e in ledger_io.read_ledger(handle)[1]]


def _scores(path):
    try:
        score_io.import_scores(path, by=None)
    except score_io.ImportFailed as exc:
        return [str(e) for e in exc.errors]
    return []


def _dues(path):
    with open(path, "rb") as handle:
        return [str(e) for e in dues_imports.dues_import(file=handle).errors]


def _recruits(path):
    with open(path, "rb") as handle:
        return [str(e) for e in recruit_io.recruit_import(file=handle).errors]


IMPORTS = {
    "roster": ("党员", _roster, "import_roster"),
    "ledger": ("会议", _ledger, "import_ledger"),
    "scores": ("评分", _scores, "import_scores"),
    "dues": ("基数", _dues, "import_dues"),
    "recruits": ("发展党员", _recruits, "import_recruits"),
}
ALL_SHEETS = {"组织": [["编码"]], "党员": [["姓名"]], "会议": [["单位编码"]], "评分": [["支部编码"]],
              "基数": [["身份证号"]], "发展党员": [["姓名"]]}  # fmt: skip


@pytest.fixture(scope="module")
def bombs(tmp_path_factory) -> dict[str, Path]:
    """Per import: a 2.5 MB-class .xlsx whose first sheet read expands to 300 MB."""
    folder = tmp_path_factory.mktemp("bombs")
    return {
        key: xlsx_with(folder / f"{key}.xlsx", ALL_SHEETS, replace={sheet_part(ALL_SHEETS, sheet): bloated_sheet(300)})
        for key, (sheet, _call, _command) in IMPORTS.items()
    }


def _measured(call):
    tracemalloc.start()
    started = time.monotonic()
    try:
        result = call()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return result, time.monotonic() - started, peak


def test_the_bomb_is_small_on_disk_and_huge_inside(bombs):
    path = bombs["ledger"]
    assert path.stat().st_size < 3 * MB
    shape_sizes = zipfile.ZipFile(path).infolist()
    assert sum(info.file_size for info in shape_sizes) >= 299 * MB


@pytest.mark.django_db
@pytest.mark.parametrize("key", list(IMPORTS))
def test_each_import_refuses_a_decompression_bomb_in_seconds_with_bounded_memory(org, bombs, key):
    _sheet, call, _command = IMPORTS[key]
    errors, seconds, peak = _measured(lambda: call(bombs[key]))
    assert len(errors) == 1
    assert "疑似压缩炸弹" in errors[0] and "300 MB" in errors[0] and "150 倍" in errors[0]
    assert seconds < 3
    assert peak < 20 * MB
    assert not Member.objects.exclude(pk=org.member.pk).exists()
    assert not Meeting.objects.exists() and not Recruit.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("key", list(IMPORTS))
def test_each_command_line_import_obeys_the_same_limits(org, bombs, key, capsys):
    _sheet, _call, command = IMPORTS[key]
    started = time.monotonic()
    with pytest.raises(CommandError) as exc:
        call_command(command, str(bombs[key]))
    assert time.monotonic() - started < 3
    assert "疑似压缩炸弹" in str(exc.value) + capsys.readouterr().err


@pytest.mark.django_db
def test_a_huge_shared_strings_part_is_refused_by_its_own_limit(org, tmp_path, settings):
    settings.IMPORT_MAX_COMPRESSION_RATIO = 10_000  # so the shared-strings limit is the one that speaks
    path = xlsx_with(tmp_path / "sst.xlsx", ALL_SHEETS, shared_strings=bloated_shared_strings(120))
    errors, seconds, peak = _measured(lambda: _roster(path))
    assert errors == ["文件中的共享文本（sharedStrings）解压后为 120 MB，超过了 50 MB 的上限"]
    assert seconds < 3 and peak < 20 * MB


@pytest.mark.django_db
def test_total_uncompressed_size_is_limited(org, tmp_path, settings):
    settings.IMPORT_MAX_COMPRESSION_RATIO = 10_000
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 50 * MB
    path = xlsx_with(tmp_path / "big.xlsx", ALL_SHEETS, replace={sheet_part(ALL_SHEETS, "会议"): bloated_sheet(60)})
    errors = _ledger(path)
    assert len(errors) == 1 and errors[0].startswith("文件解压后共 60 MB，超过了 50 MB 的上限")


@pytest.mark.django_db
def test_a_sheet_declaring_too_many_rows_is_refused_before_reading(org, tmp_path):
    path = xlsx_with(
        tmp_path / "rows.xlsx",
        ALL_SHEETS,
        replace={sheet_part(ALL_SHEETS, "会议"): bloated_sheet(1, dimension="A1:K600001")},
    )
    assert _ledger(path) == ["工作表“会议”有 600,001 行，超过了每张工作表 50,000 行的上限；请拆分后分批导入"]


@pytest.mark.django_db
def test_rows_past_the_limit_are_refused_while_reading_when_the_sheet_does_not_say(org, tmp_path, settings):
    settings.IMPORT_MAX_ROWS = 5
    sheets = {
        "会议": [["单位编码", "类型", "日期", "主题"]]
        + [["ZB1", "党员大会", f"2025-01-0{d}", "x"] for d in range(1, 9)]
    }
    path = xlsx_with(tmp_path / "rows.xlsx", sheets, rewrite={sheet_part(sheets, "会议"): without_dimension})
    assert inspect_xlsx(path).sheets[0].rows is None
    assert _ledger(path) == ["工作表“会议”超过了每张工作表 5 行的上限；请拆分后分批导入"]


def test_bounded_rows_counts_the_header_and_reports_progress(settings):
    settings.IMPORT_MAX_ROWS = 1000
    seen = []
    assert len(list(bounded_rows(iter([()] * 1001), sheet="表", on_row=seen.append))) == 1001
    assert seen == [500, 1000]
    with pytest.raises(UploadRefused, match="1,000 行"):
        list(bounded_rows(iter([()] * 1002), sheet="表"))


@pytest.mark.django_db
def test_an_oversize_file_is_refused_by_the_import_forms_and_the_commands(org, login, tmp_path, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1 * MB
    big = SimpleUploadedFile("big.xlsx", b"PK" + b"\0" * (2 * MB))
    client = login(org.committee_user)
    for url in (
        reverse("activities:import"),
        reverse("assessment:import"),
        reverse("members:roster_import"),
        reverse("recruitment:import"),
    ):
        big.seek(0)
        response = client.post(url, {"file": big})
        assert response.status_code == 200, url
        assert "文件大小为 2.0 MB，超过了 1.0 MB 的上限" in response.content.decode(), url
    path = tmp_path / "big.xlsx"
    path.write_bytes(b"PK" + b"\0" * (2 * MB))
    with pytest.raises(CommandError):
        call_command("import_ledger", str(path))


@pytest.mark.django_db
def test_a_request_larger_than_any_upload_is_refused_before_it_is_read(org, login, settings):
    settings.REQUEST_MAX_BYTES = 1 * MB
    client = login(org.secretary)
    response = client.post(reverse("activities:import"), {"file": SimpleUploadedFile("big.xlsx", b"\0" * (2 * MB))})
    assert response.status_code == 413
    assert "超过了 1 MB 的上限" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("key", "url"),
    [
        ("roster", "members:roster_import"),
        ("ledger", "activities:import"),
        ("scores", "assessment:import"),
        ("recruits", "recruitment:import"),
    ],
)
def test_each_upload_page_refuses_a_bomb_in_seconds_and_says_why(org, login, bombs, key, url):
    client = login(org.committee_user)
    started = time.monotonic()
    response = client.post(reverse(url), {"file": SimpleUploadedFile("炸弹.xlsx", bombs[key].read_bytes())})
    assert time.monotonic() - started < 3
    html = response.content.decode()
    assert response.status_code == 200 and "疑似压缩炸弹，已拒绝" in html and "文件中有1处错误" in html
    assert not Member.objects.exclude(pk=org.member.pk).exists()


@pytest.mark.django_db
def test_the_dues_upload_refuses_a_bomb_on_its_job_page(org, login, bombs, django_capture_on_commit_callbacks):
    client = login(org.committee_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("dues:import"), {"file": SimpleUploadedFile("炸弹.xlsx", bombs["dues"].read_bytes())}
        )
    assert "疑似压缩炸弹，已拒绝" in client.get(response.url).content.decode()


@pytest.mark.django_db
def test_a_zip_of_very_many_parts_is_refused_before_zipfile_reads_its_directory(org, tmp_path, monkeypatch):
    path = tmp_path / "parts.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for n in range(3000):
            archive.writestr(f"x/{n}", b"")

    def not_opened(*args, **kwargs):
        raise AssertionError("the zip's directory was read")

    monkeypatch.setattr("core.uploads.zipfile.ZipFile", not_opened)
    errors, seconds, peak = _measured(lambda: _ledger(path))
    assert errors == ["文件包含 3,000 个部件，超过了 1,000 个的上限，不像是正常的Excel工作簿"]
    assert peak < 2 * MB


@pytest.mark.django_db
def test_the_413_page_carries_the_security_headers(client, settings):
    settings.REQUEST_MAX_BYTES = 1 * MB
    response = client.post(reverse("login"), {"file": SimpleUploadedFile("big.bin", b"\0" * (2 * MB))})
    assert response.status_code == 413
    assert "script-src 'self'" in response["Content-Security-Policy"]
