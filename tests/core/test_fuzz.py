"""No input answers 500: every URL pattern, as every role, with junk ids, query strings and form posts.

The URL patterns are read from the resolver, so a new page is fuzzed without being listed here. A small
organisation with one object of every kind is built once for the module, and every page is read once
(GET, with real ids) by the branch secretary and the committee, or the first role it answers, for its
forms; the forms are filed by where they post (a meeting's page holds the forms of submit and delete).

Each pattern is then one test, in which every role (committee staff, general-branch secretary — in
English —, branch secretary, group leader, plain member, anonymous) sends, each inside a savepoint
rolled back afterwards:

1. a GET with a junk query string: every parameter any view or filter form reads, set to junk
   (negative, huge, NUL bytes, ², far dates, non-numbers); every role a different year, page and id;
2. by turns (`plan`), junk in the path — junk ids of objects beside a real year, and a junk year,
   quarter, month or step beside real ids — or a POST of the forms that post to the pattern: their own
   values with only the dates moved to 0001-01-01 / 9999-12-31, junk in every field, or nothing,
   followed through any redirect so that a record saved with a bad date is rendered too.

The roles that reach the forms also send both of the first two posts, whatever the plan gave the others.
Any answer of 500 or more (or an exception) is collected and reported with its role, method and URL.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from activities import services as activity_services
from activities.pledges import services as pledge_services
from assessment.models import ExportJob, Indicator
from assessment.publication import services as publication_services
from assessment.services import checks
from assessment.services.standards import standard_ensure
from branches.models import OrgUnit, UnitRole
from dues import services as dues_services
from dues.models import DuesJob
from dues.rules import DEFERRED, Month
from tests.factories import (
    UserFactory,
    grant,
    log_meeting,
    make_delivery,
    make_document,
    make_interview,
    make_member,
    make_objection,
    make_published_year,
    make_recruit,
    make_recruit_document,
    make_unit,
    member_with_login,
    open_dues_year,
    pay_dues,
    reset_sequences,
    set_dues_base,
)

YEAR = 2025
ROLES = ["committee", "general", "secretary", "leader", "member", "anonymous"]
ENGLISH_ROLE = "general"
BIG = [0, 2**31, 2**63, 10**30]
COUNT_JUNK = [0, 99999, 10**30]  # the roles that send junk paths get one each

# Every query parameter a view or a filter form reads (and the filter forms' own fields, read from the
# pages), each set to junk. Years, ids and page numbers have pools of their own, as long as there are
# roles, so that each pattern gets every one of them from some role.
ID_KEYS = ["unit", "branch", "member", "group", "parent", "step", "indicator"]
QUERY_KEYS = [
    "year", "quarter", "month", "page", "qpage", "q", "kind", "status", "flag", "only", "left", "held_at",
    "since", "until", "username", "inline", "screen", "warnings", "next", "category", "role", "level", "o",
]  # fmt: skip
POOLS = {
    "year": ["-1", "99999999999", "0", "\x00", "²", "99999999999999999999999"],
    "page": ["-1", "99999999999999999999", "\x00", "²", "abc", "0"],
    "q": ["\x00", "a\x00b", "%", "x" * 300, "'", "\\"],
    "id": ["-1", "9223372036854775808", "\x00", "²", "0", "abc"],
}
JUNK = [
    "-1",
    "99999999999",
    "9223372036854775808",
    "\x00",
    "a\x00b",
    "abc",
    "0",
    "0001-01-01",
    "9999-12-31T23:59",
    "1e309",
    "NaN",
    "",
    "²",
    "2025-02-30",
    "-9999999999999999999999",
]
FAR_DATES = ["0001-01-01", "9999-12-31", "\x00", "2025-02-30", "-1", "99999-01-01"]
FAR_DATETIMES = ["0001-01-01T00:00", "9999-12-31T23:59", "\x00", "2025-13-01T00:00", "0000-00-00T00:00"]
JUNK_NUMBERS = ["99999999999999999999", "-1", "1e309", "NaN", "\x00", "9223372036854775808", "-0.5", "²"]
JUNK_TEXT = ["a\x00b", "\x00", "x" * 3000, "<script>", "'; --", "110101198001010²1X"]


# --- the organisation ---------------------------------------------------------------------------


@dataclass
class World:
    users: dict  # role → user (None for anonymous)
    ids: dict  # name of an object → its pk
    branch: OrgUnit
    member_pk: int


def _pdf(name: str = "a.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf"
    )


def build_world() -> World:
    reset_sequences()
    committee = make_unit(OrgUnit.Kind.COMMITTEE, code="JG", name="机关党委")
    general = make_unit(OrgUnit.Kind.GENERAL_BRANCH, committee, code="ZZ1", name="第一党总支")
    branch = make_unit(OrgUnit.Kind.BRANCH, general, code="ZB1", name="刑事审判庭党支部")
    group = make_unit(OrgUnit.Kind.GROUP, branch, code="ZB1-1", name="第一党小组")
    make_unit(OrgUnit.Kind.BRANCH, committee, code="ZB9", name="办公室党支部")
    users = {}
    roles = {}
    for key, unit, role in [
        ("committee", committee, UnitRole.Role.COMMITTEE_STAFF),
        ("general", general, UnitRole.Role.GENERAL_SECRETARY),
        ("secretary", branch, UnitRole.Role.BRANCH_SECRETARY),
        ("leader", group, UnitRole.Role.GROUP_LEADER),
    ]:
        users[key] = UserFactory(username=f"fuzz-{key}")
        roles[key] = grant(users[key], unit, role)
    for unit in (committee, general, branch, group):
        unit.refresh_from_db()
    member = make_member(branch, name="张伟", group=group)
    users["member"] = member_with_login(member, "fuzz-member")
    users["anonymous"] = None
    colleague = make_member(branch, name="李娜", group=group)
    secretary = users["secretary"]

    ids = {"branch": branch.pk, "group": group.pk, "member": member.pk, "role": roles["secretary"].pk}
    meeting = log_meeting(branch, day=date(YEAR, 6, 10), by=secretary, logged=date(YEAR, 6, 11))
    draft = log_meeting(branch, day=date(YEAR, 7, 10), by=secretary, logged=date(YEAR, 7, 11), submit=False)
    ids["meeting"], ids["draft"] = meeting.pk, draft.pk
    ids["attachment"] = activity_services.attachment_add(meeting=meeting, by=secretary, upload=_pdf()).pk
    ids["talk"] = activity_services.talk_create(
        by=secretary, branch=branch, member=colleague, talker=member, talked_on=date(YEAR, 5, 1), note="谈心"
    ).pk
    today = date(YEAR, 3, 1)
    pledge = pledge_services.pledge_create(branch=branch, year=YEAR, content="办好案件", member=member, today=today)
    ids["pledge"] = pledge.pk
    pledge_services.pledge_note_add(pledge=pledge, text="进展", noted_on=today, by=secretary, today=today)
    ids["appraisal"] = pledge_services.appraisal_open(branch=branch, year=YEAR, by=secretary, today=today).pk
    ids["note"] = pledge_services.study_note_create(
        member=member, month=date(YEAR, 5, 1), title="学习心得", body="体会" * 30, today=date(YEAR, 5, 20)
    ).pk

    # Dues: a base, a payment, a deferral, a remittance and an export job.
    open_dues_year(YEAR)
    ids["dues_base"] = set_dues_base(member, YEAR, "6000").pk
    ids["dues_payment"] = pay_dues(member, YEAR, 1, "90").pk
    ids["dues_exemption"] = dues_services.exemption_create(
        member=member,
        kind=DEFERRED,
        first=Month(YEAR, 5),
        last=Month(YEAR, 6),
        reason="住院",
        approved_by="支委会",
        approved_on=date(YEAR, 5, 1),
        by=None,
        today=date(YEAR, 12, 31),
    ).pk
    ids["dues_remittance"] = dues_services.remittance_create(
        branch=branch,
        year=YEAR,
        first_month=1,
        last_month=6,
        amount=Decimal("90"),
        remitted_on=date(YEAR, 7, 1),
        by=None,
        today=date(YEAR, 12, 31),
    ).pk
    ids["dues_job"] = DuesJob.objects.create(
        kind=DuesJob.Kind.EXPORT, year=YEAR, unit=branch, requested_by=users["committee"]
    ).pk

    # The year rated and published, with what stands behind it.
    ids["document"] = make_document(branch, YEAR, by=secretary).pk
    standard_ensure(year=YEAR)
    a1 = Indicator.objects.select_related("standard").get(standard__year=YEAR, code="A1")
    ids["score"] = checks.score_enter(branch=branch, indicator=a1, quarter=None, value="2", note="述职", by=None).pk
    problem = checks.problem_create(
        branch=branch,
        year=YEAR,
        quarter=None,
        description="台账不全",
        deadline=date(YEAR, 12, 31),
        by=None,
        found_on=date(YEAR, 3, 1),
    )
    ids["problem"] = problem.pk
    ids["evidence"] = checks.evidence_add(problem=problem, upload=_pdf("evidence.pdf"), note="整改", by=secretary).pk
    make_published_year(branch, users["committee"], year=YEAR)
    ids["objection"] = make_objection(branch, users["member"], year=YEAR).pk
    ids["interview"] = make_interview(branch, users["committee"], year=YEAR).pk
    ids["holiday"] = publication_services.holiday_save(
        day=date(YEAR, 10, 1), name="国庆节", kind="off", by=users["committee"]
    ).pk
    from assessment.models import BranchRating

    ids["branch_rating"] = BranchRating.objects.filter(branch=branch, rating__year=YEAR).values_list("pk", flat=True)[0]
    ids["export_job"] = ExportJob.objects.create(year=YEAR, unit=branch, requested_by=users["committee"]).pk

    recruit = make_recruit(branch, name="欧阳申请")
    ids["recruit"] = recruit.pk
    ids["step"] = recruit.steps.order_by("number").first().pk
    ids["recruit_document"] = make_recruit_document(recruit).pk
    ids["delivery"] = make_delivery(users["committee"]).pk
    from notices.models import Notice

    ids["notice"] = Notice.objects.values_list("pk", flat=True).first() or 1
    return World(users=users, ids=ids, branch=branch, member_pk=member.pk)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The organisation, built once for the module in a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        built = build_world()
        connection.check_constraints()
        yield built
        transaction.set_rollback(True)


# --- the URL patterns -----------------------------------------------------------------------------


@dataclass
class Pattern:
    name: str
    route: str  # Django route syntax (<int:pk>) or a regex
    params: list[str] = field(default_factory=list)
    is_regex: bool = False


def _walk(patterns, prefix: str = "", namespace: str = "", regex: bool = False):
    for entry in patterns:
        text = str(entry.pattern)
        is_regex = regex or type(entry.pattern).__name__ == "RegexPattern"
        if isinstance(entry, URLResolver):
            space = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + text, space, is_regex)
        elif isinstance(entry, URLPattern):
            route = prefix + text
            if is_regex:
                params = re.findall(r"\(\?P<(\w+)>", route)
            else:
                params = re.findall(r"<(?:\w+:)?(\w+)>", route)
            yield Pattern(f"{namespace}{entry.name or route}", route, params, is_regex)


def url_patterns() -> list[Pattern]:
    return list(_walk(get_resolver().url_patterns))


# Which object a pattern's `pk` names, by the pattern's name.
PK_OF = {
    "branches:": "branch",
    "members:": "member",
    "accounts:": "member",
    "activities:attachment_upload": "meeting",
    "activities:attachment": "attachment",
    "activities:talk_": "talk",
    "activities:edit": "draft",
    "activities:submit": "draft",
    "activities:": "meeting",
    "pledges:appraisal_": "appraisal",
    "pledges:note_add": "pledge",
    "pledges:note_": "note",
    "pledges:": "pledge",
    "dues:payment_delete": "dues_payment",
    "dues:base_delete": "dues_base",
    "dues:exemption_delete": "dues_exemption",
    "dues:remittance_delete": "dues_remittance",
    "dues:": "dues_job",
    "yearbook:": "export_job",
    "publication:objection": "objection",
    "publication:holiday": "holiday",
    "publication:interview": "interview",
    "publication:document": "document",
    "publication:score_history": "score",
    "assessment:score_clear": "score",
    "assessment:problem": "problem",
    "assessment:evidence_upload": "problem",
    "assessment:evidence": "evidence",
    "assessment:rating_override": "branch_rating",
    "recruitment:step_delete": "step",
    "recruitment:document_upload": "step",
    "recruitment:document": "recruit_document",
    "recruitment:": "recruit",
    "notices:delivery": "delivery",
    "notices:": "notice",
}


def _pk_for(name: str, world: World) -> int:
    for prefix, key in PK_OF.items():  # most specific first: the dict lists them so
        if name.startswith(prefix):
            return world.ids[key]
    return 1


def real_values(pattern: Pattern, world: World) -> dict:
    values = {}
    for param in pattern.params:
        values[param] = {
            "pk": lambda: _pk_for(pattern.name, world),
            "member_id": lambda: world.member_pk,
            "unit_id": lambda: world.branch.pk,
            "branch_id": lambda: world.branch.pk,
            "role_pk": lambda: world.ids["role"],
            "year": lambda: YEAR,
            "quarter": lambda: 1,
            "month": lambda: 1,
            "number": lambda: 2,
        }.get(param, lambda: 1)()
    return values


def build_url(pattern: Pattern, values: dict) -> str:
    path = pattern.route
    if pattern.is_regex:
        path = path.replace("^", "").replace("$", "")
        for param in pattern.params:
            path = re.sub(rf"\(\?P<{param}>[^)]*\)", str(values[param]), path)
    else:
        for param in pattern.params:
            path = re.sub(rf"<(?:\w+:)?{param}>", str(values[param]), path)
    return "/" + path


# --- reading forms --------------------------------------------------------------------------------


@dataclass
class FormField:
    name: str
    kind: str  # input type, "select", "textarea"
    value: str = ""
    options: list[str] = field(default_factory=list)


@dataclass
class HtmlForm:
    method: str
    action: str
    fields: list[FormField] = field(default_factory=list)


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[HtmlForm] = []
        self.select: FormField | None = None
        self.textarea: FormField | None = None

    def _current(self) -> HtmlForm:
        if not self.forms:
            self.forms.append(HtmlForm("get", ""))
        return self.forms[-1]

    def handle_starttag(self, tag, attrs):
        attrs = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.forms.append(HtmlForm(attrs.get("method", "get").lower(), attrs.get("action", "")))
        elif tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                value = ""
            else:
                value = attrs.get("value", "on" if kind in ("checkbox", "radio") else "")
            self._current().fields.append(FormField(attrs["name"], kind, value))
        elif tag == "select" and attrs.get("name"):
            self.select = FormField(attrs["name"], "select")
            self._current().fields.append(self.select)
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            self.select.options.append(value)
            if "selected" in attrs or not self.select.value:
                self.select.value = value
        elif tag == "textarea" and attrs.get("name"):
            self.textarea = FormField(attrs["name"], "textarea")
            self._current().fields.append(self.textarea)

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.value += data


def read_forms(response) -> list[HtmlForm]:
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return []
    parser = _Forms()
    parser.feed(response.content.decode(errors="replace"))
    return parser.forms


# --- junk -----------------------------------------------------------------------------------------


def _seed(*parts) -> int:
    return zlib.crc32("|".join(map(str, parts)).encode())


def junk_query(pattern: Pattern, role_index: int, forms: list[HtmlForm]) -> dict:
    """Junk for every parameter; the ids only for every other role, so that a 404 on a junk id does not
    keep the others from being read."""
    keys = list(QUERY_KEYS)
    for form in forms:
        if form.method == "get":
            keys += [f.name for f in form.fields if f.name not in keys and f.name not in ID_KEYS]
    base = _seed(pattern.name) + role_index
    query = {key: JUNK[(base + i * 7) % len(JUNK)] for i, key in enumerate(keys)}
    for key in ("year", "page", "q"):
        query[key] = POOLS[key][role_index % len(POOLS[key])]
    if role_index % 2:
        query |= {key: POOLS["id"][(role_index + i) % len(POOLS["id"])] for i, key in enumerate(ID_KEYS)}
    return query


def junk_value(item: FormField, n: int) -> str:
    if item.kind == "date":
        return FAR_DATES[n % len(FAR_DATES)]
    if item.kind in ("datetime-local", "datetime"):
        return FAR_DATETIMES[n % len(FAR_DATETIMES)]
    if item.kind == "month":
        return ["0001-01", "9999-12", "\x00", "2025-13"][n % 4]
    if item.kind == "number" or item.kind == "hidden":
        return JUNK_NUMBERS[n % len(JUNK_NUMBERS)]
    if item.kind == "select":
        pool = [*JUNK_NUMBERS[:3], "\x00", *(item.options[-1:] or [])]
        return pool[n % len(pool)]
    if item.kind in ("checkbox", "radio"):
        return ["on", "\x00", "2"][n % 3]
    return JUNK_TEXT[n % len(JUNK_TEXT)]


def junk_post(forms: list[HtmlForm], path: str, variant: int) -> dict:
    """Variant 0: nothing. Variant 1: the page's own values, dates far away. Others: junk everywhere."""
    if variant == 0:
        return {}
    own = [f for form in forms if form.method == "post" and _posts_to(form, path) for f in form.fields]
    fields = [f for f in own if f.kind != "file" and f.name != "csrfmiddlewaretoken"]
    data: dict[str, str] = {}
    if variant == 1:
        for item in fields:
            if item.kind == "date":
                data[item.name] = "0001-01-01" if len(data) % 2 == 0 else "9999-12-31"
            elif item.kind in ("datetime-local", "datetime"):
                data[item.name] = "0001-01-01T00:00"
            elif item.value or item.kind not in ("checkbox", "radio"):
                data.setdefault(item.name, item.value)
        return data
    for n, item in enumerate(fields):
        # Variant 2, which every pattern gets: the first (worst) junk of each kind in every field.
        data[item.name] = junk_value(item, 0 if variant == 2 else n + variant)
    for n, key in enumerate(("year", "unit", "member", "q", "action", "month")):
        data.setdefault(key, JUNK[(n + variant) % len(JUNK)])
    return data


