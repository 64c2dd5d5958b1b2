"""Who reaches what. An object outside the user's subtree is a 404, never a 403.

OBJECT_URLS lists every page that names an object (in the path or the query string). Later
features add their URLs to it: each entry is (url name, args(org), query(org)) pointing at an
object in `org.branch`'s part of the tree, which the outsider (secretary of `org.other_branch`)
must not reach.
"""

import pytest
from django.urls import reverse

from branches.models import OrgUnit
from members.models import Member
from tests.factories import make_member


def _args(*attrs):
    return lambda org: [getattr(org, attr).pk for attr in attrs]


def _query(**attrs):
    return lambda org: {key: getattr(org, attr).pk for key, attr in attrs.items()}


OBJECT_URLS = [
    ("branches:detail", _args("branch"), None),
    ("branches:detail", _args("group"), None),
    ("branches:detail", _args("general"), None),
    ("branches:edit", _args("branch"), None),
    ("branches:edit", _args("group"), None),
    ("branches:create", None, _query(parent="branch")),
    ("members:detail", _args("member"), None),
    ("members:edit", _args("member"), None),
    ("members:transfer", _args("member"), None),
    ("members:list", None, _query(unit="branch")),
    ("members:list", None, _query(group="group")),
    ("members:create", None, _query(branch="branch")),
    ("members:group_options", None, _query(branch="branch")),
]

# Pages without an object: everyone with a unit role gets one, showing only their own subtree.
SCOPED_PAGES = ["home", "branches:tree", "branches:create", "members:list", "members:create", "members:probationary"]


def resolve(org, name, args, query):
    url = reverse(name, args=args(org) if args else None)
    return url, (query(org) if query else {})


@pytest.fixture
def org(org):
    # Units are sorted by code, so adding one may shift its siblings' paths: reload them.
    for unit in (org.committee, org.general, org.branch, org.group, org.other_branch):
        unit.refresh_from_db()
    return org


@pytest.mark.parametrize(("name", "args", "query"), OBJECT_URLS, ids=lambda v: v if isinstance(v, str) else "")
def test_outsider_gets_404_for_every_object_url(org, login, name, args, query):
    url, params = resolve(org, name, args, query)
    client = login(org.outsider)
    assert client.get(url, params).status_code == 404
    before = (list(OrgUnit.objects.values_list("name", "path")), list(Member.objects.values_list("name", "branch")))
    assert client.post(f"{url}?{'&'.join(f'{k}={v}' for k, v in params.items())}", {"name": "改"}).status_code == 404
    after = (list(OrgUnit.objects.values_list("name", "path")), list(Member.objects.values_list("name", "branch")))
    assert before == after


@pytest.mark.parametrize(("name", "args", "query"), OBJECT_URLS, ids=lambda v: v if isinstance(v, str) else "")
def test_committee_reaches_every_object_url(org, login, name, args, query):
    url, params = resolve(org, name, args, query)
    assert login(org.committee_user).get(url, params).status_code == 200


@pytest.mark.parametrize(("name", "args", "query"), OBJECT_URLS, ids=lambda v: v if isinstance(v, str) else "")
def test_anonymous_users_are_sent_to_the_login_page(client, org, name, args, query):
    url, params = resolve(org, name, args, query)
    response = client.get(url, params)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", SCOPED_PAGES)
def test_outsider_sees_nothing_of_other_subtrees_on_scoped_pages(org, login, name):
    make_member(org.branch, name="欧阳修", category="probationary", full_on=None)
    response = login(org.outsider).get(reverse(name))
    assert response.status_code == 200
    page = response.content.decode()
    for secret in ("刑事审判庭党支部", "第一党总支", "第一党小组", "张伟", "欧阳修"):
        assert secret not in page


@pytest.mark.parametrize("name", SCOPED_PAGES)
def test_committee_sees_every_page(org, login, name):
    assert login(org.committee_user).get(reverse(name)).status_code == 200


MEMBER_404 = [
    ("members:detail", _args("colleague"), None),
    ("members:edit", _args("colleague"), None),
    ("members:transfer", _args("colleague"), None),
    ("members:edit", _args("member"), None),  # not even their own record to change
    ("members:transfer", _args("member"), None),
    ("branches:detail", _args("branch"), None),
    ("branches:detail", _args("group"), None),
    ("branches:tree", None, None),
    ("branches:create", None, None),
    ("members:create", None, None),
    ("members:probationary", None, None),
    ("members:group_options", None, _query(branch="branch")),
]


@pytest.mark.parametrize(("name", "args", "query"), MEMBER_404, ids=lambda v: v if isinstance(v, str) else "")
def test_plain_member_gets_404_beyond_their_own_record(org, login, name, args, query):
    org.colleague = make_member(org.branch, name="同事", group=org.group)
    url, params = resolve(org, name, args, query)
    assert login(org.member_user).get(url, params).status_code == 404


def test_plain_member_reads_their_own_record(org, login):
    client = login(org.member_user)
    response = client.get(reverse("members:detail", args=[org.member.pk]))
    assert response.status_code == 200
    assert org.member.masked_id_number in response.content.decode()
    assert client.get(reverse("members:list")).url == reverse("members:detail", args=[org.member.pk])


def test_navigation_shows_each_role_what_it_can_do(org, login):
    create_member = reverse("members:create")
    tree = reverse("branches:tree")
    mine = reverse("members:detail", args=[org.member.pk])
    secretary = login(org.secretary).get(reverse("home")).content.decode()
    assert create_member in secretary and tree in secretary
    leader = login(org.group_leader).get(reverse("home")).content.decode()
    assert tree in leader and create_member not in leader
    member = login(org.member_user).get(reverse("home")).content.decode()
    assert mine in member and tree not in member and create_member not in member
