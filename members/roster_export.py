"""Writing the roster workbook: the export (what the database holds) and the blank template.

Both have the sheets and columns members/roster_io.py reads, so an export imports back unchanged.
Rows stream through core.spreadsheets (write-only, formula-safe, frozen header).
"""

from collections.abc import Iterator

from branches.access import Scope
from branches.models import OrgUnit
from core.spreadsheets import new_workbook, write_sheet

from . import idcard
from . import roster_io as io
from .models import Member

TEMPLATE_ROWS = 1000  # how far down the template's drop-down lists reach


def _label(column: io.Column, value) -> str:
    for label, stored in column.choices:
        if stored == value:
            return label
    return value or ""


def _cell(column: io.Column, value):
    if column.kind == io.CHOICE:
        return _label(column, value)
    if column.kind == io.YES_NO:
        return io.YES if value else io.NO
    return value


def _unit_rows(scope: Scope | None) -> Iterator[list]:
    units = OrgUnit.objects.all() if scope is None else OrgUnit.objects.managed_by(scope)
    fields = [column.field for column in io.UNIT_COLUMNS if column.field != "parent_code"]
    rows = list(units.order_by("path").values("path", *fields))
    step = OrgUnit.steplen
    code_at = {row["path"]: row["code"] for row in rows}
    # The tops of a secretary's subtree hang under units outside it; their codes are still needed.
    outside = {row["path"][:-step] for row in rows if len(row["path"]) > step} - code_at.keys()
    if outside:
        code_at.update(OrgUnit.objects.filter(path__in=outside).values_list("path", "code"))
    for row in rows:
        row["parent_code"] = code_at.get(row["path"][:-step], "")
        yield [_cell(column, row[column.field]) for column in io.UNIT_COLUMNS]


def _member_rows(scope: Scope | None, mask_ids: bool) -> Iterator[list]:
    # Members who left the organisation are not on the roster (their records stay in the app).
    members = (Member.objects.all() if scope is None else Member.objects.managed_by(scope)).current()
    members = members.select_related("branch", "group").order_by("branch__path", "name", "id_number")
    for member in members.iterator(chunk_size=2000):
        values = {column.field: getattr(member, column.field, None) for column in io.MEMBER_COLUMNS}
        values["branch_code"] = member.branch.code
        values["group_code"] = member.group.code if member.group_id else ""
        if mask_ids:
            values["id_number"] = idcard.mask(member.id_number)
        yield [_cell(column, values[column.field]) for column in io.MEMBER_COLUMNS]


def _headers(columns) -> list[str]:
    return [column.header for column in columns]


def _widths(columns) -> list[float]:
    return [column.width for column in columns]


def roster_export(*, stream, scope: Scope | None = None, mask_ids: bool = False) -> tuple[int, int]:
    """Write the org and roster (the whole tree, or `scope`'s managed subtrees) to `stream`.

    Returns (units, members) written. With `mask_ids` the ID numbers are masked, and the file can
    no longer be imported back.
    """
    workbook = new_workbook()
    units = write_sheet(
        workbook, io.UNIT_SHEET, _headers(io.UNIT_COLUMNS), _unit_rows(scope), widths=_widths(io.UNIT_COLUMNS)
    )
    members = write_sheet(
        workbook,
        io.MEMBER_SHEET,
        _headers(io.MEMBER_COLUMNS),
        _member_rows(scope, mask_ids),
        widths=_widths(io.MEMBER_COLUMNS),
        print_title="党员名册",
    )
    workbook.save(stream)
    return units, members


def _requirement(column: io.Column) -> str:
    if column.required and column.not_blank:
        return "必填"
    if column.required:
        return "必须有此列，可留空"
    if column.not_blank:
        return "可不设此列；设了则不能留空"
    return "可选"


def _accepted(column: io.Column) -> str:
    if column.kind == io.CHOICE:
        return "只能填：" + "、".join(dict.fromkeys(column.labels))
    if column.kind == io.YES_NO:
        return "只能填：是、否"
    if column.kind == io.DATE:
        return f"日期单元格，或文本{io.DATE_FORMATS_HINT}"
    if column.kind == io.EMAIL:
        return "邮箱地址"
    if column.max_length:
        return f"文本，最多{column.max_length}个字符"
    return "文本"


GENERAL_NOTES = [
    "填写前请删除两张表中的示例行（名称以“示例：”开头），否则导入时会报错。",
    "一个工作簿包含“组织”和“党员”两张工作表，表名不能改；每张表第1行是列名，列的顺序不限，未识别的列会被忽略。",
    "组织按“编码”、党员按“身份证号”匹配：系统中已有的更新，没有的新增；导入不会删除任何组织或党员。"
    "某列整列不存在时，已有数据的该项保持不变。",
    "导入前先检查整个文件：只要有一处错误，就一条也不写入，并列出每处错误所在的工作表、行号、列和原因。",
    "组织按上级在前的顺序建立；组织树只能有一个根（机关党委），党小组的上级必须是党支部，上级关系不能形成循环。",
    "已有党员的“所在支部编码”改变时，按组织关系转接处理，转接日期为导入当天，原支部的历史记录保留。",
    "支部书记、党总支书记只能导入本人管辖范围内的组织和党员。",
    "非机关党委用户导出的名册中身份证号已部分隐藏，不能再导入。",
]


def _note_rows() -> Iterator[list]:
    for note in GENERAL_NOTES:
        yield ["通用", "", "", note]
    for sheet, columns in io.SHEETS.items():
        for column in columns:
            text = _accepted(column)
            if column.note:
                text = f"{text}。{column.note}"
            yield [sheet, column.header, _requirement(column), text]


def _add_drop_downs(worksheet, columns) -> None:
    from openpyxl.utils import get_column_letter  # openpyxl loads when a workbook is made (core.spreadsheets)
    from openpyxl.worksheet.datavalidation import DataValidation

    for index, column in enumerate(columns, start=1):
        if column.kind == io.CHOICE:
            labels = list(dict.fromkeys(column.labels))
        elif column.kind == io.YES_NO:
            labels = [io.YES, io.NO]
        else:
            continue
        validation = DataValidation(type="list", formula1='"' + ",".join(labels) + '"', allow_blank=True)
        validation.error = f"只能填：{'、'.join(labels)}"
        validation.errorTitle = column.header
        letter = get_column_letter(index)
        validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS}")
        worksheet.data_validations.append(validation)


def roster_template(*, stream) -> None:
    """A blank workbook to fill in: both sheets with headers and one example row, and a 说明 sheet."""
    workbook = new_workbook()
    for sheet, columns in io.SHEETS.items():
        example = [column.example for column in columns]
        write_sheet(workbook, sheet, _headers(columns), [example], widths=_widths(columns))
        _add_drop_downs(workbook[sheet], columns)
    write_sheet(
        workbook, io.NOTES_SHEET, ["工作表", "列名", "是否必填", "可填的值与说明"], _note_rows(), widths=[8, 16, 22, 90]
    )
    workbook.save(stream)
