"""Attachments: checked by content, stored outside static, served only to those who may see the record."""

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activities import services
from activities.models import Attachment, Meeting
from activities.services import MAX_ATTACHMENT_BYTES
from tests.factories import log_meeting

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 200 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def office(kind: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml" if kind == "docx" else "xl/workbook.xml", "<x/>")
    return buffer.getvalue()


@pytest.fixture
def draft(org):
    return log_meeting(org.branch, Meeting.Kind.THEME_DAY, date(2025, 3, 1), submit=False)


def upload(client, meeting, name, content):
    return client.post(
        reverse("activities:attachment_upload", args=[meeting.pk]), {"files": SimpleUploadedFile(name, content)}
    )


def test_upload_and_download(org, draft, login):
    client = login(org.secretary)
    response = upload(client, draft, "签到表.jpg", JPEG)
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.original_name, attachment.content_type, attachment.size) == (
        "签到表.jpg",
        "image/jpeg",
        len(JPEG),
    )
    # Stored under MEDIA_ROOT with a random name, never under a static directory.
    path = Path(attachment.file.path).resolve()
    assert path.is_relative_to(Path(settings.MEDIA_ROOT).resolve()) and "签到表" not in path.name
    assert not any(path.is_relative_to(Path(d).resolve()) for d in settings.STATICFILES_DIRS)
    response = client.get(reverse("activities:attachment", args=[attachment.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == JPEG
    assert response["Content-Type"] == "image/jpeg" and response["X-Content-Type-Options"] == "nosniff"
    # Other types: png, pdf, docx, xlsx.
    for name, content in [("a.png", PNG), ("b.pdf", PDF), ("c.docx", office("docx")), ("d.xlsx", office("xlsx"))]:
        assert upload(client, draft, name, content).status_code == 302
    assert Attachment.objects.count() == 5
    pdf = Attachment.objects.get(original_name="b.pdf")
    response = client.get(reverse("activities:attachment", args=[pdf.pk]))
    assert "attachment" in response["Content-Disposition"]
    # Asked for inline (the record's preview), a PDF opens in the browser; a photo always does.
    response = client.get(reverse("activities:attachment", args=[pdf.pk]) + "?inline=1")
    assert response["Content-Disposition"].startswith("inline")
    assert response["Cache-Control"] == "private, max-age=0"


def test_a_file_gone_from_the_disk_is_a_404(org, draft, login):
    """A database restored without its media, or a file removed by hand: a 404, not a 500."""
    client = login(org.secretary)
    upload(client, draft, "签到表.jpg", JPEG)
    attachment = Attachment.objects.get()
    Path(attachment.file.path).unlink()
    assert client.get(reverse("activities:attachment", args=[attachment.pk])).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("page.jpg", b"<html><script>alert(1)</script></html>", "内容不是JPG图片"),
        ("scan.png", PDF, "内容不是PNG图片"),
        ("notes.docx", office("xlsx"), "内容不是Word文档"),
        ("tool.exe", b"MZ\x90\x00", "只能上传"),
        ("page.html", b"<html></html>", "只能上传"),
        ("empty.pdf", b"", "空文件"),
    ],
)
def test_bad_files_are_refused(org, draft, login, name, content, message):
    client = login(org.secretary)
    response = upload(client, draft, name, content)
    assert response.status_code == 302
    assert not Attachment.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert message in page


def test_too_big(org, draft, login):
    client = login(org.secretary)
    big = JPEG + b"\x00" * MAX_ATTACHMENT_BYTES
    response = upload(client, draft, "big.jpg", big)
    assert not Attachment.objects.exists()
    assert "超过 10 MB" in client.get(response["Location"]).content.decode()


def test_outsiders_get_404_for_attachments(org, draft, login):
    upload(login(org.secretary), draft, "签到表.jpg", JPEG)
    attachment = Attachment.objects.get()
    url = reverse("activities:attachment", args=[attachment.pk])
    for user in (org.outsider, org.group_leader, org.member_user):
        client = login(user)
        assert client.get(url).status_code == 404
        assert client.post(reverse("activities:attachment_delete", args=[attachment.pk])).status_code == 404
        assert upload(client, draft, "x.jpg", JPEG).status_code == 404
    assert Attachment.objects.count() == 1
    # The committee and the general branch above may look.
    assert login(org.committee_user).get(url).status_code == 200
    assert login(org.general_secretary).get(url).status_code == 200


def test_a_submitted_record_takes_new_evidence_logged_in_its_history(org, login):
    meeting = log_meeting(org.branch, Meeting.Kind.THEME_DAY, date(2025, 3, 1))
    client = login(org.secretary)
    response = client.post(
        reverse("activities:attachment_upload", args=[meeting.pk]),
        {"files": [SimpleUploadedFile("合影.jpg", JPEG), SimpleUploadedFile("签到表.pdf", PDF)]},
    )
    assert response.status_code == 302
    assert sorted(meeting.attachments.values_list("original_name", flat=True)) == ["合影.jpg", "签到表.pdf"]
    meeting.refresh_from_db()
    assert meeting.status == "submitted"
    entry = meeting.history.order_by("-history_date", "-history_id").first()
    assert entry.history_user == org.secretary and entry.history_change_reason == "添加附件：合影.jpg、签到表.pdf"
    page = client.get(response["Location"]).content.decode()
    assert "已上传 2 个附件" in page and "添加附件：合影.jpg、签到表.pdf" in page
    # Others who may only look cannot add any.
    for user in (org.member_user, org.outsider):
        assert upload(login(user), meeting, "x.jpg", JPEG).status_code == 404
    assert meeting.attachments.count() == 2


def test_several_files_are_all_or_nothing(org, draft, login):
    client = login(org.secretary)
    response = client.post(
        reverse("activities:attachment_upload", args=[draft.pk]),
        {"files": [SimpleUploadedFile("合影.jpg", JPEG), SimpleUploadedFile("病毒.exe", b"MZ")]},
    )
    assert not Attachment.objects.exists()
    assert "“病毒.exe”：只能上传" in client.get(response["Location"]).content.decode()


def test_removing_evidence_from_a_submitted_record_waits_for_it_to_be_returned(org, login):
    meeting = log_meeting(org.branch, Meeting.Kind.THEME_DAY, date(2025, 3, 1))
    client = login(org.secretary)
    upload(client, meeting, "合影.jpg", JPEG)
    attachment = Attachment.objects.get()
    response = client.post(reverse("activities:attachment_delete", args=[attachment.pk]))
    assert Attachment.objects.filter(pk=attachment.pk).exists() and Path(attachment.file.path).exists()
    assert "请上级党组织先退回" in client.get(response["Location"]).content.decode()
    # Returned, the branch may remove it; that is logged too.
    services.meeting_return(meeting=meeting, by=org.committee_user, comment="照片有误，请更换")
    client.post(reverse("activities:attachment_delete", args=[attachment.pk]))
    assert not Attachment.objects.exists()
    entry = meeting.history.order_by("-history_date", "-history_id").first()
    assert (entry.history_user, entry.history_change_reason) == (org.secretary, "删除附件：合影.jpg")


def test_delete_removes_the_file(org, draft, login):
    client = login(org.secretary)
    upload(client, draft, "a.png", PNG)
    attachment = Attachment.objects.get()
    path = Path(attachment.file.path)
    assert path.exists()
    client.post(reverse("activities:attachment_delete", args=[attachment.pk]))
    assert not Attachment.objects.exists() and not path.exists()
