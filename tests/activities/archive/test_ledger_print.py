"""The ledger export prints readably: long text wraps, rows grow to fit, and every page is headed by the
unit and the period above the repeated column headers."""

import io
from datetime import date

from django.urls import reverse
from openpyxl import load_workbook

from activities.models import Meeting
from core.spreadsheets import text_lines
from tests.factories import log_meeting


def test_text_lines_counts_chinese_as_two_and_paragraphs_apart():
    assert text_lines("", 10) == 1
    assert text_lines("abc", 10) == 1
    assert text_lines("中" * 9, 10) == 2  # 18 wide in 9
    assert text_lines("一\n二\n三", 60) == 3


def test_the_exported_ledger_wraps_long_text_and_heads_each_page_with_unit_and_period(org, login):
    minutes = "会议传达学习了上级精神，与会党员结合审判执行工作逐一发言。" * 12
    log_meeting(org.branch, Meeting.Kind.GENERAL_MEETING, date(2025, 3, 6), topic="一季度党员大会", minutes=minutes)
    log_meeting(org.branch, Meeting.Kind.THEME_DAY, date(2025, 5, 6), topic="短会", minutes="短")
    response = login(org.secretary).get(
        reverse("activities:ledger_export", args=[org.branch.pk]), {"year": 2025, "quarter": 1}
    )
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    ws = book.active
    assert ws.max_row == 2  # the header and the first quarter's one record
    assert "刑事审判庭党支部" in ws.oddHeader.center.text and "2025年第1季度" in ws.oddHeader.center.text
    assert ws.print_title_rows == "$1:$1"  # the column headers repeat on every page
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    minutes_cell = ws.cell(row=2, column=9)
    assert minutes_cell.value == minutes and minutes_cell.alignment.wrap_text
    assert ws.row_dimensions[2].height >= 14.5 * 10  # about 870 wide in a 60-wide column: 15 lines

    whole_year = login(org.secretary).get(reverse("activities:ledger_export", args=[org.branch.pk]), {"year": 2025})
    ws = load_workbook(io.BytesIO(b"".join(whole_year.streaming_content))).active
    assert ws.oddHeader.center.text.endswith("2025年") and ws.max_row == 3
    # Newest first: the short May meeting's row keeps the default height, March's grows.
    assert ws.cell(row=2, column=8).value == "短会" and ws.row_dimensions[2].height is None
    assert ws.row_dimensions[3].height >= 14.5 * 10
