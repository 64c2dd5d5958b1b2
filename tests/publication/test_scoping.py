"""The change URLs of the publication that take no GET: an outsider gets 404 and nothing changes.
(The object pages with a GET are in OBJECT_URLS, tests/test_access.py.)"""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessment.models import Holiday, Interview, Objection, Problem, SupportingDocument
from assessment.publication import services
from tests.factories import make_document, make_interview, make_objection, make_published_year

pytestmark = pytest.mark.django_db
YEAR = 2025


@pytest.fixture
def objects(org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    document = make_document(org.branch, YEAR, by=org.secretary)  # before the year is approved
    make_published_year(org.branch, org.committee_user, year=YEAR)
    return {
        "objection": make_objection(org.branch, org.member_user, year=YEAR),
        "interview": make_interview(org.branch, org.committee_user, year=YEAR),
        "document": document,
        "holiday": services.holiday_save(day=date(2026, 10, 1), name="国庆节", kind="off", by=org.committee_user),
    }


def test_outsiders_get_404_on_every_change_and_nothing_moves(org, objects, login):
    posts = [
        (reverse("publication:objection_answer", args=[objects["objection"].pk]), {"outcome": "upheld", "answer": "x"}),
        (
            reverse("publication:interview_problem", args=[objects["interview"].pk]),
            {"description": "x", "deadline": "2030-01-01"},
        ),
        (reverse("publication:document_delete", args=[objects["document"].pk]), {}),
        (
            reverse("publication:document_upload", args=[org.branch.pk, 2026]),
            {"indicator": "A2", "file": SimpleUploadedFile("x.pdf", b"%PDF-1.4")},
        ),
        (reverse("publication:interview_create", args=[YEAR, org.branch.pk]), {"held_on": "2026-01-20"}),
        (reverse("publication:holiday_delete", args=[objects["holiday"].pk]), {}),
        (reverse("publication:holidays"), {"day": "2026-10-02", "name": "x", "kind": "off"}),
    ]
    for user in (org.outsider, org.secretary, org.member_user):
        client = login(user)
        for url, data in posts:
            if user == org.secretary and "document" in url:
                continue  # the branch's own secretary manages its documents
            assert client.post(url, data).status_code == 404, (user, url)
    assert not Objection.objects.filter(answered_at__isnull=False).exists()
    assert not Problem.objects.filter(description__startswith="约谈整改").exists() and Interview.objects.count() == 1
    assert SupportingDocument.objects.count() == 1 and Holiday.objects.count() == 1


def test_anonymous_users_are_sent_to_the_login_page(org, objects, client):
    for url in (
        reverse("publication:latest"),
        reverse("publication:notice", args=[YEAR]),
        reverse("publication:holidays"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
