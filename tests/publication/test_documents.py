"""Supporting documents (佐证材料) of the hand-scored indicators: the library, the checks on a file,
another branch's documents are 404 (downloads included), checkers cite them, the workbook counts them."""

import os
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessment.models import Indicator, Score, SupportingDocument
from assessment.publication import services
from assessment.services import ratings
from assessment.yearbook import services as yearbook
from tests.factories import make_document

from .conftest import YEAR

pytestmark = pytest.mark.django_db


def library(org):
    return reverse("publication:documents", args=[org.branch.pk, YEAR])


def test_the_secretary_uploads_and_the_library_shows_which_indicators_have_none(org, year, login):
    client = login(org.secretary)
    page = client.get(library(org)).content.decode()
    assert page.count("无佐证材料") == 14  # every manual indicator of the default standard
    response = client.post(
        reverse("publication:document_upload", args=[org.branch.pk, YEAR]),
        {
            "indicator": "A2",
            "title": "2025年支部工作计划",
            "file": SimpleUploadedFile("工作计划.pdf", b"%PDF-1.4 plan"),
        },
    )
    assert response.url == library(org)
    document = SupportingDocument.objects.get()
    assert (document.indicator.code, document.uploaded_by, document.title) == (
        "A2",
        org.secretary,
        "2025年支部工作计划",
    )
    page = client.get(library(org)).content.decode()
    assert page.count("无佐证材料") == 13 and "工作计划.pdf" in page and "1 / 14 项人工评分指标有佐证材料" in page
    download = client.get(reverse("publication:document", args=[document.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 plan"


def test_bad_files_and_auto_indicators_are_refused_in_chinese(org, year, login):
    client = login(org.secretary)
    url = reverse("publication:document_upload", args=[org.branch.pk, YEAR])
    response = client.post(url, {"indicator": "A2", "file": SimpleUploadedFile("计划.exe", b"MZ")})
    assert response.status_code == 400 and "类型不允许" in response.content.decode()
    response = client.post(url, {"indicator": "A2", "file": SimpleUploadedFile("计划.pdf", b"MZ not a pdf")})
    assert "内容不是" in response.content.decode()
    b1 = Indicator.objects.select_related("standard").get(standard__year=YEAR, code="B1")
    with pytest.raises(ValidationError, match="B1 是自动计分指标，由系统根据台账计算"):
        services.document_upload(
            branch=org.branch, indicator=b1, upload=SimpleUploadedFile("a.pdf", b"%PDF-1"), title="", by=None
        )
    assert not SupportingDocument.objects.exists()


def test_another_branchs_documents_are_404_downloads_included(org, year, login):
    document = make_document(org.branch, YEAR, by=org.secretary)
    client = login(org.outsider)
    assert client.get(library(org)).status_code == 404
    assert client.get(reverse("publication:document", args=[document.pk])).status_code == 404
    assert client.post(reverse("publication:document_delete", args=[document.pk])).status_code == 404
    upload = {"indicator": "A2", "file": SimpleUploadedFile("x.pdf", b"%PDF-1.4")}
    assert client.post(reverse("publication:document_upload", args=[org.branch.pk, YEAR]), upload).status_code == 404
    for user in (org.member_user, org.group_leader):  # no assessment pages for them either
        assert login(user).get(reverse("publication:document", args=[document.pk])).status_code == 404
    assert SupportingDocument.objects.count() == 1
    # The general secretary above the branch reads it; only managers of the branch may delete.
    assert login(org.general_secretary).get(reverse("publication:document", args=[document.pk])).status_code == 200


def test_the_checker_sees_the_documents_beside_the_score_form_and_cites_one(org, year, login):
    plan = make_document(org.branch, YEAR, code="A2", by=org.secretary, name="工作计划.pdf")
    other = make_document(org.other_branch, YEAR, code="A2", by=org.outsider, name="别的支部.pdf")
    client = login(org.committee_user)
    check = reverse("assessment:branch_check", args=[org.branch.pk, YEAR])
    page = client.get(check).content.decode()
    assert "工作计划.pdf" in page and f'name="cite" value="{plan.pk}"' in page and "别的支部.pdf" not in page
    client.post(
        reverse("assessment:score_save", args=[org.branch.pk, YEAR]),
        {"indicator": "A2", "value": "1.5", "note": "计划未经支委会讨论", "cite": [plan.pk, other.pk]},
    )
    score = Score.objects.get(branch=org.branch, indicator__code="A2", indicator__standard__year=YEAR)
    assert (score.manual, list(score.citations.all())) == (1.5, [plan])  # another branch's is ignored
    page = client.get(check).content.decode()
    assert "计划未经支委会讨论" in page and reverse("publication:document", args=[plan.pk]) in page
    with pytest.raises(ValidationError, match="已被检查评分引用"):
        services.document_delete(document=plan, by=org.secretary)


def test_the_library_closes_when_the_year_is_approved(org, year, login):
    document = make_document(org.branch, YEAR, by=org.secretary)
    ratings.year_approve(year=YEAR, by=org.committee_user, today=timezone.localdate())
    with pytest.raises(ValidationError, match="2025年度评定已审批，佐证材料不能再增删"):
        services.document_delete(document=document, by=org.secretary)
    page = login(org.secretary).get(library(org)).content.decode()
    assert "材料不能再增删" in page and 'id="upload-form"' not in page


def test_the_secretary_deletes_an_uncited_document_and_the_history_keeps_it(
    org, year, login, django_capture_on_commit_callbacks
):
    document = make_document(org.branch, YEAR, by=org.secretary, name="旧计划.pdf")
    path = document.file.path
    client = login(org.secretary)
    with django_capture_on_commit_callbacks(execute=True):
        with_delete = client.post(reverse("publication:document_delete", args=[document.pk]))
    assert with_delete.url == library(org)
    assert not SupportingDocument.objects.exists()
    page = client.get(library(org)).content.decode()
    assert "旧计划.pdf" in page and "删除" in page  # in the history: who deleted what, when
    assert not os.path.exists(path)  # the file went with the row


def test_the_workbook_counts_the_documents_of_each_manual_indicator(org, year):
    make_document(org.branch, YEAR, code="A2", name="计划.pdf")
    make_document(org.branch, YEAR, code="A2", name="计划修订.pdf")
    make_document(org.branch, YEAR, code="D2", name="八有照片.jpg.pdf")
    buffer = BytesIO()
    yearbook.workbook_write(year=YEAR, out=buffer)
    buffer.seek(0)
    sheet = load_workbook(buffer)["指标明细"]
    assert [c.value for c in sheet[1]][-1] == "佐证材料"
    counts = {(row[0].value, row[2].value): row[-1].value for row in sheet.iter_rows(min_row=2)}
    assert (counts[("ZB1", "A2")], counts[("ZB1", "D2")], counts[("ZB1", "A1")]) == (2, 1, 0)
    assert counts[("ZB1", "B1")] is None and counts[("ZB9", "A2")] == 0