def _posts_to(form: HtmlForm, path: str) -> bool:
    return urlsplit(form.action).path in ("", path)


# --- the test ---------------------------------------------------------------------------------------


class Failures(list):
    def check(self, role: str, method: str, url: str, send):
        try:
            response = send()
        except Exception as exc:  # noqa: BLE001 - every exception is a 500 the user would see
            self.append(f"{role} {method} {url!r}: {type(exc).__name__}: {exc}")
            return None
        if response.status_code >= 500:
            self.append(f"{role} {method} {url!r}: {response.status_code}")
        return response


PATTERNS = url_patterns()


def test_the_resolver_is_walked_whole():
    names = {p.name for p in PATTERNS}
    assert {"activities:ledger", "activities:talks", "activities:index", "dues:ledger", "admin:index"} <= names
    assert len(PATTERNS) > 150


@pytest.fixture(scope="module")
def clients(world):
    """A signed-in client per role, their sessions made once with the organisation. The general-branch
    secretary has chosen English: every page's translations are fuzzed too (a placeholder missing from
    an English string would be a 500 in English only)."""
    result = {}
    for role in ROLES:
        client = Client(raise_request_exception=True)
        if world.users[role] is not None:
            client.force_login(world.users[role])
        if role == ENGLISH_ROLE:
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        result[role] = client
    return result


