"""import_recruits and export_recruits: files built here, all or nothing, idempotent by ID number."""

from datetime import date, timedelta
from io import BytesIO, StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from members.models import Member
from members.selectors import id_number_q
from recruitment import recruit_io, rules
from recruitment.models import Recruit
from tests.factories import make_member, recruit_id

pytestmark = pytest.mark.django_db


def workbook(rows, *, columns=None, sheet="发展党员", path=None):
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    columns = columns or recruit_io.IMPORT_COLUMNS
    ws.append(columns)
    for row in rows:
        ws.append([row.get(column) for column in columns])
    wb.save(path)
    return path


def person(**cells):
    base = {"支部编码": "ZB1", "姓名": "李思远", "身份证号": recruit_id(date(1999, 3, 3)), "申请日期": "2022-03-01"}
    return base | cells


def admitted(sponsors, **cells):
    """A row that went all the way to the approval in 2023."""
    introducers = f"{sponsors[0].name}、{sponsors[1].name}({sponsors[1].id_number})"
    return person(
        **{
            "姓名": "陈雨涵",
            "身份证号": recruit_id(date(1998, 5, 5), "女"),
            "性别": "女",
            "部门": "办公室",
            "申请日期": "2021-03-01",
            "谈话日期": "2021-03-15",
            "积极分子日期": "2021-09-01",
            "发展对象日期": "2022-09-01",
            "政审日期": "2022-10-10",
            "培训结束日期": "2022-10-20",
            "支部大会日期": "2022-12-20",
            "应到表决权人数": 21,
            "实到表决权人数": 19,
            "赞成票": 19,
            "审批日期": "2023-02-10",
            "入党介绍人": introducers,
        }
        | cells
    )


