"""The roster's optional 邮箱 column: where members' (and their accounts') notices are mailed."""

from datetime import date
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook

from core.spreadsheets import RowError
from members import idcard
from members import roster_io as io
from members.models import Member
from members.roster_export import roster_export, roster_template
from members.roster_import import roster_import
from members.selectors import id_number_q
from notices import selectors
from tests.factories import make_member, member_with_login

ZHANG = idcard.make_id_number("110101", date(1975, 3, 8), 11)
UNITS = [
    ["编码", "名称", "类型", "上级编码"],
    ["JG", "机关党委", "机关党委", None],
    ["ZB1", "刑事审判庭党支部", "党支部", "JG"],
]
HEADERS = ["姓名", "性别", "出生日期", "身份证号", "党员类别", "所在支部编码", "邮箱"]


def workbook(*member_rows, headers=HEADERS) -> BytesIO:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in (("组织", UNITS), ("党员", [headers, *member_rows])):
        sheet = wb.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def test_the_column_is_optional_and_checked():
    errors: list[RowError] = []
    full = ["姓名", "性别", "出生日期", "身份证号", "党员类别", "所在支部编码", "邮箱"]
    rows = [
        full,
        ("张三", "男", date(1975, 3, 8), ZHANG, "正式党员", "ZB1", " zhang@court.example "),
        ("李四", "男", date(1975, 3, 8), ZHANG, "正式党员", "ZB1", None),
        ("王五", "男", date(1975, 3, 8), ZHANG, "正式党员", "ZB1", "wangwu.court.example"),
    ]
    sheet = io.read_sheet(io.MEMBER_SHEET, rows, errors)
    assert [row.values.get("email") for row in sheet.rows] == ["zhang@court.example", "", None]
    assert errors == [
        RowError("党员", 4, "邮箱", "“wangwu.court.example”不是有效的邮箱地址，应形如 zhangsan@court.example")
    ]


@pytest.mark.django_db
def test_import_sets_the_address_and_export_gives_it_back():
    row = ["张建国", "男", date(1975, 3, 8), ZHANG, "正式党员", "ZB1", "zjg@court.example"]
    result = roster_import(file=workbook(row))
    assert result.ok, result.errors
    member = Member.objects.get(id_number_q(ZHANG))
    assert member.email == "zjg@court.example"
    # Without the column, an import leaves the address as it is.
    headers = HEADERS[:-1]
    result = roster_import(file=workbook(["张建国", "男", date(1975, 3, 8), ZHANG, "正式党员", "ZB1"], headers=headers))
    assert result.ok and Member.objects.get(id_number_q(ZHANG)).email == "zjg@court.example"
    stream = BytesIO()
    roster_export(stream=stream)
    sheet = load_workbook(BytesIO(stream.getvalue()), read_only=True)["党员"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][rows[0].index("邮箱")] == "zjg@court.example"


@pytest.mark.django_db
def test_the_template_explains_the_column():
    stream = BytesIO()
    roster_template(stream=stream)
    book = load_workbook(BytesIO(stream.getvalue()))
    assert "邮箱" in [cell.value for cell in book["党员"][1]]
    notes = [tuple(row) for row in book["说明"].iter_rows(values_only=True)]
    (note,) = [row for row in notes if row[1] == "邮箱"]
    assert note[2] == "可选" and "提醒邮件" in note[3]


@pytest.mark.django_db
def test_a_members_account_is_mailed_at_the_roster_address(org):
    member = make_member(org.branch, name="刘洋", email="liuyang@court.example")
    user = member_with_login(member, "liuyang")
    user.email = "old-address@court.example"
    user.save()
    assert selectors.person(user).address == "liuyang@court.example"
    member.email = ""
    member.save()
    assert selectors.person(user).address == "old-address@court.example"
