"""Importing and exporting the roster workbook: command line, services and the browser pages.

Workbooks are built here with openpyxl; there are no binary fixtures.
"""

import os
import re
import subprocess
import sys
from datetime import date, timedelta
from io import BytesIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from branches.models import OrgUnit, UnitRole
from members import idcard
from members.models import Member, Membership, Transfer
from members.roster_export import roster_export
from members.roster_import import roster_import
from members.selectors import member_by_id_number
from tests.factories import make_member, make_unit

UNIT_HEADERS = ["编码", "名称", "类型", "上级编码", "成立日期", "换届日期"]
MEMBER_HEADERS = [
    "姓名", "性别", "民族", "出生日期", "身份证号", "学历", "入党日期", "转正日期", "党员类别", "状态",
    "所在支部编码", "党小组编码", "部门", "职务", "支委职务", "党务干部", "联系电话",
]  # fmt: skip


def person_id(born: date, sequence: int) -> str:
    return idcard.make_id_number("110101", born, sequence)


ZHANG = person_id(date(1975, 3, 8), 11)
LI = person_id(date(1990, 12, 1), 22)
WANG = person_id(date(1958, 1, 30), 33)
ZHAO = person_id(date(1995, 5, 5), 44)

GOOD_UNITS = [
    ["JG", "机关党委", "机关党委", None, date(2010, 6, 1), date(2021, 6, 1)],
    ["ZZ1", "第一党总支", "党总支", "JG", "2015-03-01", "2023-03-01"],
    ["ZB1", "刑事审判庭党支部", "党支部", "ZZ1", "2018/3/15", "2024年3月20日"],
    ["ZB1-1", "第一党小组", "党小组", "ZB1", None, None],
    ["ZB2", "办公室党支部", "党支部", "JG", "2019.1.5", None],
]
GOOD_MEMBERS = [
    ["张建国", "男", "汉族", date(1975, 3, 8), ZHANG, "研究生", "2000-07-01", "2001-07-01", "正式党员", "在职",
     "ZB1", "ZB1-1", "刑事审判庭", "庭长", "书记", "是", "13800000001"],
    ["李娜", "女", "回族", "1990/12/1", LI, "大学本科", "2025年9月1日", None, "预备党员", "在职",
     "ZB1", None, "刑事审判庭", "法官助理", None, "否", None],
    ["王德厚", "男", "汉族", "1958年1月30日", WANG, "大专", "1985.7.1", "1986.7.1", "正式党员", "退休",
     "ZB2", None, "办公室", None, None, None, None],
    ["赵敏", "女", "满族", "1995-05-05", ZHAO, "大学本科", "2018-06-01", "2019-06-01", "正式党员", "流动",
     "ZB2", None, "办公室", "书记员", "组织委员", "否", 13900000002],
]  # fmt: skip


def workbook(units=None, members=None, *, unit_headers=None, member_headers=None, sheets=("组织", "党员")) -> BytesIO:
    wb = Workbook()
    wb.remove(wb.active)
    content = {
        "组织": (unit_headers or UNIT_HEADERS, GOOD_UNITS if units is None else units),
        "党员": (member_headers or MEMBER_HEADERS, GOOD_MEMBERS if members is None else members),
    }
    for name in sheets:
        ws = wb.create_sheet(name)
        headers, rows = content[name]
        ws.append(headers)
        for row in rows:
            ws.append(row)
    buffer = BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def counts():
    return {
        "units": OrgUnit.objects.count(),
        "members": Member.objects.count(),
        "spans": Membership.objects.count(),
        "transfers": Transfer.objects.count(),
        "unit_history": OrgUnit.history.count(),
        "member_history": Member.history.count(),
    }


def errors_of(result):
    return [(e.sheet, e.row, e.column, e.message) for e in result.errors]


def replace(rows, index, column, value, headers=MEMBER_HEADERS):
    rows = [list(row) for row in rows]
    rows[index][headers.index(column)] = value
    return rows


