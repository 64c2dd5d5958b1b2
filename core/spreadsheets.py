"""Reading and writing .xlsx files the same way everywhere.

Every export goes through `write_sheet`, so each one gets a frozen header row, column widths, A4
landscape print setup and formula escaping without thinking about it. Every import reads its cells
with the parse_* functions here, so a date is a date whether it came from a roster or a ledger.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING

from django.utils import timezone

from .dates import year_is_sensible

if TYPE_CHECKING:
    from openpyxl import Workbook

# openpyxl (with lxml and Pillow, about 12 MB) is imported inside the functions that write or read a
# workbook, not here: this module's parsing helpers and constants are imported by views all over the
# URL configuration, and every web process and worker would otherwise load it at start.

# A text cell starting with one of these is a formula to Excel (DDE / formula injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DECIMAL_FORMAT = "0.00"
PERCENT_FORMAT = "0.00%"
PAPER_A4 = "9"  # the OOXML paper-size code for A4
LINE_POINTS = 14.5  # one line of the default 11 pt font
MAX_ROW_POINTS = 409  # Excel's highest row


class Percent(float):
    """A rate (0.9333) that a sheet shows as a percentage (93.33%) and keeps as a number."""


class _Styles:
    """The fonts, fills and alignments of the sheets, made once openpyxl is loaded."""

    def __init__(self):
        from openpyxl.styles import Alignment, Font, PatternFill

        self.header_font = Font(bold=True)
        self.header_fill = PatternFill("solid", fgColor="F2DCDB")
        self.header_alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        # Long text that wraps on paper: aligned to the top, its row as tall as its lines (Excel does
        # not grow a row written with the file; it keeps the height it finds).
        self.wrap_alignment = Alignment(wrap_text=True, vertical="top")
        self.bad_row_fill = PatternFill("solid", fgColor="FDE9E7")
        self.bad_cell_fill = PatternFill("solid", fgColor="F4B6B0")
        self.error_font = Font(color="9C0006")


@cache
def _styles() -> _Styles:
    return _Styles()


def new_workbook() -> "Workbook":
    """A write-only workbook: rows go to disk as they are written, so memory stays flat."""
    from openpyxl import Workbook

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
    from openpyxl.cell import WriteOnlyCell

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


_PLAIN_TYPES = frozenset({type(None), int, float, bool})


def _cell_maker(ws):
    """cell(ws, value) for the values that need a cell object, faster for the common kinds.

    Each number format's style is made once per sheet and copied into its cells: setting
    `number_format` on every cell looks the format up in the workbook each time. The cells are the
    same as cell()'s (same value, same style), so the file is byte for byte the same.
    """
    from openpyxl.cell import Cell, WriteOnlyCell

    def style_of(number_format: str):
        template = WriteOnlyCell(ws)
        template.number_format = number_format
        return template._style

    percent, decimal, day = style_of(PERCENT_FORMAT), style_of(DECIMAL_FORMAT), style_of(DATE_FORMAT)
    makers = {
        Percent: lambda value: Cell(ws, 1, 1, float(value), percent),
        Decimal: lambda value: Cell(ws, 1, 1, float(value), decimal),
        date: lambda value: Cell(ws, 1, 1, value, day),
    }

    def make(value):
        maker = makers.get(type(value))
        return maker(value) if maker is not None else cell(ws, value)

    return make


def text_lines(text: str, width: float) -> int:
    """How many lines `text` takes in a column `width` characters wide (a Chinese character counts two)."""
    lines = 0
    for paragraph in text.split("\n"):
        size = sum(2 if ord(ch) > 0x2E7F else 1 for ch in paragraph)
        lines += max(1, -(-size // max(1, int(width) - 1)))
    return lines


def write_sheet(
    wb: "Workbook",
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    *,
    widths: Sequence[float] | None = None,
    print_title: str | None = None,
    on_row=None,
    wrap: Sequence[int] = (),
) -> int:
    """Stream `rows` into a new sheet under one frozen header row. Returns the number of rows.

    `on_row(n)` is called every 500 rows, for progress reporting. Text in the `wrap` columns (0-based)
    wraps, and each row is made tall enough for its longest wrapped cell.
    """
    from openpyxl.cell import Cell, WriteOnlyCell
    from openpyxl.utils import get_column_letter

    styles = _styles()
    ws = wb.create_sheet(title=title)
    ws.freeze_panes = "A2"
    widths = widths or [max(10, len(h) * 2.2 + 2) for h in headers]
    for index, width in enumerate(widths, start=1):
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
        head.font, head.fill, head.alignment = styles.header_font, styles.header_fill, styles.header_alignment
        header_cells.append(head)
    ws.append(header_cells)
    plain = _PLAIN_TYPES
    make = _cell_maker(ws)
    count = 0
    for row in rows:
        # cell(ws, value) for every value, without a call for the plain ones (most of a big export).
        cells = [
            value
            if (kind := type(value)) in plain or (kind is str and not value.startswith(FORMULA_PREFIXES))
            else make(value)
            for value in row
        ]
        lines = 1
        for index in wrap:
            value = row[index] if index < len(row) else None
            if isinstance(value, str) and value:
                wrapped = cells[index] if isinstance(cells[index], Cell) else WriteOnlyCell(ws, value)
                wrapped.alignment = styles.wrap_alignment
                cells[index] = wrapped
                lines = max(lines, text_lines(value, widths[index]))
        if lines > 1:
            ws.row_dimensions[count + 2].height = min(MAX_ROW_POINTS, lines * LINE_POINTS)
        ws.append(cells)
        count += 1
        if on_row is not None and count % 500 == 0:
            on_row(count)
    return count


# ---------------------------------------------------------------------------------------------
# Reading cells


class CellError(ValueError):
    """A cell that cannot be read; the message says why, in Chinese."""


@dataclass(frozen=True)
class RowError:
    """One thing wrong with an uploaded file, where a person can find it. `row` is the Excel row."""

    sheet: str
    row: int | None
    column: str | None
    message: str

    def __str__(self):
        if not self.sheet:
            return self.message  # about the whole file (unreadable, too large)
        where = f"工作表“{self.sheet}”"
        if self.row:
            where += f"第{self.row}行"
        if self.column:
            where += f"“{self.column}”列"
        return f"{where}：{self.message}"


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def parse_text(value) -> str:
    """A text cell. Numbers typed into text columns (codes, phones) come back as their digits."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