HARVEST_ORDER = ["secretary", "committee", "member", "general", "leader", "anonymous"]


@dataclass
class Catalogue:
    """Every pattern's page as the first role that reaches it, and the forms on it by where they post."""

    pages: dict = field(default_factory=dict)  # pattern name → (forms on its page, failures, roles reaching it)
    posting_to: dict = field(default_factory=dict)  # path → [(a form that posts there, a role that has it)]


@pytest.fixture(scope="module")
def catalogue(world, clients):
    """Read once, before the junk: the forms that post to a pattern are often on another page (a
    meeting's detail page holds the forms of submit, return and delete)."""
    result = Catalogue()
    for pattern in PATTERNS:
        failures = Failures()
        url = build_url(pattern, real_values(pattern, world))
        forms: list[HtmlForm] = []
        reached = []
        for role in HARVEST_ORDER:
            with transaction.atomic():
                response = failures.check(role, "GET", url, lambda role=role, url=url: clients[role].get(url))
                transaction.set_rollback(True)
            if response is not None and response.status_code == 200:
                page = read_forms(response)
                forms += [form for form in page if form not in forms]
                reached.append(role)
                for form in page:
                    if form.method == "post":
                        target = urlsplit(form.action).path or url
                        result.posting_to.setdefault(target, []).append((form, role))
                if role != HARVEST_ORDER[0]:  # the secretary's page, and the committee's (more forms)
                    break
        result.pages[pattern.name] = (forms, failures, reached)
    return result


