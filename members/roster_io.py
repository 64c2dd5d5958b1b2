"""The roster workbook: its columns, how each cell is read, and the checks a whole file must pass.

One .xlsx holds the org (sheet 组织) and the roster (sheet 党员). Everything here works on plain data
(tuples of cell values, dicts, dates), so it is tested without a database; members/roster_import.py
feeds it what the database holds and writes what it accepts.

The tree and ID-number rules are not restated here: they come from branches.rules and members.idcard.
"""

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from branches import rules as tree_rules
from core.spreadsheets import DATE_FORMATS_HINT, CellError, RowError, is_blank, parse_date, parse_text  # noqa: F401

from . import idcard

UNIT_SHEET = "组织"
MEMBER_SHEET = "党员"
NOTES_SHEET = "说明"

TEXT, DATE, CHOICE, YES_NO, ID_NUMBER, EMAIL = "text", "date", "choice", "yes_no", "id_number", "email"

YES, NO = "是", "否"


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    kind: str = TEXT
    # A required column must be in the header row; without it the sheet cannot be read.
    required: bool = False
    # A cell that must not be empty (when its column is present).
    not_blank: bool = False
    max_length: int | None = None
    # Label in the file → value stored. The first label of a value is the one written on export.
    choices: tuple[tuple[str, str], ...] = ()
    width: float = 12
    note: str = ""
    example: Any = None

    @property
    def labels(self) -> list[str]:
        return [label for label, _ in self.choices]


UNIT_KIND_CHOICES = tuple((label, kind) for kind, label in tree_rules.KIND_LABELS.items())

UNIT_COLUMNS: tuple[Column, ...] = (
    Column("编码", "code", required=True, not_blank=True, max_length=32, width=14,
           note="组织的唯一编码，按编码新增或更新", example="ZB01"),
    Column("名称", "name", required=True, not_blank=True, max_length=100, width=28, example="示例：刑事审判庭党支部"),
    Column("类型", "kind", CHOICE, required=True, not_blank=True, choices=UNIT_KIND_CHOICES, width=10,
           example="党支部"),
    Column("上级编码", "parent_code", required=True, max_length=32, width=14,
           note="上级组织的编码；只有机关党委（组织树的根）留空。党小组的上级必须是党支部", example="JG"),
    Column("成立日期", "founded_on", DATE, width=12, example=date(2018, 3, 15)),
    Column("换届日期", "elected_on", DATE, width=12, note="本届委员会选举产生的日期", example=date(2024, 3, 20)),
    Column("对应庭室", "departments", max_length=200, width=24, note="支部对应的部门，多个用、分隔",
           example="刑事审判庭"),
)  # fmt: skip

CATEGORY_CHOICES = (("正式党员", "full"), ("预备党员", "probationary"))
STATUS_CHOICES = (("在职", "active"), ("退休", "retired"), ("流动", "away"), ("流动/外出", "away"), ("外出", "away"))
GENDER_CHOICES = (("男", "男"), ("女", "女"))

