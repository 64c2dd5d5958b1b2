"""Query parameters read through core/params.py: junk is ignored with a message or answered 404.

And the roots the fuzz test found: str.isdigit() taking '²' (which int() refuses), NUL bytes in a
search, a year beyond what a date can hold, a meeting of year 1 through the service.
"""

from datetime import date, datetime

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from activities import services as activity_services
from activities.models import Meeting
from core import params
from members import idcard

JUNK_NUMBERS = ["-1", "99999999999", "9223372036854775808", "\x00", "²", "٣", "1e309", "NaN", "1.5", " ", "abc"]


def _request(**query):
    request = RequestFactory().get("/", query)
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def _messages(request) -> list[str]:
    return [str(m) for m in get_messages(request)]


def test_parse_int_takes_plain_ascii_digits_within_the_range():
    assert params.parse_int("2025", 1900, 2100) == 2025
    assert params.parse_int(" -3 ", -5, 5) == -3
    for junk in JUNK_NUMBERS:
        assert params.parse_int(junk, 1900, 2100) is None, junk
    assert params.parse_int(str(2**63), 0, params.MAX_ID) is None
    assert params.parse_int(str(2**63 - 1), 0, params.MAX_ID) == 2**63 - 1


@pytest.mark.parametrize("junk", ["-1", "0", "99999999999", "\x00", "²", "2025\x00"])
def test_a_junk_year_is_ignored_with_a_message(junk):
    request = _request(year=junk)
    assert params.query_year(request, 2025) == 2025
    assert any("year" in text and "已忽略" in text for text in _messages(request))
    assert "\x00" not in "".join(_messages(request))


def test_a_year_in_range_is_taken_and_absent_gives_the_default_quietly():
    request = _request(year="1999")
    assert params.query_year(request, 2025) == 1999
    assert params.query_year(_request(), 2025) == 2025
    assert params.query_year(_request(year="1999"), 2025, low=2000, high=2030) == 2025
    assert _messages(request) == []


def test_strict_years_and_junk_ids_are_404():
    with pytest.raises(Http404):
        params.query_year(_request(year="-1"), 2025, strict=True)
    for junk in ("0", "-1", "²", "\x00", str(2**63), "abc"):
        with pytest.raises(Http404):
            params.query_id(_request(unit=junk), "unit")
    assert params.query_id(_request(unit="42"), "unit") == 42
    assert params.query_id(_request(), "unit") is None
    assert params.query_id(_request(), "unit", params={"unit": "7"}) == 7


def test_search_text_loses_nul_bytes_and_is_cut():
    assert params.query_text(_request(q=" a\x00b "), "q") == "ab"
    assert len(params.query_text(_request(q="x" * 500), "q")) == 100
    assert params.query_text(_request(), "username", params={"username": "a\x00b"}, max_length=150) == "ab"
    assert params.query_choice(_request(s="open"), "s", ["open", "closed"]) == "open"
    assert params.query_choice(_request(s="\x00"), "s", ["open", "closed"], "open") == "open"


def test_an_id_number_with_superscript_digits_is_an_error_not_a_crash():
    number = idcard.make_id_number("110101", date(1980, 1, 1), 12)
    errors = idcard.id_number_errors(number[:5] + "²" + number[6:])
    assert errors == ["身份证号前17位应为数字，最后一位应为数字或X"]


@pytest.mark.django_db
def test_the_service_refuses_a_meeting_of_year_one(org):
    held_at = timezone.make_aware(datetime(1, 1, 2, 10, 0))
    with pytest.raises(ValidationError) as refused:
        activity_services.meeting_create(
            by=org.secretary, unit=org.branch, kind=Meeting.Kind.THEME_DAY, held_at=held_at, topic="主题党日"
        )
    assert "年份不合理" in str(refused.value.message_dict["held_at"])


@pytest.mark.django_db
def test_the_pages_that_used_to_answer_500(org, login):
    """The issue's list: the ledger, its export, the talks list and the meetings index."""
    client = login(org.secretary)
    ledger = reverse("activities:ledger", args=[org.branch.pk])
    for junk in ("-1", "99999999999", "0", "\x00"):
        page = client.get(ledger, {"year": junk})
        assert page.status_code == 200 and "已忽略" in page.content.decode()
        assert client.get(reverse("activities:ledger_export", args=[org.branch.pk]), {"year": junk}).status_code == 200
        talks = client.get(reverse("activities:talks"), {"year": junk})
        assert talks.status_code == 200 and "已忽略" in talks.content.decode()
    index = client.get(reverse("activities:index"), {"q": "\x00", "page": "²"})
    assert index.status_code == 200
    assert client.get(reverse("activities:create"), {"unit": "²"}).status_code == 404
    assert client.get(reverse("activities:talk_create"), {"branch": "²", "member": "²"}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["x" * 3000, "a\x00b"])
def test_a_sign_in_with_a_junk_name_is_a_failed_sign_in(client, name):
    """axes records the name it was given (AXES_USERNAME_CALLABLE cuts it to a username's length)."""
    for url in (reverse("login"), reverse("admin:login")):
        response = client.post(url, {"username": name, "password": "x"})
        assert response.status_code in (200, 403, 429)
