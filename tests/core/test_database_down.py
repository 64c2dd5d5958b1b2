"""The database down: the Chinese "service unavailable" page (503), never Django's 500.

The app's connection is pointed at a PostgreSQL port with nothing listening (so every connect is
refused, as when the server is stopped); the test's own data was committed before (transaction=True),
and the real settings are put back after.
"""

import pytest
from django.conf import settings
from django.db import connections
from django.urls import reverse

NOTHING_LISTENS = "1"


class Database:
    """Switches the app's connection to a port where nothing listens, and back."""

    def __init__(self):
        self.connection = connections["default"]
        self.real = {key: self.connection.settings_dict[key] for key in ("HOST", "PORT")}

    def down(self):
        self.connection.close()
        self.connection.settings_dict.update(HOST="127.0.0.1", PORT=NOTHING_LISTENS)

    def up(self):
        self.connection.close()
        self.connection.settings_dict.update(self.real)


@pytest.fixture
def database():
    switch = Database()
    try:
        yield switch
    finally:
        switch.up()


def unavailable_page(response, language="zh-hans") -> str:
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert response["Retry-After"] == "60"
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    for marker in ("Server Error", "Traceback", "OperationalError", "127.0.0.1"):
        assert marker not in page, marker
    return page


pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("url", ["home", "activities:index", "yearbook:index"])
def test_a_signed_in_user_gets_the_chinese_503_page(org, login, database, url):
    client = login(org.secretary)  # the session was stored before the database went down
    database.down()
    page = unavailable_page(client.get(reverse(url)))
    assert "服务暂时不可用" in page and "请过几分钟后刷新页面重试" in page


def test_a_form_posted_while_the_database_is_down_gets_the_503_page(org, login, database):
    client = login(org.secretary)
    database.down()
    response = client.post(reverse("activities:create"), {"topic": "研究本月党建工作"})
    assert "服务暂时不可用" in unavailable_page(response)


def test_signing_in_while_the_database_is_down_gets_the_503_page(database, client):
    database.down()
    # No session yet: the login view reaches for the user and fails there (process_exception).
    response = client.post(reverse("login"), {"username": "secretary", "password": "whatever"})
    assert "服务暂时不可用" in unavailable_page(response)


def test_the_503_page_is_english_once_chosen(org, login, database):
    client = login(org.secretary)
    database.down()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = unavailable_page(client.get(reverse("home")), language="en")
    assert "The service is temporarily unavailable" in page and "服务暂时不可用" not in page


def test_pages_work_again_once_the_database_is_back(org, login, database):
    client = login(org.secretary)
    database.down()
    assert client.get(reverse("home")).status_code == 503
    database.up()
    assert client.get(reverse("home")).status_code == 200
