import logging
import os
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from django.test import override_settings
from django.utils import translation

from branches.models import OrgUnit, UnitRole
from config.celery import app as celery_app

from . import factories
from .factories import UserFactory, grant, make_member, make_unit, member_with_login

# "gw0", "gw1", … in each process of `pytest -n N` (pytest-xdist); unset in a plain run.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")


@pytest.fixture(scope="session", autouse=True)
def _own_files_and_broker_keys_per_xdist_worker():
    """Processes of `pytest -n N` run at the same time, each on a test database of its own
    (pytest-django adds the worker id to the name). What they would still share, they get one each of:

    - a media folder: an export's file is named after its job's id, and every worker's database
      numbers its jobs from 1, so two workers would write and read each other's workbooks;
    - keys in Redis (broker and cache): a live Celery worker would otherwise take another process's
      tasks and run them against its own database, and purging the queue would drop them.
    """
    if not XDIST_WORKER:
        yield
        return
    prefix = f"tests-{XDIST_WORKER}:"
    options = celery_app.conf.broker_transport_options
    celery_app.conf.broker_transport_options = {**options, "global_keyprefix": prefix}
    caches = {alias: {**cache, "KEY_PREFIX": prefix} for alias, cache in django_settings.CACHES.items()}
    with override_settings(MEDIA_ROOT=Path(django_settings.MEDIA_ROOT) / XDIST_WORKER, CACHES=caches):
        yield
    celery_app.conf.broker_transport_options = options


@pytest.fixture(autouse=True)
def _builders_count_from_one():
    """The builders number units, members and users from 1 in every test.

    A test's data (unit codes, ID numbers, and what the demo builders draw from them) is then the same
    whichever tests ran before it in its process, which under pytest -n changes from run to run.
    """
    factories.reset_sequences()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language (Chinese).

    A request in English leaves English active in the thread that served it, and code outside a
    request (services, rules) would then answer the next test in English.
    """
    translation.deactivate()
    yield
    translation.deactivate()


@dataclass
class Org:
    """A small organisation with one user per role, and an outsider branch."""

    committee: OrgUnit
    general: OrgUnit
    branch: OrgUnit  # under the general branch
    group: OrgUnit  # in `branch`
    other_branch: OrgUnit  # directly under the committee; outsiders live here
    committee_user: object
    general_secretary: object
    secretary: object
    group_leader: object
    member_user: object
    outsider: object  # secretary of other_branch
    member: object  # the member behind member_user, in `branch`/`group`


@pytest.fixture
def org(db):
    committee = make_unit(OrgUnit.Kind.COMMITTEE, code="JG", name="机关党委")
    general = make_unit(OrgUnit.Kind.GENERAL_BRANCH, committee, code="ZZ1", name="第一党总支")
    branch = make_unit(OrgUnit.Kind.BRANCH, general, code="ZB1", name="刑事审判庭党支部")
    group = make_unit(OrgUnit.Kind.GROUP, branch, code="ZB1-1", name="第一党小组")
    other = make_unit(OrgUnit.Kind.BRANCH, committee, code="ZB9", name="办公室党支部")
    users = {}
    for key, unit, role in [
        ("committee_user", committee, UnitRole.Role.COMMITTEE_STAFF),
        ("general_secretary", general, UnitRole.Role.GENERAL_SECRETARY),
        ("secretary", branch, UnitRole.Role.BRANCH_SECRETARY),
        ("group_leader", group, UnitRole.Role.GROUP_LEADER),
        ("outsider", other, UnitRole.Role.BRANCH_SECRETARY),
    ]:
        users[key] = UserFactory(username=key)
        grant(users[key], unit, role)
    # Adding a sibling sorted by code can shift earlier units' paths: reload them all.
    for unit in (committee, general, branch, group, other):
        unit.refresh_from_db()
    member = make_member(branch, name="张伟", group=group)
    member_user = member_with_login(member, "member_user")
    return Org(committee, general, branch, group, other, member=member, member_user=member_user, **users)


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def live_worker(settings):
    """A Celery worker in a thread, consuming from the Redis broker of the environment."""
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()
    # Starting a worker sets the root logger to the worker's level (ERROR): put it back, or the
    # warnings later tests of this process look for in caplog are never emitted.
    root_level = logging.getLogger().level
    try:
        with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=10) as worker:
            yield worker
    finally:
        celery_app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
        logging.getLogger().setLevel(root_level)


# --- the English interface: which of the app's own words on a page are still Chinese ----------------


class _Chrome(HTMLParser):
    """The words of a page that are the app's own: headers, labels, buttons, navigation, hints.

    Table cells, links in lists and headings carry data (names of people and units) and are left out.
    """

    TAGS = {"th", "label", "button", "legend", "small"}

    def __init__(self):
        super().__init__()
        self.open = []  # one flag per open element: does it count as chrome?
        self.words = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        chrome = tag in self.TAGS or {"nav-link", "dropdown-item", "form-text", "card-header"} & set(classes)
        # The language switch names each language in itself, 简体中文 included; data that stays Chinese
        # inside a header says so with lang="zh-hans".
        if tag == "button" and attrs.get("name") == "language" or (attrs.get("lang") or "").startswith("zh"):
            chrome = False
        if tag not in {"input", "br", "img", "hr", "meta", "link"}:
            self.open.append(bool(chrome))
        for name in ("title", "placeholder"):
            if attrs.get(name):
                self.words.append(attrs[name])

    def handle_endtag(self, tag):
        if self.open and tag not in {"input", "br", "img", "hr", "meta", "link"}:
            self.open.pop()

    def handle_data(self, data):
        if data.strip() and self.open and self.open[-1]:
            self.words.append(data.strip())


CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# Chinese in quotes is what the user types or finds in a Chinese workbook: sheet names, 、.
QUOTED = re.compile(r"“[^”]*”")


def _chinese_in_chrome(client, url) -> list[str]:
    """The app's own words on the page at `url` that are still Chinese."""
    response = client.get(url, follow=True)
    assert response.status_code == 200, url
    parser = _Chrome()
    parser.feed(response.content.decode())
    assert parser.words, url
    return [word for word in parser.words if CHINESE.search(QUOTED.sub("", word))]


@pytest.fixture
def chinese_in_chrome():
    """`chinese_in_chrome(client, url)`: the app's own words on the page at `url` still in Chinese."""
    return _chinese_in_chrome
