"""Start-up refuses security settings that would silently weaken the app."""

import runpy
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from .conftest import fixed_key

SETTINGS = Path(__file__).resolve().parents[2] / "config" / "settings.py"
PRODUCTION = {
    "DATABASE_URL": "postgres://starbranch@db.internal:5432/starbranch",
    "SECRET_KEY": "k3J9x-Qw8Zr2pLm5Tn7Vb4Yc6Ud1Hs0Ga_Fe3Dq8Wr5Ty2Ui9Op4As7Df1Gh6Jk0L",
    "DEBUG": "false",
    "ALLOWED_HOSTS": "dangjian.court.example",
    "FIELD_ENCRYPTION_KEY": fixed_key("production"),
}
VARIABLES = (
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "FIELD_ENCRYPTION_KEY",
    "FIELD_ENCRYPTION_KEYS_OLD",
    "TRUSTED_PROXIES",
    "FORWARDED_ALLOW_IPS",
    "SECURE_PROXY_SSL_HEADER_ENABLED",
    "AXES_FAILURE_LIMIT",
    "AXES_USERNAME_FAILURE_LIMIT",
)


def load(monkeypatch, **env):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


def test_production_needs_the_encryption_key(monkeypatch):
    without = {name: value for name, value in PRODUCTION.items() if name != "FIELD_ENCRYPTION_KEY"}
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEY must be set"):
        load(monkeypatch, **without)
    assert load(monkeypatch, **PRODUCTION)["FIELD_ENCRYPTION_KEY"] == fixed_key("production")


@pytest.mark.parametrize("variable", ["FIELD_ENCRYPTION_KEY", "FIELD_ENCRYPTION_KEYS_OLD"])
@pytest.mark.parametrize("bad", ["too-short", "not base64 at all!!", "c2hvcnQ="])
def test_a_malformed_key_stops_start_up(monkeypatch, variable, bad):
    with pytest.raises(ImproperlyConfigured, match=variable):
        load(monkeypatch, **{**PRODUCTION, variable: bad})


def test_old_keys_are_a_list(monkeypatch):
    loaded = load(monkeypatch, **PRODUCTION, FIELD_ENCRYPTION_KEYS_OLD=f"{fixed_key('a')}, {fixed_key('b')}")
    assert loaded["FIELD_ENCRYPTION_KEYS_OLD"] == [fixed_key("a"), fixed_key("b")]


def test_debug_uses_a_development_key(monkeypatch):
    assert len(load(monkeypatch)["FIELD_ENCRYPTION_KEY"]) == 44


def test_the_proxy_header_needs_a_trusted_proxy(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        load(monkeypatch, **PRODUCTION, SECURE_PROXY_SSL_HEADER_ENABLED="true", TRUSTED_PROXIES="none")
    loaded = load(monkeypatch, **PRODUCTION, SECURE_PROXY_SSL_HEADER_ENABLED="true")
    assert loaded["TRUSTED_PROXIES"] == ["127.0.0.1", "::1"]
    assert loaded["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")


def test_the_name_limit_must_exceed_the_address_limit(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="AXES_USERNAME_FAILURE_LIMIT"):
        load(monkeypatch, AXES_FAILURE_LIMIT="10", AXES_USERNAME_FAILURE_LIMIT="10")
    loaded = load(monkeypatch)
    assert (loaded["AXES_FAILURE_LIMIT"], loaded["AXES_USERNAME_FAILURE_LIMIT"]) == (5, 30)
    assert loaded["AXES_LOCKOUT_PARAMETERS"] == [["username", "ip_address"]]
    assert "axes.W006" not in loaded["SILENCED_SYSTEM_CHECKS"]
