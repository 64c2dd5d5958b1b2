"""Every role's main pages in Chromium under the Content-Security-Policy: no violation reported, and
the scripts still work (menus, htmx reloads, charts, confirmations, printing)."""

from datetime import date

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from activities.pledges import services as pledge_services
from tests.factories import UserFactory

WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || ""));
});
"""


@pytest.fixture
def watched(page):
    """The page, reporting every CSP violation: from the console and from the DOM event."""
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(WATCH_VIOLATIONS)

    def violations():
        reported = page.evaluate("window.__cspViolations || []")
        logged = [text for text in console if "Content Security Policy" in text or "Content-Security-Policy" in text]
        return reported + logged

    page.csp_violations = violations
    return page


def visit(page, base, path):
    response = page.goto(base + path)
    assert response.status == 200, path
    assert "script-src 'self'" in response.headers["content-security-policy"], path
    assert "camera=()" in response.headers["permissions-policy"], path
    page.wait_for_load_state("load")
    # Violation reports are queued as tasks: let those of the page's own scripts arrive.
    page.evaluate("new Promise(resolve => setTimeout(resolve, 50))")
    assert page.csp_violations() == [], path


def main_pages(org, year):
    member = org.member
    return {
        org.committee_user: [
            reverse("home"),
            reverse("branches:tree"),
            reverse("members:list"),
            reverse("members:detail", args=[member.pk]),
            reverse("members:create"),
            reverse("activities:index"),
            reverse("pledges:index"),
            reverse("assessment:index") + f"?year={year}",
            reverse("assessment:rating", args=[year]),
            reverse("yearbook:index"),
            reverse("security:signin_log"),
        ],
        org.general_secretary: [reverse("home"), reverse("members:list"), reverse("activities:compliance")],
        org.secretary: [
            reverse("home"),
            reverse("members:list"),
            reverse("activities:create"),
            reverse("activities:talks"),
            reverse("pledges:index"),
            reverse("pledges:board", args=[org.branch.pk, date.today().year]),
        ],
        org.group_leader: [reverse("home"), reverse("activities:index")],
        org.member_user: [reverse("home"), reverse("pledges:my_record"), reverse("pledges:notes")],
    }


@pytest.mark.browser
def test_every_roles_main_pages_run_without_a_policy_violation(org, rated_year, live_server, watched, browser_login):
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    pages = main_pages(org, rated_year)
    pages[admin] = [
        reverse("admin:index"),
        reverse("admin:auth_user_changelist"),
        reverse("admin:auth_user_change", args=[org.secretary.pk]),
        reverse("admin:django_celery_beat_periodictask_add"),
    ]
    for user, paths in pages.items():
        watched.context.clear_cookies()
        browser_login(user)
        assert watched.csp_violations() == [], user.username
        for path in paths:
            visit(watched, live_server.url, path)


@pytest.mark.browser
def test_the_scripts_still_work_under_the_policy(org, rated_year, live_server, watched, browser_login):
    page = browser_login(org.committee_user)
    base = live_server.url

    # Bootstrap: the user menu drops down.
    page.locator(".navbar .dropdown-toggle").last.click()
    expect(page.locator(".navbar .dropdown-menu.show")).to_be_visible()

    # ECharts: both charts of the overview draw into a canvas, fed by json_script data.
    visit(page, base, reverse("assessment:index") + f"?year={rated_year}")
    expect(page.locator(".sb-chart canvas")).to_have_count(2)

    # htmx: choosing a branch reloads the party-group select.
    visit(page, base, reverse("members:create"))
    page.select_option("#id_branch", str(org.other_branch.pk))  # a branch without groups
    expect(page.locator("#id_group option", has_text="第一党小组")).to_have_count(0)
    page.select_option("#id_branch", str(org.branch.pk))
    expect(page.locator("#id_group option", has_text="第一党小组")).to_have_count(1)

    # A confirmation (data-sb-confirm) asks; declined, nothing is sent; accepted, the form submits.
    pledge = pledge_services.pledge_create(
        branch=org.branch, year=date.today().year, content="带头办好每一件案件", member=org.member
    )
    page.context.clear_cookies()
    page = browser_login(org.member_user)
    visit(page, base, reverse("pledges:detail", args=[pledge.pk]))
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="删除").click()
    expect(page).to_have_url(base + reverse("pledges:detail", args=[pledge.pk]))
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="删除").click()
    page.wait_for_url(lambda url: reverse("pledges:detail", args=[pledge.pk]) not in url)
    assert not type(pledge).objects.filter(pk=pledge.pk).exists()

    # Printing (data-sb-print) reaches window.print.
    visit(page, base, reverse("pledges:my_record"))
    # (The statement ends in `true`: Playwright calls an expression's value when it is a function.)
    page.evaluate("window.__printed = 0; window.print = function () { window.__printed += 1; }; true")
    page.locator("[data-sb-print]").click()
    assert page.evaluate("window.__printed") == 1
    assert page.csp_violations() == []

    # The watch itself works: an inline script slipped into the page is blocked and reported.
    page.evaluate(
        "var s = document.createElement('script'); s.textContent = 'window.__ran = 1'; document.body.append(s); 1"
    )
    expect(page.locator("body")).to_be_visible()
    # Polled inside the page (wait_for_function would eval a string, which the policy refuses).
    page.evaluate(
        "new Promise(done => { const check = () => window.__cspViolations.length ? done() : setTimeout(check, 20);"
        " check(); })"
    )
    assert page.evaluate("window.__ran") is None
    assert any("script-src" in violation for violation in page.csp_violations())