# --- a good file ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_good_file_builds_the_tree_and_the_roster():
    result = roster_import(file=workbook())
    assert result.ok, result.errors
    assert (result.units_created, result.members_created) == (5, 4)
    units = {unit.code: unit for unit in OrgUnit.objects.all()}
    parent = {code: OrgUnit.objects.get_parent(unit) for code, unit in units.items()}
    assert parent["JG"] is None
    assert parent["ZB1"].code == "ZZ1" and parent["ZB1-1"].code == "ZB1" and parent["ZB2"].code == "JG"
    assert units["ZB1"].founded_on == date(2018, 3, 15)
    assert units["ZB1"].elected_on == date(2024, 3, 20)
    assert units["ZB2"].founded_on == date(2019, 1, 5)

    zhang = member_by_id_number(ZHANG)
    assert (zhang.branch.code, zhang.group.code) == ("ZB1", "ZB1-1")
    assert zhang.joined_on == date(2000, 7, 1) and zhang.is_party_cadre and zhang.committee_post == "书记"
    li = member_by_id_number(LI)
    assert li.category == Member.Category.PROBATIONARY and li.joined_on == date(2025, 9, 1) and li.group is None
    assert member_by_id_number(WANG).status == Member.Status.RETIRED
    zhao = member_by_id_number(ZHAO)
    assert zhao.status == Member.Status.AWAY and zhao.phone == "13900000002" and zhao.ethnicity == "满族"
    # Each member gets an open membership span (since before records began).
    assert Membership.objects.filter(end__isnull=True, start__isnull=True).count() == 4


@pytest.mark.django_db
def test_importing_again_updates_and_transfers_keeping_history():
    roster_import(file=workbook())
    members = replace(GOOD_MEMBERS, 0, "职务", "副院长")  # 张建国: a field changes
    members = replace(members, 1, "所在支部编码", "ZB2")  # 李娜: moves to another branch
    units = [list(row) for row in GOOD_UNITS]
    units[4][1] = "综合办公室党支部"
    today = timezone.localdate()

    result = roster_import(file=workbook(units, members), today=today)

    assert result.ok, result.errors
    assert (result.units_created, result.units_updated, result.units_unchanged) == (0, 1, 4)
    assert (result.members_created, result.members_updated, result.members_transferred) == (0, 1, 1)
    assert result.members_unchanged == 2
    assert member_by_id_number(ZHANG).post == "副院长"
    assert OrgUnit.objects.get(code="ZB2").name == "综合办公室党支部"
    li = member_by_id_number(LI)
    assert li.branch.code == "ZB2"
    transfer = Transfer.objects.get(member=li)
    assert (transfer.from_branch.code, transfer.to_branch.code, transfer.transferred_on) == ("ZB1", "ZB2", today)
    spans = list(li.memberships.order_by("pk").values_list("branch__code", "start", "end"))
    assert spans == [("ZB1", None, today - timedelta(days=1)), ("ZB2", today, None)]


@pytest.mark.django_db
def test_a_unit_can_be_moved_under_a_unit_created_in_the_same_file():
    roster_import(file=workbook())
    units = [*GOOD_UNITS, ["ZZ2", "第二党总支", "党总支", "JG", None, None]]
    units[4] = ["ZB2", "办公室党支部", "党支部", "ZZ2", "2019.1.5", None]
    result = roster_import(file=workbook(units, []))
    assert result.ok, result.errors
    zb2 = OrgUnit.objects.get(code="ZB2")
    assert OrgUnit.objects.get_parent(zb2).code == "ZZ2"
    assert {m.id_number for m in Member.objects.filter(branch=zb2)} == {WANG, ZHAO}


@pytest.mark.django_db
def test_columns_in_another_order_and_absent_optional_columns_leave_fields_alone():
    roster_import(file=workbook())
    headers = ["身份证号", "所在支部编码", "姓名", "出生日期", "性别", "党员类别"]
    row = [ZHANG, "ZB1", "张建国", date(1975, 3, 8), "男", "正式党员"]
    result = roster_import(file=workbook(GOOD_UNITS, [row], member_headers=headers))
    assert result.ok, result.errors
    zhang = member_by_id_number(ZHANG)
    assert zhang.phone == "13800000001" and zhang.group.code == "ZB1-1"  # untouched
    assert result.members_unchanged == 1


