"""Chinese by default, English as a second locale; the committed catalogue is complete and compiled."""

import gettext
import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from assessment.models import BranchRating, Indicator
from assessment.publication import services as publication
from assessment.services import checks, ratings
from assessment.services.standards import standard_ensure
from branches.models import OrgUnit
from members.models import Member
from tests.factories import make_recruit, make_unit

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"


@pytest.mark.django_db
def test_login_page_is_chinese_by_default(client):
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="zh-hans">' in page
    assert "登录星级支部" in page


@pytest.mark.django_db
def test_switching_to_english_translates_the_login_page(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in page
    assert "Sign in to Star Branch" in page
    assert "Username" in page and "Password" in page
    assert "登录星级支部" not in page
    # And back again.
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/accounts/login/"})
    assert "登录星级支部" in client.get("/accounts/login/").content.decode()


@pytest.mark.django_db
def test_a_browser_set_to_english_still_gets_chinese_until_the_user_chooses(client):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert "登录星级支部" in page
    assert "Sign in to Star Branch" not in page


@pytest.mark.django_db
def test_a_failed_login_says_why_in_the_chosen_language(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.post("/accounts/login/", {"username": "nobody", "password": "wrong"}).content.decode()
    assert "The username or password is wrong" in page


def test_model_labels_and_choices_are_translated():
    with translation.override("en"):
        assert str(Member._meta.get_field("id_number").verbose_name) == "ID number"
        assert str(Member.Category.PROBATIONARY.label) == "Probationary member"
        assert str(OrgUnit.Kind.GENERAL_BRANCH.label) == "General Party Branch"
    with translation.override("zh-hans"):
        assert str(Member.Category.PROBATIONARY.label) == "预备党员"


@pytest.mark.django_db
def test_a_move_made_in_english_is_recorded_in_chinese(client, org):
    """The history note is data everyone reads, not the editor's interface."""
    second = make_unit(OrgUnit.Kind.BRANCH, org.general, code="ZB2", name="民事审判庭党支部")
    client.force_login(org.general_secretary)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    group = org.group
    form = {"parent": second.pk, "kind": group.kind, "code": group.code, "name": group.name, "departments": ""}
    response = client.post(f"/org/{group.pk}/edit/", form)
    assert response.status_code == 302
    assert group.history.latest().history_change_reason == "上级组织：刑事审判庭党支部 → 民事审判庭党支部"
    page = client.get(f"/org/{group.pk}/").content.decode()
    assert "上级组织：刑事审判庭党支部 → 民事审判庭党支部" in page
    assert "Changed" in page  # the action word around it is still the reader's language


def _po_entries(path: Path) -> dict[str, str]:
    """msgid → msgstr of a .po file, skipping the header and flagging fuzzy entries as untranslated.

    An entry with a msgctxt is keyed as gettext stores it: the context and the msgid joined by EOT.
    """

    def unquote(lines):
        return "".join(
            re.fullmatch(r'"(.*)"', line.strip()).group(1).replace('\\"', '"').replace("\\n", "\n") for line in lines
        )

    entries = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if line and not line.startswith("#~")]
        starts = [i for i, line in enumerate(lines) if line.startswith(("msgid ", "msgstr "))]
        if len(starts) != 2:
            continue
        msgid = unquote([lines[starts[0]][6:], *lines[starts[0] + 1 : starts[1]]])
        msgstr = unquote([lines[starts[1]][7:], *lines[starts[1] + 1 :]])
        context = [unquote([line[8:]]) for line in lines if line.startswith("msgctxt ")]
        if context:
            msgid = f"{context[0]}\x04{msgid}"
        if msgid:
            entries[msgid] = "" if any(line.startswith("#,") and "fuzzy" in line for line in lines) else msgstr
    return entries


def test_every_message_in_the_catalogue_is_translated_and_compiled():
    entries = _po_entries(CATALOGUE / "django.po")
    assert len(entries) > 50
    untranslated = [msgid for msgid, msgstr in entries.items() if not msgstr]
    assert untranslated == [], "run `make messages` and translate these in locale/en/LC_MESSAGES/django.po"
    with open(CATALOGUE / "django.mo", "rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    stale = [msgid for msgid, msgstr in entries.items() if catalogue.gettext(msgid) != msgstr]
    assert stale == [], "django.mo is older than django.po: run `make messages` and commit both"


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["secretary", "committee_user", "member_user"])
def test_the_chrome_of_the_main_pages_is_english_once_chosen(client, org, who, chinese_in_chrome):
    client.force_login(getattr(org, who))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    recruit = make_recruit(org.branch, name="欧阳申请")
    today = timezone.localdate()
    pages = ["/", "/pledges/", "/pledges/appraisals/", "/pledges/notes/", f"/pledges/record/{org.member.pk}/"]
    pages.append("/assessment/publication/")  # the 公示, which every member reaches
    if who != "member_user":
        pages += [
            "/org/",
            f"/org/{org.branch.pk}/",
            "/org/new/",
            "/members/",
            f"/members/{org.member.pk}/",
            f"/members/{org.member.pk}/edit/",
            "/members/new/",
            "/members/probationary/",
            "/members/roster/",
            "/activities/",
            f"/activities/new/?unit={org.branch.pk}",
            f"/activities/units/{org.branch.pk}/ledger/",
            "/activities/compliance/",
            "/activities/import/",
            f"/activities/talks/?branch={org.branch.pk}",
            f"/activities/talks/new/?branch={org.branch.pk}",
            "/pledges/appraisals/new/",
            "/recruitment/",
            "/recruitment/new/",
            "/recruitment/pipeline/",
            "/recruitment/import/",
            f"/recruitment/{recruit.pk}/",
            f"/recruitment/{recruit.pk}/edit/",
            f"/recruitment/{recruit.pk}/steps/2/",
            f"/recruitment/{recruit.pk}/steps/15/",
            f"/recruitment/{recruit.pk}/print/",
            f"/members/{org.member.pk}/leave/",
            f"/accounts/create/?unit={org.branch.pk}",
            f"/accounts/member/{org.member.pk}/reset-password/",
            f"/org/{org.group.pk}/roles/grant/",
            "/dues/overview/",
            "/dues/attention/",
            f"/dues/branches/{org.branch.pk}/{today.year}/",
            f"/dues/branches/{org.branch.pk}/{today.year}/collect/{today.month}/",
            f"/dues/branches/{org.branch.pk}/{today.year}/bases/",
            f"/dues/branches/{org.branch.pk}/{today.year}/remittances/",
            "/dues/import/",
        ]
    if who == "committee_user":
        pages.append("/dues/years/")
    pages.append(f"/dues/members/{org.member.pk}/{today.year}/")
    for url in pages:
        assert chinese_in_chrome(client, url) == [], url


@pytest.fixture
def rated_year(org, settings, tmp_path):
    """Last year checked, applied for, rated, adjusted by the committee and approved; a problem with evidence.

    The branch was three stars the year before and is set to two: demoted, and on the interview list.
    The other branch did not apply: a lagging branch with its rectification problem.
    """
    settings.MEDIA_ROOT = tmp_path
    year = timezone.localdate().year - 1
    standard_ensure(year=year)
    standard_ensure(year=year + 1)
    a4 = Indicator.objects.get(standard__year=year, code="A4")
    score = checks.score_enter(
        branch=org.branch, indicator=a4, quarter=1, value="2", note="研究两次", by=org.committee_user
    )
    problem = checks.problem_create(
        branch=org.branch,
        year=year,
        quarter=1,
        description="党小组会记录不全",
        deadline=date(year, 5, 1),
        found_on=date(year, 4, 5),
        by=org.committee_user,
    )
    upload = SimpleUploadedFile("记录.pdf", b"%PDF-1.4 x")
    checks.evidence_add(problem=problem, upload=upload, note="", by=org.secretary)
    ratings.history_record(branch=org.branch, year=year - 1, level=3, by=None)
    ratings.application_submit(branch=org.branch, year=year, level=4, by=org.secretary)
    ratings.year_propose(year=year, today=timezone.localdate())
    line = BranchRating.objects.get(branch=org.branch, rating__year=year)
    ratings.branch_rating_override(branch_rating=line, level=2, reason="台账不实", by=org.committee_user)
    ratings.year_approve(year=year, by=org.committee_user)
    objection = publication.objection_raise(year=year, branch=org.branch, text="请核实", by=org.member_user)
    return {"year": year, "problem": problem, "line": line, "score": score, "objection": objection}


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["committee_user", "secretary"])
def test_the_chrome_of_the_assessment_pages_is_english_once_chosen(client, org, rated_year, who, chinese_in_chrome):
    client.force_login(getattr(org, who))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    b, y, this_year = org.branch.pk, rated_year["year"], rated_year["year"] + 1
    pages = [
        "/",
        "/assessment/",  # a secretary of one branch lands on its page
        f"/assessment/branch/{b}/",
        f"/assessment/branch/{b}/{y}/",
        f"/assessment/branch/{b}/apply/",
        f"/assessment/checks/{y}/1/",
        f"/assessment/standard/{y}/",
        "/assessment/problems/",
        "/assessment/problems/?status=all",
        f"/assessment/problems/{rated_year['problem'].pk}/",
        f"/assessment/publication/{y}/",
        f"/assessment/publication/documents/{b}/{y}/",
        f"/assessment/publication/documents/{b}/{this_year}/",
        f"/assessment/publication/interviews/{y}/",
        f"/assessment/publication/scores/{rated_year['score'].pk}/history/",
    ]
    if who == "committee_user":
        pages += [
            f"/assessment/rating/{y}/",
            f"/assessment/rating/{y}/{rated_year['line'].pk}/override/",
            f"/assessment/standard/{this_year}/edit/",
            "/assessment/import/",
            "/assessment/publication/holidays/",
            f"/assessment/publication/objections/{rated_year['objection'].pk}/",
            f"/assessment/publication/interviews/{y}/branch/{b}/new/",
        ]
    for url in pages:
        assert chinese_in_chrome(client, url) == [], url


@pytest.mark.django_db
def test_the_assessment_shows_levels_actions_flags_and_charts_in_english(client, org, rated_year):
    client.force_login(org.committee_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/assessment/")
    page = response.content.decode()
    for words in ("Demoted", "Interview", "Lagging branch", "2 stars", "Interview list (below three stars)"):
        assert words in page
    assert response.context["charts"]["distribution"]["categories"] == [
        "One star",
        "Two stars",
        "Three stars",
        "Four stars",
        "Five stars",
        "Lagging",
    ]
    # The reasons are the rules' own Chinese, computed once and stored: data, like names.
    review = client.get(f"/assessment/rating/{rated_year['year']}/").content.decode()
    assert "Set to 2 stars by the Organ Party Committee" in review
    assert "综合得分" in review
