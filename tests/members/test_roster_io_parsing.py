"""The roster workbook's cells and whole-file checks, on plain data: no database here."""

from datetime import date, datetime

import pytest

from members import idcard
from members import roster_io as io

TODAY = date(2026, 11, 22)


def _id(born=date(1985, 6, 15), sequence=1):
    return idcard.make_id_number("110101", born, sequence)


# --- cells ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        date(2020, 7, 1),
        datetime(2020, 7, 1, 0, 0),
        "2020-07-01",
        "2020-7-1",
        "2020/7/1",
        "2020/07/01",
        "2020年7月1日",
        "2020年07月01日",
        "2020.7.1",
        " 2020-07-01 ",
        "2020-07-01 00:00:00",
        "20200701",
        20200701,
    ],
)
def test_dates_are_read_from_date_cells_and_common_text_forms(value):
    assert io.parse_date(value) == date(2020, 7, 1)


@pytest.mark.parametrize("value", [None, "", "   "])
def test_a_blank_date_is_none(value):
    assert io.parse_date(value) is None


def test_an_impossible_date_says_so():
    with pytest.raises(io.CellError, match="日期“2021-02-30”不存在（2021年没有2月30日）"):
        io.parse_date("2021-02-30")
    with pytest.raises(io.CellError, match="不存在"):
        io.parse_date("2021年13月1日")


def test_an_excel_serial_number_is_the_date_excel_shows_for_it():
    # A date cell formatted as "General" shows (and hands us) its serial number.
    assert io.parse_date(44013) == date(2020, 7, 1)
    assert io.parse_date(20200701) == date(2020, 7, 1)  # typed as a number, not a serial


@pytest.mark.parametrize("value", ["去年七月", "07/01/2020", "2020-07", True])
def test_unreadable_dates_name_the_accepted_forms(value):
    with pytest.raises(io.CellError, match="2020-07-01、2020/7/1、2020年7月1日"):
        io.parse_date(value)


def test_a_date_with_an_absurd_year_is_refused():
    with pytest.raises(io.CellError, match="年份不合理"):
        io.parse_date("0202-07-01")


def test_choices_accept_only_their_labels():
    kind = io.UNIT_COLUMNS[2]
    assert io.parse_choice("党小组", kind) == "group"
    with pytest.raises(io.CellError, match="“党委”不是有效的类型，应为机关党委、党总支、党支部、党小组"):
        io.parse_choice("党委", kind)
    status = next(c for c in io.MEMBER_COLUMNS if c.header == "状态")
    assert io.parse_choice("流动", status) == io.parse_choice("流动/外出", status) == "away"


def test_yes_no():
    assert io.parse_yes_no("是") is True
    assert io.parse_yes_no("否") is False
    assert io.parse_yes_no(None) is False
    with pytest.raises(io.CellError, match="应为“是”或“否”"):
        io.parse_yes_no("Y")


def test_numbers_in_text_columns_keep_their_digits():
    assert io.parse_text(13800000000) == "13800000000"
    assert io.parse_text(13800000000.0) == "13800000000"
    assert io.parse_text("  ZB01 ") == "ZB01"


def test_an_id_number_stored_as_a_number_is_refused_because_its_tail_is_lost():
    with pytest.raises(io.CellError, match="文本格式"):
        io.parse_id_number(110101198506150011)
    assert io.parse_id_number(" 11010119850615001x ") == "11010119850615001X"


def test_a_masked_id_number_from_a_secretarys_export_says_why_it_cannot_be_imported():
    with pytest.raises(io.CellError, match="隐藏过身份证号的导出文件不能再导入"):
        io.parse_id_number(idcard.mask(_id()))


# --- sheets ---------------------------------------------------------------------------------


def test_columns_are_found_by_header_in_any_order_and_unknown_ones_ignored():
    errors = []
    sheet = io.read_sheet(
        io.UNIT_SHEET,
        [
            ("上级编码", " 名称 ", "备注", "编码", "类型", "成立日期"),
            ("JG", "第一党总支", "x", "ZZ1", "党总支", "2019/3/1"),
            (None, None, None, None, None, None),  # blank rows are skipped, numbering is not
            ("ZZ1", "刑庭支部", None, "ZB1", "党支部", None),
        ],
        errors,
    )
    assert errors == []
    assert sheet.ignored_headers == ["备注"]
    assert [row.row for row in sheet.rows] == [2, 4]
    assert sheet.rows[0].values == {
        "parent_code": "JG",
        "name": "第一党总支",
        "code": "ZZ1",
        "kind": "general_branch",
        "founded_on": date(2019, 3, 1),
    }
    # Absent optional columns are absent from the values: the import leaves those fields alone.
    assert "elected_on" not in sheet.rows[1].values


