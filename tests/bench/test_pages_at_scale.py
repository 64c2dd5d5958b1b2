"""The committee's list pages at N = 200 branches (seed_scale): each renders at most its page size of
rows, in a number of queries that does not depend on N, and `make bench`'s page timings run."""

import re
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.pledges.views import pledges as pledge_views
from activities.views import compliance as compliance_views
from assessment import rating
from assessment.models import BranchRating
from assessment.services.checks import quarter_compute
from assessment.services.ratings import year_propose
from assessment.views import checks as check_views
from assessment.views import dashboards as dashboard_views
from assessment.views import ratings as rating_views
from bench import pages
from branches import views as tree_views
from branches.access import scope_for
from branches.models import OrgUnit
from branches.selectors import flagged_unit_ids, unit_rows, unit_rows_of
from config import views as home_views
from members import views as member_views
from recruitment import views as recruitment_views
from recruitment.services import recruit_create
from tests.factories import recruit_id

YEAR = 2025
BRANCHES = 200
# A page that queried once per row would pass this at N = 5, never at N = 200.
MAX_QUERIES = 30


@pytest.fixture(scope="module")
def scale(django_db_setup, django_db_blocker):
    """A 200-branch organisation with its year rated, built once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_scale", "--branches", str(BRANCHES), "--year", str(YEAR), stdout=StringIO())
        for quarter in (1, 2, 3, 4):
            quarter_compute(year=YEAR, quarter=quarter)
        year_propose(year=YEAR)
        committee, secretary, branch = pages.bench_users()
        connection.check_constraints()
        yield committee, secretary, branch
        transaction.set_rollback(True)


def get(client, url, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, url
    assert len(queries) <= MAX_QUERIES, (url, len(queries))
    assert len(response.content) < 300 * 1024, (url, len(response.content))
    return response, response.content.decode()


def table_rows(html: str) -> int:
    body = html[html.index("<tbody") : html.rindex("</tbody>")]
    return len(re.findall(r"<tr[ >]", body))


@pytest.mark.django_db
def test_each_committee_list_page_shows_at_most_a_page(scale, client, monkeypatch):
    committee, _, _ = scale
    client.force_login(committee)

    response, html = get(client, reverse("activities:compliance"), year=YEAR, quarter=4)
    assert response.context["total"] == BRANCHES
    assert table_rows(html) == compliance_views.PAGE_SIZE
    assert (
        table_rows(get(client, reverse("activities:compliance"), year=YEAR, quarter=4, page=2)[1])
        == compliance_views.PAGE_SIZE
    )

    response, html = get(client, reverse("assessment:rating", args=[YEAR]))
    assert response.context["counts"]["total"] == BRANCHES
    assert table_rows(html) == rating_views.PAGE_SIZE

    response, html = get(client, reverse("members:list"))
    assert response.context["page"].paginator.count > 20 * BRANCHES
    assert table_rows(html) == member_views.PAGE_SIZE
    unit_select = html[html.index('name="unit"') : html.index("</select>", html.index('name="unit"'))]
    assert unit_select.count("<option") == 1  # 全部; the units are searched, not listed

    response, html = get(client, reverse("members:probationary"))
    assert response.context["page"].paginator.count > member_views.PROBATION_PAGE
    assert table_rows(html) == member_views.PROBATION_PAGE

    # The tree: the root and a page of its children; deeper levels only when opened, a page at a time.
    monkeypatch.setattr(tree_views, "CHILD_PAGE", 10)
    response, html = get(client, reverse("branches:tree"))
    assert html.count("data-unit=") == 1 + 10
    root = OrgUnit.objects.get(depth=1)
    assert "显示更多" in html
    _, part = get(client, reverse("branches:children", args=[root.pk]), page=2)
    assert part.count("data-unit=") == 10
    # The general branches among the root's children are closed: their branches load when opened.
    general = OrgUnit.objects.filter(kind=OrgUnit.Kind.GENERAL_BRANCH).order_by("path").first()
    closed = f'hx-get="{reverse("branches:children", args=[general.pk])}" hx-trigger="toggle once"'
    parts = [get(client, reverse("branches:children", args=[root.pk]), page=n)[1] for n in range(1, 6)]
    assert any(closed in part for part in parts)
    _, html = get(client, reverse("branches:tree"), warnings="1")
    assert 0 < table_rows_of_tree(html) <= tree_views.WARNING_PAGE

    _, html = get(client, reverse("assessment:quarter", args=[YEAR, 4]))
    assert table_rows(html) == check_views.BRANCH_PAGE
    _, html = get(client, reverse("pledges:index"), year=YEAR)
    assert table_rows(html) == pledge_views.BRANCH_PAGE

    # seed_scale makes no applicants: a page and a half of them across the first branches.
    branches = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH).order_by("path")[:15])
    for n in range(recruitment_views.PAGE_SIZE * 3 // 2):
        recruit_create(
            branch=branches[n % len(branches)],
            name=f"申请人{n}",
            id_number=recruit_id(date(1990, 1, 1) + timedelta(days=n)),
            applied_on=date(YEAR, 3, 1),
        )
    response, html = get(client, reverse("recruitment:list"))
    assert response.context["page"].paginator.count > recruitment_views.PAGE_SIZE
    assert table_rows(html) == recruitment_views.PAGE_SIZE
    unit_select = html[html.index('name="unit"') : html.index("</select>", html.index('name="unit"'))]
    assert unit_select.count("<option") == 1  # 全部支部; the units are searched, not listed
    general = OrgUnit.objects.filter(kind=OrgUnit.Kind.GENERAL_BRANCH).order_by("path").first()
    response, html = get(client, reverse("recruitment:list"), unit=general.pk)
    unit_select = html[html.index('name="unit"') : html.index("</select>", html.index('name="unit"'))]
    assert unit_select.count("<option") == 2 and f'value="{general.pk}" selected' in unit_select
    assert all(row.recruit.branch.path.startswith(general.path) for row in response.context["rows"])

    _, html = get(client, reverse("home"))


@pytest.mark.django_db
def test_the_star_dashboard_counts_in_the_database_and_lists_a_few(scale, client, monkeypatch):
    committee, _, _ = scale
    client.force_login(committee)
    monkeypatch.setattr(dashboard_views, "LIST_LIMIT", 3)
    response, html = get(client, reverse("assessment:index"), year=YEAR)
    lines = BranchRating.objects.filter(rating__year=YEAR)
    assert response.context["total"] == BRANCHES
    assert sum(response.context["counts"]["levels"].values()) + response.context["counts"]["lagging"] == BRANCHES
    assert table_rows(html) == dashboard_views.RANKING_LIMIT
    below = [line for line in lines if line.level is not None and line.level < rating.INTERVIEW_BELOW]
    assert response.context["interview_total"] == len(below) > 3
    assert len(response.context["interview"]) == 3
    interview_list = html[html.index('id="interview-list"') : html.index("</ul>", html.index('id="interview-list"'))]
    assert interview_list.count("<li") == 3
    assert response.context["lagging_total"] == sum(1 for line in lines if line.is_lagging)
    assert len(response.context["lagging"]) == min(3, response.context["lagging_total"])
    actions = dict(response.context["actions"])
    assert sum(actions.values()) == sum(1 for line in lines if line.action)


def table_rows_of_tree(html: str) -> int:
    return html.count("sb-tree-row")


@pytest.mark.django_db
def test_a_secretarys_search_at_scale_finds_only_their_own_units(scale, client):
    _, secretary, branch = scale
    client.force_login(secretary)
    _, html = get(client, reverse("branches:unit_options"), term="支部")
    values = re.findall(r'<option value="(\d+)"', html)
    assert values == [str(branch.pk)]


@pytest.mark.django_db
def test_the_page_benchmark_measures_every_page(scale):
    results = pages.run_pages(YEAR, repeats=1)
    [stored] = [line for line in results if line.get("job") == "compliance_gaps"]
    assert stored["branches"] == BRANCHES  # the pages read the stored gaps, as beat keeps them
    lines = [line for line in results if "page" in line]
    assert {line["user"] for line in lines} == {"committee", "secretary"}
    assert f"compliance, {pages.BUSY_BRANCHES} stale" in {line["page"] for line in lines}
    assert [(x["url"], x["status"]) for x in lines if x["status"] != 200] == []
    assert [x for x in lines if not (x["n"] == BRANCHES and x["queries"] > 0 and x["bytes"] > 0)] == []
    assert "rating review" in pages.report(lines)


@pytest.mark.django_db
def test_the_flagged_units_equal_the_rules_across_the_organisation(scale):
    for today in (date(YEAR + 1, 12, 7), date(YEAR, 6, 30)):
        expected = [row.unit.pk for row in unit_rows(OrgUnit.objects.all(), today) if row.has_warnings]
        assert flagged_unit_ids(OrgUnit.objects.all(), today) == expected
        assert 0 < len(expected) < OrgUnit.objects.count()


@pytest.mark.django_db
def test_the_committees_home_panel_counts_its_rows_like_the_tree(scale, rf):
    """The own units and the first flagged ones are counted together: each row as unit_rows_of gives it."""
    committee, _, _ = scale
    request = rf.get("/")
    request.user = committee
    _, panel = home_views.org_panel(request, scope_for(committee))
    today = timezone.localdate()
    flagged_ids = flagged_unit_ids(OrgUnit.objects.all(), today)
    root = OrgUnit.objects.get(depth=1)
    first = OrgUnit.objects.filter(pk__in=flagged_ids[: home_views.PANEL_LIMIT]).order_by("path")

    def seen(rows):
        return [(row.unit.pk, row.counts, row.warnings, row.term) for row in rows]

    assert seen(panel["own_rows"]) == seen(unit_rows_of([root], today))
    assert seen(panel["flagged"]) == seen(unit_rows_of(first, today))
    assert panel["flagged_count"] == len(flagged_ids) > home_views.PANEL_LIMIT
