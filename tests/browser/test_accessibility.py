"""axe-core on every role's main pages, and on a phone: no serious or critical violation.

axe is vendored from npm (package.json, `make vendor`) and loaded into the page as a script of the
site's own origin, so the Content-Security-Policy (script-src 'self') lets it run like our own scripts.
"""

import json

import pytest
from django.templatetags.static import static

from .test_csp import main_pages
from .test_phone import logged, phone_pages  # noqa: F401 (fixture)

BLOCKING = ("serious", "critical")
# Checked whatever their impact: a header cell with no text (a column of buttons) says nothing to a
# screen reader, so each is labelled (visually hidden).
ALWAYS = ("empty-table-header",)


def axe_violations(page, base) -> list[str]:
    """The serious and critical violations axe finds on the page, one line each (rule, impact, where)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=base + static("vendor/axe-core/axe.min.js"))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    found = []
    for violation in results["violations"]:
        if violation["impact"] not in BLOCKING and violation["id"] not in ALWAYS:
            continue
        for node in violation["nodes"]:
            summary = node.get("failureSummary", "").replace("\n", " ")[:160]
            found.append(f"{violation['id']} [{violation['impact']}] {json.dumps(node['target'])} {summary}")
    return found


def check(page, base, path) -> list[str]:
    response = page.goto(base + path)
    assert response.status == 200, path
    page.wait_for_load_state("load")
    return [f"{path}: {v}" for v in axe_violations(page, base)]


@pytest.mark.browser
def test_every_roles_main_pages_have_no_serious_accessibility_violation(
    org, rated_year, live_server, page, browser_login
):
    problems = []
    for user, paths in main_pages(org, rated_year).items():
        page.context.clear_cookies()
        browser_login(user)
        for path in paths:
            problems += check(page, live_server.url, path)
    assert problems == [], "\n".join(problems)


@pytest.mark.browser
def test_the_phone_pages_have_no_serious_accessibility_violation(
    org,
    logged,  # noqa: F811 (the fixture imported above)
    live_server,
    page,
    browser_login,
):
    # At phone width other markup shows (the compliance cards, the stacked attendance list).
    page.set_viewport_size({"width": 390, "height": 844})
    problems = []
    for user, paths in phone_pages(org, logged).items():
        page.context.clear_cookies()
        browser_login(user)
        for path in paths:
            problems += check(page, live_server.url, path)
    assert problems == [], "\n".join(problems)