def test_a_missing_required_column_is_named():
    errors = []
    sheet = io.read_sheet(io.MEMBER_SHEET, [("性别", "身份证号")], errors)
    assert not sheet.readable
    missing = {error.column for error in errors}
    assert missing == {"姓名", "出生日期", "党员类别", "所在支部编码"}
    assert all(error.row == 1 and error.sheet == "党员" for error in errors)
    assert "缺少必需的列“姓名”" in [error.message for error in errors]


def test_every_bad_cell_of_every_row_is_reported_with_row_and_column():
    errors = []
    io.read_sheet(
        io.MEMBER_SHEET,
        [
            ("姓名", "性别", "出生日期", "身份证号", "党员类别", "所在支部编码", "党务干部"),
            ("", "男", "1985-06-15", _id(), "正式党员", "ZB1", "是"),
            ("李四", "M", "2021-02-30", _id(sequence=3), "党员", "ZB1", "也许"),
        ],
        errors,
    )
    found = {(e.row, e.column): e.message for e in errors}
    assert found == {
        (2, "姓名"): "姓名不能为空",
        (3, "性别"): "“M”不是有效的性别，应为男、女",
        (3, "出生日期"): "日期“2021-02-30”不存在（2021年没有2月30日）",
        (3, "党员类别"): "“党员”不是有效的党员类别，应为正式党员、预备党员",
        (3, "党务干部"): "“也许”无效，应为“是”或“否”",
    }


def test_an_empty_sheet_has_no_rows_but_data_without_a_header_is_an_error():
    errors = []
    assert io.read_sheet(io.UNIT_SHEET, [], errors).rows == []
    assert io.read_sheet(io.UNIT_SHEET, [(None, None), ("", None)], errors).readable
    assert errors == []
    assert not io.read_sheet(io.UNIT_SHEET, [(None, None), ("ZB1", "党支部")], errors).readable
    assert [(e.row, e.message) for e in errors] == [(1, "第1行应为表头（列名），当前为空")]


def test_text_longer_than_the_field_is_an_error():
    errors = []
    io.read_sheet(io.UNIT_SHEET, [("编码", "名称", "类型", "上级编码"), ("A" * 33, "x", "党支部", "JG")], errors)
    assert [(e.column, e.message) for e in errors] == [("编码", "长度不能超过32个字符（当前33个）")]


def test_error_text_names_sheet_row_and_column():
    error = io.RowError("党员", 7, "身份证号", "身份证号与第3行重复")
    assert str(error) == "工作表“党员”第7行“身份证号”列：身份证号与第3行重复"
    assert str(io.missing_sheet_error("组织")).startswith("工作表“组织”：缺少工作表“组织”")


# --- whole file -----------------------------------------------------------------------------

KNOWN = {
    "JG": io.KnownUnit("JG", "committee", None),
    "ZZ1": io.KnownUnit("ZZ1", "general_branch", "JG"),
    "ZB1": io.KnownUnit("ZB1", "branch", "ZZ1"),
    "ZB1-1": io.KnownUnit("ZB1-1", "group", "ZB1"),
    "ZB9": io.KnownUnit("ZB9", "branch", "JG"),
}


def unit(row, code, kind, parent, name="单位"):
    return io.ParsedRow(row, {"code": code, "name": name, "kind": kind, "parent_code": parent or ""})


def member(row, number, branch, group="", born=date(1985, 6, 15), **values):
    base = {
        "name": "张三",
        "gender": "男",
        "birth_date": born,
        "id_number": number,
        "category": "full",
        "branch_code": branch,
        "group_code": group,
    }
    return io.ParsedRow(row, base | values)


def check(units=(), members=(), known_units=KNOWN, known_members=None, managed=None):
    errors, _ = io.validate_roster(
        list(units), list(members), known_units, known_members or {}, today=TODAY, managed=managed
    )
    return [(e.sheet, e.row, e.column, e.message) for e in errors]


def test_a_consistent_file_passes_and_is_written_parents_first():
    units = [
        unit(2, "ZB2-1", "group", "ZB2"),
        unit(3, "ZB2", "branch", "ZZ2"),
        unit(4, "ZZ2", "general_branch", "JG"),
    ]
    members = [member(2, _id(), "ZB2", "ZB2-1"), member(3, _id(sequence=3), "ZB1", "ZB1-1")]
    errors, tree = io.validate_roster(units, members, KNOWN, {}, today=TODAY)
    assert errors == []
    assert io.unit_write_order(tree) == ["ZZ2", "ZB2", "ZB2-1"]