MEMBER_COLUMNS: tuple[Column, ...] = (
    Column("姓名", "name", required=True, not_blank=True, max_length=50, width=10, example="示例：张三"),
    Column("性别", "gender", CHOICE, required=True, not_blank=True, choices=GENDER_CHOICES, width=6, example="男"),
    Column("民族", "ethnicity", not_blank=True, max_length=20, width=8, note="不填此列时新党员记为汉族",
           example="汉族"),
    Column("出生日期", "birth_date", DATE, required=True, not_blank=True, width=12, example=date(1985, 6, 15)),
    Column("身份证号", "id_number", ID_NUMBER, required=True, not_blank=True, width=22,
           note="18位，按身份证号新增或更新党员；须与出生日期一致。请以文本格式填写",
           example=idcard.make_id_number("110101", date(1985, 6, 15), 1)),
    Column("学历", "education", max_length=30, width=10, example="大学本科"),
    Column("入党日期", "joined_on", DATE, width=12, example=date(2010, 7, 1)),
    Column("转正日期", "full_on", DATE, width=12, example=date(2011, 7, 1)),
    Column("党员类别", "category", CHOICE, required=True, not_blank=True, choices=CATEGORY_CHOICES, width=10,
           example="正式党员"),
    Column("状态", "status", CHOICE, not_blank=True, choices=STATUS_CHOICES, width=8, note="不填此列时新党员记为在职",
           example="在职"),
    Column("所在支部编码", "branch_code", required=True, not_blank=True, max_length=32, width=14,
           note="必须是党支部的编码；已有党员的支部变化按组织关系转接处理（转接日期为导入当天）",
           example="ZB01"),
    Column("党小组编码", "group_code", max_length=32, width=14, note="可空；填写时必须是所在支部下的党小组"),
    Column("部门", "department", max_length=50, width=16, example="刑事审判庭"),
    Column("职务", "post", max_length=50, width=14, example="审判员"),
    Column("支委职务", "committee_post", max_length=20, width=10, note="书记、副书记、组织委员、宣传委员、纪检委员等",
           example="组织委员"),
    Column("党务干部", "is_party_cadre", YES_NO, width=10, note="是否兼职党务干部；空白视为否", example="是"),
    Column("联系电话", "phone", max_length=20, width=16, example="13800000000"),
    Column("邮箱", "email", EMAIL, max_length=254, width=24, example="zhangsan@court.example",
           note="可空；提醒邮件（每日汇总或即时提醒）发到这里，没有时用登录账号的邮箱"),
    Column("延长预备期至", "probation_extended_until", DATE, width=14, note="仅预备期被延长的预备党员填写"),
    Column("退休后计入出勤", "counts_when_retired", YES_NO, width=14, note="退休党员是否计入应到人数；空白视为否"),
)  # fmt: skip

SHEETS: dict[str, tuple[Column, ...]] = {UNIT_SHEET: UNIT_COLUMNS, MEMBER_SHEET: MEMBER_COLUMNS}


@dataclass
class ParsedRow:
    """One data row: the cells that were read, by field name. Absent columns are not in `values`."""

    row: int
    values: dict[str, Any] = field(default_factory=dict)
    # Fields whose cell was present but wrong (already reported); later checks skip them.
    bad: set[str] = field(default_factory=set)

    def get(self, name, default=None):
        return default if name in self.bad else self.values.get(name, default)

    def has(self, name) -> bool:
        return name in self.values and name not in self.bad


@dataclass
class ParsedSheet:
    name: str
    rows: list[ParsedRow] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)  # the columns found in the header row
    ignored_headers: list[str] = field(default_factory=list)
    readable: bool = True


# ---------------------------------------------------------------------------------------------
# Cells


def parse_choice(value, column: Column) -> str:
    text = parse_text(value)
    for label, stored in column.choices:
        if text == label:
            return stored
    raise CellError(f"“{text}”不是有效的{column.header}，应为{'、'.join(_unique(column.labels))}")


def parse_yes_no(value) -> bool:
    if is_blank(value):
        return False
    if isinstance(value, bool):
        return value
    text = parse_text(value)
    if text in (YES, NO):
        return text == YES
    raise CellError(f"“{text}”无效，应为“是”或“否”")


def parse_id_number(value) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        # An 18-digit number is beyond a spreadsheet's 15 significant digits: the tail is already lost.
        raise CellError("身份证号被存成了数字，末几位可能已丢失；请把该列设为文本格式后重新填写")
    number = idcard.normalise(parse_text(value))
    if "*" in number:
        raise CellError("身份证号已被部分隐藏（含*）：隐藏过身份证号的导出文件不能再导入，请填写完整号码")
    return number


def parse_email(value) -> str:
    text = parse_text(value)
    try:
        validate_email(text)
    except ValidationError:
        raise CellError(f"“{text}”不是有效的邮箱地址，应形如 zhangsan@court.example") from None
    return text


def parse_cell(value, column: Column):
    if column.kind == DATE:
        return parse_date(value)
    if column.kind == YES_NO:
        return parse_yes_no(value)
    if is_blank(value):
        return ""
    if column.kind == CHOICE:
        return parse_choice(value, column)
    if column.kind == ID_NUMBER:
        return parse_id_number(value)
    text = parse_text(value)
    if column.max_length and len(text) > column.max_length:
        raise CellError(f"长度不能超过{column.max_length}个字符（当前{len(text)}个）")
    if column.kind == EMAIL:
        return parse_email(text)
    return text


def _unique(items):
    return list(dict.fromkeys(items))


# ---------------------------------------------------------------------------------------------
# Sheets


