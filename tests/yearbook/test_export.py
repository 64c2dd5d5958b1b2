"""The year-end workbook of a small hand-made year, sheet by sheet; the export job, its pages and who sees them."""

import os
import time
from datetime import date, timedelta
from decimal import Decimal as D
from io import BytesIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from activities.models import Meeting
from activities.pledges import services as pledges
from assessment.models import ExportJob, Indicator
from assessment.services import checks, ratings
from assessment.services.standards import standard_ensure
from assessment.yearbook import jobs, services
from branches.models import OrgUnit
from config.celery import app as celery_app
from members.models import Member
from tests.factories import log_meeting, make_member, make_unit

YEAR = 2025
TODAY = date(2026, 1, 15)  # the rating is proposed; the lagging branch's problem is due 2026-03-16
EXPORTED_ON = date(2026, 4, 1)  # by then that problem is overdue

HEADERS = {
    "汇总": [
        "支部编码",
        "支部名称",
        "上级党组织",
        "申报星级",
        "季度检查平均分",
        "年度考评得分",
        "综合得分",
        "评定星级",
        "上年星级",
        "变动",
        "标记",
        "审批状态",
        "说明",
    ],
    "指标明细": [
        "支部编码",
        "支部名称",
        "指标编码",
        "指标名称",
        "分值",
        "第一季度",
        "第二季度",
        "第三季度",
        "第四季度",
        "年度考评",
        "说明",
        "佐证材料",
    ],
    "三会一课": [
        "支部编码",
        "支部名称",
        "季度",
        "支部党员大会",
        "支部委员会",
        "党小组会",
        "党课",
        "主题党日",
        "出勤率",
        "补录条数",
        "未达法定人数条数",
    ],
    "党员评议": ["支部编码", "姓名", "党员类别", "评议等次", "出勤率", "承诺兑现率"],
    "问题整改": ["支部编码", "问题", "发现日期", "整改期限", "状态", "销号日期"],
    "星级历史": ["支部编码", "支部名称", "2023年", "2024年", "2025年"],
}
RISKY_PROBLEM = '=HYPERLINK("http://evil.example","台账")'


def give_scores(branch, **lost):
    """Every indicator at full points in every quarter (or the year), less `lost` {code: points}."""
    entries = []
    for ind in Indicator.objects.filter(standard__year=YEAR).select_related("standard"):
        value = ind.points - D(str(lost.get(ind.code, 0)))
        for quarter in (1, 2, 3, 4) if ind.is_quarterly else (None,):
            entries.append((branch.pk, ind, quarter, value, "检查评分"))
    checks.scores_enter_bulk(entries=entries, by=None)