def test_the_templates_example_rows_are_refused_if_left_in():
    example_unit = io.example_values(io.UNIT_COLUMNS)
    example_member = io.example_values(io.MEMBER_COLUMNS)
    errors = check(
        [unit(2, example_unit["code"], "branch", "JG", name=example_unit["name"])],
        [member(2, example_member["id_number"], example_unit["code"], name=example_member["name"])],
    )
    assert errors == [
        ("组织", 2, None, "这是模板中的示例行，请删除后再导入"),
        ("党员", 2, None, "这是模板中的示例行，请删除后再导入"),
    ]


def test_unknown_parent_code():
    assert check([unit(2, "ZB3", "branch", "NOPE")]) == [
        ("组织", 2, "上级编码", "上级编码“NOPE”不存在（本文件和系统中都没有这个编码）")
    ]


def test_a_group_under_a_general_branch_breaks_the_kind_rule():
    assert check([unit(2, "G1", "group", "ZZ1")]) == [("组织", 2, "上级编码", "党小组的上级只能是党支部，不能是党总支")]


def test_a_cycle_within_the_file_is_reported_on_each_unit_in_it():
    errors = check([unit(2, "A", "branch", "B"), unit(3, "B", "branch", "A"), unit(4, "C", "group", "A")])
    assert ("组织", 2, "上级编码", "上级关系形成循环：A → B → A") in errors
    assert ("组织", 3, "上级编码", "上级关系形成循环：B → A → B") in errors
    assert not [e for e in errors if e[1] == 4]  # C hangs under the loop but is not part of it


def test_reparenting_a_known_unit_under_its_own_descendant_is_a_cycle():
    assert check([unit(5, "ZZ1", "general_branch", "ZB1")]) == [
        ("组织", 5, "上级编码", "上级关系形成循环：ZZ1 → ZB1 → ZZ1")
    ]


def test_a_unit_cannot_be_its_own_parent():
    assert check([unit(2, "X", "branch", "X")]) == [("组织", 2, "上级编码", "上级关系形成循环：X → X")]


def test_more_than_one_root():
    errors = check([unit(2, "JG2", "committee", None)])
    assert errors == [("组织", 2, "上级编码", "组织树只能有一个根（机关党委），现有2个没有上级的组织：JG、JG2")]


def test_a_branch_without_parent_gets_the_kind_rule_not_a_second_root_message():
    assert check([unit(2, "ZB5", "branch", None)]) == [("组织", 2, "上级编码", "党支部必须有上级党组织")]


def test_duplicate_codes_in_the_file():
    errors = check([unit(2, "ZB5", "branch", "JG"), unit(6, "ZB5", "branch", "JG")])
    assert errors == [("组织", 6, "编码", "编码“ZB5”与第2行重复")]


def test_changing_a_kind_that_children_or_members_rely_on():
    errors = check([unit(2, "ZB1", "general_branch", "JG")], known_members={"X": io.KnownMember("X", "ZB1", None)})
    assert ("组织", 2, "类型", "下级组织“ZB1-1”不允许：党小组的上级只能是党支部，不能是党总支") in errors
    assert ("组织", 2, "类型", "该支部还有1名党员，不能改为其他类型") in errors


def test_moving_a_group_that_still_holds_members_of_its_old_branch():
    known_members = {_id(): io.KnownMember(_id(), "ZB1", "ZB1-1")}
    errors = check([unit(3, "ZB1-1", "group", "ZB9")], known_members=known_members)
    assert errors == [
        ("组织", 3, "上级编码", "该党小组还有1名党员属于原支部，不能移到其他支部（请在“党员”表中一并调整）")
    ]
    # Moving its members along in the same file is fine.
    moved = [member(2, _id(), "ZB9", "ZB1-1")]
    assert check([unit(3, "ZB1-1", "group", "ZB9")], moved, known_members=known_members) == []


def test_member_id_numbers_checksum_date_birth_mismatch_and_duplicates():
    good = _id()
    bad_checksum = good[:-1] + ("0" if good[-1] != "0" else "1")
    impossible = idcard.make_id_number("110101", date(1985, 2, 1), 5).replace("19850201", "19850230")
    errors = check(
        members=[
            member(2, good, "ZB1"),
            member(3, bad_checksum, "ZB1"),
            member(4, impossible, "ZB1"),
            member(5, _id(sequence=7), "ZB1", born=date(1985, 6, 16)),
            member(6, good, "ZB1"),
        ]
    )
    messages = {(row, message) for _, row, _, message in errors}
    assert any(row == 3 and "校验位错误" in message for row, message in messages)
    assert any(row == 4 and "19850230不是有效日期" in message for row, message in messages)
    assert (5, "身份证号中的出生日期1985-06-15与出生日期1985-06-16不一致") in messages
    assert (6, "身份证号与第2行重复") in messages
    assert not [e for e in errors if e[1] == 2]
    assert {column for _, _, column, _ in errors} == {"身份证号"}


