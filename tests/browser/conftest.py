"""Headless Chromium through Playwright, against live_server: what every browser test here needs."""

import os

import pytest

from tests.factories import PASSWORD

# Builders the browser tests share with the feature tests: defined once, next to those tests (pytest
# only sees a folder's own conftest and its parents').
from tests.recruitment.conftest import make_recruit, sponsors  # noqa: F401
from tests.security.conftest import rated_year  # noqa: F401

# live_server runs Django in a thread next to Playwright's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's chromium; Playwright cannot download its own browser here.
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Our users' browsers: Chinese locale, Shanghai time (date pickers show yyyy/mm/dd).
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def browser_login(live_server, page):
    """Sign `user` in through the real login form and return the page."""

    def _login(user):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        return page

    return _login
