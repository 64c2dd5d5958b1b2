"""In real Chromium: the roster's unit filter is searched by typing (htmx), and the org tree opens a
level when its arrow is clicked."""

import pytest
from django.urls import reverse

from tests.factories import make_member

pytestmark = pytest.mark.browser


@pytest.fixture
def org(org):
    for unit in (org.committee, org.general, org.branch, org.group, org.other_branch):
        unit.refresh_from_db()
    make_member(org.other_branch, name="办公室党员")
    return org


def test_the_committee_finds_a_unit_by_typing_and_filters_the_roster(org, live_server, browser_login):
    page = browser_login(org.committee_user)
    page.goto(f"{live_server.url}{reverse('members:list')}")
    # Before typing, the select holds only 全部.
    assert page.locator("#id_unit option").count() == 1
    page.locator("input.sb-type-ahead").first.fill("办公室")
    page.wait_for_selector(f"#id_unit option[value='{org.other_branch.pk}']", state="attached")
    page.select_option("#id_unit", str(org.other_branch.pk))
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(f"**unit={org.other_branch.pk}**")
    roster = page.locator("table.sb-roster")
    assert "办公室党员" in roster.inner_text() and "张伟" not in roster.inner_text()
    # The chosen unit stays chosen on the filtered page; the search box is not part of the query.
    assert page.locator("#id_unit").input_value() == str(org.other_branch.pk)
    assert "term=" not in page.url


def test_the_tree_opens_a_level_on_demand(org, live_server, browser_login):
    page = browser_login(org.committee_user)
    page.goto(f"{live_server.url}{reverse('branches:tree')}")
    # The committee and its children are shown; the general branch's branches are not loaded yet.
    assert page.get_by_text("第一党总支").is_visible()
    assert page.get_by_text("刑事审判庭党支部").count() == 0
    page.locator(f"details[data-unit='{org.general.pk}'] > summary").click(position={"x": 5, "y": 10})
    page.wait_for_selector("text=刑事审判庭党支部")
    assert page.get_by_text("刑事审判庭党支部").is_visible()
