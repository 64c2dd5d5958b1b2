"""Signing in and out, changing the password, and locking an account after repeated failures."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

LOGIN = reverse("login")


@pytest.fixture
def user(db):
    return UserFactory(username="zhangsan")


def sign_in(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def test_login_page_is_in_chinese(client, db):
    page = client.get(LOGIN).content.decode()
    assert "登录星级支部" in page and "用户名" in page and "密码" in page


def test_login_and_logout(client, user):
    response = sign_in(client, "zhangsan", PASSWORD)
    assert response.status_code == 302 and response.url == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    response = client.post(reverse("logout"))
    assert response.url == LOGIN
    assert client.get(reverse("home")).url.startswith(LOGIN)


def test_a_wrong_password_is_refused_in_chinese(client, user):
    response = sign_in(client, "zhangsan", "wrong")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_password_change(client, user):
    sign_in(client, "zhangsan", PASSWORD)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Xin-mima-2026!", "new_password2": "Xin-mima-2026!"},
    )
    assert response.url == reverse("password_change_done")
    assert "密码已修改" in client.get(response.url).content.decode()
    client.post(reverse("logout"))
    assert sign_in(client, "zhangsan", PASSWORD).status_code == 200  # the old one no longer works
    assert sign_in(client, "zhangsan", "Xin-mima-2026!").status_code == 302


def test_password_change_errors_are_in_chinese(client, user):
    sign_in(client, "zhangsan", PASSWORD)
    response = client.post(
        reverse("password_change"), {"old_password": "wrong", "new_password1": "a", "new_password2": "b"}
    )
    assert response.status_code == 200
    assert "旧密码不正确" in response.content.decode()


def test_account_locks_after_the_failure_limit_even_for_the_right_password(client, user):
    assert settings.AXES_FAILURE_LIMIT == 3
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "zhangsan", "wrong").status_code == 200
    locked = sign_in(client, "zhangsan", "wrong")
    assert locked.status_code == 429
    response = sign_in(client, "zhangsan", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "账号已暂时锁定" in page
    assert "请15分钟后再试" in page
    assert client.get(reverse("home")).status_code == 302  # not signed in


def test_the_first_lock_is_on_the_account_from_that_address(user):
    # The two tiers in full: tests/security/test_lockout.py.
    attacker = Client(REMOTE_ADDR="10.0.0.1")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(attacker, "zhangsan", "wrong")
    assert sign_in(attacker, "zhangsan", PASSWORD).status_code == 429
    elsewhere = Client(REMOTE_ADDR="10.0.0.2")
    assert sign_in(elsewhere, "zhangsan", PASSWORD).status_code == 302
    # Another account from the attacker's address is not affected.
    UserFactory(username="lisi")
    assert sign_in(attacker, "lisi", PASSWORD).status_code == 302


def test_a_successful_login_resets_the_failure_count(client, user):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "zhangsan", "wrong")
    assert sign_in(client, "zhangsan", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "zhangsan", "wrong")
    assert sign_in(client, "zhangsan", PASSWORD).status_code == 302