@pytest.fixture
def year(org):
    """Five branches: ZB1 five stars (up), ZB2 lagging (its name looks like a formula), ZB3 four stars
    (first rating, over the quota), ZB4 two stars (same, interview), ZB9 vetoed to three (restore)."""
    zb2 = make_unit(OrgUnit.Kind.BRANCH, org.committee, code="ZB2", name="=1+2党支部")
    zb3 = make_unit(OrgUnit.Kind.BRANCH, org.committee, code="ZB3", name="民事审判庭党支部")
    zb4 = make_unit(OrgUnit.Kind.BRANCH, org.committee, code="ZB4", name="立案庭党支部")
    standard_ensure(year=YEAR)
    give_scores(org.branch)
    give_scores(zb2)
    give_scores(zb3, A1=3, A2=2, A3=2, A6=3, E3=3)
    give_scores(zb4)
    give_scores(org.other_branch, B1="1.5")
    for branch, level in ((org.branch, 5), (zb3, 5), (zb4, 2), (org.other_branch, 5)):
        ratings.application_submit(branch=branch, year=YEAR, level=level, by=None)
    for branch, y, level in (
        (org.branch, 2024, 3),
        (zb4, 2024, 2),
        (org.other_branch, 2023, 4),
        (org.other_branch, 2024, 2),
    ):
        ratings.history_record(branch=branch, year=y, level=level, by=None)

    # ZB1's meetings: members 张伟 (in the group), 李娜, and 赵敏 (probationary, no vote).
    lina = make_member(org.branch, name="李娜")
    zhaomin = make_member(
        org.branch, name="赵敏", category=Member.Category.PROBATIONARY, joined_on=date(2024, 9, 1), full_on=None
    )
    log_meeting(org.branch, Meeting.Kind.THEME_DAY, date(YEAR, 1, 20))
    # 李娜 absent: one of two voting members present is not more than half.
    log_meeting(org.branch, Meeting.Kind.GENERAL_MEETING, date(YEAR, 2, 10), marks={lina.pk: ("absent", "")})
    log_meeting(org.group, Meeting.Kind.GROUP_MEETING, date(YEAR, 3, 5))
    log_meeting(org.branch, Meeting.Kind.PARTY_LESSON, date(YEAR, 5, 10), logged=date(YEAR, 6, 30))  # 补录
    log_meeting(org.branch, Meeting.Kind.GENERAL_MEETING, date(YEAR, 6, 1), submit=False)  # a draft counts for nothing

    # 张伟's pledges: one kept, one half kept → 75%; the yearly appraisal: 张伟 优秀, the others 合格.
    during, year_end = date(YEAR, 3, 1), date(YEAR, 12, 20)
    kept = pledges.pledge_create(branch=org.branch, year=YEAR, member=org.member, content="办好一件实事", today=during)
    half = pledges.pledge_create(branch=org.branch, year=YEAR, member=org.member, content="结对帮扶", today=during)
    pledges.pledge_rate_all(
        branch=org.branch, year=YEAR, ratings={kept.pk: ("fulfilled", ""), half.pk: ("partial", "")}, today=year_end
    )
    appraisal = pledges.appraisal_open(branch=org.branch, year=YEAR, today=year_end)
    grades = {org.member.pk: "excellent", lina.pk: "competent", zhaomin.pk: "competent"}
    pledges.appraisal_end_voting(appraisal=appraisal)
    pledges.appraisal_decide(
        appraisal=appraisal, decisions={e.pk: (grades[e.member_id], "") for e in appraisal.entries.all()}
    )
    pledges.appraisal_close(appraisal=appraisal)

    problem = checks.problem_create(
        branch=org.branch,
        year=YEAR,
        quarter=2,
        description=RISKY_PROBLEM,
        deadline=date(YEAR, 6, 30),
        found_on=date(YEAR, 5, 10),
        by=None,
    )
    checks.problem_close(problem=problem, by=None, today=date(YEAR, 6, 20))
    ratings.year_propose(year=YEAR, today=TODAY)
    return {"zb2": zb2, "zb3": zb3, "zb4": zb4, "lina": lina, "zhaomin": zhaomin}


def export(**kwargs):
    buffer = BytesIO()
    kwargs.setdefault("today", EXPORTED_ON)
    services.workbook_write(year=YEAR, out=buffer, **kwargs)
    buffer.seek(0)
    return load_workbook(buffer)


def rows(ws):
    return [[c.value for c in row] for row in ws.iter_rows(min_row=2)]


def by_code(ws):
    return {row[0]: row for row in rows(ws)}


def test_the_workbook_has_the_six_sheets_with_their_headers_frozen_and_ready_to_print(org, year):
    ratings.year_approve(year=YEAR, by=org.committee_user)
    wb = export()
    assert wb.sheetnames == list(HEADERS)
    for title, headers in HEADERS.items():
        ws = wb[title]
        assert [c.value for c in ws[1]] == headers, title
        assert ws.freeze_panes == "A2"
        assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"
        assert ws.oddHeader.center.text == f"2025年度星级党支部考核表 · {title}"
        assert ws.column_dimensions["B"].width > 10


