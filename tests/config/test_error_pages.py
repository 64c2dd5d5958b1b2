"""Error pages in the app's style and language, with nothing of Django's debug output; the favicon.

Each test runs with DEBUG off, as in production: with DEBUG on Django shows its technical pages
instead. Tests without the `db` fixture also prove that a page renders without the database
(pytest-django refuses any query there).
"""

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

from .error_urls import SECRET

# What Django's debug and default pages say; none of it may reach a user.
DEBUG_MARKERS = [
    "Traceback",
    "Django Version",
    "Exception Value",
    "Request Method",
    "Using the URLconf",
    "DEBUG = True",
    "settings.py",
    "Not Found",
    "Server Error",
    "Bad Request",
    "CSRF verification failed",
    SECRET,
]


@pytest.fixture(autouse=True)
def _production_errors(settings):
    settings.DEBUG = False


def page_of(response, status):
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    for marker in DEBUG_MARKERS:
        assert marker not in page, marker
    return page


def main_of(page):
    return page[page.index("<main") : page.index("</main>")]


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# --- 404 ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_unknown_address_answers_a_chinese_404(client):
    page = page_of(client.get("/no-such-page/"), 404)
    assert '<html lang="zh-hans">' in page
    assert "找不到这个页面" in page
    assert "不在您的查看范围内" in page
    assert 'href="/"' in page  # the way back


def test_a_member_opening_a_committee_page_gets_the_chinese_404_with_the_navigation(client, org):
    client.force_login(org.member_user)
    page = page_of(client.get("/assessment/"), 404)
    assert "找不到这个页面" in page
    assert "退出登录" in page  # base.html's user menu: the member can go on from here


def test_an_outsider_gets_the_same_404_as_for_a_page_that_does_not_exist(client, org):
    """The page must not tell a unit's object that exists from one that does not."""
    client.force_login(org.outsider)
    hidden = page_of(client.get(f"/members/{org.member.pk}/"), 404)
    missing = page_of(client.get("/members/99999999/"), 404)
    assert main_of(hidden) == main_of(missing)  # the menu's CSRF token and return address differ


@pytest.mark.django_db
def test_the_404_is_english_once_chosen(client):
    page = page_of(english(client).get("/no-such-page/"), 404)
    assert '<html lang="en">' in page
    assert "This page could not be found" in page
    assert "找不到这个页面" not in page


# --- 403 ----------------------------------------------------------------------------------------


@pytest.mark.urls("tests.config.error_urls")
def test_permission_denied_answers_a_chinese_403(client, org):
    client.force_login(org.secretary)
    page = page_of(client.get("/test-errors/403/"), 403)
    assert "您无权进行这项操作" in page
    assert "退出登录" in page


@pytest.mark.urls("tests.config.error_urls")
def test_the_403_is_english_once_chosen(client, org):
    client.force_login(org.secretary)
    page = page_of(english(client).get("/test-errors/403/"), 403)
    assert "You may not do this" in page
    assert "您无权进行这项操作" not in page


def test_a_form_posted_without_its_security_token_answers_a_chinese_403():
    client = Client(enforce_csrf_checks=True)
    page = page_of(client.post("/accounts/login/", {"username": "a", "password": "b"}), 403)
    assert "页面已过期，未能提交" in page
    assert "刷新后重新填写并提交" in page


def test_the_security_token_page_is_english_once_chosen():
    client = english(Client(enforce_csrf_checks=True))
    page = page_of(client.post("/accounts/login/", {"username": "a", "password": "b"}), 403)
    assert "This page has expired" in page


# --- 400 ----------------------------------------------------------------------------------------


@pytest.mark.urls("tests.config.error_urls")
def test_a_bad_request_answers_a_chinese_400(client):
    page = page_of(client.get("/test-errors/400/"), 400)
    assert "无法处理这个请求" in page


# --- 500 and 503: no database, no user, no context processor -------------------------------------


@pytest.mark.urls("tests.config.error_urls")
def test_a_crash_answers_a_chinese_500_without_the_database():
    client = Client(raise_request_exception=False)
    page = page_of(client.get("/test-errors/500/"), 500)
    assert '<html lang="zh-hans">' in page
    assert "服务器出错了" in page
    assert "错误已记入服务器日志" in page


@pytest.mark.urls("tests.config.error_urls")
def test_the_500_is_english_once_chosen():
    client = english(Client(raise_request_exception=False))
    page = page_of(client.get("/test-errors/500/"), 500)
    assert '<html lang="en">' in page
    assert "Something went wrong on the server" in page
    assert "服务器出错了" not in page


def test_the_500_template_renders_with_no_request_at_all():
    """Django renders it with neither request nor context; a template that needed one would fail."""
    page = render_to_string("500.html")
    assert "服务器出错了" in page


def test_the_503_page_renders_without_request_or_database_in_both_languages():
    page = render_to_string("503.html")
    assert "服务暂时不可用" in page
    assert "503" in page
    with translation.override("en"):
        page = render_to_string("503.html")
    assert "The service is temporarily unavailable" in page
    assert "服务暂时不可用" not in page


# --- favicon ------------------------------------------------------------------------------------


def test_favicon_ico_answers_at_the_root():
    response = Client().get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content).startswith(b"\x00\x00\x01\x00")  # an ICO header


@pytest.mark.django_db
def test_pages_link_the_favicons_and_the_files_exist(client):
    page = client.get("/accounts/login/").content.decode()
    for name in ("favicon.svg", "favicon.ico", "apple-touch-icon.png"):
        assert f"/static/{name}" in page
        assert finders.find(name), name
    standalone = render_to_string("500.html")
    assert "/static/favicon.svg" in standalone