def test_member_branch_and_group_must_fit_the_tree():
    errors = check(
        members=[
            member(2, _id(sequence=1), "ZB7"),
            member(3, _id(sequence=3), "ZZ1"),
            member(4, _id(sequence=5), "ZB9", "ZB1-1"),
            member(5, _id(sequence=7), "ZB1", "ZB9"),
            member(6, _id(sequence=9), "ZB1", "G404"),
        ]
    )
    assert errors == [
        ("党员", 2, "所在支部编码", "所在支部编码“ZB7”不存在（本文件和系统中都没有这个编码）"),
        ("党员", 3, "所在支部编码", "“ZZ1”是党总支，党员只能编入党支部"),
        ("党员", 4, "党小组编码", "党小组“ZB1-1”不属于所在支部“ZB9”"),
        ("党员", 5, "党小组编码", "“ZB9”是党支部，不是党小组"),
        ("党员", 6, "党小组编码", "党小组编码“G404”不存在（本文件和系统中都没有这个编码）"),
    ]


def test_full_date_before_join_date():
    errors = check(members=[member(2, _id(), "ZB1", joined_on=date(2010, 7, 1), full_on=date(2009, 7, 1))])
    assert errors == [("党员", 2, "转正日期", "转正日期不能早于入党日期")]


def test_a_member_transferred_today_cannot_be_transferred_again_today():
    known = {_id(): io.KnownMember(_id(), "ZB9", None, since=TODAY)}
    assert check(members=[member(2, _id(), "ZB1")], known_members=known) == [
        ("党员", 2, "所在支部编码", "该党员于2026-11-22转入现支部，同一天不能再次转接；请改日导入")
    ]


def test_all_errors_of_both_sheets_are_collected_in_sheet_and_row_order():
    errors = check(
        [unit(3, "G1", "group", "ZZ1"), unit(2, "ZB5", "branch", "NOPE")],
        [member(4, _id(), "ZB7"), member(2, _id(sequence=3), "ZZ1")],
    )
    assert [(sheet, row) for sheet, row, _, _ in errors] == [("组织", 2), ("组织", 3), ("党员", 2), ("党员", 4)]


# --- a secretary's import -------------------------------------------------------------------

SECRETARY = {"ZB1", "ZB1-1"}  # what the secretary of ZB1 manages


def test_a_secretary_may_change_their_own_subtree():
    units = [unit(2, "ZB1", "branch", "ZZ1", name="新名称"), unit(3, "ZB1-2", "group", "ZB1")]
    members = [member(2, _id(), "ZB1", "ZB1-2")]
    assert check(units, members, managed=SECRETARY) == []


def test_a_secretary_may_not_touch_units_outside_their_subtree():
    errors = check(
        [
            unit(2, "ZB9", "branch", "JG"),
            unit(3, "ZB3", "branch", "ZZ1"),
            unit(4, "ZB1", "branch", "JG"),
            unit(5, "JG2", "committee", None),
        ],
        managed=SECRETARY,
    )
    assert errors == [
        ("组织", 2, "编码", "编码“ZB9”已被您管辖范围以外的组织使用"),
        ("组织", 3, "上级编码", "上级编码“ZZ1”不存在或不在您的管辖范围内"),
        ("组织", 4, "上级编码", "不能调整您所管辖的最上级组织的上级"),
        ("组织", 5, "上级编码", "只有机关党委可以导入没有上级的组织"),
    ]


def test_a_secretary_may_not_place_or_take_members_outside_their_subtree():
    outsider = _id(sequence=9)
    errors = check(
        members=[member(2, _id(), "ZB9"), member(3, outsider, "ZB1")],
        known_members={outsider: io.KnownMember(outsider, "ZB9", None)},
        managed=SECRETARY,
    )
    assert errors == [
        ("党员", 2, "所在支部编码", "所在支部编码“ZB9”不存在或不在您的管辖范围内"),
        ("党员", 3, "身份证号", "该身份证号的党员在您管辖范围以外的支部，请联系上级党组织办理组织关系转接"),
    ]