def test_summary_levels_scores_actions_and_flags(org, year):
    ratings.year_approve(year=YEAR, by=org.committee_user)
    ws = export()["汇总"]
    lines = by_code(ws)
    assert list(lines) == ["ZB1", "ZB2", "ZB3", "ZB4", "ZB9"]
    assert lines["ZB1"] == [
        "ZB1",
        "刑事审判庭党支部",
        "第一党总支",
        5,
        100,
        100,
        100,
        5,
        3,
        "升星授牌",
        "五星激励",
        "已审批",
        "分数段五星；上次核定（2024年）三星 → 五星：升星授牌",
    ]
    zb9 = lines["ZB9"]
    assert zb9[2] == "机关党委"
    # 41.5/43 each quarter; 0.4 × 96.51 + 0.6 × 98.50 = 97.70; vetoed from five to three
    assert zb9[4:11] == [96.51, 98.5, 97.7, 3, 2, "复星复牌", None]
    # 说明: why the level differs from the band (veto, quota, cap), and the rule of the action.
    assert zb9[12] == (
        "分数段五星；一票否决（B项未满分）；上次核定（2024年）二星 → 三星，回升后不高于最近一次降星前的四星：复星复牌"
    )
    assert lines["ZB3"][7:11] == [4, None, "首次评定", None]
    assert lines["ZB3"][12] == "分数段五星；超过五星比例（排名第2）；此前无核定星级 → 四星：首次评定"
    assert lines["ZB4"][7:11] == [2, 2, "保持", "约谈"]
    assert lines["ZB4"][12] == "分数段五星；申报星级封顶；上次核定（2024年）二星 → 二星：保持"
    lagging = lines["ZB2"]
    assert lagging[3] is None and lagging[7] is None and lagging[9] is None and lagging[10] == "后进党支部"
    assert lagging[12].startswith("未申报星级：列为后进党支部")
    for row in lines.values():
        level = row[7]
        assert level is None or (isinstance(level, int) and 1 <= level <= 5)
    score_cells = [ws.cell(row=r, column=c) for r in range(2, 7) for c in (5, 6, 7)]
    assert all(cell.number_format == "0.00" and isinstance(cell.value, int | float) for cell in score_cells)


def test_a_name_or_problem_that_looks_like_a_formula_stays_text(org, year):
    wb = export()
    name = wb["汇总"]["B3"]
    assert (name.value, name.data_type, name.quotePrefix) == ("=1+2党支部", "s", True)
    problem = wb["问题整改"]["B2"]
    assert (problem.value, problem.data_type, problem.quotePrefix) == (RISKY_PROBLEM, "s", True)


def test_indicator_detail_one_row_per_branch_and_indicator(org, year):
    ws = export()["指标明细"]
    lines = rows(ws)
    assert len(lines) == 5 * 29
    zb9 = {row[2]: row for row in lines if row[0] == "ZB9"}
    assert zb9["B1"][:10] == ["ZB9", "办公室党支部", "B1", "党员大会", 6, 4.5, 4.5, 4.5, 4.5, 4.5]
    assert "第一季度：检查评分" in zb9["B1"][10]
    assert zb9["A1"][4:10] == [3, None, None, None, None, 3]  # a yearly indicator: no quarters
    # 佐证材料: the documents behind a manual indicator (none uploaded: 0); blank for an auto one.
    assert (zb9["A1"][11], zb9["B1"][11]) == (0, None)
    zb3 = {row[2]: row for row in lines if row[0] == "ZB3"}
    assert zb3["A1"][9] == 0


def test_meetings_per_quarter_count_submitted_records_only(org, year):
    lines = [row for row in rows(export()["三会一课"]) if row[0] == "ZB1"]
    assert [row[2] for row in lines] == ["第一季度", "第二季度", "第三季度", "第四季度"]
    # Q1: a 党员大会 below quorum, the group's 党小组会, a 主题党日; 出勤率 (2 + 1) / (3 + 1)
    assert lines[0][3:] == [1, 0, 1, 0, 1, 0.75, 0, 1]
    # Q2: a backfilled 党课 (all present); the draft 党员大会 is not counted
    assert lines[1][3:] == [0, 0, 0, 1, 0, 1, 1, 0]
    assert lines[2][3:] == [0, 0, 0, 0, 0, None, 0, 0]
    ws = export()["三会一课"]
    assert ws["I2"].number_format == "0.00%"


