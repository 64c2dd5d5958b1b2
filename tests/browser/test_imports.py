"""In real Chromium: a large roster upload moves to its job page, whose progress bar htmx polls until
the result shows; a refused file's page links the marked workbook. No CSP violation on the way."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import expect

from imports.models import ImportJob
from members.models import Member
from tests.browser.test_csp import WATCH_VIOLATIONS
from tests.members.test_roster_import import GOOD_MEMBERS, GOOD_UNITS, replace, workbook

pytestmark = pytest.mark.browser


def test_a_large_roster_runs_as_a_job_whose_page_polls_its_progress(
    org, live_server, browser_login, settings, tmp_path, monkeypatch
):
    settings.IMPORT_JOB_ROWS = 3
    # No worker: the job stays queued when asked for, and this test plays the worker below.
    monkeypatch.setattr("imports.jobs.enqueue_on_commit", lambda task, job_id: None)
    page = browser_login(org.committee_user)
    page.add_init_script(WATCH_VIOLATIONS)
    path = tmp_path / "名册.xlsx"
    path.write_bytes(workbook(GOOD_UNITS, GOOD_MEMBERS).getvalue())
    page.goto(f"{live_server.url}{reverse('members:roster_import')}")
    page.set_input_files("#id_file", str(path))
    page.get_by_role("button", name="上传并导入").click()
    job = ImportJob.objects.get()
    page.wait_for_url(f"{live_server.url}{reverse('imports:job', args=[job.pk])}")
    expect(page.locator("#job-box")).to_contain_text("排队中")
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, stage="写入数据", done=2, total=4)
    expect(page.locator("#job-box")).to_contain_text("2 / 4 行", timeout=5000)
    expect(page.locator("#job-box .progress-bar")).to_have_attribute("data-sb-width", "50")
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
    from members.tasks import run_roster_import

    run_roster_import(job.pk)
    expect(page.locator("#job-done")).to_contain_text("党员：新增", timeout=5000)
    assert Member.objects.count() > 1
    assert page.evaluate("window.__cspViolations") == []


def test_a_refused_roster_links_its_marked_workbook(org, live_server, browser_login, tmp_path):
    page = browser_login(org.committee_user)
    path = tmp_path / "名册.xlsx"
    path.write_bytes(workbook(GOOD_UNITS, replace(GOOD_MEMBERS, 1, "出生日期", "1990-02-30")).getvalue())
    page.goto(f"{live_server.url}{reverse('members:roster_import')}")
    page.set_input_files("#id_file", str(path))
    page.get_by_role("button", name="上传并导入").click()
    expect(page.locator("#job-failed")).to_contain_text("未写入任何数据")
    with page.expect_download() as download:
        page.locator("#job-error-file").click()
    marked = load_workbook(BytesIO(download.value.path().read_bytes()))
    assert marked.sheetnames[0] == "错误清单"
    assert "出生日期" in str(marked["错误清单"]["C2"].value)