def clean_header(value) -> str:
    return re.sub(r"\s+", "", parse_text(value))


def read_sheet(name: str, rows: Iterable[tuple], errors: list[RowError]) -> ParsedSheet:
    """Read one sheet given as rows of cell values (the first is the header row).

    Columns are found by header text, in any order. A missing required column makes the sheet
    unreadable (reported once, naming the column); every cell error is reported with its row.
    """
    columns_by_header = {column.header: column for column in SHEETS[name]}
    sheet = ParsedSheet(name)
    rows = iter(rows)
    header = next(rows, None)
    if header is None or all(is_blank(value) for value in header):
        # An empty sheet has nothing to import (e.g. a roster-only file); data without a header does.
        if any(not all(is_blank(value) for value in row) for row in rows if row):
            errors.append(RowError(name, 1, None, "第1行应为表头（列名），当前为空"))
            sheet.readable = False
        return sheet
    positions: list[tuple[int, Column]] = []
    seen: dict[str, int] = {}
    for index, value in enumerate(header):
        text = clean_header(value)
        if not text:
            continue
        if text in seen:
            errors.append(RowError(name, 1, text, f"列“{text}”出现了两次"))
            sheet.readable = False
            continue
        seen[text] = index
        if text in columns_by_header:
            positions.append((index, columns_by_header[text]))
        else:
            sheet.ignored_headers.append(text)
    sheet.columns = [column for _, column in positions]
    for column in SHEETS[name]:
        if column.required and column.header not in seen:
            errors.append(RowError(name, 1, column.header, f"缺少必需的列“{column.header}”"))
            sheet.readable = False
    if not sheet.readable:
        return sheet
    for number, values in enumerate(rows, start=2):
        if values is None or all(is_blank(value) for value in values):
            continue
        parsed = ParsedRow(number)
        for index, column in positions:
            raw = values[index] if index < len(values) else None
            try:
                parsed.values[column.field] = parse_cell(raw, column)
            except CellError as exc:
                errors.append(RowError(name, number, column.header, str(exc)))
                parsed.bad.add(column.field)
                continue
            if column.not_blank and parsed.values[column.field] in ("", None):
                errors.append(RowError(name, number, column.header, f"{column.header}不能为空"))
                parsed.bad.add(column.field)
        sheet.rows.append(parsed)
    return sheet


def missing_sheet_error(name: str) -> RowError:
    return RowError(name, None, None, f"缺少工作表“{name}”（工作表名称须为“{UNIT_SHEET}”和“{MEMBER_SHEET}”）")


# ---------------------------------------------------------------------------------------------
# What the database already holds, as plain data


@dataclass(frozen=True)
class KnownUnit:
    code: str
    kind: str
    parent_code: str | None


@dataclass(frozen=True)
class KnownMember:
    id_number: str
    branch_code: str
    group_code: str | None
    # The day the member's current membership span began (None: before records began).
    since: date | None = None


# ---------------------------------------------------------------------------------------------
# The whole file


U = {column.field: column.header for column in UNIT_COLUMNS}
M = {column.field: column.header for column in MEMBER_COLUMNS}


@dataclass
class Tree:
    """The org tree as it will be after the import: known units overlaid with the file's rows."""

    parent: dict[str, str | None]
    kind: dict[str, str | None]
    rows: dict[str, ParsedRow]  # code → the (first) file row for it

    def chain(self, code: str) -> list[str]:
        """`code` and its ancestors, stopping before a repeat."""
        out, seen = [], set()
        current = code
        while current is not None and current not in seen:
            out.append(current)
            seen.add(current)
            current = self.parent.get(current)
        if current is not None:
            out.append(current)  # the repeated code closes the loop
        return out

    def in_loop(self, code: str) -> bool:
        chain = self.chain(code)
        return len(chain) > 1 and chain[-1] == code

    def depth(self, code: str) -> int:
        return len(self.chain(code))


