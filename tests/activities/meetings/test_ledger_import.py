"""Importing old ledgers: the good file, every kind of bad row, all or nothing."""

import datetime as dt
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from activities import compliance, ledger_io
from activities.models import Meeting
from core.spreadsheets import CellError, parse_datetime
from tests.factories import make_member

HEADER = ledger_io.IMPORT_COLUMNS


def workbook(path, rows, header=HEADER, sheet="会议"):
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def row(code="ZB1", kind="支部党员大会", when="2024-03-10", topic="学习党章", **cols):
    values = {"单位编码": code, "类型": kind, "日期": when, "主题": topic, **cols}
    return [values.get(c, "") for c in HEADER]


@pytest.fixture
def people(org):
    b = org.branch
    return {
        "zhang": org.member,  # 张伟, in the group
        "wang": make_member(b, name="王书记", committee_post="书记"),
        "zhao": make_member(b, name="赵强", committee_post="组织委员"),
        "li1": make_member(b, name="李明", birth_date=date(1985, 5, 5)),
        "li2": make_member(b, name="李明", birth_date=date(1990, 3, 7)),
        "late": make_member(b, name="新来的", since=date(2024, 6, 1)),
    }


def test_a_good_file(org, people, tmp_path):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    li2 = people["li2"]
    path = workbook(
        tmp_path / "good.xlsx",
        [
            row(
                kind="支部委员会", when=dt.datetime(2024, 3, 5, 15, 0), 地点="活动室", 主持人="王书记", 请假人员="赵强"
            ),
            row(
                when="2024-03-10",
                请假人员=f"张伟，李明({li2.id_number})",
                缺席人员="王书记",
                会议记录="会议学习了党章。",
            ),
            row(code="ZB1-1", kind="党小组会", when=date(2024, 3, 12), 缺席人员="张伟"),
            row(kind="党课", when="2024/3/20 14:30", 授课人="王书记", topic="党课：坚定理想信念"),
            row(kind="主题党日", when=yesterday.strftime("%Y年%m月%d日")),
            [],  # blank rows are skipped
        ],
    )
    before = timezone.now()
    call_command("import_ledger", str(path), "--by", "secretary")
    meetings = {m.kind: m for m in Meeting.objects.all()}
    assert len(meetings) == 5
    assert all(m.status == "submitted" and m.source == "import" for m in meetings.values())
    assert all(m.logged_at >= before and m.created_by == org.secretary for m in meetings.values())

    committee = meetings["committee_meeting"]
    assert timezone.localtime(committee.held_at).replace(tzinfo=None) == dt.datetime(2024, 3, 5, 15, 0)
    assert (committee.expected_count, committee.present_count, committee.leave_count) == (2, 1, 1)
    assert committee.place == "活动室" and committee.below_quorum  # 1 of 2 is not more than half

    general = meetings["general_meeting"]
    marks = {(a.member_id, a.status) for a in general.attendance.exclude(status="present")}
    assert marks == {(people["zhang"].pk, "leave"), (li2.pk, "leave"), (people["wang"].pk, "absent")}
    # 新来的 joined the branch in June: not expected in March. Everyone else expected was present.
    assert general.expected_count == 5 and general.present_count == 2

    group = meetings["group_meeting"]
    assert group.unit == org.group and group.absent_count == 1
    assert meetings["party_lesson"].lecturer == "王书记"
    # The 补录 rule applies to imports: logged today.
    assert all(m.is_backfilled for k, m in meetings.items() if k != "theme_day")
    assert not meetings["theme_day"].is_backfilled


BAD_ROWS = [
    # (row, column, words in the message)
    (row(code="ZB404"), "单位编码", "ZB404"),
    (row(kind="支部学习会"), "类型", "无法识别"),
    (row(kind="党小组会"), "类型", "不是党小组"),
    (row(code="ZB1-1", kind="支部党员大会"), "类型", "是党小组"),
    (row(when="三月五日"), "日期", "无法识别的日期"),
    (
        row(when=(timezone.localdate() + dt.timedelta(days=30)).isoformat()),
        "日期",
        "晚于今天",
    ),  # a meeting not yet held
    (row(请假人员="钱七"), "请假人员", "“钱七”不在"),
    (row(请假人员="李明"), "请假人员", "有2名党员叫“李明”"),
    # No one in the fixture was born on 1 January 1970, whatever number the factory is at.
    (row(缺席人员="张伟(110101197001014519)"), "缺席人员", "不在"),
    (row(请假人员="赵强", 缺席人员="赵强"), "缺席人员", "同时出现"),
    (row(请假人员="新来的"), "请假人员", "“新来的”不在"),
    (row(kind="支部委员会", 请假人员="张伟"), "请假人员", "支部委员"),
    (row(topic=""), "主题", "不能为空"),
    (row(kind="党课"), "授课人", "党课须填写授课人"),
    (row(地点="很" * 101), "地点", "不能超过100字"),
]


