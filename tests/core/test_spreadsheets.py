from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from core.spreadsheets import new_workbook, write_sheet


def _roundtrip(rows, **kwargs):
    wb = new_workbook()
    write_sheet(wb, "汇总", ["编码", "名称", "得分", "日期"], rows, **kwargs)
    buffer = BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return load_workbook(buffer)


def test_values_keep_their_types_and_risky_text_stays_text():
    shanghai = ZoneInfo("Asia/Shanghai")
    wb = _roundtrip(
        [
            ["=1+1", "+86 138", Decimal("89.99"), date(2025, 3, 31)],
            ["@SUM(A1)", "-x", 7, datetime(2025, 3, 31, 9, 30, tzinfo=shanghai)],
        ]
    )
    ws = wb["汇总"]
    assert [c.value for c in ws[1]] == ["编码", "名称", "得分", "日期"]
    first = ws[2]
    assert first[0].value == "=1+1" and first[0].data_type == "s" and first[0].quotePrefix
    assert first[1].data_type == "s" and first[1].quotePrefix
    assert first[2].value == 89.99 and first[2].number_format == "0.00"
    assert first[3].value == datetime(2025, 3, 31)
    assert ws[3][0].data_type == "s" and ws[3][1].value == "-x"
    assert ws[3][2].value == 7
    assert ws[3][3].value == datetime(2025, 3, 31, 9, 30)


def test_sheet_is_ready_to_print_with_frozen_header_and_widths():
    ws = _roundtrip([["A", "B", 1, None]], widths=[12, 30, 10, 14], print_title="2025年度考核表")["汇总"]
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["B"].width == 30
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == "9"  # A4
    assert ws.print_title_rows == "$1:$1"
    assert ws.oddHeader.center.text == "2025年度考核表"


def test_progress_callback_counts_rows():
    seen = []
    wb = new_workbook()
    count = write_sheet(wb, "明细", ["a"], ([i] for i in range(1200)), on_row=seen.append)
    wb.save(BytesIO())  # a write-only workbook must be saved to close its streams
    assert count == 1200
    assert seen == [500, 1000]


def test_every_kind_of_value_is_written_as_cell_makes_it():
    """write_sheet's fast path (plain values passed through, one style per number format copied into
    its cells) writes the very bytes that cell() makes one value at a time, for every kind of value."""
    import zipfile

    from core.spreadsheets import Percent, cell

    shanghai = ZoneInfo("Asia/Shanghai")
    rows = [
        ["=1+1", "文字", "-x", "", None, 0, 7, 2.5, True, False],
        [Decimal("89.99"), Decimal("-0.50"), Percent(0.9333), Percent(0), date(2025, 3, 31), datetime(2025, 3, 31, 9)],
        [datetime(2025, 3, 31, 9, 30, tzinfo=shanghai), "\tTab", "@x", "+1", " 空格 ", Decimal("1E+2"), 10**12],
    ]

    def parts(write_rows):
        wb = new_workbook()
        write_rows(wb)
        buffer = BytesIO()
        wb.save(buffer)
        with zipfile.ZipFile(buffer) as saved:
            return saved.read("xl/worksheets/sheet1.xml"), saved.read("xl/styles.xml")

    def one_by_one(wb):
        write_sheet(wb, "表", ["a"], [])
        ws = wb.worksheets[-1]
        for row in rows:
            ws.append([cell(ws, value) for value in row])

    assert parts(lambda wb: write_sheet(wb, "表", ["a"], rows)) == parts(one_by_one)
    sheet = _roundtrip([rows[1][:4]])["汇总"]
    assert [c.number_format for c in sheet[2]] == ["0.00", "0.00", "0.00%", "0.00%"]