def build_tree(unit_rows: list[ParsedRow], known_units: Mapping[str, KnownUnit], errors: list[RowError]) -> Tree:
    parent = {code: unit.parent_code for code, unit in known_units.items()}
    kind: dict[str, str | None] = {code: unit.kind for code, unit in known_units.items()}
    rows: dict[str, ParsedRow] = {}
    for row in unit_rows:
        code = row.get("code")
        if not code:
            continue
        if code in rows:
            errors.append(RowError(UNIT_SHEET, row.row, U["code"], f"编码“{code}”与第{rows[code].row}行重复"))
            row.bad.add("code")
            continue
        rows[code] = row
        if row.has("kind"):
            kind[code] = row.values["kind"]
        elif code not in known_units:
            kind[code] = None
        parent[code] = row.get("parent_code") or None
    return Tree(parent, kind, rows)


def validate_roster(
    unit_rows: list[ParsedRow],
    member_rows: list[ParsedRow],
    known_units: Mapping[str, KnownUnit],
    known_members: Mapping[str, KnownMember],
    *,
    today: date,
    managed: set[str] | None = None,
    units_readable: bool = True,
) -> tuple[list[RowError], Tree]:
    """Every reason the file cannot be imported as a whole (empty when it can).

    `managed` is the set of known unit codes the importing user manages; None means the committee,
    who may change anything. A row touching a unit or member outside it is an error on that row.
    When the 组织 sheet could not be read, members' units are not checked: every code the file
    defines would look unknown.
    """
    errors: list[RowError] = []
    _check_examples(unit_rows, member_rows, errors)
    tree = build_tree(unit_rows, known_units, errors)
    scope = _Scope(managed, known_units, tree) if managed is not None else None
    _check_units(tree, known_units, scope, errors)
    final_members = _check_members(member_rows, tree, known_members, scope, today, errors, units_readable)
    _check_unit_changes_against_members(tree, known_units, known_members, final_members, errors)
    return sorted(set(errors), key=error_sort_key), tree


def error_sort_key(error: RowError):
    sheet_order = [UNIT_SHEET, MEMBER_SHEET]
    sheet = sheet_order.index(error.sheet) if error.sheet in sheet_order else len(sheet_order)
    headers = [column.header for column in SHEETS.get(error.sheet, ())]
    column = headers.index(error.column) if error.column in headers else -1
    return (sheet, error.row or 0, column, error.message)


class _Scope:
    """What a secretary may touch: their known subtrees, and new units the file hangs inside them."""

    def __init__(self, managed: set[str], known_units: Mapping[str, KnownUnit], tree: Tree):
        self.managed = managed
        self.known = known_units
        self.tree = tree
        # The top units of the user's subtrees: their own parent lies outside.
        self.tops = {code for code in managed if known_units[code].parent_code not in managed}
        self._memo: dict[str, bool] = {}

    def covers(self, code: str | None) -> bool:
        if code is None:
            return False
        if code in self.managed:
            return True
        if code in self.known or code not in self.tree.rows:
            return False
        if code not in self._memo:
            self._memo[code] = False  # a loop never reaches the user's subtree
            self._memo[code] = self.covers(self.tree.parent.get(code))
        return self._memo[code]

    def hidden(self, code: str) -> bool:
        """A known unit the user may not see: reported as if it did not exist."""
        return code in self.known and code not in self.managed


