"""Signing in with the organisation's directory: a real OpenLDAP server (slapd) started by the test,
users matched to the roster by ID-card number or employee number."""

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.directory import directory_keys, ldap_settings
from members import services as member_services
from tests.factories import make_member, member_with_login

SUFFIX = "dc=court,dc=example"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PW = "directory-secret"
SLAPD = os.environ.get("SLAPD_PATH", "/usr/sbin/slapd")


# --- reading an entry (no server) -----------------------------------------------------------------


def test_directory_keys_read_either_attribute_in_any_case():
    attrs = {"employeeType": [b"11010119800101001x"], "EMPLOYEENUMBER": [b" 00042 "]}
    assert directory_keys(attrs, id_attr="employeetype", employee_attr="employeeNumber") == (
        "11010119800101001X",
        "00042",
    )
    assert directory_keys({}, id_attr="", employee_attr="employeeID") == (None, None)


def test_directory_sign_in_is_off_unless_configured():
    assert ldap_settings({}) == {}
    with pytest.raises(Exception, match="LDAP_USER_SEARCH_BASE"):
        ldap_settings({"LDAP_SERVER_URI": "ldap://127.0.0.1:1"})
    with pytest.raises(Exception, match="LDAP_START_TLS"):
        ldap_settings({"LDAP_SERVER_URI": "ldap://x", "LDAP_USER_SEARCH_BASE": SUFFIX, "LDAP_START_TLS": "maybe"})


# --- against a real directory ---------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def directory(tmp_path_factory):
    """A throwaway slapd on 127.0.0.1 with two people, stopped at the end."""
    if not Path(SLAPD).exists():
        pytest.skip("slapd is not installed (scripts/test.sh installs it)")
    ldap = pytest.importorskip("ldap")
    modlist = pytest.importorskip("ldap.modlist")
    base = tmp_path_factory.mktemp("slapd")
    (base / "data").mkdir()
    config = base / "slapd.conf"
    config.write_text(
        "\n".join(
            [
                "include /etc/ldap/schema/core.schema",
                "include /etc/ldap/schema/cosine.schema",
                "include /etc/ldap/schema/inetorgperson.schema",
                f"pidfile {base}/slapd.pid",
                "modulepath /usr/lib/ldap",
                "moduleload back_mdb",
                "database mdb",
                f'suffix "{SUFFIX}"',
                f'rootdn "{ROOT_DN}"',
                f"rootpw {ROOT_PW}",
                f"directory {base}/data",
                "",
            ]
        )
    )
    port = _free_port()
    uri = f"ldap://127.0.0.1:{port}"
    server = subprocess.Popen([SLAPD, "-f", str(config), "-h", f"{uri}/", "-d", "0"], stderr=subprocess.PIPE)
    try:
        connection = ldap.initialize(uri)
        for _ in range(100):
            try:
                connection.simple_bind_s(ROOT_DN, ROOT_PW)
                break
            except ldap.SERVER_DOWN:
                time.sleep(0.1)
        else:
            pytest.fail("slapd did not start")

        def add(dn, **attrs):
            entry = {
                k: [v.encode() if isinstance(v, str) else v for v in (vals if isinstance(vals, list) else [vals])]
                for k, vals in attrs.items()
            }
            connection.add_s(dn, modlist.addModlist(entry))

        add(SUFFIX, objectClass=["dcObject", "organization"], dc="court", o="court")
        add(f"ou=people,{SUFFIX}", objectClass="organizationalUnit", ou="people")
        yield {"uri": uri, "add": add}
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def ldap_on(directory, settings):
    for name, value in ldap_settings(
        {
            "LDAP_SERVER_URI": directory["uri"],
            "LDAP_BIND_DN": ROOT_DN,
            "LDAP_BIND_PASSWORD": ROOT_PW,
            "LDAP_USER_SEARCH_BASE": f"ou=people,{SUFFIX}",
            "LDAP_USER_FILTER": "(uid=%(user)s)",
            "LDAP_ID_NUMBER_ATTR": "employeeType",
            "LDAP_EMPLOYEE_NUMBER_ATTR": "employeeNumber",
        }
    ).items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        "accounts.ldap_backend.RosterLDAPBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]
    return directory


_people = iter(range(1000))


def _person(directory, uid, password, **attrs):
    n = next(_people)
    directory["add"](
        f"uid={uid}-{n},ou=people,{SUFFIX}",
        objectClass="inetOrgPerson",
        uid=f"{uid}-{n}",
        cn=uid,
        sn=uid,
        userPassword=password,
        **attrs,
    )
    return f"{uid}-{n}"


def _sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_a_directory_user_signs_in_as_their_member_matched_by_id_number(org, ldap_on, client):
    member = make_member(org.branch, name="李娜")
    uid = _person(ldap_on, "lina", "dir-pass-1", employeeType=member.id_number.lower())
    assert _sign_in(client, uid, "wrong").status_code == 200
    response = _sign_in(client, uid, "dir-pass-1")
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.user is not None and member.user.username == uid and not member.user.has_usable_password()
    assert client.get(reverse("pledges:my_record")).url == reverse("pledges:record", args=[member.pk])
    # The second time, the same account.
    client.logout()
    assert _sign_in(client, uid, "dir-pass-1").status_code == 302
    assert get_user_model().objects.filter(member=member).count() == 1
    # Leaving the organisation ends the directory session too.
    from datetime import date

    member_services.member_leave(member=member, on=date.today(), reason="deceased")
    assert client.get(reverse("home")).url.startswith(reverse("login"))


def test_matching_by_employee_number_uses_the_existing_account(org, ldap_on, client):
    member = make_member(org.branch, name="王强", employee_number="00042")
    user = member_with_login(member, "wangqiang")
    uid = _person(ldap_on, "wq", "dir-pass-2", employeeNumber="00042")
    assert _sign_in(client, uid, "dir-pass-2").status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_strangers_and_members_who_left_are_refused(org, ldap_on, client):
    stranger = _person(ldap_on, "stranger", "dir-pass-3", employeeNumber="99999")
    assert _sign_in(client, stranger, "dir-pass-3").status_code == 200
    gone = make_member(org.branch, name="赵敏")
    uid = _person(ldap_on, "zm", "dir-pass-4", employeeType=gone.id_number)
    from datetime import date

    member_services.member_leave(member=gone, on=date.today(), reason="transferred_out")
    assert _sign_in(client, uid, "dir-pass-4").status_code == 200
    assert "_auth_user_id" not in client.session


def test_local_passwords_still_work_with_the_directory_on(org, ldap_on, client):
    from tests.factories import PASSWORD

    assert _sign_in(client, "committee_user", PASSWORD).status_code == 302
