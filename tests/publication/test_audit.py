"""The numbers keep an audit history — who, when, before → after — shown on their pages: scores (a
checker's and an import's), adjustments, approvals and reversals, objections, exports."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment.models import BranchRating, ExportJob, Indicator, Score
from assessment.publication import services as publication
from assessment.services import checks, ratings
from assessment.yearbook import services as yearbook

from .conftest import YEAR

pytestmark = pytest.mark.django_db


def test_a_score_shows_who_changed_it_when_and_from_what(org, year, login):
    client = login(org.committee_user)
    url = reverse("assessment:score_save", args=[org.branch.pk, YEAR])
    client.post(url, {"indicator": "A2", "value": "1.5", "note": "计划未经支委会讨论"})
    client.post(url, {"indicator": "A2", "value": "2", "note": "补充了支委会纪要"})
    score = Score.objects.get(branch=org.branch, indicator__code="A2", indicator__standard__year=YEAR)
    page = client.get(reverse("publication:score_history", args=[score.pk])).content.decode()
    history = page[page.index('id="history"') :]
    assert "committee_user" in history  # who (the account has no name)
    assert "<del" in history and "1.50" in history and "2.00" in history and "补充了支委会纪要" in history
    # The fixture's bulk entry (checks.scores_enter_bulk, by no one: 系统) is on the record too: three entries.
    assert history.count('class="list-group-item"') == 3 and "系统" in history
    assert login(org.outsider).get(reverse("publication:score_history", args=[score.pk])).status_code == 404


def test_an_import_of_scores_is_recorded_with_its_user(org):
    checks_year = 2030
    from assessment.services.standards import standard_ensure

    standard_ensure(year=checks_year)
    a1 = Indicator.objects.select_related("standard").get(standard__year=checks_year, code="A1")
    checks.scores_enter_bulk(entries=[(org.branch.pk, a1, None, "2.5", "述职较好")], by=org.committee_user)
    record = Score.history.get()
    assert (record.history_user, record.manual, record.manual_note) == (org.committee_user, 2.5, "述职较好")


def test_an_adjustment_shows_its_history_on_its_page(org, year, login):
    line = BranchRating.objects.get(rating__year=YEAR, branch=org.branch)
    ratings.branch_rating_override(branch_rating=line, level=4, reason="年内发生违纪问题", by=org.committee_user)
    ratings.branch_rating_override(branch_rating=line, level=3, reason="经复核，违纪情节较重", by=org.committee_user)
    page = login(org.committee_user).get(reverse("assessment:rating_override", args=[YEAR, line.pk])).content.decode()
    assert "年内发生违纪问题" in page and "经复核，违纪情节较重" in page and "<del" in page


def test_approvals_and_reversals_are_on_the_rating_page_with_the_reason(org, year, login):
    ratings.year_approve(year=YEAR, by=org.committee_user, today=date(2026, 1, 19))
    ratings.year_reverse(year=YEAR, by=org.committee_user, reason="ZB9 的 B1 评分录入有误")
    page = login(org.committee_user).get(reverse("assessment:rating", args=[YEAR])).content.decode()
    history = page[page.index('id="history"') :]
    assert "ZB9 的 B1 评分录入有误" in history and "已审批" in history and "待审批" in history


def test_an_objection_and_its_answer_are_on_the_record(org, year, login):
    ratings.year_approve(year=YEAR, by=org.committee_user, today=timezone.localdate())
    objection = publication.objection_raise(year=YEAR, branch=org.branch, text="请核实", by=org.member_user)
    publication.objection_answer(objection=objection, answer="经核实无误", outcome="upheld", by=org.committee_user)
    page = login(org.committee_user).get(reverse("publication:objection", args=[objection.pk])).content.decode()
    history = page[page.index('id="history"') :]
    assert "member_user" in history and "committee_user" in history and "经核实无误" in history


def test_exports_stay_on_the_record_after_their_files_are_pruned(org, year, login, django_capture_on_commit_callbacks):
    client = login(org.committee_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("yearbook:start"), {"year": YEAR, "unit": ""})
    ExportJob.objects.update(created_at=timezone.now() - yearbook.KEEP * 2)
    yearbook.export_jobs_prune()
    assert not ExportJob.objects.exists()
    page = client.get(reverse("yearbook:index")).content.decode()
    log = page[page.index('id="export-log"') :]
    assert "2025年度" in log and "全部党支部" in log and "含待审批结果" in log
    # A secretary sees their own exports only.
    assert 'id="export-log"' not in login(org.secretary).get(reverse("yearbook:index")).content.decode()
