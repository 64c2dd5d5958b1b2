"""The roster's unit and group pickers: a search (htmx) over what the user sees, never a select of every unit."""

import re

import pytest
from django.urls import reverse

from branches.models import OrgUnit
from branches.views import OPTION_LIMIT
from tests.factories import make_unit

URL = reverse("branches:unit_options")


def options(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(r'<option value="(\d+)">([^<]*)</option>', response.content.decode())


def names(response) -> list[str]:
    return [label.strip() for _, label in options(response)]


@pytest.mark.django_db
def test_a_secretary_finds_only_units_of_their_own_subtree(org, login):
    client = login(org.secretary)
    found = names(client.get(URL, {"term": "党支部"}))
    assert any("刑事审判庭党支部" in name for name in found)
    assert not any("办公室党支部" in name for name in found)
    # Not by code, not by an empty search, not among groups either.
    assert names(client.get(URL, {"term": "ZB9"})) == []
    assert not any("办公室" in name for name in names(client.get(URL)))
    assert names(client.get(URL, {"field": "group", "term": "小组"})) == ["刑事审判庭党支部 · 第一党小组"]
    outsider = login(org.outsider)
    assert names(outsider.get(URL, {"field": "group", "term": "小组"})) == []
    assert [n.strip() for n in names(outsider.get(URL, {"term": "支部"}))] == ["办公室党支部（党支部）"]


@pytest.mark.django_db
def test_the_committee_finds_every_unit_by_name_or_code(org, login):
    client = login(org.committee_user)
    found = options(client.get(URL, {"term": "ZB"}))
    assert {int(pk) for pk, _ in found} == {org.branch.pk, org.other_branch.pk}
    assert {int(pk) for pk, _ in options(client.get(URL, {"term": "审判"}))} == {org.branch.pk}


@pytest.mark.django_db
def test_members_without_a_role_and_strangers_get_nothing(org, login, client):
    assert client.get(URL, {"term": "支部"}).status_code == 302  # to the login page
    assert login(org.member_user).get(URL, {"term": "支部"}).status_code == 404


@pytest.mark.django_db
def test_at_most_the_limit_is_offered(org, login):
    for n in range(OPTION_LIMIT + 2):
        make_unit(OrgUnit.Kind.BRANCH, org.general, code=f"ZC{n:02d}")
    response = login(org.committee_user).get(URL, {"term": "ZC"})
    assert len(options(response)) == OPTION_LIMIT
    assert "只显示前20个" in response.content.decode()


@pytest.mark.django_db
def test_the_roster_selects_hold_only_the_chosen_unit(org, login):
    for n in range(30):
        make_unit(OrgUnit.Kind.BRANCH, org.general, code=f"ZC{n:02d}")
    html = login(org.committee_user).get(reverse("members:list"), {"unit": org.branch.pk}).content.decode()
    select = html[html.index('name="unit"') :]
    select = select[: select.index("</select>")]
    assert re.findall(r'<option value="(\d*)"', select) == ["", str(org.branch.pk)]
    assert "selected" in select[select.index(f'value="{org.branch.pk}"') :]
    assert f'hx-get="{URL}?field=unit"' in html and f'hx-get="{URL}?field=group"' in html
    # The choice still has to be a unit the user sees: another branch's is a 404, as before.
    assert login(org.outsider).get(reverse("members:list"), {"unit": org.branch.pk}).status_code == 404