# --- bad files: every error listed, nothing written -----------------------------------------


def assert_refused(file, expected, before):
    result = roster_import(file=file)
    assert not result.ok
    assert expected in errors_of(result), errors_of(result)
    assert counts() == before
    return result


@pytest.mark.django_db
def test_unknown_parent_code(org):
    units = [*GOOD_UNITS[:3], ["ZB1-1", "第一党小组", "党小组", "ZB7", None, None], GOOD_UNITS[4]]
    assert_refused(
        workbook(units),
        ("组织", 5, "上级编码", "上级编码“ZB7”不存在（本文件和系统中都没有这个编码）"),
        counts(),
    )


@pytest.mark.django_db
def test_a_group_under_a_general_branch(org):
    units = [*GOOD_UNITS, ["ZZ1-1", "错挂的党小组", "党小组", "ZZ1", None, None]]
    assert_refused(workbook(units), ("组织", 7, "上级编码", "党小组的上级只能是党支部，不能是党总支"), counts())


@pytest.mark.django_db
def test_a_cycle(org):
    units = [
        ["A1", "甲总支", "党总支", "B1", None, None],
        ["B1", "乙总支", "党总支", "A1", None, None],
    ]
    result = assert_refused(workbook(units, []), ("组织", 2, "上级编码", "上级关系形成循环：A1 → B1 → A1"), counts())
    assert ("组织", 3, "上级编码", "上级关系形成循环：B1 → A1 → B1") in errors_of(result)


@pytest.mark.django_db
def test_a_cycle_against_existing_units_when_reparenting(org):
    # ZZ1 exists with ZB1 below it; hanging ZZ1 under ZB1 would loop.
    assert_refused(
        workbook([["ZZ1", "第一党总支", "党总支", "ZB1", None, None]], []),
        ("组织", 2, "上级编码", "上级关系形成循环：ZZ1 → ZB1 → ZZ1"),
        counts(),
    )


@pytest.mark.django_db
def test_a_duplicate_id_number(org):
    members = [*GOOD_MEMBERS, ["张三丰", "男", "汉族", date(1975, 3, 8), ZHANG, *GOOD_MEMBERS[0][5:]]]
    assert_refused(workbook(None, members), ("党员", 6, "身份证号", "身份证号与第2行重复"), counts())


@pytest.mark.django_db
def test_a_missing_name(org):
    assert_refused(
        workbook(None, replace(GOOD_MEMBERS, 2, "姓名", None)), ("党员", 4, "姓名", "姓名不能为空"), counts()
    )


@pytest.mark.django_db
def test_an_impossible_date(org):
    assert_refused(
        workbook(None, replace(GOOD_MEMBERS, 1, "入党日期", "2021-02-30")),
        ("党员", 3, "入党日期", "日期“2021-02-30”不存在（2021年没有2月30日）"),
        counts(),
    )


@pytest.mark.django_db
def test_a_missing_sheet(org):
    result = assert_refused(
        workbook(sheets=("组织",)),
        ("党员", None, None, "缺少工作表“党员”（工作表名称须为“组织”和“党员”）"),
        counts(),
    )
    assert len(result.errors) == 1


@pytest.mark.django_db
def test_a_missing_org_sheet_is_the_only_error_members_are_not_checked_against_it(org):
    result = assert_refused(
        workbook(sheets=("党员",)),
        ("组织", None, None, "缺少工作表“组织”（工作表名称须为“组织”和“党员”）"),
        counts(),
    )
    assert len(result.errors) == 1


@pytest.mark.django_db
def test_an_empty_org_sheet_imports_members_into_known_branches(org):
    wb = Workbook()
    wb.active.title = "组织"
    members = wb.create_sheet("党员")
    members.append(MEMBER_HEADERS)
    members.append(replace(GOOD_MEMBERS, 0, "所在支部编码", "ZB9")[0][:11] + [None] * 6)
    buffer = BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    result = roster_import(file=buffer)
    assert result.ok, result.errors
    assert member_by_id_number(ZHANG).branch == org.other_branch


