"""Who reaches what. An object outside the user's subtree is a 404, never a 403.

OBJECT_URLS lists every page that names an object (in the path or the query string). Later
features add their URLs to it: each entry is (url name, args(org), query(org)) pointing at an
object in `org.branch`'s part of the tree, which the outsider (secretary of `org.other_branch`)
must not reach.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from activities.models import ArchiveJob, Meeting
from assessment.models import Indicator
from assessment.services import checks
from assessment.services.standards import standard_ensure
from branches.models import OrgUnit
from dues import services as dues_services
from dues.models import DuesJob
from dues.rules import DEFERRED, Month
from imports.models import ImportJob
from members.models import Member
from tests.factories import (
    log_meeting,
    make_delivery,
    make_document,
    make_interview,
    make_member,
    make_objection,
    make_published_year,
    make_recruit,
    make_recruit_document,
    open_dues_year,
    pay_dues,
    set_dues_base,
)


def _args(*attrs):
    return lambda org: [getattr(org, attr).pk for attr in attrs]


def _query(**attrs):
    return lambda org: {key: getattr(org, attr).pk for key, attr in attrs.items()}


PUBLISHED = 2025


def _published(org):
    """org.branch's year published (below three stars, so on the interview list), built once per test."""
    if not hasattr(org, "published"):
        org.published = make_published_year(org.branch, org.committee_user, year=PUBLISHED)
    return org.published


def _objection(org):
    _published(org)
    return [make_objection(org.branch, org.member_user, year=PUBLISHED).pk]


def _interview(org):
    _published(org)
    return [make_interview(org.branch, org.committee_user, year=PUBLISHED).pk]


def _document(org):
    return [make_document(org.branch, PUBLISHED, by=org.secretary).pk]


def _score(org):
    standard_ensure(year=PUBLISHED)
    a1 = Indicator.objects.select_related("standard").get(standard__year=PUBLISHED, code="A1")
    return [checks.score_enter(branch=org.branch, indicator=a1, quarter=None, value="2", note="述职", by=None).pk]


DUES_YEAR = 2025


def _dues(org):
    """A year of dues for org.member: a base, a payment, a deferral, a remittance, an export job."""
    if not hasattr(org, "dues_payment"):
        open_dues_year(DUES_YEAR)
        org.dues_base = set_dues_base(org.member, DUES_YEAR, "6000")
        org.dues_payment = pay_dues(org.member, DUES_YEAR, 1, "90")
        org.dues_exemption = dues_services.exemption_create(
            member=org.member,
            kind=DEFERRED,
            first=Month(DUES_YEAR, 5),
            last=Month(DUES_YEAR, 6),
            reason="住院",
            approved_by="支委会",
            approved_on=date(DUES_YEAR, 5, 1),
            by=None,
            today=date(DUES_YEAR, 12, 31),
        )
        org.dues_remittance = dues_services.remittance_create(
            branch=org.branch,
            year=DUES_YEAR,
            first_month=1,
            last_month=6,
            amount=Decimal("90"),
            remitted_on=date(DUES_YEAR, 7, 1),
            by=None,
            today=date(DUES_YEAR, 12, 31),
        )
        org.dues_job = DuesJob.objects.create(
            kind=DuesJob.Kind.EXPORT, year=DUES_YEAR, unit=org.branch, requested_by=org.committee_user
        )
    return org


def _dues_args(attr):
    return lambda org: [getattr(_dues(org), attr).pk]


def _meeting(org):
    """A submitted theme day of org.branch (张伟 expected), and an archive job of the branch's year."""
    return [log_meeting(org.branch, Meeting.Kind.THEME_DAY, date(2025, 3, 5), topic="三月主题党日").pk]


def _archive_job(org):
    return [ArchiveJob.objects.create(year=2025, unit=org.branch, requested_by=org.secretary).pk]