def _check_units(tree: Tree, known_units, scope: _Scope | None, errors: list[RowError]) -> None:
    for code, row in tree.rows.items():
        if scope is not None:
            if scope.hidden(code):
                errors.append(RowError(UNIT_SHEET, row.row, U["code"], f"编码“{code}”已被您管辖范围以外的组织使用"))
                continue
            if code in scope.tops:
                known = known_units[code]
                if tree.parent[code] != known.parent_code:
                    errors.append(RowError(UNIT_SHEET, row.row, U["parent_code"], "不能调整您所管辖的最上级组织的上级"))
                    continue
                if tree.kind[code] != known.kind:
                    errors.append(RowError(UNIT_SHEET, row.row, U["kind"], "不能修改您所管辖的最上级组织的类型"))
                    continue
        parent = tree.parent[code]
        if parent is not None:
            unknown = parent not in tree.kind
            if scope is not None and code not in scope.tops and (unknown or scope.hidden(parent)):
                errors.append(
                    RowError(UNIT_SHEET, row.row, U["parent_code"], f"上级编码“{parent}”不存在或不在您的管辖范围内")
                )
                continue
            if unknown:
                errors.append(
                    RowError(
                        UNIT_SHEET,
                        row.row,
                        U["parent_code"],
                        f"上级编码“{parent}”不存在（本文件和系统中都没有这个编码）",
                    )
                )
                continue
            if parent == code or tree.in_loop(code):
                loop = " → ".join(tree.chain(code))
                errors.append(RowError(UNIT_SHEET, row.row, U["parent_code"], f"上级关系形成循环：{loop}"))
                continue
            if scope is not None and code not in scope.tops and not scope.covers(parent):
                errors.append(
                    RowError(UNIT_SHEET, row.row, U["parent_code"], f"上级编码“{parent}”不存在或不在您的管辖范围内")
                )
                continue
        elif scope is not None:
            errors.append(RowError(UNIT_SHEET, row.row, U["parent_code"], "只有机关党委可以导入没有上级的组织"))
            continue
        kind, parent_kind = tree.kind[code], tree.kind.get(parent) if parent else None
        if kind is None or (parent is not None and parent_kind is None):
            continue  # a bad 类型 cell, already reported
        error = tree_rules.parent_error(kind, parent_kind)
        if error:
            errors.append(RowError(UNIT_SHEET, row.row, U["parent_code"], error))

    roots = [code for code, parent in tree.parent.items() if parent is None]
    already_wrong = {error.row for error in errors if error.sheet == UNIT_SHEET}
    if len(roots) > 1:
        names = "、".join(sorted(roots))
        for code in roots:
            row = tree.rows.get(code)
            if row is not None and row.row not in already_wrong:
                errors.append(
                    RowError(
                        UNIT_SHEET,
                        row.row,
                        U["parent_code"],
                        f"组织树只能有一个根（机关党委），现有{len(roots)}个没有上级的组织：{names}",
                    )
                )

    # Known units the file does not mention must still fit under their (possibly changed) parent.
    for code, parent in tree.parent.items():
        if code in tree.rows or parent not in tree.rows or tree.kind[parent] is None:
            continue
        error = tree_rules.parent_error(tree.kind[code], tree.kind[parent])
        if error:
            parent_row = tree.rows[parent]
            errors.append(RowError(UNIT_SHEET, parent_row.row, U["kind"], f"下级组织“{code}”不允许：{error}"))


@dataclass(frozen=True)
class _Placement:
    branch_code: str
    group_code: str | None
    row: ParsedRow | None  # None: a known member the file does not mention


def _check_members(
    member_rows, tree: Tree, known_members, scope: _Scope | None, today: date, errors: list[RowError], placing=True
) -> dict[str, _Placement]:
    first_row_of: dict[str, int] = {}
    placements = {
        number: _Placement(member.branch_code, member.group_code, None) for number, member in known_members.items()
    }
    for row in member_rows:
        number = row.get("id_number")
        if number:
            for message in idcard.id_number_errors(number, row.get("birth_date")):
                errors.append(RowError(MEMBER_SHEET, row.row, M["id_number"], message))
            if number in first_row_of:
                errors.append(
                    RowError(MEMBER_SHEET, row.row, M["id_number"], f"身份证号与第{first_row_of[number]}行重复")
                )
                continue
            first_row_of[number] = row.row
        known = known_members.get(number) if number else None
        if scope is not None and known is not None and scope.hidden(known.branch_code):
            errors.append(
                RowError(
                    MEMBER_SHEET,
                    row.row,
                    M["id_number"],
                    "该身份证号的党员在您管辖范围以外的支部，请联系上级党组织办理组织关系转接",
                )
            )
            continue
        branch, group = row.get("branch_code"), row.get("group_code") or None
        placed = bool(branch) and placing and _check_branch(row, branch, group, tree, scope, errors)
        if number and placed:
            placements[number] = _Placement(branch, group, row)
        elif known is not None:
            # Mentioned but misplaced (already reported): not one of the members the file leaves behind.
            placements[number] = _Placement(known.branch_code, known.group_code, row)
        if number and placed:
            if known is not None and known.branch_code != branch and known.since is not None and known.since >= today:
                errors.append(
                    RowError(
                        MEMBER_SHEET,
                        row.row,
                        M["branch_code"],
                        f"该党员于{known.since:%Y-%m-%d}转入现支部，同一天不能再次转接；请改日导入",
                    )
                )
        joined, full = row.get("joined_on"), row.get("full_on")
        if row.get("category") == "full" and joined and full and full < joined:
            errors.append(RowError(MEMBER_SHEET, row.row, M["full_on"], "转正日期不能早于入党日期"))
    return placements