@pytest.mark.django_db
@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.name)
def test_no_input_answers_5xx(world, clients, catalogue, pattern):
    """Every role sends junk to the pattern: a query string, then ids in the path or a form post."""
    url = build_url(pattern, real_values(pattern, world))
    forms, harvest_failures, reached = catalogue.pages[pattern.name]
    failures = Failures(harvest_failures)
    elsewhere = catalogue.posting_to.get(url, [])
    posting = [form for form, _role in elsewhere if form not in forms]
    for role, kind, number in plan(pattern):
        with transaction.atomic():
            _junk_as(world, clients[role], pattern, url, forms + posting, role, kind, number, failures)
            transaction.set_rollback(True)
    # The roles that reach the page, or the forms posting to it, also post the worst junk in every field
    # and the page's own values with far dates: the roles of the plan may all be turned away first.
    reachers = list(dict.fromkeys([*reached, *(role for _form, role in elsewhere)]))[:2]
    for role in reachers:
        for variant in (1, 2):
            with transaction.atomic():
                data = junk_post(forms + posting, url, variant)
                send = lambda role=role, data=data: clients[role].post(url, data, follow=True)  # noqa: E731
                failures.check(role, "POST", f"{url} {data!r:.300}", send)
                transaction.set_rollback(True)
    assert not failures, "\n".join(failures)