def test_member_appraisal_grades_attendance_and_pledges(org, year):
    lines = {row[1]: row for row in rows(export()["党员评议"]) if row[0] == "ZB1"}
    assert lines["张伟"] == ["ZB1", "张伟", "正式党员", "优秀", 1, 0.75]
    assert lines["李娜"] == ["ZB1", "李娜", "正式党员", "合格", 0.5, None]
    assert lines["赵敏"] == ["ZB1", "赵敏", "预备党员", "合格", 1, None]


def test_problems_with_their_status(org, year):
    lines = rows(export()["问题整改"])
    assert [row[0] for row in lines] == ["ZB1", "ZB2"]
    assert lines[0][2:] == [
        timezone.datetime(2025, 5, 10),
        timezone.datetime(2025, 6, 30),
        "按期销号",
        timezone.datetime(2025, 6, 20),
    ]
    assert lines[1][1].startswith("2025年度未申报星级") and lines[1][4:] == ["已逾期", None]


def test_star_history_one_column_per_approved_year(org, year):
    ratings.year_approve(year=YEAR, by=org.committee_user)
    lines = by_code(export()["星级历史"])
    assert lines["ZB9"] == ["ZB9", "办公室党支部", 4, 2, 3]
    assert lines["ZB1"] == ["ZB1", "刑事审判庭党支部", None, 3, 5]
    assert lines["ZB2"] == ["ZB2", "=1+2党支部", None, None, None]


def test_a_secretarys_part_holds_only_their_branch_and_no_unapproved_level(org, year):
    branch = OrgUnit.objects.get(code="ZB1")
    before = export(unit=branch, include_proposals=False)
    for title in HEADERS:
        assert {row[0] for row in rows(before[title])} == {"ZB1"}, title
    assert by_code(before["汇总"])["ZB1"][3:] == [5, None, None, None, None, 3, None, None, "待审批", None]
    assert [c.value for c in before["星级历史"][1]] == ["支部编码", "支部名称", "2024年"]  # ZB1's years only

    ratings.year_approve(year=YEAR, by=org.committee_user)
    after = by_code(export(unit=branch, include_proposals=False)["汇总"])["ZB1"]
    assert after[7:12] == [5, 3, "升星授牌", "五星激励", "已审批"]
    assert after[12].startswith("分数段五星")


def test_reads_do_not_grow_with_the_branches(org):
    standard_ensure(year=YEAR)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            services.workbook_write(year=YEAR, out=BytesIO())
        return len(ctx)

    for n in range(2):
        make_unit(OrgUnit.Kind.BRANCH, org.committee, code=f"ZC{n}")
    few = count()
    for n in range(2, 8):
        branch = make_unit(OrgUnit.Kind.BRANCH, org.committee, code=f"ZC{n}")
        make_member(branch)
    assert count() == few


def test_export_year_command(org, year, tmp_path, capsys):
    out = tmp_path / "年度考核表.xlsx"
    call_command("export_year", "--year", str(YEAR), "--out", str(out), "--branch", "ZZ1")
    assert "已导出" in capsys.readouterr().out
    assert {row[0] for row in rows(load_workbook(out)["汇总"])} == {"ZB1"}
    with pytest.raises(CommandError, match="找不到编码为 NOPE 的党组织"):
        call_command("export_year", "--year", str(YEAR), "--out", str(out), "--branch", "NOPE")
    with pytest.raises(CommandError, match="输出目录不存在"):
        call_command("export_year", "--year", str(YEAR), "--out", str(tmp_path / "no" / "x.xlsx"))


# --- the job, its pages and who sees them -------------------------------------------------------------