def test_every_bad_row_is_listed_and_nothing_is_written(org, people, tmp_path):
    li1 = people["li1"]
    rows = [row(when="2024-01-05", topic="这一行没问题")]
    rows += [r for r, _, _ in BAD_ROWS]
    rows.append(row(请假人员=f"王书记({li1.id_number})"))  # the ID belongs to 李明
    rows.append(row(when="2024-01-05", topic="这一行没问题"))  # duplicate of row 2
    path = workbook(tmp_path / "bad.xlsx", rows)
    result, errors = ledger_io.read_ledger(str(path))
    assert result == []
    found = {(e.row, e.column): e.message for e in errors}
    for number, (_, column, words) in enumerate(BAD_ROWS, start=3):
        assert words in found.get((number, column), ""), (number, column, found.get((number, column)))
    id_row = 3 + len(BAD_ROWS)
    assert "不是“王书记”" in found[(id_row, "请假人员")]
    assert "与第2行重复" in found[(id_row + 1, "主题")]
    assert all(e.sheet == "会议" for e in errors)
    assert "工作表“会议”第3行“单位编码”列" in str(errors[0])

    with pytest.raises(CommandError, match="未导入任何记录"):
        call_command("import_ledger", str(path))
    assert not Meeting.objects.exists()


def test_the_same_meeting_twice_is_refused(org, people, tmp_path):
    path = workbook(tmp_path / "once.xlsx", [row()])
    call_command("import_ledger", str(path))
    _, errors = ledger_io.read_ledger(str(path))
    assert "请勿重复导入" in errors[0].message
    assert Meeting.objects.count() == 1


def test_missing_sheet_column_or_not_a_workbook(org, tmp_path):
    _, errors = ledger_io.read_ledger(str(workbook(tmp_path / "a.xlsx", [row()], sheet="Sheet1")))
    assert "找不到名为“会议”的工作表" in errors[0].message
    header = [c for c in HEADER if c != "日期"]
    _, errors = ledger_io.read_ledger(str(workbook(tmp_path / "b.xlsx", [], header=header)))
    assert "缺少必需的列：日期" in errors[0].message
    not_xlsx = tmp_path / "c.xlsx"
    not_xlsx.write_text("单位编码,类型\n")
    _, errors = ledger_io.read_ledger(str(not_xlsx))
    assert "无法读取文件" in errors[0].message
    _, errors = ledger_io.read_ledger(str(workbook(tmp_path / "d.xlsx", [])))
    assert "没有会议记录" in errors[0].message


def test_check_only(org, people, tmp_path, capsys):
    call_command("import_ledger", str(workbook(tmp_path / "ok.xlsx", [row()])), "--check")
    assert "校验通过：1 条" in capsys.readouterr().out
    assert not Meeting.objects.exists()


def test_meeting_dates_may_carry_a_time():
    assert parse_datetime("2024-03-05") == dt.datetime(2024, 3, 5)
    assert parse_datetime(" 2024/3/5 9:30 ") == dt.datetime(2024, 3, 5, 9, 30)
    assert parse_datetime("2024年3月5日") == dt.datetime(2024, 3, 5)
    assert parse_datetime("2024年3月5日 15时30分") == dt.datetime(2024, 3, 5, 15, 30)
    assert parse_datetime("2024-03-05T15:00") == dt.datetime(2024, 3, 5, 15, 0)
    assert parse_datetime(45356) == dt.datetime(2024, 3, 5)  # an Excel serial number
    assert parse_datetime(date(2024, 3, 5)) == dt.datetime(2024, 3, 5)
    for bad in ("2024-02-30", "下周", "2024-03-05 25:00"):
        with pytest.raises(CellError):
            parse_datetime(bad)


def test_browser_upload(org, people, login, tmp_path):
    good = workbook(tmp_path / "good.xlsx", [row(), row(code="ZB1-1", kind="党小组会")])
    bad = workbook(tmp_path / "bad.xlsx", [row(), row(请假人员="钱七")])
    client = login(org.secretary)
    url = reverse("activities:import")
    assert client.get(url).status_code == 200
    response = client.post(url, {"file": SimpleUploadedFile("bad.xlsx", bad.read_bytes())})
    html = response.content.decode()
    assert "未写入任何数据" in html and "钱七" in html and not Meeting.objects.exists()
    response = client.post(url, {"file": SimpleUploadedFile("good.xlsx", good.read_bytes())})
    assert response.status_code == 302 and Meeting.objects.count() == 2
    # Another branch's secretary cannot import into this branch: it is as if it did not exist.
    client = login(org.outsider)
    other = workbook(tmp_path / "other.xlsx", [row(when="2024-04-01")])
    html = client.post(url, {"file": SimpleUploadedFile("o.xlsx", other.read_bytes())}).content.decode()
    assert "不存在，或不在您的管理范围内" in html and Meeting.objects.count() == 2
    assert login(org.member_user).get(url).status_code == 404


def test_template_download(org, login):
    response = login(org.secretary).get(reverse("activities:import_template"))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]


@pytest.mark.parametrize("who", ["secretary", "group_leader"])
def test_the_unchanged_template_imports_and_offers_the_kinds(org, people, login, who):
    client = login(getattr(org, who))
    content = b"".join(client.get(reverse("activities:import_template")).streaming_content)
    sheet = load_workbook(io.BytesIO(content))["会议"]
    # The example names a unit this user may log for, with a kind that unit holds.
    assert sheet["A2"].value == (org.group.code if who == "group_leader" else org.branch.code)
    (kinds,) = sheet.data_validations.dataValidation
    assert kinds.type == "list" and "B2" in kinds.sqref
    assert kinds.formula1.strip('"').split(",") == list(compliance.KIND_LABELS.values())
    response = client.post(reverse("activities:import"), {"file": SimpleUploadedFile("模板.xlsx", content)})
    assert response.status_code == 302, response.content.decode()
    assert Meeting.objects.get().unit.code == sheet["A2"].value