@pytest.mark.django_db
def test_a_missing_required_column_is_named(org):
    headers = [h for h in MEMBER_HEADERS if h != "所在支部编码"]
    rows = [[v for h, v in zip(MEMBER_HEADERS, row, strict=True) if h != "所在支部编码"] for row in GOOD_MEMBERS]
    assert_refused(
        workbook(None, rows, member_headers=headers),
        ("党员", 1, "所在支部编码", "缺少必需的列“所在支部编码”"),
        counts(),
    )


@pytest.mark.django_db
def test_an_invalid_id_number_and_a_bad_choice(org):
    wrong = ZHANG[:-1] + ("1" if ZHANG[-1] != "1" else "2")
    result = assert_refused(
        workbook(None, replace(replace(GOOD_MEMBERS, 0, "身份证号", wrong), 3, "状态", "离职")),
        ("党员", 5, "状态", "“离职”不是有效的状态，应为在职、退休、流动、流动/外出、外出"),
        counts(),
    )
    assert any(e[1:3] == (2, "身份证号") and "校验位错误" in e[3] for e in errors_of(result))


@pytest.mark.django_db
def test_a_file_whose_only_bad_row_is_the_last_writes_nothing(org):
    many = [
        [f"党员{i}", "男", "汉族", date(1980, 1, 1) + timedelta(days=i), None, None, None, None, "正式党员", "在职",
         "ZB2", None, None, None, None, None, None]
        for i in range(30)
    ]  # fmt: skip
    for i, row in enumerate(many):
        row[4] = person_id(row[3], 100 + i)
    many[-1][10] = "ZB1-1"  # a group, not a branch
    before = counts()
    result = assert_refused(
        workbook(None, many), ("党员", 31, "所在支部编码", "“ZB1-1”是党小组，党员只能编入党支部"), before
    )
    assert len(result.errors) == 1


@pytest.mark.django_db
def test_every_error_of_the_file_is_listed_not_just_the_first(org):
    units = [*GOOD_UNITS, ["ZZ1-1", "错挂的党小组", "党小组", "ZZ1", None, None]]
    members = replace(replace(GOOD_MEMBERS, 2, "姓名", ""), 3, "出生日期", "1995-02-30")
    result = roster_import(file=workbook(units, members))
    assert [(sheet, row, column) for sheet, row, column, _ in errors_of(result)] == [
        ("组织", 7, "上级编码"),
        ("党员", 4, "姓名"),
        ("党员", 5, "出生日期"),
    ]


@pytest.mark.django_db
def test_a_file_that_is_not_a_workbook():
    result = roster_import(file=BytesIO(b"name,id\n"))
    assert errors_of(result) == [("", None, None, "无法读取文件：它不是有效的Excel工作簿（.xlsx）")]


@pytest.mark.django_db
def test_check_only_writes_nothing_but_reports_what_would_happen():
    result = roster_import(file=workbook(), check_only=True)
    assert result.ok and result.members_created == 4
    assert "检查通过，未写入任何数据" in result.summary
    assert OrgUnit.objects.count() == Member.objects.count() == 0


# --- export and the round trip --------------------------------------------------------------


def export_bytes(**kwargs) -> BytesIO:
    buffer = BytesIO()
    roster_export(stream=buffer, **kwargs)
    buffer.seek(0)
    return buffer