def running_job(user, **fields):
    defaults = {
        "year": YEAR,
        "requested_by": user,
        "status": ExportJob.Status.RUNNING,
        "sheet": "指标明细",
        "sheets_done": 1,
        "rows_done": 50,
        "rows_total": 200,
    }
    return ExportJob.objects.create(**{**defaults, **fields})


def test_the_progress_page_polls_while_running(org, login):
    job = running_job(org.committee_user)
    client = login(org.committee_user)
    page = client.get(reverse("yearbook:job", args=[job.pk])).content.decode()
    assert 'aria-valuenow="25"' in page
    assert "正在写入“指标明细”（第 2/6 个工作表），已写入 50 行" in page
    assert 'hx-trigger="every 1s"' in page
    box = client.get(reverse("yearbook:progress", args=[job.pk])).content.decode()
    assert box.strip().startswith('<div id="export-progress" data-status="running"')
    assert reverse("yearbook:download", args=[job.pk]) not in box
    assert client.get(reverse("yearbook:download", args=[job.pk])).status_code == 404


def test_a_job_whose_worker_died_stops_waiting_and_says_to_export_again(org, login, settings):
    settings.CELERY_TASK_TIME_LIMIT = 600
    now = timezone.now()
    dead = running_job(org.committee_user, started_at=now - timedelta(minutes=11))
    alive = running_job(org.committee_user, started_at=now - timedelta(minutes=9))
    never_picked_up = running_job(
        org.committee_user, status=ExportJob.Status.QUEUED, sheets_done=0, rows_done=0, rows_total=0
    )
    ExportJob.objects.filter(pk=never_picked_up.pk).update(created_at=now - timedelta(minutes=11))
    client = login(org.committee_user)
    box = client.get(reverse("yearbook:progress", args=[dead.pk])).content.decode()
    assert 'data-status="failed"' in box and "hx-trigger" not in box
    assert "超过10分钟仍未完成，后台任务可能已中断，请重新导出" in box
    statuses = dict(ExportJob.objects.values_list("pk", "status"))
    assert statuses == {dead.pk: "failed", alive.pk: "running", never_picked_up.pk: "failed"}
    # A redelivered task that turns up late leaves the failed job alone.
    assert services.export_build(job_id=dead.pk) is None