def run_import(path):
    out, err = StringIO(), StringIO()
    call_command("import_recruits", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_good_file_records_everyone_and_hands_over_once(org, sponsors, tmp_path):
    full = admitted(
        sponsors,
        **{"姓名": "王晓明", "身份证号": recruit_id(date(1997, 1, 1)), "性别": "男", "转正大会日期": "2024-01-05"},
    )
    full["转正审批日期"] = "2024-02-20"
    full["支部大会日期"], full["审批日期"] = "2022-12-20", "2023-02-10"
    path = workbook(
        [
            person(),
            person(**{"姓名": "赵一鸣", "身份证号": recruit_id(date(2000, 2, 2)), "积极分子日期": "2022-09-01"}),
            admitted(sponsors),
            full,
        ],
        path=tmp_path / "good.xlsx",
    )
    out, err = run_import(path)
    assert "新增4人" in out and "交接到党员名册的预备党员2人，转正1人" in out

    applicant = Recruit.objects.get(name="李思远")
    assert applicant.status == "applicant" and applicant.steps.count() == 1
    assert Recruit.objects.get(name="赵一鸣").status == "activist"
    probationary = Member.objects.get(name="陈雨涵")
    assert probationary.category == Member.Category.PROBATIONARY
    assert probationary.joined_on == date(2022, 12, 20) and probationary.department == "办公室"
    recruit = Recruit.objects.get(name="陈雨涵")
    assert recruit.member == probationary and recruit.status == "probationary"
    assert set(recruit.steps.get(number=rules.INTRODUCERS).people.all()) == set(sponsors)
    assert recruit.steps.get(number=rules.BRANCH_MEETING).votes_for == 19
    made_full = Member.objects.get(name="王晓明")
    assert made_full.category == Member.Category.FULL and made_full.full_on == date(2023, 12, 20)

    members_before = Member.objects.count()
    out, _ = run_import(path)
    assert "新增0人，补充0人，未变4人" in out
    assert Member.objects.count() == members_before
    assert Member.objects.filter(id_number_q(recruit.id_number)).count() == 1


def test_a_second_file_adds_what_happened_since(org, sponsors, tmp_path):
    row = person(**{"谈话日期": "2022-03-20"})
    run_import(workbook([row], path=tmp_path / "first.xlsx"))
    row["积极分子日期"] = "2022-09-01"
    out, _ = run_import(workbook([row], path=tmp_path / "second.xlsx"))
    assert "补充1人" in out
    assert Recruit.objects.get().status == "activist"


def test_a_roster_member_is_linked_not_doubled(org, sponsors, tmp_path):
    row = admitted(sponsors)
    make_member(
        org.branch,
        name="陈雨涵",
        id_number=row["身份证号"],
        birth_date=date(1998, 5, 5),
        gender="女",
        category=Member.Category.PROBATIONARY,
        joined_on=date(2022, 12, 20),
        full_on=None,
    )
    run_import(workbook([row], path=tmp_path / "f.xlsx"))
    assert Member.objects.filter(id_number_q(row["身份证号"])).count() == 1
    assert Recruit.objects.get().member.name == "陈雨涵"


def test_every_bad_row_is_named_and_nothing_is_written(org, sponsors, tmp_path):
    newcomer = make_member(org.branch, name="赵强", category=Member.Category.PROBATIONARY, full_on=None)
    rows = [
        person(),  # fine, but the file fails as a whole
        person(**{"姓名": "少年", "身份证号": recruit_id(date(2008, 6, 1)), "申请日期": "2025-05-31"}),
        person(**{"姓名": "乱序", "身份证号": recruit_id(date(1995, 1, 1)), "谈话日期": "2022-02-01"}),
        person(**{"支部编码": "NOPE", "身份证号": recruit_id(date(1995, 2, 2))}),
        admitted(sponsors, **{"身份证号": recruit_id(date(1996, 3, 3), "女"), "实到表决权人数": 20, "赞成票": 10}),
        admitted(
            sponsors, **{"身份证号": recruit_id(date(1996, 4, 4), "女"), "入党介绍人": f"{sponsors[0].name}、赵强"}
        ),
        admitted(sponsors, **{"身份证号": recruit_id(date(1996, 5, 5), "女"), "发展对象日期": "2022-08-31"}),
        person(**{"姓名": "坏日期", "身份证号": recruit_id(date(1995, 3, 3)), "积极分子日期": "2022-13-45"}),
        admitted(sponsors, **{"身份证号": recruit_id(date(1996, 6, 6), "女"), "政审日期": None}),
    ]
    path = workbook(rows, path=tmp_path / "bad.xlsx")
    with pytest.raises(CommandError):
        run_import(path)
    assert not Recruit.objects.exists()
    assert not Member.objects.filter(pk__gt=newcomer.pk).exists()

    _, errors, _ = recruit_io.read_recruits(str(path))
    where = {(e.row, e.column) for e in errors}
    assert (3, "申请日期") in where  # under 18
    assert (4, "谈话日期") in where  # before the application
    assert (5, "支部编码") in where
    assert (6, "赞成票") in where  # 10 of 21: exactly... not more than half
    assert (7, "入党介绍人") in where  # a probationary introducer
    assert (8, "发展对象日期") in where  # less than a year as activist
    assert (9, "积极分子日期") in where  # no such date
    assert (10, "政审日期") in where or (10, "支部大会日期") in where  # meeting without political review
    assert not any(e.row == 2 for e in errors)
    assert all(str(e).startswith("工作表“发展党员”第") for e in errors)
    messages = {(e.row, e.column): e.message for e in errors}
    assert "才满18周岁" in messages[(3, "申请日期")]
    assert "赵强不是正式党员" in messages[(7, "入党介绍人")]


def test_the_sheet_and_its_columns_are_checked(org, tmp_path):
    _, errors, _ = recruit_io.read_recruits(str(workbook([person()], sheet="Sheet1", path=tmp_path / "a.xlsx")))
    assert "找不到名为“发展党员”的工作表" in errors[0].message
    columns = [c for c in recruit_io.IMPORT_COLUMNS if c != "赞成票"]
    _, errors, _ = recruit_io.read_recruits(str(workbook([person()], columns=columns, path=tmp_path / "b.xlsx")))
    assert "缺少以下列：赞成票" in errors[0].message
    not_a_workbook = tmp_path / "c.xlsx"
    not_a_workbook.write_bytes(b"hello")
    _, errors, _ = recruit_io.read_recruits(str(not_a_workbook))
    assert "无法读取文件" in errors[0].message


def test_the_browser_upload_is_scoped_and_all_or_nothing(org, login, tmp_path):
    path = workbook(
        [person(), person(**{"支部编码": "ZB9", "身份证号": recruit_id(date(1995, 7, 7))})], path=tmp_path / "u.xlsx"
    )
    client = login(org.secretary)
    response = client.post(reverse("recruitment:import"), {"file": SimpleUploadedFile("u.xlsx", path.read_bytes())})
    assert response.status_code == 200
    assert "不在您的管理范围内" in response.content.decode()
    assert not Recruit.objects.exists()
    path = workbook([person()], path=tmp_path / "ok.xlsx")
    response = client.post(reverse("recruitment:import"), {"file": SimpleUploadedFile("ok.xlsx", path.read_bytes())})
    assert response.status_code == 302 and Recruit.objects.count() == 1


def test_the_template_has_exactly_the_columns(org, login):
    response = login(org.secretary).get(reverse("recruitment:template"))
    wb = load_workbook(BytesIO(b"".join(response.streaming_content)))
    assert wb.sheetnames == ["发展党员"]
    assert [c.value for c in next(wb["发展党员"].iter_rows(max_row=1))] == recruit_io.IMPORT_COLUMNS


def test_export_writes_the_years_record_with_formula_escaping(org, make_recruit, tmp_path):
    today = date.today()
    make_recruit("=HYPERLINK(1)", start=today - timedelta(days=45))  # a late talk
    make_recruit("发展对象乙", until=15, start=date(today.year - 3, 1, 10))
    other = make_recruit("外支部", start=today - timedelta(days=3), branch=org.other_branch)
    make_recruit("往年转正", until=25, start=date(2015, 1, 5), born=date(1990, 1, 1))
    out = tmp_path / "out.xlsx"
    call_command("export_recruits", "--year", str(today.year), "--out", str(out), "--unit", "ZZ1", stdout=StringIO())
    ws = load_workbook(out)["发展党员纪实"]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == recruit_io.EXPORT_COLUMNS
    by_name = {row[2]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert set(by_name) == {"=HYPERLINK(1)", "发展对象乙"}  # the unit's subtree, this year's pipeline
    late = by_name["=HYPERLINK(1)"]
    assert late["阶段"] == "申请人" and late["下一步"] == "2 党组织派人谈话" and "已逾期" in late["提醒"]
    assert ws.cell(row=[r[2] for r in rows].index("=HYPERLINK(1)") + 1, column=3).data_type == "s"
    candidate = by_name["发展对象乙"]
    assert candidate["阶段"] == "发展对象" and candidate["支部大会日期"] is not None
    assert candidate["应完成日期"] is not None
    call_command("export_recruits", "--year", str(today.year), "--out", str(out), stdout=StringIO())
    names = [row[2] for row in load_workbook(out)["发展党员纪实"].iter_rows(min_row=2, values_only=True)]
    assert other.name in names and "往年转正" not in names
    with pytest.raises(CommandError):
        call_command("export_recruits", "--year", "2025", "--out", str(out), "--unit", "NOPE")
