"""The secretary's home panel and the committee's compliance page."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities import gaps, selectors
from activities.models import Meeting
from branches.models import OrgUnit
from core.periods import quarter_of
from tests.factories import log_meeting, make_member, make_unit


def first_of_quarter():
    year, q = quarter_of(timezone.localdate())
    return dt.date(year, 3 * (q - 1) + 1, 1)


@pytest.fixture
def seven(org):
    """Seven full members and three committee posts: the branch must hold a monthly 支委会."""
    return [make_member(org.branch, committee_post="委员" if i < 3 else "") for i in range(6)]


def test_panel_shows_held_missing_and_due(org, seven, login):
    client = login(org.secretary)
    html = client.get(reverse("home")).content.decode()
    assert "三会一课" in html and "刑事审判庭党支部" in html
    # Nothing held yet: the committee row for this month says how many days are left.
    today = timezone.localdate()
    month_end = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    assert f"还剩{(month_end - today).days}天" in html
    log_meeting(org.branch, Meeting.Kind.COMMITTEE_MEETING, today)
    html = client.get(reverse("home")).content.decode()
    row = html[html.index('data-kind="committee_meeting"') :]
    row = row[: row.index("</tr>")]
    assert "bi-check-lg" in row
    # The group's row is there for the branch secretary.
    assert 'data-kind="group_meeting"' in html and "第一党小组" in html


def test_group_leader_sees_only_the_group_row(org, seven, login):
    html = login(org.group_leader).get(reverse("home")).content.decode()
    assert 'data-kind="group_meeting"' in html
    assert 'data-kind="committee_meeting"' not in html


def test_committee_page_lists_branches_worst_first(org, seven, login):
    start = first_of_quarter()
    other = make_unit(OrgUnit.Kind.BRANCH, org.general, code="ZB2", name="民事审判庭党支部")
    for _ in range(3):
        make_member(other)
    # ZB2 holds its general meeting, party lesson and theme day; ZB1 nothing at all.
    for kind in (Meeting.Kind.GENERAL_MEETING, Meeting.Kind.PARTY_LESSON, Meeting.Kind.THEME_DAY):
        log_meeting(other, kind, start)
    client = login(org.committee_user)
    html = client.get(reverse("activities:compliance")).content.decode()
    # Whatever day of the quarter it is: ZB1 lacks (or still owes) the most, the outsider branch ZB9
    # lacks its theme days and the rest, ZB2 has held three of its requirements.
    table = html[html.index("sb-compliance") :]
    assert table.index("刑事审判庭党支部") < table.index("办公室党支部") < table.index("民事审判庭党支部")
    # Outsiders and members do not get the page; a branch secretary sees their own branch only.
    assert login(org.member_user).get(reverse("activities:compliance")).status_code == 404
    html = login(org.outsider).get(reverse("activities:compliance")).content.decode()
    assert "办公室党支部" in html and "刑事审判庭党支部" not in html


def test_a_past_quarter_shows_what_was_missing(org, seven, login):
    last_year = timezone.localdate().year - 1
    log_meeting(org.branch, Meeting.Kind.GENERAL_MEETING, dt.date(last_year, 2, 10))
    html = login(org.committee_user).get(reverse("activities:compliance"), {"year": last_year, "quarter": 1}).content
    html = html.decode()
    line = html[html.index("刑事审判庭党支部") :]
    line = line[: line.index("</tr>")]
    assert "1/1" in line and "0/3" in line and "table-danger" in line


def test_compliance_page_query_count_does_not_grow_with_branches(org, login):
    client = login(org.committee_user)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("activities:compliance")).status_code == 200
        return len(ctx.captured_queries)

    def add_branch():
        branch = make_unit(OrgUnit.Kind.BRANCH, org.general)
        make_unit(OrgUnit.Kind.GROUP, branch)
        make_member(branch)
        log_meeting(branch, Meeting.Kind.THEME_DAY, first_of_quarter())

    for _ in range(2):
        add_branch()
    few = count()
    for _ in range(8):
        add_branch()
    assert count() == few


def test_panel_query_count_does_not_grow_with_meetings(org, seven, login):
    client = login(org.secretary)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("home")).status_code == 200
        return len(ctx.captured_queries)

    log_meeting(org.branch, Meeting.Kind.THEME_DAY, first_of_quarter())
    few = count()
    for i in range(10):
        log_meeting(org.group, Meeting.Kind.GROUP_MEETING, first_of_quarter() + dt.timedelta(days=i % 28))
    assert count() == few


def _order(html: str, names: list[str]) -> list[str]:
    table = html[html.index("sb-compliance") :]
    return sorted(names, key=table.index)


def test_the_page_from_stored_gaps_as_the_committee_and_a_general_secretary(org, seven, login):
    """The page as beat keeps it (every branch's gaps stored), scoped as every page is, and a meeting
    logged after the refresh shows at once, before the next one."""
    other = make_unit(OrgUnit.Kind.BRANCH, org.general, code="ZB2", name="民事审判庭党支部")
    for _ in range(3):
        make_member(other)
    start = first_of_quarter()
    log_meeting(other, Meeting.Kind.GENERAL_MEETING, start)
    assert gaps.gaps_refresh() >= 2
    names = ["刑事审判庭党支部", "民事审判庭党支部", "办公室党支部"]
    committee = login(org.committee_user).get(reverse("activities:compliance")).content.decode()
    assert _order(committee, names) == ["刑事审判庭党支部", "办公室党支部", "民事审判庭党支部"]
    general = login(org.general_secretary).get(reverse("activities:compliance")).content.decode()
    assert "刑事审判庭党支部" in general and "民事审判庭党支部" in general
    assert "办公室党支部" not in general  # outside the general branch, stored or not
    assert _order(general, names[:2]) == rules_order(org, [org.branch, other])
    # ZB1 holds the quarter's meetings after the refresh: its row and place follow at once.
    row_before = _row(general, "刑事审判庭党支部")
    for kind in (Meeting.Kind.GENERAL_MEETING, Meeting.Kind.PARTY_LESSON, Meeting.Kind.THEME_DAY):
        log_meeting(org.branch, kind, start)
    general = login(org.general_secretary).get(reverse("activities:compliance")).content.decode()
    assert _row(general, "刑事审判庭党支部") != row_before
    assert _order(general, names[:2]) == rules_order(org, [org.branch, other])


def _row(html: str, name: str) -> str:
    table = html[html.index("sb-compliance") :]
    line = table[table.index(name) :]
    return line[: line.index("</tr>")]


def rules_order(org, branches) -> list[str]:
    year, quarter = quarter_of(timezone.localdate())
    return [line.branch.name for line in selectors.compliance_table(branches, year, quarter, timezone.localdate())]