_DATE_TEXT = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:(?:\s+|T|\s*日?)(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2})\s*秒?)?\s*分?)?$"
)
_DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
DATE_FORMATS_HINT = "2020-07-01、2020/7/1、2020年7月1日或2020.7.1"
# Excel counts days from 1899-12-30 (with its 1900 leap-year bug already folded in).
_EXCEL_EPOCH = datetime(1899, 12, 30)
_EXCEL_MAX_SERIAL = 2958466  # 9999-12-31


def parse_datetime(value) -> datetime | None:
    """A naive date and time (00:00 when only a date is given) from an Excel date cell, an Excel
    serial number, or text such as 2020-07-01, 2020/7/1 9:30, 2020年7月1日 15时30分, 2020.7.1."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(f"“{value}”不是日期，应为{DATE_FORMATS_HINT}")
    if isinstance(value, datetime):
        return _check_year(value.replace(tzinfo=None), value)
    if isinstance(value, date):
        return _check_year(datetime.combine(value, time()), value)
    if isinstance(value, int | float) and 1 <= value < _EXCEL_MAX_SERIAL:
        serial = (_EXCEL_EPOCH + timedelta(days=float(value))).replace(second=0, microsecond=0)
        return _check_year(serial, value)
    text = parse_text(value)
    match = _DATE_TEXT.match(text)
    parts = match.groups() if match else None
    if parts is None and (digits := _DATE_DIGITS.match(text)):
        parts = (*digits.groups(), None, None, None)
    if parts is None:
        raise CellError(f"无法识别的日期“{text}”，应为{DATE_FORMATS_HINT}")
    year, month, day = (int(part) for part in parts[:3])
    try:
        day_part = date(year, month, day)
    except ValueError:
        raise CellError(f"日期“{text}”不存在（{year}年没有{month}月{day}日）") from None
    try:
        hour, minute, second = (int(part) if part is not None else 0 for part in parts[3:6])
        time_part = time(hour, minute, second)
    except ValueError:
        raise CellError(f"“{text}”中的时间不存在") from None
    return _check_year(datetime.combine(day_part, time_part), text)


def parse_date(value) -> date | None:
    """A date from the same inputs as parse_datetime; a time of day, if any, is dropped."""
    parsed = parse_datetime(value)
    return parsed.date() if parsed is not None else None


def _check_year(parsed, shown):
    if not year_is_sensible(parsed.year):
        raise CellError(f"日期“{parse_text(shown)}”的年份不合理")
    return parsed


# ---------------------------------------------------------------------------------------------
# The errors of an import, marked on the user's own workbook

ERROR_SHEET = "错误清单"
ERROR_COLUMN = "错误说明"
COMMENT_AUTHOR = "星级支部"
# Bad rows filled cell by cell (and commented): each styled cell costs time, and openpyxl keeps every
# comment in memory until the file is saved. Past this many, the conditional format fills the rows.
MAX_MARKED = 2000


def write_marked_workbook(source, errors: Sequence[RowError], out, *, open_workbook) -> int:
    """The uploaded workbook again, every bad row filled and explained, for the user to fix and upload.

    `source` is the upload (a path or a binary file), already within the limits of core.uploads
    (`open_workbook` is core.uploads.open_workbook, passed in to keep this module free of the
    limits). The first sheet, 错误清单, lists every error; each sheet of the upload follows with its
    values (formatting is not kept) and an added 错误说明 column holding each bad row's messages. A
    conditional format fills every row with a 错误说明 light red (in Excel and WPS, whatever the
    number of rows); the first MAX_MARKED bad rows are also filled cell by cell, the cell a message
    names darker with the message as a comment, for viewers without conditional formats. Streams row
    by row in both directions (read-only in, write-only out). Returns the errors listed.
    """
    from openpyxl.cell import Cell, WriteOnlyCell
    from openpyxl.comments import Comment
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import PatternFill
    from openpyxl.utils import get_column_letter

    from core.uploads import bounded_rows

    styles = _styles()
    by_sheet: dict[str, dict[int, list[RowError]]] = {}
    for error in errors:
        if error.sheet and error.row:
            by_sheet.setdefault(error.sheet, {}).setdefault(error.row, []).append(error)
    book = new_workbook()
    listed = write_sheet(
        book,
        ERROR_SHEET,
        ["工作表", "行", "列", "错误说明"],
        ((e.sheet, e.row, e.column or "", e.message) for e in errors),
        widths=[14, 8, 16, 90],
    )
    marked = 0
    source_book = open_workbook(source)
    try:
        for title in source_book.sheetnames:
            if title == ERROR_SHEET:
                continue
            worksheet = source_book[title]
            worksheet.reset_dimensions()
            marks = by_sheet.get(title.strip(), {})
            target = book.create_sheet(title=title)
            target.freeze_panes = "A2"
            headers: list[str] = []
            width = 0
            stale: int | None = None  # the 错误说明 column of a marked file uploaded again
            last = 0
            for number, row in enumerate(bounded_rows(worksheet.iter_rows(values_only=True), sheet=title), start=1):
                last = number
                values = list(row)
                if number == 1:
                    names = [parse_text(v) for v in values]
                    stale = names.index(ERROR_COLUMN) if ERROR_COLUMN in names else None
                if stale is not None and stale < len(values):
                    del values[stale]
                if number == 1:
                    headers = [parse_text(v) for v in values]
                    width = len(values)
                row_errors = marks.get(number, [])
                cells = [cell(target, value) for value in values] + [None] * max(0, width - len(values))
                if number == 1:
                    head = WriteOnlyCell(target, ERROR_COLUMN)
                    head.font, head.fill = styles.header_font, styles.header_fill
                    if row_errors:
                        head = WriteOnlyCell(target, "；".join(e.message for e in row_errors))
                        head.font, head.fill = styles.error_font, styles.bad_cell_fill
                    target.append([*cells, head])
                    continue
                if not row_errors:
                    target.append(cells)
                    continue
                note = WriteOnlyCell(target, "；".join(_explained(e) for e in row_errors))
                note.font = styles.error_font
                if marked >= MAX_MARKED:
                    target.append([*cells, note])
                    continue
                marked += 1
                filled = []
                for index, value in enumerate(cells):
                    out_cell = value if isinstance(value, Cell) else WriteOnlyCell(target, value)
                    column = headers[index] if index < len(headers) else ""
                    named = [e.message for e in row_errors if column and e.column == column]
                    out_cell.fill = styles.bad_cell_fill if named else styles.bad_row_fill
                    if named:
                        out_cell.comment = Comment("；".join(named), COMMENT_AUTHOR, width=300, height=120)
                    filled.append(out_cell)
                note.fill = styles.bad_row_fill
                target.append([*filled, note])
            if width and last > 1:
                note_column = get_column_letter(width + 1)
                target.conditional_formatting.add(
                    f"A2:{note_column}{last}",
                    FormulaRule(formula=[f'${note_column}2<>""'], fill=PatternFill("solid", bgColor="FDE9E7")),
                )
    finally:
        source_book.close()
    book.save(out)
    return listed


def _explained(error: RowError) -> str:
    return f"{error.column}：{error.message}" if error.column else error.message


# --- Sending a workbook ---------------------------------------------------------------------------------

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(write, filename: str, *, private: bool = False):
    """A download of the workbook `write(stream)` writes. Spooled to disk past 10 MB, so a large one is
    never held in memory whole. `private`: not kept by any cache (one-time passwords and the like)."""
    import tempfile

    from django.http import FileResponse

    buffer = tempfile.SpooledTemporaryFile(max_size=10 * 1024 * 1024)
    write(buffer)
    buffer.seek(0)
    response = FileResponse(buffer, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
    if private:
        response["Cache-Control"] = "no-store"
    return response
