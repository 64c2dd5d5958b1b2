"""The recruitment pages: list, file, steps, documents and their scoping, print view and PDF, pipeline."""

import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from members.models import Member
from recruitment import rules
from recruitment.models import Recruit, RecruitDocument
from tests.factories import recruit_id, step_plan

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_secretary_registers_an_application(org, login):
    client = login(org.secretary)
    response = client.post(
        reverse("recruitment:create"),
        {
            "branch": org.branch.pk,
            "name": "李思远",
            "id_number": recruit_id(date(2000, 1, 1)),
            "ethnicity": "汉族",
            "applied_on": "2025-03-01",
        },
    )
    recruit = Recruit.objects.get()
    assert response.url == reverse("recruitment:detail", args=[recruit.pk])
    assert recruit.steps.get().number == 1


def test_an_under_age_applicant_is_refused_on_the_field(org, login):
    response = login(org.secretary).post(
        reverse("recruitment:create"),
        {
            "branch": org.branch.pk,
            "name": "少年",
            "id_number": recruit_id(date(2010, 1, 1)),
            "ethnicity": "汉族",
            "applied_on": "2025-03-01",
        },
    )
    assert response.status_code == 200
    assert "才满18周岁" in str(response.context["form"].errors["applied_on"])
    assert not Recruit.objects.exists()


def test_the_list_shows_stage_next_step_and_late_items(org, login, make_recruit):
    make_recruit("晚谈话", start=date.today() - timedelta(days=45))
    make_recruit("积极分子甲", until=6, start=date.today() - timedelta(days=400))
    page = login(org.secretary).get(reverse("recruitment:list")).content.decode()
    assert "晚谈话" in page and "积极分子甲" in page
    assert "table-danger" in page and "已逾期" in page
    assert "党组织派人谈话" in page


def test_recording_a_step_shows_its_warning(org, login, make_recruit):
    recruit = make_recruit(start=date(2025, 1, 2))
    response = login(org.secretary).post(
        reverse("recruitment:step", args=[recruit.pk, 2]), {"done_on": "2025-03-01", "actor": "王建国"}, follow=True
    )
    page = response.content.decode()
    assert "已登记第2步" in page and "一个月内" in page
    assert recruit.steps.get(number=2).warning_list


def test_a_step_out_of_order_is_refused_on_the_field(org, login, make_recruit):
    recruit = make_recruit(until=2, start=date(2025, 1, 2))
    response = login(org.secretary).post(reverse("recruitment:step", args=[recruit.pk, 3]), {"done_on": "2025-01-03"})
    assert "不能早于第2步" in str(response.context["form"].errors["done_on"])


def test_committee_steps_are_the_committees(org, login, make_recruit):
    recruit = make_recruit(until=3, start=date(2024, 1, 2))
    assert login(org.secretary).get(reverse("recruitment:step", args=[recruit.pk, 4])).status_code == 404
    client = login(org.committee_user)
    assert client.get(reverse("recruitment:step", args=[recruit.pk, 4])).status_code == 200
    client.post(reverse("recruitment:step", args=[recruit.pk, 4]), {"done_on": "2024-03-10"})
    assert recruit.steps.filter(number=4).exists()


def test_the_meeting_form_suggests_the_branchs_voting_members(org, login, make_recruit, sponsors):
    recruit = make_recruit(until=14, start=date(2022, 1, 1))
    form = login(org.secretary).get(reverse("recruitment:step", args=[recruit.pk, 15])).context["form"]
    full = Member.objects.filter(branch=org.branch, category=Member.Category.FULL).count()
    assert form.initial["voters_expected"] == full


