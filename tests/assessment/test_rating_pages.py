"""The rating pages: who reaches what (outsiders get 404), the forms, and list pages without N+1."""

import zipfile
from datetime import date
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from assessment.models import Application, BranchRating, Evidence, Indicator, Problem, QuarterCheck, Score, Standard
from assessment.services import checks, ratings
from assessment.services.standards import standard_ensure
from branches.models import OrgUnit
from tests.factories import make_unit

TODAY = timezone.localdate()


def _docx() -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


DOCX = _docx()
LAST_YEAR = TODAY.year - 1


@pytest.fixture
def rated(org, settings, tmp_path):
    """Last year checked, applied for and proposed (not yet approved); a problem with evidence."""
    settings.MEDIA_ROOT = tmp_path
    standard_ensure(year=LAST_YEAR)
    standard_ensure(year=TODAY.year)
    a4 = Indicator.objects.get(standard__year=LAST_YEAR, code="A4")
    score = checks.score_enter(branch=org.branch, indicator=a4, quarter=1, value="2", note="研究两次", by=None)
    problem = checks.problem_create(
        branch=org.branch,
        year=LAST_YEAR,
        quarter=1,
        description="党小组会记录不全",
        deadline=date(LAST_YEAR, 5, 1),
        found_on=date(LAST_YEAR, 4, 5),
        by=org.committee_user,
    )
    evidence = checks.evidence_add(
        problem=problem, upload=SimpleUploadedFile("记录.pdf", b"%PDF-1.4 x"), note="", by=org.secretary
    )
    ratings.application_submit(branch=org.branch, year=LAST_YEAR, level=4, by=org.secretary)
    ratings.year_propose(year=LAST_YEAR, today=TODAY)
    line = BranchRating.objects.get(branch=org.branch, rating__year=LAST_YEAR)
    return {"score": score, "problem": problem, "evidence": evidence, "line": line}


def branch_urls(org, rated):
    """Every page and object URL about org.branch."""
    b, y = org.branch.pk, LAST_YEAR
    return [
        ("get", reverse("assessment:branch", args=[b])),
        ("get", reverse("assessment:branch_check", args=[b, y])),
        ("get", reverse("assessment:apply", args=[b])),
        ("post", reverse("assessment:apply", args=[b])),
        ("post", reverse("assessment:score_save", args=[b, y])),
        ("post", reverse("assessment:problem_create", args=[b, y])),
        ("post", reverse("assessment:score_clear", args=[rated["score"].pk])),
        ("get", reverse("assessment:problem", args=[rated["problem"].pk])),
        ("post", reverse("assessment:evidence_upload", args=[rated["problem"].pk])),
        ("post", reverse("assessment:problem_close", args=[rated["problem"].pk])),
        ("get", reverse("assessment:evidence", args=[rated["evidence"].pk])),
        ("get", reverse("assessment:rating_override", args=[y, rated["line"].pk])),
        ("post", reverse("assessment:rating_override", args=[y, rated["line"].pk])),
    ]


COMMITTEE_ONLY = [
    ("get", "assessment:standard_edit", [LAST_YEAR]),
    ("post", "assessment:standard_create", [LAST_YEAR]),
    ("post", "assessment:quarter_run", [LAST_YEAR, 1]),
    ("get", "assessment:rating_latest", []),
    ("get", "assessment:rating", [LAST_YEAR]),
    ("get", "assessment:rating_status", [LAST_YEAR]),
    ("post", "assessment:rating_run", [LAST_YEAR]),
    ("post", "assessment:rating_approve", [LAST_YEAR]),
    ("post", "assessment:rating_reverse", [LAST_YEAR]),
    ("get", "assessment:import", []),
    ("get", "assessment:import_template", []),
]


@pytest.mark.django_db
def test_it_checks_ownership_outsiders_get_404_on_every_page_and_object(org, rated, login):
    client = login(org.outsider)
    for method, url in branch_urls(org, rated):
        assert getattr(client, method)(url).status_code == 404, url
    assert not Problem.objects.filter(closed_on__isnull=False).exists()
    assert Score.objects.get(pk=rated["score"].pk).manual is not None


