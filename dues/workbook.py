"""The dues workbook: the import's sheets 基数 and 交纳, how each cell is read and every check a file
must pass; the export's sheets 党费台账 and 汇总. Sheet and column names are the issue's, exactly.

Everything here works on plain data (cell values, dates, the members the database knows as plain
tuples), so it is tested without a database; dues/imports.py and dues/exports.py feed it. Messages
are Chinese and stay Chinese, as every import's error report does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from core.spreadsheets import CellError, Percent, RowError, is_blank, parse_date, parse_text
from members import idcard
from members.roster_io import clean_header, parse_id_number

from . import rules
from .rules import Month

BASE_SHEET = "基数"
PAYMENT_SHEET = "交纳"
NOTES_SHEET = "说明"
IMPORT_SHEETS = (BASE_SHEET, PAYMENT_SHEET)

LEDGER_SHEET = "党费台账"
SUMMARY_SHEET = "汇总"

ID, NAME, YEAR, FROM_MONTH, CATEGORY, BASE = "身份证号", "姓名", "年度", "起始月份", "类别", "计算基数"
MONTH, AMOUNT, PAID_ON = "月份", "实交金额", "交纳日期"

# (header, required column, cell may be blank, note for the template)
BASE_COLUMNS = (
    (ID, True, False, "18位身份证号，请以文本格式填写"),
    (NAME, True, False, "须与身份证号对应的党员姓名一致"),
    (YEAR, True, False, "如 2026"),
    (FROM_MONTH, False, True, "1–12，从该月起按此基数交纳；空白视为1月。年中调整基数另起一行"),
    (CATEGORY, True, False, "在职、离退休、学生或其他固定额"),
    (BASE, True, True, "元/月（税后工资或离退休费）；其他固定额填每月交纳金额（0.20–1.00元）；学生可空"),
)
PAYMENT_COLUMNS = (
    (ID, True, False, "18位身份证号，请以文本格式填写"),
    (NAME, True, False, "须与身份证号对应的党员姓名一致"),
    (MONTH, True, False, "所交党费所属的月份，格式 YYYY-MM，如 2026-03"),
    (AMOUNT, True, False, "元，最多2位小数"),
    (PAID_ON, True, False, "实际交纳的日期；晚于所属月份月底即为补交"),
)
COLUMNS = {BASE_SHEET: BASE_COLUMNS, PAYMENT_SHEET: PAYMENT_COLUMNS}

LEDGER_HEADERS = (
    "支部编码",
    "支部名称",
    "姓名",
    "类别",
    "计算基数",
    "比例",
    "月应交",
    *(f"{m}月" for m in range(1, 13)),
    "全年应交",
    "全年实交",
    "欠交金额",
    "连续未交月数",
)
LEDGER_WIDTHS = (12, 24, 10, 10, 11, 8, 9, *(8,) * 12, 11, 11, 11, 12)
SUMMARY_HEADERS = ("支部编码", "支部名称", "党员数", "全年应交", "全年实交", "按时交纳率", "已上缴", "待上缴")
SUMMARY_WIDTHS = (12, 28, 8, 12, 12, 12, 12, 12)


# --- cells ---------------------------------------------------------------------------------------

_MONEY_TEXT = re.compile(r"^[¥￥]?\s*(-?[\d,]*\.?\d+)\s*元?$")
_MONTH_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")


def parse_money(value) -> Decimal:
    """Yuan, as typed or stored as a number: 12.3, "12.30", "¥12.30", "1,234.50元"."""
    if isinstance(value, bool):
        raise CellError(f"“{value}”不是金额")
    if isinstance(value, int):
        return Decimal(value).quantize(rules.CENT)
    if isinstance(value, float):
        # Excel keeps 12.3 as the nearest double; repr gives back the shortest decimal that is it.
        amount = Decimal(repr(value))
    else:
        text = parse_text(value).replace(" ", "")
        match = _MONEY_TEXT.match(text)
        if not match:
            raise CellError(f"“{text}”不是金额，应填写数字（元），如 12.50")
        try:
            amount = Decimal(match.group(1).replace(",", ""))
        except InvalidOperation:
            raise CellError(f"“{text}”不是金额，应填写数字（元），如 12.50") from None
    if amount != amount.quantize(rules.CENT):
        raise CellError(f"金额{amount}最多保留2位小数（到分）")
    return amount.quantize(rules.CENT)


def parse_month(value) -> Month:
    """A month as YYYY-MM (also 2026/3, 2026年3月, 202603, or a date cell Excel made of it)."""
    if isinstance(value, datetime | date):
        return Month(value.year, value.month)
    if isinstance(value, float) and not value.is_integer():
        raise CellError(f"“{value}”会被当作数字，无法分辨月份；请以文本格式填写 YYYY-MM，如 2026-03")
    text = parse_text(value)
    match = _MONTH_TEXT.match(text)
    if match is None and re.fullmatch(r"\d{6}", text):
        match = re.match(r"(\d{4})(\d{2})", text)
    if match is None:
        raise CellError(f"无法识别的月份“{text}”，应为 YYYY-MM，如 2026-03")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise CellError(f"“{text}”中的月份应为1–12")
    if not 1900 <= year <= 2100:
        raise CellError(f"“{text}”的年份不合理")
    return Month(year, month)


def _parse_int(value, what: str) -> int:
    if isinstance(value, bool):
        raise CellError(f"“{value}”不是{what}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return value
    text = parse_text(value).rstrip("年月")
    if not re.fullmatch(r"\d+", text):
        raise CellError(f"“{parse_text(value)}”不是{what}")
    return int(text)


def parse_year(value) -> int:
    year = _parse_int(value, "年度（如 2026）")
    if not 1900 <= year <= 2100:
        raise CellError(f"年度“{year}”不合理")
    return year


def parse_from_month(value) -> int:
    if is_blank(value):
        return 1
    month = _parse_int(value, "月份（1–12）")
    if not 1 <= month <= 12:
        raise CellError(f"起始月份应为1–12，不能是{month}")
    return month


def parse_category(value) -> str:
    text = parse_text(value)
    if text not in rules.CATEGORY_BY_LABEL:
        raise CellError(f"“{text}”不是有效的类别，应为{'、'.join(rules.CATEGORY_LABELS.values())}")
    return rules.CATEGORY_BY_LABEL[text]


PARSERS = {
    ID: parse_id_number,
    NAME: parse_text,
    YEAR: parse_year,
    FROM_MONTH: parse_from_month,
    CATEGORY: parse_category,
    BASE: lambda value: None if is_blank(value) else parse_money(value),
    MONTH: parse_month,
    AMOUNT: parse_money,
    PAID_ON: parse_date,
}


# --- sheets --------------------------------------------------------------------------------------


@dataclass
class Row:
    """One data row: the cells read, by header. A cell that could not be read is in `bad`."""

    sheet: str
    row: int
    values: dict[str, Any] = field(default_factory=dict)
    bad: set[str] = field(default_factory=set)

    def ok(self, *headers: str) -> bool:
        return all(h in self.values and h not in self.bad for h in headers)


def read_sheet(name: str, rows: Iterable[tuple], errors: list[RowError]) -> list[Row]:
    """Read one sheet given as rows of cell values, the first being the header row. Columns are found
    by header, in any order; a missing required column is reported once and the sheet is skipped."""
    rows = iter(rows)
    header = next(rows, None)
    if header is None or all(is_blank(v) for v in header):
        if any(row and not all(is_blank(v) for v in row) for row in rows):
            errors.append(RowError(name, 1, None, "第1行应为表头（列名），当前为空"))
        return []
    known = {column[0]: column for column in COLUMNS[name]}
    positions: dict[str, int] = {}
    for index, value in enumerate(header):
        text = clean_header(value)
        if not text:
            continue
        if text in positions:
            errors.append(RowError(name, 1, text, f"列“{text}”出现了两次"))
            return []
        if text in known:
            positions[text] = index
    missing = [column[0] for column in COLUMNS[name] if column[1] and column[0] not in positions]
    if missing:
        for header_text in missing:
            errors.append(RowError(name, 1, header_text, f"缺少必需的列“{header_text}”"))
        return []
    out = []
    for number, values in enumerate(rows, start=2):
        if values is None or all(is_blank(v) for v in values):
            continue
        row = Row(name, number)
        for header_text, index in positions.items():
            raw = values[index] if index < len(values) else None
            blank_ok = known[header_text][2]
            if is_blank(raw) and not blank_ok:
                errors.append(RowError(name, number, header_text, f"{header_text}不能为空"))
                row.bad.add(header_text)
                continue
            try:
                row.values[header_text] = PARSERS[header_text](raw)
            except CellError as exc:
                errors.append(RowError(name, number, header_text, str(exc)))
                row.bad.add(header_text)
        if name == BASE_SHEET and FROM_MONTH not in positions:
            row.values[FROM_MONTH] = 1  # the column is optional: without it every base is from January
        out.append(row)
    return out


def missing_sheets_error(found: Iterable[str]) -> RowError:
    found = list(found)
    return RowError(
        BASE_SHEET,
        None,
        None,
        f"文件中没有工作表“{BASE_SHEET}”或“{PAYMENT_SHEET}”（现有：{'、'.join(found) or '无'}）",
    )


# --- the whole file against what the database holds -----------------------------------------------


@dataclass(frozen=True)
class KnownMember:
    """A member the file names, as the database knows them."""

    pk: int
    name: str
    joined_on: date | None
    branch_id: int  # the branch they are in now: it keeps their bases
    spans: tuple[rules.Span, ...]


@dataclass(frozen=True)
class BaseImport:
    member_pk: int
    year: int
    from_month: int
    category: str
    base: Decimal | None
    row: int


@dataclass(frozen=True)
class PaymentImport:
    member_pk: int
    branch_id: int
    month: Month
    amount: Decimal
    paid_on: date
    row: int


@dataclass
class Checked:
    errors: list[RowError] = field(default_factory=list)
    bases: list[BaseImport] = field(default_factory=list)
    payments: list[PaymentImport] = field(default_factory=list)
    already: int = 0  # payments the database holds already (same member, month, amount and date)


def validate(
    base_rows: list[Row],
    payment_rows: list[Row],
    known: Mapping[str, KnownMember],
    *,
    today: date,
    first_year: int | None,
    managed: set[int] | None = None,
    existing: Set[tuple[int, Month, Decimal, date]] = frozenset(),
) -> Checked:
    """Every reason the file cannot be imported (none: `bases` and `payments` are what to write).

    `known` maps the file's ID numbers to the members the database has (and the user may reach);
    `managed` is the set of branch ids whose dues the user keeps (None: the command line, all);
    `first_year` is the ledger's first year; `existing` the payments already recorded.
    """
    out = Checked()
    seen_bases: dict[tuple[int, int, int], int] = {}
    for row in base_rows:
        member = _member(row, known, managed, out.errors)
        if member is not None and managed is not None and member.branch_id not in managed:
            out.errors.append(RowError(BASE_SHEET, row.row, ID, "该党员不在您管理的支部，其计算基数由所在支部设定"))
            member = None
        if row.ok(YEAR):
            year = row.values[YEAR]
            if not rules.year_kept(year, first_year, today):
                out.errors.append(RowError(BASE_SHEET, row.row, YEAR, rules.year_message(year, today)))
                row.bad.add(YEAR)
            elif member is not None and member.joined_on is not None and member.joined_on > Month(year, 12).last:
                out.errors.append(
                    RowError(
                        BASE_SHEET, row.row, YEAR, f"该党员于{member.joined_on:%Y-%m-%d}入党，{year}年度不需要交纳党费"
                    )
                )
                row.bad.add(YEAR)
        if row.ok(CATEGORY, BASE):
            for message in rules.base_errors(row.values[CATEGORY], row.values[BASE]):
                out.errors.append(RowError(BASE_SHEET, row.row, BASE, message))
                row.bad.add(BASE)
        if member is None or not row.ok(YEAR, FROM_MONTH, CATEGORY, BASE):
            continue
        base_key = (member.pk, row.values[YEAR], row.values[FROM_MONTH])
        if base_key in seen_bases:
            out.errors.append(
                RowError(
                    BASE_SHEET,
                    row.row,
                    FROM_MONTH,
                    f"与第{seen_bases[base_key]}行重复（同一党员、同一年度、同一起始月份）",
                )
            )
            continue
        seen_bases[base_key] = row.row
        out.bases.append(
            BaseImport(
                member.pk, row.values[YEAR], row.values[FROM_MONTH], row.values[CATEGORY], row.values[BASE], row.row
            )
        )

    seen_months: dict[tuple[int, Month], int] = {}
    for row in payment_rows:
        member = _member(row, known, managed, out.errors)
        if row.ok(AMOUNT):
            amount = row.values[AMOUNT]
            if amount < 0:
                out.errors.append(RowError(PAYMENT_SHEET, row.row, AMOUNT, f"实交金额不能为负数（{amount}）"))
                row.bad.add(AMOUNT)
            elif amount == 0:
                out.errors.append(RowError(PAYMENT_SHEET, row.row, AMOUNT, "实交金额须大于0；没有交纳的月份不用填写"))
                row.bad.add(AMOUNT)
        if row.ok(PAID_ON) and row.values[PAID_ON] > today:
            out.errors.append(
                RowError(
                    PAYMENT_SHEET,
                    row.row,
                    PAID_ON,
                    f"交纳日期{row.values[PAID_ON]:%Y-%m-%d}晚于今天，不能登记尚未发生的交纳",
                )
            )
            row.bad.add(PAID_ON)
        branch_id = None
        if row.ok(MONTH):
            month = row.values[MONTH]
            error = _month_error(month, member, today, first_year, managed)
            if error:
                out.errors.append(RowError(PAYMENT_SHEET, row.row, MONTH, error))
                row.bad.add(MONTH)
            elif member is not None:
                branch_id = rules.dues_branches(member.spans, member.joined_on, [month])[month]
        if member is None or branch_id is None or not row.ok(MONTH, AMOUNT, PAID_ON):
            continue
        key = (member.pk, row.values[MONTH])
        if key in seen_months:
            out.errors.append(
                RowError(PAYMENT_SHEET, row.row, MONTH, f"与第{seen_months[key]}行重复（同一党员、同一月份）")
            )
            continue
        seen_months[key] = row.row
        if (member.pk, row.values[MONTH], row.values[AMOUNT], row.values[PAID_ON]) in existing:
            out.already += 1
            continue
        out.payments.append(
            PaymentImport(member.pk, branch_id, row.values[MONTH], row.values[AMOUNT], row.values[PAID_ON], row.row)
        )
    out.errors.sort(key=_error_order)
    return out


def _member(row: Row, known: Mapping[str, KnownMember], managed, errors: list[RowError]) -> KnownMember | None:
    if not row.ok(ID):
        return None
    number = row.values[ID]
    member = known.get(number)
    if member is None:
        where = "，或该党员不在您管理的支部" if managed is not None else ""
        errors.append(RowError(row.sheet, row.row, ID, f"系统中没有身份证号为{idcard.mask(number)}的党员{where}"))
        return None
    if row.ok(NAME) and row.values[NAME] != member.name:
        errors.append(
            RowError(
                row.sheet,
                row.row,
                NAME,
                f"身份证号{idcard.mask(number)}对应的党员是“{member.name}”，不是“{row.values[NAME]}”",
            )
        )
        return None
    return member


def _month_error(month: Month, member: KnownMember | None, today: date, first_year, managed) -> str | None:
    if month > Month(today.year, 12):
        return f"{month}还没到，只能预交本年度的党费"
    if not rules.year_kept(month.year, first_year, today):
        return rules.year_message(month.year, today)
    if member is None:
        return None
    if member.joined_on is not None and member.joined_on > month.last:
        return f"{month}早于该党员入党（{member.joined_on:%Y-%m-%d}），不需要交纳党费"
    branch_id = rules.dues_branches(member.spans, member.joined_on, [month]).get(month)
    if branch_id is None:
        starts = [s.start for s in member.spans if s.start is not None]
        ends = [s.end for s in member.spans if s.end is not None]
        if starts and len(starts) == len(member.spans) and month.last < min(starts):
            return f"{month}早于该党员编入支部（{min(starts):%Y-%m-%d}），不属于任何支部"
        if ends and len(ends) == len(member.spans) and month.last > max(ends):
            return f"{month}晚于该党员离开支部（{max(ends):%Y-%m-%d}）"
        return f"{month}该党员不属于任何党支部"
    if managed is not None and branch_id not in managed:
        return f"该党员{month}的党费应交给其他党支部，不在您的管理范围内"
    return None


def _error_order(error: RowError):
    sheet = IMPORT_SHEETS.index(error.sheet) if error.sheet in IMPORT_SHEETS else -1
    headers = [c[0] for c in COLUMNS.get(error.sheet, ())]
    column = headers.index(error.column) if error.column in headers else -1
    return (sheet, error.row or 0, column, error.message)


# --- export rows ---------------------------------------------------------------------------------


def _money(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(rules.CENT)


def month_cells(member_year: rules.MemberYear, year: int, advance: Mapping[Month, Decimal] | None = None) -> list:
    """The twelve month cells: the amount paid for each month owed to the branch, blank if nothing;
    money paid in advance for a month still to come shows too."""
    cells = []
    for number in range(1, 13):
        month = Month(year, number)
        dues = member_year.months.get(month)
        paid = dues.paid if dues is not None else (advance or {}).get(month)
        cells.append(_money(paid) if paid else None)
    return cells


def ledger_row(
    code: str, branch_name: str, name: str, member_year: rules.MemberYear, base: rules.BaseRow | None, months: list
) -> list:
    """One member's row of the sheet 党费台账. 类别, 计算基数, 比例 and 月应交 are those in effect in
    the member's last month of the year in the branch; 全年应交 adds up each month's own amount."""
    share = rules.rate(base.category, base.base) if base else None
    return [
        code,
        branch_name,
        name,
        rules.CATEGORY_LABELS.get(base.category, "") if base else "未核定",
        _money(base.base) if base and base.base is not None and base.category != rules.STUDENT else None,
        Percent(share) if share is not None else None,
        _money(base.due) if base else None,
        *months,
        _money(member_year.due_total),
        _money(member_year.paid_total),
        _money(member_year.arrears),
        member_year.streak,
    ]


def summary_row(code: str, branch_name: str, summary) -> list:
    """One branch's row of the sheet 汇总 (`summary`: a dues.selectors.BranchSummary)."""
    rate = summary.on_time_rate
    return [
        code,
        branch_name,
        summary.members,
        _money(summary.due),
        _money(summary.paid),
        Percent(rate) if rate is not None else None,
        _money(summary.remitted),
        _money(summary.to_remit),
    ]
