"""In a real browser: the English interface still fits a laptop screen."""

import pytest
from django.conf import settings

from branches.models import UnitRole
from tests.factories import grant


@pytest.mark.browser
def test_the_english_navigation_stays_on_one_line_at_1280px(org, live_server, browser_login):
    """Short nav labels (msgctxt "nav"): every entry a user can have, side by side on a laptop screen."""
    user = org.member_user  # a member (我的档案) who is also a secretary, committee staff and admin
    grant(user, org.branch, UnitRole.Role.BRANCH_SECRETARY)
    grant(user, org.committee, UnitRole.Role.COMMITTEE_STAFF)
    user.is_staff = True
    user.save()
    page = browser_login(user)
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/")
    labels = page.locator("#mainnav .navbar-nav > .nav-item > .nav-link").all_inner_texts()
    assert [label.strip() for label in labels][:10] == [
        "Home",
        "Org",
        "Members",
        "Meetings",
        "Compliance",
        "Talks",
        "Pledges",
        "Stars",
        "My record",
        "Admin",
    ]
    boxes = page.locator(".navbar-nav > .nav-item").evaluate_all(
        "items => items.map(item => [item.getBoundingClientRect().top, item.getBoundingClientRect().height])"
    )
    assert len({round(top) for top, _height in boxes}) == 1, boxes
    assert all(height < 50 for _top, height in boxes), boxes  # no entry wraps inside either