@pytest.mark.django_db
def test_committee_pages_are_404_for_everyone_else(org, rated, login):
    for user in (org.secretary, org.general_secretary, org.outsider):
        client = login(user)
        for method, name, args in COMMITTEE_ONLY:
            assert getattr(client, method)(reverse(name, args=args)).status_code == 404, (user, name)


@pytest.mark.django_db
def test_members_and_group_leaders_have_no_assessment_pages(org, rated, login):
    for user in (org.member_user, org.group_leader):
        client = login(user)
        assert client.get(reverse("assessment:index")).status_code == 404
        assert client.get(reverse("assessment:branch", args=[org.branch.pk])).status_code == 404
        assert client.get(reverse("assessment:problems")).status_code == 404


@pytest.mark.django_db
def test_the_committee_reaches_every_page(org, rated, login):
    client = login(org.committee_user)
    for url in [
        reverse("assessment:index"),
        reverse("assessment:index") + f"?year={LAST_YEAR}",
        reverse("assessment:branch", args=[org.branch.pk]),
        reverse("assessment:branch_check", args=[org.branch.pk, LAST_YEAR]),
        reverse("assessment:branch_check", args=[org.branch.pk, 2001]),
        reverse("assessment:problems"),
        reverse("assessment:problems") + "?status=all",
        reverse("assessment:problem", args=[rated["problem"].pk]),
        reverse("assessment:quarter", args=[LAST_YEAR, 1]),
        reverse("assessment:quarter_status", args=[LAST_YEAR, 1]),
        reverse("assessment:standard", args=[LAST_YEAR]),
        reverse("assessment:standard", args=[2001]),
        reverse("assessment:rating", args=[LAST_YEAR]),
        reverse("assessment:rating", args=[TODAY.year]),
        reverse("assessment:rating_override", args=[LAST_YEAR, rated["line"].pk]),
        reverse("assessment:import"),
        reverse("home"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
    assert client.get(reverse("assessment:quarter_latest")).status_code == 302
    assert client.get(reverse("assessment:standard_current")).status_code == 302
    page = client.get(reverse("assessment:rating", args=[LAST_YEAR])).content.decode()
    assert "综合得分" in page and "待审批" in page and "首次评定" in page


@pytest.mark.django_db
def test_a_secretary_sees_their_level_only_once_approved(org, rated, login):
    client = login(org.secretary)
    assert client.get(reverse("assessment:index")).url == reverse("assessment:branch", args=[org.branch.pk])
    page = client.get(reverse("assessment:branch", args=[org.branch.pk])).content.decode()
    assert "尚未评定" in page and "首次评定" not in page
    ratings.year_approve(year=LAST_YEAR, by=org.committee_user)
    page = client.get(reverse("assessment:branch", args=[org.branch.pk])).content.decode()
    level = rated["line"].level
    assert f"{LAST_YEAR}年度 {level} 星党支部" in page and "首次评定" in page
    assert "党小组会记录不全" in page  # the open problem


@pytest.mark.django_db
def test_undoing_an_approval_asks_for_confirmation_like_approving(org, rated, login):
    client = login(org.committee_user)
    page = client.get(reverse("assessment:rating", args=[LAST_YEAR])).content.decode()
    approve = page.split(f'action="{reverse("assessment:rating_approve", args=[LAST_YEAR])}"')[1].split(">")[0]
    assert "data-sb-confirm=" in approve
    ratings.year_approve(year=LAST_YEAR, by=org.committee_user)
    page = client.get(reverse("assessment:rating", args=[LAST_YEAR])).content.decode()
    undo = page.split(f'action="{reverse("assessment:rating_reverse", args=[LAST_YEAR])}"')[1].split(">")[0]
    assert 'data-sb-confirm="撤销后评定结果恢复为待审批' in undo


@pytest.mark.django_db
def test_a_general_secretary_sees_the_dashboard_of_their_branches_once_approved(org, rated, login):
    zb2 = make_unit(OrgUnit.Kind.BRANCH, org.general, code="ZB2", name="民事审判庭党支部")
    client = login(org.general_secretary)
    assert "尚未审批公布" in client.get(reverse("assessment:index") + f"?year={LAST_YEAR}").content.decode()
    ratings.year_propose(year=LAST_YEAR, today=TODAY)
    ratings.year_approve(year=LAST_YEAR, by=org.committee_user)
    page = client.get(reverse("assessment:index") + f"?year={LAST_YEAR}").content.decode()
    assert org.branch.name in page and zb2.name in page and org.other_branch.name not in page


@pytest.mark.django_db
def test_the_secretary_applies_for_a_level(org, login):
    client = login(org.secretary)
    url = reverse("assessment:apply", args=[org.branch.pk])
    assert "申报星级" in client.get(url).content.decode()
    response = client.post(url, {"year": TODAY.year, "level": 5})
    assert response.status_code == 302
    assert Application.objects.get(branch=org.branch, year=TODAY.year).level == 5
    assert client.post(url, {"year": TODAY.year, "level": 7}).status_code == 200  # the form refuses it
    assert Application.objects.get(branch=org.branch, year=TODAY.year).level == 5


@pytest.mark.django_db
def test_the_checker_enters_a_score_and_sees_the_chinese_error_of_a_bad_one(org, rated, login):
    client = login(org.committee_user)
    url = reverse("assessment:score_save", args=[org.branch.pk, TODAY.year])
    response = client.post(url, {"indicator": "B1", "quarter": 1, "value": "5", "note": ""}, follow=True)
    assert "B1 是自动计分指标，人工评分覆盖须填写说明" in response.content.decode()
    response = client.post(url, {"indicator": "B1", "quarter": 1, "value": "5", "note": "会议记录补录"}, follow=True)
    assert "已保存 B1 的评分" in response.content.decode()
    assert "会议记录补录" in response.content.decode()
    score = Score.objects.get(branch=org.branch, indicator__code="B1", indicator__standard__year=TODAY.year)
    client.post(reverse("assessment:score_clear", args=[score.pk]))
    score.refresh_from_db()
    assert score.manual is None


@pytest.mark.django_db
def test_the_branch_uploads_evidence_and_the_checker_closes_the_problem(org, rated, login):
    problem = rated["problem"]
    client = login(org.secretary)
    url = reverse("assessment:evidence_upload", args=[problem.pk])
    response = client.post(url, {"file": SimpleUploadedFile("x.exe", b"MZ"), "note": ""}, follow=True)
    assert "类型不允许" in response.content.decode()
    client.post(url, {"file": SimpleUploadedFile("整改报告.docx", DOCX), "note": "已补齐"})
    assert problem.evidence.count() == 2
    download = client.get(reverse("assessment:evidence", args=[problem.evidence.last().pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == DOCX
    assert client.post(reverse("assessment:problem_close", args=[problem.pk])).status_code == 404
    login(org.committee_user).post(reverse("assessment:problem_close", args=[problem.pk]), {"note": "同意销号"})
    problem.refresh_from_db()
    assert problem.closed_on == TODAY and problem.close_note == "同意销号"
    assert Evidence.objects.count() == 2


@pytest.mark.django_db
def test_the_standard_page_says_why_it_is_locked(org, rated, login):
    client = login(org.committee_user)
    response = client.get(reverse("assessment:standard_edit", args=[LAST_YEAR]), follow=True)
    assert "评定标准已锁定，不能再修改" in response.content.decode()


@pytest.mark.django_db
def test_the_committee_edits_an_open_standard_and_sees_why_a_bad_edit_is_refused(org, login):
    standard = standard_ensure(year=2030)
    client = login(org.committee_user)
    url = reverse("assessment:standard_edit", args=[2030])
    page = client.get(url)
    assert page.status_code == 200
    data = {name: value for name, value in _form_data(page.context).items()}
    data["indicators-0-points"] = "4"  # A1 3 → 4: aspect A no longer adds up
    response = client.post(url, data)
    assert "方面 A「责任落实」分值 15 分，其下指标合计 16 分，两者须相等" in response.content.decode()
    assert Standard.objects.get(year=2030).indicators.get(code="A1").points == 3
    data["indicators-3-points"] = "2"  # A4 3 → 2
    data["five_star_quota"] = "25"
    assert client.post(url, data).status_code == 302
    standard.refresh_from_db()
    assert standard.five_star_quota == 25
    assert standard.indicators.get(code="A4").points == 2


def _form_data(context):
    data = {}
    form = context["form"]
    for name, field in form.fields.items():
        data[name] = form.initial.get(name, field.initial)
    for formset in (context["aspect_set"], context["indicator_set"]):
        data.update({f"{formset.prefix}-{k}": v for k, v in formset.management_form.initial.items()})
        for i, f in enumerate(formset.initial_forms):
            for name in f.fields:
                if name != "DELETE":
                    data[f"{formset.prefix}-{i}-{name}"] = f.initial.get(name)
    return {k: "" if v is None else v for k, v in data.items()}


@pytest.mark.django_db
def test_the_import_page_lists_errors_or_imports(org, login):
    client = login(org.committee_user)
    template = client.get(reverse("assessment:import_template"), {"year": TODAY.year, "quarter": 1})
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = Workbook()
    ws = wb.active
    ws.title = "申报"
    ws.append(["支部编码", "年度", "申报星级"])
    ws.append(["ZB1", TODAY.year, 9])
    buffer = BytesIO()
    wb.save(buffer)
    upload = SimpleUploadedFile("scores.xlsx", buffer.getvalue())
    response = client.post(reverse("assessment:import"), {"file": upload})
    # The shared error table of every import (templates/imports/_errors.html): sheet, row, column, reason.
    errors = response.content.decode().split('id="import-errors"')[1].split("</table>")[0]
    assert "<td>2</td>" in errors
    for text in ("申报", "申报星级", "须在 1–5 之间，不能是 9"):
        assert text in errors
    assert not Application.objects.exists()
    ws["C2"] = 4
    buffer = BytesIO()
    wb.save(buffer)
    response = client.post(reverse("assessment:import"), {"file": SimpleUploadedFile("s.xlsx", buffer.getvalue())})
    assert response.status_code == 302
    assert Application.objects.get().level == 4


@pytest.mark.django_db
def test_the_committee_runs_a_check_and_a_rating_from_the_pages(org, login, django_capture_on_commit_callbacks):
    client = login(org.committee_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("assessment:quarter_run", args=[LAST_YEAR, 2]))
    page = client.get(reverse("assessment:quarter", args=[LAST_YEAR, 2])).content.decode()
    assert "自动指标计算于" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("assessment:rating_run", args=[LAST_YEAR]))
    page = client.get(reverse("assessment:rating", args=[LAST_YEAR])).content.decode()
    assert "后进党支部" in page and "待审批" in page


# --- no N+1 --------------------------------------------------------------------------------------


def _branches(org, start, n):
    for i in range(start, start + n):
        unit = make_unit(OrgUnit.Kind.BRANCH, org.committee, code=f"ZX{i:02d}")
        ratings.application_submit(branch=unit, year=LAST_YEAR, level=3 + i % 3, by=None)
        checks.problem_create(
            branch=unit, year=LAST_YEAR, quarter=1, description=f"问题{i}", deadline=date(LAST_YEAR, 5, 1),
            found_on=date(LAST_YEAR, 4, 1), by=None,
        )  # fmt: skip


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        reverse("assessment:index") + f"?year={LAST_YEAR}",
        reverse("assessment:rating", args=[LAST_YEAR]),
        reverse("assessment:quarter", args=[LAST_YEAR, 1]),
        reverse("assessment:problems") + "?status=all",
    ],
)
def test_list_pages_do_not_grow_queries_with_rows(org, login, url):
    client = login(org.committee_user)
    _branches(org, 0, 2)
    ratings.year_propose(year=LAST_YEAR, today=TODAY)
    few = _queries(client, url)
    _branches(org, 2, 8)
    ratings.year_propose(year=LAST_YEAR, today=TODAY)
    assert _queries(client, url) == few


@pytest.mark.django_db
def test_a_running_job_shows_a_box_that_polls_until_it_is_done(org, login):
    client = login(org.committee_user)
    QuarterCheck.objects.create(year=LAST_YEAR, quarter=3, status="running")
    status_url = reverse("assessment:quarter_status", args=[LAST_YEAR, 3])
    page = client.get(reverse("assessment:quarter", args=[LAST_YEAR, 3])).content.decode()
    assert f'hx-get="{status_url}"' in page and "计算中" in page
    QuarterCheck.objects.filter(year=LAST_YEAR, quarter=3).update(status="done", message="计算了 2 个支部")
    box = client.get(status_url).content.decode()
    assert "hx-get" not in box and "已完成" in box and "刷新页面查看结果" in box