def plan(pattern: Pattern) -> list[tuple[str, str, int]]:
    """What each role sends besides its junk query string: (role, "path", n) junk ids in the path, or
    (role, "post", variant). Half the roles (by the pattern's seed) send junk paths where the pattern has
    ids; the others post: the page's own values with far dates first, then junk, then nothing or other
    junk, so that every pattern gets the first two."""
    seed = _seed(pattern.name)
    ring = [1, 2, 0 if seed // 8 % 2 else 3]  # any three in a row hold 1 and 2
    steps = []
    for i, role in enumerate(ROLES):
        if (seed + i) % 2 and pattern.params:
            steps.append((role, "path", seed + i))
        else:
            posted = sum(kind == "post" for _r, kind, _n in steps)
            steps.append((role, "post", ring[(posted + seed // 2) % len(ring)]))
    return steps


def _junk_as(world, client, pattern: Pattern, url: str, forms, role: str, kind: str, n: int, failures: Failures):
    """A junk query string, then junk ids in the path or a junk post (as `plan` says)."""
    query = junk_query(pattern, ROLES.index(role), forms)
    failures.check(role, "GET", f"{url}?{urlencode(query)}", lambda: client.get(url, query))
    # Junk ids of objects beside a real year (or quarter, month, step number), and a junk year beside
    # real ids: each reaches code the other stops before.
    counts = [p for p in pattern.params if p in ("year", "quarter", "month", "number")]
    ids = [p for p in pattern.params if p not in counts]
    if kind == "path":
        for junk in (ids, counts):
            if junk:
                pool = BIG if junk is ids else COUNT_JUNK
                values = real_values(pattern, world) | {p: pool[(n // 2 + i) % len(pool)] for i, p in enumerate(junk)}
                junk_url = build_url(pattern, values)
                failures.check(role, "GET", junk_url, lambda junk_url=junk_url: client.get(junk_url))
    else:
        data = junk_post(forms, url, n)
        failures.check(role, "POST", f"{url} {data!r:.300}", lambda: client.post(url, data, follow=True))


def test_junk_is_varied_enough():
    """Each role posts a different kind of junk, and the query strings differ by role."""
    pattern = Pattern("x:y", "x/")
    queries = [junk_query(pattern, i, []) for i in range(len(ROLES))]
    assert len({tuple(q.items()) for q in queries}) == len(ROLES)
    assert any("\x00" in v for q in queries for v in q.values())
    # Every pattern gets far dates in its own forms and junk in every field; over the patterns, each role
    # sends every kind of post and junk paths.
    for pattern in PATTERNS:
        assert {1, 2} <= {n for _role, kind, n in plan(pattern) if kind == "post"}, pattern.name
    sent = {(role, kind if kind == "path" else n) for p in PATTERNS for role, kind, n in plan(p)}
    assert len(sent) == len(ROLES) * 5
    assert {q["year"] for q in queries} == set(POOLS["year"])


@pytest.mark.django_db
def test_the_forms_are_found(world, catalogue):
    """The posts carry the pages' own fields: a fuzz that found no forms would post nothing worth it."""
    fields = {}
    for pattern in PATTERNS:
        forms, _failures, _reached = catalogue.pages[pattern.name]
        posting = [
            form for form, _role in catalogue.posting_to.get(build_url(pattern, real_values(pattern, world)), [])
        ]
        fields[pattern.name] = {item.name for form in forms + posting for item in form.fields}
    assert {"held_at", "topic"} <= fields["activities:edit"]
    assert {"birth_date", "name"} <= fields["members:edit"]
    assert {"deadline", "description"} <= fields["assessment:problem_create"]  # on the committee's branch page
    assert sum(1 for names in fields.values() if len(names) > 2) > 60
