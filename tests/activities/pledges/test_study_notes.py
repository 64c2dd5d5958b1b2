"""Study notes (学习心得): posting with an attachment, scoped downloads, and the members × months grid."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.models import StudyNote
from activities.pledges import rules, services
from tests.factories import make_member, member_with_login

TODAY = timezone.localdate()
THIS_MONTH = TODAY.replace(day=1)


@pytest.fixture
def note(org):
    return services.study_note_create(
        member=org.member,
        month=THIS_MONTH,
        title="学习党章体会",
        body="要把党章学深悟透。",
        attachment=SimpleUploadedFile("手写稿.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
    )


def test_member_posts_a_note_with_an_attachment(org, login):
    client = login(org.member_user)
    upload = SimpleUploadedFile("心得.pdf", b"%PDF-1.4 body", content_type="application/pdf")
    response = client.post(
        reverse("pledges:note_new"),
        {"month": f"{TODAY:%Y-%m}", "title": "七一讲话学习", "body": "体会如下", "attachment": upload},
    )
    assert response.status_code == 302
    note = StudyNote.objects.get()
    assert (note.member, note.branch, note.month) == (org.member, org.branch, THIS_MONTH)
    assert note.attachment_name == "心得.pdf"
    assert "心得" not in note.attachment.name  # stored under a random name, outside static
    download = client.get(reverse("pledges:note_attachment", args=[note.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 body"
    assert "attachment" in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"


def test_bad_attachments_are_refused_with_a_reason(org, login):
    client = login(org.member_user)
    exe = SimpleUploadedFile("tool.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(
        reverse("pledges:note_new"), {"month": f"{TODAY:%Y-%m}", "title": "t", "body": "b", "attachment": exe}
    )
    assert response.status_code == 200
    assert "类型不允许" in response.content.decode()
    assert not StudyNote.objects.exists()


def test_a_file_whose_bytes_do_not_match_its_name_is_refused(org):
    fake = SimpleUploadedFile("心得.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError, match="内容不是PDF文件"):
        services.study_note_create(member=org.member, month=THIS_MONTH, title="t", body="b", attachment=fake)
    assert not StudyNote.objects.exists()


def test_attachment_size_limit(org, monkeypatch):
    monkeypatch.setattr(rules, "MAX_ATTACHMENT_BYTES", 10)
    big = SimpleUploadedFile("scan.jpg", b"x" * 11, content_type="image/jpeg")
    with pytest.raises(ValidationError, match="超过"):
        services.study_note_create(member=org.member, month=THIS_MONTH, title="t", body="b", attachment=big)


def test_no_note_for_a_month_to_come(org):
    next_month = date(TODAY.year + (TODAY.month == 12), TODAY.month % 12 + 1, 1)
    with pytest.raises(ValidationError, match="还没到"):
        services.study_note_create(member=org.member, month=next_month, title="t", body="b")


def test_author_edits_and_removes_the_attachment(org, login, note):
    client = login(org.member_user)
    response = client.post(
        reverse("pledges:note_edit", args=[note.pk]),
        {"month": f"{TODAY:%Y-%m}", "title": "改后标题", "body": "改后正文", "remove_attachment": "on"},
    )
    assert response.status_code == 302
    note.refresh_from_db()
    assert (note.title, note.attachment.name) == ("改后标题", "")
    assert client.get(reverse("pledges:note_attachment", args=[note.pk])).status_code == 404


def test_secretary_sees_notes_of_the_branch_but_colleagues_do_not(org, login, note):
    assert login(org.secretary).get(reverse("pledges:note_detail", args=[note.pk])).status_code == 200
    assert login(org.secretary).get(reverse("pledges:note_attachment", args=[note.pk])).status_code == 200
    colleague = member_with_login(make_member(org.branch, name="李娜"), "lina")
    assert login(colleague).get(reverse("pledges:note_detail", args=[note.pk])).status_code == 404


@pytest.mark.parametrize("user_attr", ["outsider", "group_leader"])
def test_outsiders_get_404_on_notes_and_attachments(org, login, note, user_attr):
    client = login(getattr(org, user_attr))
    for url in (
        reverse("pledges:note_detail", args=[note.pk]),
        reverse("pledges:note_edit", args=[note.pk]),
        reverse("pledges:note_attachment", args=[note.pk]),
        reverse("pledges:note_grid", args=[org.branch.pk, TODAY.year]),
        reverse("pledges:note_new") + f"?member={org.member.pk}",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("pledges:note_delete", args=[note.pk])).status_code == 404
    assert StudyNote.objects.filter(pk=note.pk).exists()


def test_members_cannot_open_the_grid(org, login):
    assert login(org.member_user).get(reverse("pledges:note_grid", args=[org.branch.pk, TODAY.year])).status_code == 404


def test_secretary_enters_a_note_for_a_member_without_login(org, login):
    offline = make_member(org.branch, name="王芳")
    response = login(org.secretary).post(
        reverse("pledges:note_new") + f"?member={offline.pk}",
        {"month": f"{TODAY:%Y-%m}", "title": "手写心得", "body": "扫描件见附件"},
    )
    assert response.status_code == 302
    note = StudyNote.objects.get()
    assert note.member == offline and note.created_by == org.secretary


def test_grid_marks_who_posted_each_month(org, login, note):
    other = make_member(org.branch, name="李娜")
    page = login(org.secretary).get(reverse("pledges:note_grid", args=[org.branch.pk, TODAY.year])).content.decode()
    assert "张伟" in page and "李娜" in page
    assert "✓" in page
    assert "1/2" in page  # this month: one of two members posted
    assert other.name in page


def test_grid_queries_do_not_grow_with_members(org, login, django_assert_max_num_queries):
    client = login(org.secretary)
    url = reverse("pledges:note_grid", args=[org.branch.pk, TODAY.year])
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(10):
        m = make_member(org.branch)
        services.study_note_create(member=m, month=THIS_MONTH, title=f"t{n}", body="b")
    with django_assert_max_num_queries(len(few)):
        assert client.get(url).status_code == 200


def test_note_list_queries_do_not_grow_with_notes(org, login, django_assert_max_num_queries):
    client = login(org.member_user)
    services.study_note_create(member=org.member, month=THIS_MONTH, title="first", body="b")
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("pledges:notes")).status_code == 200
    for n in range(10):
        services.study_note_create(member=org.member, month=THIS_MONTH, title=f"t{n}", body="b")
    with django_assert_max_num_queries(len(few)):
        assert client.get(reverse("pledges:notes")).status_code == 200
