"""Chinese by default, English as a second locale; the committed catalogue is complete and compiled."""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from branches.models import OrgUnit
from members.models import Member

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
