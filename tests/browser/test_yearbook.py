"""In a real browser: the committee clicks 导出年度考核表, watches it finish, and downloads the workbook."""

import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from assessment.services import ratings
from tests.factories import give_scores

LAST_YEAR = timezone.localdate().year - 1


@pytest.mark.browser
def test_committee_exports_the_year_and_downloads_the_workbook(org, live_server, browser_login, tmp_path):
    give_scores(org.branch, year=LAST_YEAR)
    ratings.application_submit(branch=org.branch, year=LAST_YEAR, level=5, by=org.secretary)

    page = browser_login(org.committee_user)
    page.get_by_role("button", name=re.compile("星级评定")).click()
    page.get_by_role("link", name="年度考核表").click()
    expect(page.get_by_text("还没有导出记录")).to_be_visible()
    page.get_by_label("年度").select_option(str(LAST_YEAR))
    page.get_by_role("button", name="导出年度考核表").click()

    # Celery runs in-process here: by the time the page shows, the job has finished.
    expect(page.locator("#export-progress")).to_have_attribute("data-status", "done")
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    with page.expect_download() as info:
        page.get_by_role("link", name="下载年度考核表").click()
    download = info.value
    assert download.suggested_filename == f"{LAST_YEAR}年度考核表.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    wb = load_workbook(path)
    assert wb.sheetnames == ["汇总", "指标明细", "三会一课", "党员评议", "问题整改", "星级历史"]
    summary = {row[0]: row for row in wb["汇总"].iter_rows(min_row=2, values_only=True)}
    assert set(summary) == {"ZB1", "ZB9"}
    assert summary["ZB1"][3] == 5 and summary["ZB1"][11] == "未生成"
    assert wb["指标明细"].max_row == 1 + 2 * 29
