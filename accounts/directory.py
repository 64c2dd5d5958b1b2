"""Optional sign-in against the organisation's directory (LDAP / Active Directory).

Off unless LDAP_SERVER_URI is set (config/settings.py reads the variables below through
`ldap_settings`). A directory user signs in with their directory name and password; the app then
finds their member record by ID-card number or by employee number (工号) held in the directory, and
signs them in as that member's account, creating it on first sign-in. A directory user who matches
nobody on the roster, or a member who has left the organisation, is refused. Roles are still granted
in the app (on the unit's page), never read from the directory.

This module holds what settings and tests read without a database (the variables, the attributes
of an entry); the backend is in accounts/ldap_backend.py. python-ldap is imported only when the
directory is switched on.
"""

from collections.abc import Mapping, Sequence

from django.core.exceptions import ImproperlyConfigured

# Variables (see docs/features/accounts.md, "Signing in with the directory").
ENV = {
    "LDAP_SERVER_URI": "",  # e.g. ldap://dc1.court.example — empty: directory sign-in off
    "LDAP_BIND_DN": "",  # a read-only service account; empty: anonymous search
    "LDAP_BIND_PASSWORD": "",
    "LDAP_USER_SEARCH_BASE": "",  # e.g. ou=法院,dc=court,dc=example
    "LDAP_USER_FILTER": "(sAMAccountName=%(user)s)",  # OpenLDAP: (uid=%(user)s)
    "LDAP_ID_NUMBER_ATTR": "",  # the attribute holding the ID-card number, if any
    "LDAP_EMPLOYEE_NUMBER_ATTR": "employeeID",  # the one holding the 工号 (AD: employeeID)
    "LDAP_START_TLS": "false",
}


def _first(attrs: Mapping[str, Sequence], name: str) -> str | None:
    """The first value of attribute `name` (any case), as text, or None."""
    if not name:
        return None
    for key, values in attrs.items():
        if key.lower() == name.lower() and values:
            value = values[0]
            text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
            return text.strip() or None
    return None


def directory_keys(attrs: Mapping[str, Sequence], *, id_attr: str, employee_attr: str) -> tuple[str | None, str | None]:
    """(ID-card number, employee number) of a directory entry, as the roster writes them."""
    number = _first(attrs, id_attr)
    return (number.upper() if number else None), _first(attrs, employee_attr)


def ldap_settings(environ: Mapping[str, str]) -> dict:
    """django-auth-ldap's settings from the environment; {} when LDAP_SERVER_URI is unset."""
    value = {name: environ.get(name, default) for name, default in ENV.items()}
    if not value["LDAP_SERVER_URI"]:
        return {}
    import ldap
    from django_auth_ldap.config import LDAPSearch

    if not value["LDAP_USER_SEARCH_BASE"]:
        raise ImproperlyConfigured("LDAP_SERVER_URI is set: LDAP_USER_SEARCH_BASE must be set too")
    if not (value["LDAP_ID_NUMBER_ATTR"] or value["LDAP_EMPLOYEE_NUMBER_ATTR"]):
        raise ImproperlyConfigured("Set LDAP_ID_NUMBER_ATTR or LDAP_EMPLOYEE_NUMBER_ATTR to match the roster")
    start_tls = value["LDAP_START_TLS"].strip().lower()
    if start_tls not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
        raise ImproperlyConfigured(f"LDAP_START_TLS must be true or false, not {value['LDAP_START_TLS']!r}")
    return {
        "AUTH_LDAP_SERVER_URI": value["LDAP_SERVER_URI"],
        "AUTH_LDAP_BIND_DN": value["LDAP_BIND_DN"],
        "AUTH_LDAP_BIND_PASSWORD": value["LDAP_BIND_PASSWORD"],
        "AUTH_LDAP_USER_SEARCH": LDAPSearch(
            value["LDAP_USER_SEARCH_BASE"], ldap.SCOPE_SUBTREE, value["LDAP_USER_FILTER"]
        ),
        "AUTH_LDAP_START_TLS": start_tls in ("1", "true", "yes", "on"),
        # Referrals make AD searches hang; the user's own entry is all we read.
        "AUTH_LDAP_CONNECTION_OPTIONS": {ldap.OPT_REFERRALS: 0, ldap.OPT_NETWORK_TIMEOUT: 5},
        "AUTH_LDAP_ALWAYS_UPDATE_USER": False,
        "AUTH_LDAP_MATCH_ID_ATTR": value["LDAP_ID_NUMBER_ATTR"],
        "AUTH_LDAP_MATCH_EMPLOYEE_ATTR": value["LDAP_EMPLOYEE_NUMBER_ATTR"],
    }
