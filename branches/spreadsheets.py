"""Writing .xlsx files the same way everywhere: streamed, safe to open, ready to print.

Every export of the app goes through `write_sheet`, so each one gets a frozen header row, column
widths, A4 landscape print setup and formula escaping without thinking about it.
"""

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

# A text cell starting with one of these is a formula to Excel (DDE / formula injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DECIMAL_FORMAT = "0.00"
PERCENT_FORMAT = "0.00%"
PAPER_A4 = "9"  # the OOXML paper-size code for A4


class Percent(float):
    """A rate (0.9333) that a sheet shows as a percentage (93.33%) and keeps as a number."""


def new_workbook() -> Workbook:
    """A write-only workbook: rows go to disk as they are written, so memory stays flat."""
    return Workbook(write_only=True)


def cell(ws, value):
    """One cell, typed for Excel: numbers as numbers, dates as dates, risky text as plain text.

    Values that need no format go back as they are: openpyxl writes a plain value through one reused
    cell, whereas a cell object costs a new object and a caught exception each (5× slower in bulk).
    """
    if value is None or type(value) in (int, float, bool):
        return value
    if type(value) is str and not value.startswith(FORMULA_PREFIXES):
        return value
    if isinstance(value, Percent):
        out = WriteOnlyCell(ws, float(value))
        out.number_format = PERCENT_FORMAT
        return out
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        out = WriteOnlyCell(ws, value)
        out.number_format = DATETIME_FORMAT
        return out
    if isinstance(value, date):
        out = WriteOnlyCell(ws, value)
        out.number_format = DATE_FORMAT
        return out
    if isinstance(value, Decimal):
        out = WriteOnlyCell(ws, float(value))
        out.number_format = DECIMAL_FORMAT
        return out
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        out = WriteOnlyCell(ws, value)
        # Stored as a string with Excel's quote prefix: shown as typed, never evaluated.
        out.data_type = "s"
        out.quotePrefix = True
        return out
    return WriteOnlyCell(ws, value)


def write_sheet(
    wb: Workbook,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    *,
    widths: Sequence[float] | None = None,
    print_title: str | None = None,
    on_row=None,
) -> int:
    """Stream `rows` into a new sheet under one frozen header row. Returns the number of rows.

    `on_row(n)` is called every 500 rows, for progress reporting.
    """
    ws = wb.create_sheet(title=title)
    ws.freeze_panes = "A2"
    for index, width in enumerate(widths or [max(10, len(h) * 2.2 + 2) for h in headers], start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = PAPER_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.oddHeader.center.text = print_title or title
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    header_cells = []
    for text in headers:
        head = WriteOnlyCell(ws, text)
        head.font, head.fill, head.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGNMENT
        header_cells.append(head)
    ws.append(header_cells)
    count = 0
    for row in rows:
        ws.append([cell(ws, value) for value in row])
        count += 1
        if on_row is not None and count % 500 == 0:
            on_row(count)
    return count