def _import_job(org):
    """A refused import of the committee's (only the uploader sees an import job: outsiders get 404)."""
    return [
        ImportJob.objects.create(
            kind=ImportJob.Kind.LEDGER, requested_by=org.committee_user, status=ImportJob.Status.FAILED, message="x"
        ).pk
    ]


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
    # The 公示 and what stands behind it (assessment/publication).
    ("publication:objection", _objection, None),
    ("publication:interview", _interview, None),
    ("publication:interview_create", lambda org: [PUBLISHED, org.branch.pk], None),
    ("publication:documents", lambda org: [org.branch.pk, PUBLISHED], None),
    ("publication:document", _document, None),
    ("publication:score_history", _score, None),
    ("recruitment:list", None, _query(unit="branch")),
    ("recruitment:create", None, _query(branch="branch")),
    ("recruitment:export", None, _query(unit="branch")),
    ("recruitment:detail", _args("recruit"), None),
    ("recruitment:edit", _args("recruit"), None),
    ("recruitment:step", lambda org: [org.recruit.pk, 2], None),
    ("recruitment:print", _args("recruit"), None),
    ("recruitment:pdf", _args("recruit"), None),
    ("recruitment:document", _args("recruit_document"), None),
    # A meeting record on paper, the year archive's job, the search kept to one unit (activities/archive).
    ("activities:record_print", _meeting, None),
    ("activities:record_pdf", _meeting, None),
    ("activities:archive_job", _archive_job, None),
    ("activities:archive_progress", _archive_job, None),
    ("activities:search", None, _query(unit="branch")),
    ("members:leave", _args("member"), None),
    ("branches:role_grant", _args("branch"), None),
    ("branches:role_grant", _args("group"), None),
    ("branches:role_revoke", lambda org: [org.branch.pk, org.secretary.unit_roles.get().pk], None),
    ("accounts:create", None, _query(unit="branch")),
    ("accounts:password_reset", _args("member"), None),
    ("dues:ledger", lambda org: [org.branch.pk, DUES_YEAR], None),
    ("dues:collect", lambda org: [org.branch.pk, DUES_YEAR, 1], None),
    ("dues:bases", lambda org: [org.branch.pk, DUES_YEAR], None),
    ("dues:remittances", lambda org: [org.branch.pk, DUES_YEAR], None),
    ("dues:member", lambda org: [org.member.pk, DUES_YEAR], None),
    ("dues:overview", None, _query(unit="general")),
    ("dues:payment_delete", _dues_args("dues_payment"), None),
    ("dues:base_delete", _dues_args("dues_base"), None),
    ("dues:exemption_delete", _dues_args("dues_exemption"), None),
    ("dues:remittance_delete", _dues_args("dues_remittance"), None),
    ("dues:job", _dues_args("dues_job"), None),
    ("dues:job_progress", _dues_args("dues_job"), None),
    ("imports:job", _import_job, None),
    ("imports:job_progress", _import_job, None),
    # The committee's own pages (a unit's work-chat robot, a sent message): 404 for everyone else.
    ("notices:webhook", _args("branch"), None),
    ("notices:webhook", _args("group"), None),
    ("notices:delivery", lambda org: [make_delivery(org.secretary).pk], None),
]

# Pages without an object: everyone with a unit role gets one, showing only their own subtree.
SCOPED_PAGES = [
    "home",
    "branches:tree",
    "branches:create",
    "members:list",
    "members:create",
    "members:probationary",
    "recruitment:list",
    "recruitment:pipeline",
]


def resolve(org, name, args, query):
    url = reverse(name, args=args(org) if args else None)
    return url, (query(org) if query else {})


@pytest.fixture
def org(org):
    # Units are sorted by code, so adding one may shift its siblings' paths: reload them.
    for unit in (org.committee, org.general, org.branch, org.group, org.other_branch):
        unit.refresh_from_db()
    org.recruit = make_recruit(org.branch, name="欧阳申请")
    org.recruit_document = make_recruit_document(org.recruit)
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
    for secret in ("刑事审判庭党支部", "第一党总支", "第一党小组", "张伟", "欧阳修", "欧阳申请"):
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
    ("recruitment:list", None, None),
    ("recruitment:pipeline", None, None),
    ("recruitment:detail", _args("recruit"), None),
    ("recruitment:document", _args("recruit_document"), None),
    ("security:signin_log", None, None),
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