def test_documents_upload_download_and_scope(org, login, make_recruit):
    recruit = make_recruit(start=date(2025, 1, 2))
    step = recruit.steps.get(number=1)
    client = login(org.secretary)
    client.post(reverse("recruitment:document_upload", args=[step.pk]), {"file": SimpleUploadedFile("申请书.pdf", PDF)})
    document = RecruitDocument.objects.get()
    response = client.get(reverse("recruitment:document", args=[document.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["X-Content-Type-Options"] == "nosniff"
    # A renamed file is refused by its content, as for meeting attachments.
    response = client.post(
        reverse("recruitment:document_upload", args=[step.pk]),
        {"file": SimpleUploadedFile("志愿书.pdf", b"MZ not a pdf")},
        follow=True,
    )
    assert "内容不是PDF文件" in response.content.decode()
    assert RecruitDocument.objects.count() == 1
    for user in (org.outsider, org.group_leader, org.member_user):
        other = login(user)
        assert other.get(reverse("recruitment:document", args=[document.pk])).status_code == 404
        assert other.post(reverse("recruitment:document_delete", args=[document.pk])).status_code == 404
        assert other.post(reverse("recruitment:document_upload", args=[step.pk]), {}).status_code == 404
        assert other.post(reverse("recruitment:step_delete", args=[step.pk])).status_code == 404
        assert other.get(reverse("recruitment:detail", args=[recruit.pk])).status_code == 404
    assert RecruitDocument.objects.count() == 1
    # A file gone from the disk (media not restored with the database) is a 404, not a 500.
    Path(document.file.path).unlink()
    assert client.get(reverse("recruitment:document", args=[document.pk])).status_code == 404
    login(org.secretary).post(reverse("recruitment:document_delete", args=[document.pk]))
    assert not RecruitDocument.objects.exists()


def test_another_branchs_people_are_not_listed(org, login, make_recruit):
    make_recruit("本支部人", start=date(2025, 1, 2))
    make_recruit("外支部人", start=date(2025, 1, 2), branch=org.other_branch)
    page = login(org.outsider).get(reverse("recruitment:list")).content.decode()
    assert "外支部人" in page and "本支部人" not in page
    pipeline = login(org.outsider).get(reverse("recruitment:pipeline")).content.decode()
    assert "刑事审判庭党支部" not in pipeline


def test_the_print_view_lists_the_twenty_five_steps(org, login, make_recruit):
    recruit = make_recruit(until=7, start=date(2022, 1, 1))
    page = login(org.secretary).get(reverse("recruitment:print", args=[recruit.pk])).content.decode()
    assert page.count('class="sb-doc-num">') >= 26
    assert "发展党员纪实" in page and "print-a4.css" in page


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is installed by scripts/test.sh")
def test_the_pdf_has_the_name_and_the_steps_as_text_in_an_embedded_font(org, login, make_recruit, tmp_path):
    recruit = make_recruit("欧阳思远", until=17, start=date(2021, 1, 4))
    response = login(org.secretary).get(reverse("recruitment:pdf", args=[recruit.pk]))
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "record.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "欧阳思远" in text and "发展党员纪实" in text
    for name in ("递交入党申请书", "确定发展对象", "支部大会讨论", "上级党委审批", "材料归档"):
        assert name in text
    assert f"{step_plan(date(2021, 1, 4))[15]:%Y-%m-%d}" in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all("yes" == row[-5] for row in rows), fonts  # every font embedded: no boxes


def test_the_pipeline_counts_stages_and_puts_late_approvals_first(org, login, make_recruit):
    make_recruit("申请人甲", start=date.today() - timedelta(days=5))
    waiting = make_recruit("待备案", until=3, start=date.today() - timedelta(days=200))
    late = make_recruit("待审批", until=16, start=date.today() - timedelta(days=1000))
    assert late.next_step == rules.APPROVAL and late.next_due < date.today()
    response = login(org.committee_user).get(reverse("recruitment:pipeline"))
    queue = [row["recruit"].name for row in response.context["queue_rows"]]
    assert queue == ["待审批", "待备案"]
    assert response.context["totals"]["applicant"] == 1 and response.context["totals"]["candidate"] == 1
    row = next(iter(response.context["counts"]))
    assert (row["branch__code"], row["activist"], row["total"]) == ("ZB1", 1, 3)
    assert waiting.next_step == rules.ACTIVIST_FILED


def test_the_pipeline_reads_a_fixed_number_of_queries(org, login, make_recruit, django_assert_max_num_queries):
    for n in range(6):
        make_recruit(f"人员{n}", until=3 + n, start=date.today() - timedelta(days=900))
    client = login(org.committee_user)
    with django_assert_max_num_queries(12):
        client.get(reverse("recruitment:pipeline"))