def _check_branch(row, branch, group, tree: Tree, scope: _Scope | None, errors) -> bool:
    label = tree_rules.KIND_LABELS
    if branch not in tree.kind or (scope is not None and not scope.covers(branch)):
        reason = "不存在或不在您的管辖范围内" if scope is not None else "不存在（本文件和系统中都没有这个编码）"
        errors.append(RowError(MEMBER_SHEET, row.row, M["branch_code"], f"所在支部编码“{branch}”{reason}"))
        return False
    if tree.kind[branch] is None:
        return False
    if tree.kind[branch] != tree_rules.BRANCH:
        errors.append(
            RowError(
                MEMBER_SHEET,
                row.row,
                M["branch_code"],
                f"“{branch}”是{label[tree.kind[branch]]}，党员只能编入党支部",
            )
        )
        return False
    if group is None:
        return True
    if group not in tree.kind or (scope is not None and not scope.covers(group)):
        reason = "不存在或不在您的管辖范围内" if scope is not None else "不存在（本文件和系统中都没有这个编码）"
        errors.append(RowError(MEMBER_SHEET, row.row, M["group_code"], f"党小组编码“{group}”{reason}"))
        return False
    if tree.kind[group] is None:
        return False
    if tree.kind[group] != tree_rules.GROUP:
        errors.append(
            RowError(MEMBER_SHEET, row.row, M["group_code"], f"“{group}”是{label[tree.kind[group]]}，不是党小组")
        )
        return False
    if tree.parent.get(group) != branch:
        errors.append(RowError(MEMBER_SHEET, row.row, M["group_code"], f"党小组“{group}”不属于所在支部“{branch}”"))
        return False
    return True


def _check_unit_changes_against_members(
    tree: Tree, known_units, known_members, placements: dict[str, _Placement], errors: list[RowError]
) -> None:
    """A unit row may not leave members behind in a unit that no longer takes them."""
    per_branch = Counter(p.branch_code for p in placements.values())
    per_group = Counter(p.group_code for p in placements.values() if p.group_code)
    for code, row in tree.rows.items():
        known = known_units.get(code)
        if known is None or tree.kind[code] is None or tree.kind[code] == known.kind:
            continue
        if known.kind == tree_rules.BRANCH and per_branch[code]:
            errors.append(
                RowError(UNIT_SHEET, row.row, U["kind"], f"该支部还有{per_branch[code]}名党员，不能改为其他类型")
            )
        if known.kind == tree_rules.GROUP and per_group[code]:
            errors.append(
                RowError(UNIT_SHEET, row.row, U["kind"], f"该党小组还有{per_group[code]}名党员，不能改为其他类型")
            )
    # A group moved to another branch would take members of the old branch with it.
    stranded = Counter()
    for placement in placements.values():
        group = placement.group_code
        if placement.row is None and group in tree.rows and tree.parent.get(group) != placement.branch_code:
            stranded[group] += 1
    for group, count in stranded.items():
        errors.append(
            RowError(
                UNIT_SHEET,
                tree.rows[group].row,
                U["parent_code"],
                f"该党小组还有{count}名党员属于原支部，不能移到其他支部（请在“党员”表中一并调整）",
            )
        )


def unit_write_order(tree: Tree) -> list[str]:
    """Codes of the file's units, parents before children (the tree must be free of loops).

    Siblings go in code order, the order the tree keeps them in, so each insert appends.
    """
    return sorted(tree.rows, key=lambda code: (tree.depth(code), code))


def example_values(columns: tuple[Column, ...]) -> dict[str, Any]:
    return {column.field: column.example for column in columns}


def _check_examples(unit_rows, member_rows, errors: list[RowError]) -> None:
    """The template's example rows look real; imported by mistake they would become real."""
    for sheet, rows, keys in (
        (UNIT_SHEET, unit_rows, ("code", "name")),
        (MEMBER_SHEET, member_rows, ("id_number", "name")),
    ):
        example = example_values(SHEETS[sheet])
        for row in rows:
            if all(row.values.get(key) == example[key] for key in keys):
                errors.append(RowError(sheet, row.row, None, "这是模板中的示例行，请删除后再导入"))
