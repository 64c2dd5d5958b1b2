"""One meeting record on paper: the print view and the PDF (real, selectable text in an embedded font)."""

import io
import shutil
import subprocess
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from activities import services
from activities.models import Meeting
from tests.factories import log_meeting, make_member

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils is installed by scripts/test.sh"
)


def photo_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def pdf_text(tmp_path, content: bytes, *args: str) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", *args, str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def record(org):
    members = [make_member(org.branch, name=name) for name in ("欧阳思远", "司马光明", "上官婉清")]
    meeting = log_meeting(
        org.branch,
        Meeting.Kind.GENERAL_MEETING,
        date(2025, 3, 6),
        submit=False,
        logged=date(2025, 3, 30),  # 24 days later: 补录
        topic="学习贯彻党的二十届三中全会精神",
        place="三楼党员活动室",
        host="欧阳思远",
        recorder="司马光明",
        agenda="一、传达学习\n二、交流发言",
        minutes="与会党员结合审判执行工作谈了体会。",
        resolutions="形成学习计划",
        marks={members[2].pk: ("leave", "出差")},
    )
    upload = SimpleUploadedFile("会场照片.jpg", photo_bytes(), content_type="image/jpeg")
    services.attachment_add(meeting=meeting, by=org.secretary, upload=upload)
    return services.meeting_submit(meeting=meeting, by=org.secretary)


def test_the_print_view_has_every_part_of_the_record(org, login, record):
    response = login(org.secretary).get(reverse("activities:record_print", args=[record.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "print-a4.css" in page and "签到表" in page and "签名" in page
    for text in ("刑事审判庭党支部", "党员大会", "2025-03-06", "三楼党员活动室", "学习贯彻党的二十届三中全会精神"):
        assert text in page
    for text in ("传达学习", "谈了体会", "形成学习计划", "出差", "补录", "登记时间", "提交时间"):
        assert text in page
    for member in record.attendance.all():
        assert member.member.name in page
    attachment = record.attachments.get()
    assert reverse("activities:attachment", args=[attachment.pk]) in page  # the photo, through the scoped view
    # The record's page links to the print view and the PDF.
    detail = login(org.secretary).get(reverse("activities:detail", args=[record.pk])).content.decode()
    assert reverse("activities:record_print", args=[record.pk]) in detail
    assert reverse("activities:record_pdf", args=[record.pk]) in detail


@needs_poppler
def test_the_pdf_has_the_topic_and_every_attendee_as_text_in_an_embedded_font(org, login, record, tmp_path):
    response = login(org.general_secretary).get(reverse("activities:record_pdf", args=[record.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(tmp_path, response.content)
    assert "学习贯彻党的二十届三中全会精神" in text and "签到表" in text and "补录" in text
    names = [a.member.name for a in record.attendance.select_related("member")]
    assert len(names) == 4  # 张伟 and the three above
    for name in names:
        assert name in text
    images = subprocess.run(["pdfimages", "-list", str(tmp_path / "out.pdf")], capture_output=True, text=True)
    assert len(images.stdout.splitlines()) == 3  # two header lines and the photo
    fonts = subprocess.run(["pdffonts", str(tmp_path / "out.pdf")], capture_output=True, text=True, check=True)
    rows = [line.split() for line in fonts.stdout.splitlines()[2:] if line.strip()]
    assert rows and all(row[-5] == "yes" for row in rows), fonts.stdout


@pytest.mark.parametrize("name", ["activities:record_print", "activities:record_pdf"])
def test_outsiders_get_404(org, login, record, name):
    assert login(org.outsider).get(reverse(name, args=[record.pk])).status_code == 404