def sheet_cells(buffer):
    buffer.seek(0)
    wb = load_workbook(buffer)
    return {ws.title: [[(c.value, c.data_type) for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


@pytest.mark.django_db
def test_export_import_into_an_empty_database_export_gives_the_same_workbook():
    committee = make_unit(OrgUnit.Kind.COMMITTEE, code="JG", name="机关党委", founded_on=date(2010, 6, 1))
    general = make_unit(OrgUnit.Kind.GENERAL_BRANCH, committee, code="ZZ1", elected_on=date(2023, 3, 1))
    branch = make_unit(OrgUnit.Kind.BRANCH, general, code="ZB1", departments="刑事审判庭、审判监督庭")
    group = make_unit(OrgUnit.Kind.GROUP, branch, code="ZB1-1")
    other = make_unit(OrgUnit.Kind.BRANCH, committee, code="ZB2", name='=HYPERLINK("x")')
    make_member(branch, name="张伟", group=group, department="=1+1", phone="+86 138 0000 0000", is_party_cadre=True)
    make_member(branch, name="李娜", gender="女", category=Member.Category.PROBATIONARY, full_on=None, post="-")
    make_member(other, name="王芳", gender="女", status=Member.Status.RETIRED, counts_when_retired=True, post="@院长")
    make_member(
        other,
        name="赵强",
        status=Member.Status.AWAY,
        probation_extended_until=date(2007, 1, 1),
        committee_post="纪检委员",
    )
    first = export_bytes()

    Transfer.objects.all().delete()
    Membership.objects.all().delete()
    Member.objects.all().delete()
    UnitRole.objects.all().delete()
    OrgUnit.objects.all().delete()
    result = roster_import(file=first)
    assert result.ok, result.errors
    assert (result.units_created, result.members_created) == (5, 4)
    second = export_bytes()

    a, b = sheet_cells(first), sheet_cells(second)
    assert list(a) == list(b) == ["组织", "党员"]
    for title in a:
        assert len(a[title]) == len(b[title])
        for row_a, row_b in zip(a[title], b[title], strict=True):
            assert row_a == row_b
    # A formula-like text stays text, a date stays a date cell.
    members = a["党员"]
    header = [value for value, _ in members[0]]
    zhang = next(row for row in members if row[0][0] == "张伟")
    assert zhang[header.index("部门")] == ("=1+1", "s")
    assert zhang[header.index("出生日期")][1] == "d"


@pytest.mark.django_db
def test_the_export_is_ready_to_open(org):
    wb = load_workbook(export_bytes())
    for ws, headers in ((wb["组织"], UNIT_HEADERS), (wb["党员"], MEMBER_HEADERS)):
        assert [c.value for c in ws[1]][: len(headers)] == headers
        assert ws.freeze_panes == "A2"
        assert ws.column_dimensions["A"].width > 8
    assert wb["党员"].cell(2, MEMBER_HEADERS.index("身份证号") + 1).value == org.member.id_number


@pytest.mark.django_db
def test_reimporting_an_unchanged_file_costs_the_same_queries_for_2_or_10_members(org):
    def queries_for(n):
        for _ in range(n):
            make_member(org.other_branch)
        file = export_bytes()
        with CaptureQueriesContext(connection) as captured:
            result = roster_import(file=file)
        assert result.ok and result.members_created == result.members_updated == 0
        return len(captured)

    assert queries_for(2) == queries_for(8)


# --- command line ---------------------------------------------------------------------------


def manage(*argv):
    """Run manage.py in its own process against the test database, as a user would."""
    db = connection.settings_dict
    login = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    address = db["HOST"] + (f":{db['PORT']}" if db.get("PORT") else "")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": f"postgres://{login}@{address}/{db['NAME']}",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *argv], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )


@pytest.mark.django_db(transaction=True)
def test_import_command_prints_a_summary_and_exits_zero(tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(workbook().getvalue())
    done = manage("import_roster", str(path))
    assert done.returncode == 0, done.stderr
    assert "组织：新增5个，更新0个，未变0个；党员：新增4人" in done.stdout
    assert Member.objects.count() == 4


@pytest.mark.django_db(transaction=True)
def test_import_command_exits_non_zero_listing_every_error_and_writes_nothing(tmp_path):
    path = tmp_path / "bad.xlsx"
    members = replace(replace(GOOD_MEMBERS, 0, "姓名", None), 3, "党员类别", "积极分子")
    path.write_bytes(workbook(None, members).getvalue())
    done = manage("import_roster", str(path))
    assert done.returncode == 1
    assert "工作表“党员”第2行“姓名”列：姓名不能为空" in done.stderr
    assert "工作表“党员”第5行“党员类别”列：“积极分子”不是有效的党员类别" in done.stderr
    assert "共2处错误，未写入任何数据" in done.stderr
    assert OrgUnit.objects.count() == Member.objects.count() == 0


@pytest.mark.django_db
def test_export_command_writes_a_workbook_that_imports_back(tmp_path, org, capsys):
    path = tmp_path / "out.xlsx"
    call_command("export_roster", str(path))
    assert "已导出组织5个、党员1人" in capsys.readouterr().out
    result = roster_import(file=str(path))
    assert result.ok and result.units_unchanged == 5 and result.members_unchanged == 1


# --- in the browser -------------------------------------------------------------------------


def error_table(html: str) -> list[tuple[str, ...]]:
    """The rows of the page's error table: (sheet, row, column, reason)."""
    body = html.split('id="import-errors"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)[1:]
    return [tuple(re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)[1:]) for row in rows]


def upload(client, file, **extra):
    file.name = "名册.xlsx"
    return client.post(reverse("members:roster_import"), {"file": file, **extra}, follow=True)


@pytest.mark.django_db
def test_committee_uploads_a_good_file_and_sees_the_summary(org, login):
    client = login(org.committee_user)
    units = [["JG", "机关党委", "机关党委", None, None, None], ["ZB3", "执行局党支部", "党支部", "JG", None, None]]
    members = replace(GOOD_MEMBERS[:1], 0, "所在支部编码", "ZB3")
    members = replace(members, 0, "党小组编码", None)
    response = upload(client, workbook(units, members))
    assert response.status_code == 200
    text = response.content.decode()
    assert "导入成功" in text and "组织：新增1个" in text and "党员：新增1人" in text
    assert member_by_id_number(ZHANG).branch.code == "ZB3"


@pytest.mark.django_db
def test_the_upload_page_shows_every_error_and_writes_nothing(org, login):
    client = login(org.committee_user)
    before = counts()
    members = replace(GOOD_MEMBERS, 1, "出生日期", "1990-02-30")
    response = upload(client, workbook(None, members))
    text = response.content.decode()
    assert response.status_code == 200
    assert 'id="import-errors"' in text
    assert "未写入任何数据" in text
    assert error_table(text) == [("党员", "3", "出生日期", "日期“1990-02-30”不存在（1990年没有2月30日）")]
    assert counts() == before


@pytest.mark.django_db
def test_the_upload_form_refuses_other_file_types(org, login):
    client = login(org.committee_user)
    file = BytesIO(b"a,b")
    file.name = "roster.csv"
    response = client.post(reverse("members:roster_import"), {"file": file})
    assert "请上传.xlsx格式的Excel工作簿" in response.content.decode()


@pytest.mark.django_db
def test_a_secretary_importing_a_row_for_another_branch_gets_an_error(org, login):
    client = login(org.secretary)
    before = counts()
    rows = [
        ["孙丽", "女", "汉族", date(1988, 8, 8), person_id(date(1988, 8, 8), 52), None, None, None, "正式党员",
         "在职", "ZB1", None, None, None, None, None, None],
        ["周强", "男", "汉族", date(1987, 7, 7), person_id(date(1987, 7, 7), 61), None, None, None, "正式党员",
         "在职", "ZB9", None, None, None, None, None, None],
    ]  # fmt: skip
    response = upload(client, workbook([], rows))
    text = response.content.decode()
    assert "所在支部编码“ZB9”不存在或不在您的管辖范围内" in text
    assert counts() == before
    # Inside their own branch the same import goes through.
    response = upload(client, workbook([], rows[:1]))
    assert "导入成功" in response.content.decode()
    assert Member.objects.get(name="孙丽").branch == org.branch


@pytest.mark.django_db
def test_a_secretary_may_rename_their_branch_but_not_touch_another(org, login):
    client = login(org.secretary)
    before = counts()
    units = [
        ["ZB1", "刑事审判庭党支部（新）", "党支部", "ZZ1", None, None],
        ["ZB9", "改名", "党支部", "JG", None, None],
    ]
    text = upload(client, workbook(units, [])).content.decode()
    assert error_table(text) == [("组织", "3", "编码", "编码“ZB9”已被您管辖范围以外的组织使用")]
    assert counts() == before
    assert "导入成功" in upload(client, workbook(units[:1], [])).content.decode()
    assert OrgUnit.objects.get(code="ZB1").name == "刑事审判庭党支部（新）"
    assert OrgUnit.objects.get(code="ZB9").name == "办公室党支部"


@pytest.mark.django_db
def test_a_secretary_export_holds_only_their_subtree_with_masked_ids(org, login):
    make_member(org.other_branch, name="外支部党员")
    response = login(org.secretary).get(reverse("members:roster_export"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    wb = load_workbook(BytesIO(b"".join(response.streaming_content)))
    units = [row for row in wb["组织"].iter_rows(min_row=2, values_only=True)]
    assert [(row[0], row[3]) for row in units] == [("ZB1", "ZZ1"), ("ZB1-1", "ZB1")]
    members = [row for row in wb["党员"].iter_rows(min_row=2, values_only=True)]
    assert [row[0] for row in members] == ["张伟"]
    assert members[0][4] == idcard.mask(org.member.id_number) != org.member.id_number


@pytest.mark.django_db
def test_a_secretarys_masked_export_cannot_be_imported_back_and_says_why(org, login):
    client = login(org.secretary)
    exported = BytesIO(b"".join(client.get(reverse("members:roster_export")).streaming_content))
    before = counts()
    text = upload(client, exported).content.decode()
    assert "身份证号已被部分隐藏（含*）" in text
    assert counts() == before


@pytest.mark.django_db
def test_the_committee_export_holds_everything_unmasked(org, login):
    make_member(org.other_branch, name="外支部党员")
    response = login(org.committee_user).get(reverse("members:roster_export"))
    wb = load_workbook(BytesIO(b"".join(response.streaming_content)))
    assert wb["组织"].max_row == 6
    ids = {row[4] for row in wb["党员"].iter_rows(min_row=2, values_only=True)}
    assert org.member.id_number in ids and len(ids) == 2


@pytest.mark.django_db
def test_the_page_warns_secretaries_that_their_export_cannot_be_reimported(org, login):
    text = login(org.secretary).get(reverse("members:roster_import")).content.decode()
    assert "身份证号已部分隐藏" in text and "不能再导入" in text
    assert "身份证号已部分隐藏" not in login(org.committee_user).get(reverse("members:roster_import")).content.decode()


@pytest.mark.django_db
def test_the_blank_template_opens_with_both_sheets_headers_an_example_and_notes(org, login):
    response = login(org.secretary).get(reverse("members:roster_template"))
    assert response.status_code == 200
    wb = load_workbook(BytesIO(b"".join(response.streaming_content)))
    assert wb.sheetnames == ["组织", "党员", "说明"]
    assert [c.value for c in wb["组织"][1]][:6] == UNIT_HEADERS
    assert [c.value for c in wb["党员"][1]][:17] == MEMBER_HEADERS
    assert wb["组织"].max_row == wb["党员"].max_row == 2
    example_id = wb["党员"].cell(2, MEMBER_HEADERS.index("身份证号") + 1).value
    assert idcard.id_number_errors(example_id) == []
    notes = [row for row in wb["说明"].iter_rows(min_row=2, values_only=True)]
    assert ("组织", "类型", "必填", "只能填：机关党委、党总支、党支部、党小组") in notes
    assert any(row[1] == "身份证号" for row in notes)


@pytest.mark.django_db
def test_uploading_the_template_unchanged_points_at_its_example_rows(org, login):
    client = login(org.committee_user)
    template = BytesIO(b"".join(client.get(reverse("members:roster_template")).streaming_content))
    before = counts()
    text = upload(client, template).content.decode()
    assert text.count("这是模板中的示例行，请删除后再导入") == 2
    assert counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["roster_import", "roster_template", "roster_export"])
def test_members_and_group_leaders_get_404(org, login, client, name):
    assert login(org.member_user).get(reverse(f"members:{name}")).status_code == 404
    client.logout()
    assert login(org.group_leader).get(reverse(f"members:{name}")).status_code == 404


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_login(client):
    response = client.get(reverse("members:roster_import"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