def test_clicking_export_builds_the_file_and_offers_it(org, login, django_capture_on_commit_callbacks):
    client = login(org.committee_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("yearbook:start"), {"year": YEAR, "unit": ""})
    job = ExportJob.objects.get()
    assert response.url == reverse("yearbook:job", args=[job.pk])
    assert (job.status, job.unit, job.include_proposals, job.sheets_done) == ("done", None, True, 6)
    page = client.get(response.url).content.decode()
    assert 'aria-valuenow="100"' in page and "hx-trigger" not in page
    download = client.get(reverse("yearbook:download", args=[job.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    assert "2025" in download["Content-Disposition"]
    wb = load_workbook(BytesIO(b"".join(download.streaming_content)))
    assert wb.sheetnames == list(HEADERS)[:5] + ["星级历史"]
    assert {row[0] for row in rows(wb["汇总"])} == {"ZB1", "ZB9"}


def test_a_secretary_exports_their_branch_only(org, login, django_capture_on_commit_callbacks):
    client = login(org.secretary)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("yearbook:start"), {"year": YEAR, "unit": org.branch.pk})
    job = ExportJob.objects.get()
    assert (job.unit, job.include_proposals, job.status) == (org.branch, False, "done")
    wb = load_workbook(job.file.path)
    assert {row[0] for row in rows(wb["汇总"])} == {"ZB1"}
    # Another unit is not offered, and asking for it anyway is refused.
    response = client.post(reverse("yearbook:start"), {"year": YEAR, "unit": org.other_branch.pk})
    assert response.status_code == 400 and ExportJob.objects.count() == 1


def test_outsiders_get_404(org, login):
    job = running_job(org.committee_user, status=ExportJob.Status.DONE, file="yearbook/x.xlsx")
    urls = [reverse(name, args=[job.pk]) for name in ("yearbook:job", "yearbook:progress", "yearbook:download")]
    for user in (org.outsider, org.secretary, org.general_secretary):
        client = login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
    for user in (org.group_leader, org.member_user):
        client = login(user)
        assert client.get(reverse("yearbook:index")).status_code == 404
        assert client.post(reverse("yearbook:start"), {"year": YEAR}).status_code == 404


def test_a_secretary_moved_elsewhere_loses_their_export(org, login):
    job = running_job(org.secretary, unit=org.branch)
    client = login(org.secretary)
    assert client.get(reverse("yearbook:job", args=[job.pk])).status_code == 200
    org.secretary.unit_roles.all().delete()
    client = login(org.secretary)
    assert client.get(reverse("yearbook:job", args=[job.pk])).status_code == 404


def test_the_task_is_idempotent_and_a_failure_is_reported(org, settings, tmp_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.export_request(user=org.committee_user, year=YEAR)
    job.refresh_from_db()
    path, finished = job.file.path, job.finished_at
    assert services.export_build(job_id=job.pk) is None  # done already: left alone
    job.refresh_from_db()
    assert (job.file.path, job.finished_at) == (path, finished)
    assert services.export_build(job_id=10**9) is None  # a deleted job: nothing to do

    # Nowhere to write the file (MEDIA_ROOT is a plain file): the page says it failed, no endless retries.
    blocked = tmp_path / "media"
    blocked.write_text("not a folder")
    settings.MEDIA_ROOT = blocked
    with django_capture_on_commit_callbacks(execute=True):
        failed = jobs.export_request(user=org.committee_user, year=YEAR)
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert "生成失败" in failed.message


def test_old_exports_are_deleted_with_their_files(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        old = jobs.export_request(user=org.committee_user, year=YEAR)
    old.refresh_from_db()
    path = old.file.path
    ExportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        jobs.export_request(user=org.committee_user, year=YEAR)
    assert not ExportJob.objects.filter(pk=old.pk).exists()
    assert not os.path.exists(path)


def test_the_export_page_lists_recent_jobs_without_a_query_per_job(org, login, django_assert_max_num_queries):
    client = login(org.committee_user)
    for _ in range(2):
        running_job(org.committee_user, unit=org.general)
    with CaptureQueriesContext(connection) as few:
        page = client.get(reverse("yearbook:index"))
    assert page.status_code == 200 and "导出年度考核表" in page.content.decode()
    for _ in range(8):
        running_job(org.committee_user, unit=org.general)
    with django_assert_max_num_queries(len(few)):
        assert client.get(reverse("yearbook:index")).status_code == 200


def test_the_export_page_says_what_to_do_when_empty(org, login):
    page = login(org.secretary).get(reverse("yearbook:index")).content.decode()
    assert "还没有导出记录" in page and "刑事审判庭党支部（ZB1）" in page and "第一党总支" not in page
    # Users are not operators: the page names no command line.
    for user in (org.secretary, org.committee_user):
        page = login(user).get(reverse("yearbook:index")).content.decode()
        assert "manage.py" not in page and "命令行" not in page


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_builds_the_export_sent_through_redis(org, live_worker):
    assert celery_app.conf.broker_url.startswith("redis://")
    assert "assessment.yearbook.tasks.build_export" in celery_app.tasks
    job = jobs.export_request(user=org.committee_user, year=YEAR)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.is_running:
            break
        time.sleep(0.2)
    assert job.status == "done", job.message
    assert load_workbook(job.file.path).sheetnames[0] == "汇总"


@pytest.mark.parametrize("who", ["committee_user", "secretary"])
def test_the_export_pages_are_english_once_chosen(org, login, settings, who, chinese_in_chrome):
    client = login(getattr(org, who))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    job = running_job(getattr(org, who), unit=None if who == "committee_user" else org.branch)
    for url in (reverse("yearbook:index"), reverse("yearbook:job", args=[job.pk])):
        assert chinese_in_chrome(client, url) == [], url
