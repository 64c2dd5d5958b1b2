"""Reasons wherever a level is shown — the rating page, the 公示, the branch's page, the workbook's
说明 — for each rule (veto, cap, quota, adjustment); adjustments above the application refused, those
breaking the veto or the quota confirmed and marked 调整 everywhere."""

from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessment.models import BranchRating
from assessment.services import ratings
from assessment.yearbook import services as yearbook

from .conftest import YEAR

pytestmark = pytest.mark.django_db

VETO = "一票否决（B项未满分）"
CAP = "申报星级封顶"
QUOTA = "超过五星比例（排名第2）"


def line(code):
    return BranchRating.objects.get(rating__year=YEAR, branch__code=code)


def override_url(code):
    return reverse("assessment:rating_override", args=[YEAR, line(code).pk])


def explanations():
    buffer = BytesIO()
    yearbook.workbook_write(year=YEAR, out=buffer)
    buffer.seek(0)
    sheet = load_workbook(buffer)["汇总"]
    headers = [c.value for c in sheet[1]]
    assert headers[-2:] == ["审批状态", "说明"]  # 说明 is the new last column
    return {row[0].value: row[-1].value for row in sheet.iter_rows(min_row=2)}


def test_the_rating_page_names_each_rule_that_moved_a_level(org, year, login):
    page = login(org.committee_user).get(reverse("assessment:rating", args=[YEAR])).content.decode()
    for note in (VETO, CAP, QUOTA):
        assert note in page
    notes = explanations()
    assert VETO in notes["ZB9"] and CAP in notes["ZB4"] and QUOTA in notes["ZB2"]
    assert notes["ZB1"] == "分数段五星；上次核定（2024年）三星 → 五星：升星授牌"


def test_an_adjustment_above_the_application_is_refused_with_a_clear_message(org, year, login):
    client = login(org.committee_user)
    response = client.post(override_url("ZB4"), {"level": 3, "reason": "支部工作扎实"})
    assert response.status_code == 200
    assert "不能调整为三星：该支部申报二星，评定星级不能高于申报星级" in response.content.decode()
    assert line("ZB4").override_level is None


def test_breaking_the_veto_needs_a_confirmation_and_is_marked_everywhere(org, year, login):
    client = login(org.committee_user)
    url = override_url("ZB9")
    reason = "B1 失分系会议记录上传延误，经核实会议按时召开"
    first = client.post(url, {"level": 4, "reason": reason}).content.decode()
    assert "将突破一票否决：B项年度得分 28.50，未得满分 30" in first
    assert 'type="checkbox" name="confirm"' in first  # the form comes back with the confirmation
    assert line("ZB9").override_level is None
    assert client.post(url, {"level": 4, "reason": reason, "confirm": "on"}).status_code == 302
    adjusted = line("ZB9")
    assert (adjusted.level, adjusted.override_warnings) == (4, ["突破一票否决"])

    marked = f"委员会调整（突破一票否决）：{reason}"
    review = client.get(reverse("assessment:rating", args=[YEAR])).content.decode()
    assert marked in review and "调整" in review
    ratings.year_approve(year=YEAR, by=org.committee_user, today=timezone.localdate())
    assert marked in explanations()["ZB9"]
    notice = login(org.member_user).get(reverse("publication:notice", args=[YEAR])).content.decode()
    assert marked in notice and "badge text-bg-danger" in notice  # the 调整 badge
    branch_page = login(org.outsider).get(reverse("assessment:branch", args=[org.other_branch.pk])).content.decode()
    assert marked in branch_page


def test_breaking_the_quota_needs_a_confirmation(org, year, login):
    client = login(org.committee_user)
    url = override_url("ZB2")
    page = client.post(url, {"level": 5, "reason": "获评全省先进基层党组织"}).content.decode()
    assert "调整为五星将超过五星比例：五星名额 1 个，调整后将有 2 个五星党支部" in page
    client.post(url, {"level": 5, "reason": "获评全省先进基层党组织", "confirm": "on"})
    assert line("ZB2").override_warnings == ["超出五星比例"]
    assert "委员会调整（超出五星比例）：获评全省先进基层党组织" in explanations()["ZB2"]


def test_an_ordinary_adjustment_needs_no_confirmation_and_its_reason_is_shown(org, year, login):
    client = login(org.committee_user)
    assert client.post(override_url("ZB1"), {"level": 4, "reason": "年内发生一起违纪问题"}).status_code == 302
    assert explanations()["ZB1"] == (
        "分数段五星；委员会调整：年内发生一起违纪问题；上次核定（2024年）三星 → 四星：升星授牌"
    )
    ratings.year_approve(year=YEAR, by=org.committee_user, today=timezone.localdate())
    page = login(org.secretary).get(reverse("assessment:branch", args=[org.branch.pk])).content.decode()
    assert "委员会调整：年内发生一起违纪问题" in page and "上次核定（2024年）三星 → 四星：升星授牌" in page


def test_the_reasons_are_shown_to_a_branch_only_once_published(org, year, login):
    page = login(org.outsider).get(reverse("assessment:branch", args=[org.other_branch.pk])).content.decode()
    assert VETO not in page
    ratings.year_approve(year=YEAR, by=org.committee_user, today=timezone.localdate())
    page = login(org.outsider).get(reverse("assessment:branch", args=[org.other_branch.pk])).content.decode()
    assert VETO in page
