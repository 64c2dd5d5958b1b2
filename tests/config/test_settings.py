"""Production settings: the documented variables give a deployment that passes Django's checks."""

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import settings as app_settings

ROOT = Path(__file__).resolve().parents[2]  # the repository: tests/config/ is two levels down

# What docs/deployment.md tells an operator to set in production.
PRODUCTION_ENV = {
    "DATABASE_URL": "postgres://starbranch@db.internal:5432/starbranch",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "SECRET_KEY": "k3J9x-Qw8Zr2pLm5Tn7Vb4Yc6Ud1Hs0Ga_Fe3Dq8Wr5Ty2Ui9Op4As7Df1Gh6Jk0L",
    "DEBUG": "false",
    "ALLOWED_HOSTS": "dangjian.court.example",
    "CSRF_TRUSTED_ORIGINS": "https://dangjian.court.example",
    # docs/features/security.md: ID-card numbers are encrypted under this key.
    "FIELD_ENCRYPTION_KEY": "b3RoZXItdGhhbi10aGUtZGV2LWtleS0zMi1ieXRlcyE=",
}


def manage(*args, env=None, extra_env=None):
    """Run manage.py in a clean environment: only what is passed, not what the test run set."""
    base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8"}
    environment = {**base, "DJANGO_SETTINGS_MODULE": "config.settings", **(env or PRODUCTION_ENV), **(extra_env or {})}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_passes_with_the_documented_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_when_a_safety_is_switched_off():
    # The check above means something: turning off the HTTPS redirect is reported.
    result = manage("check", "--deploy", "--fail-level", "WARNING", extra_env={"SECURE_SSL_REDIRECT": "false"})
    assert result.returncode != 0
    assert "security.W008" in result.stderr


def test_collectstatic_works_with_the_manifest_storage(tmp_path):
    result = manage("collectstatic", "--noinput", extra_env={"STATIC_ROOT": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    hashed_css = manifest["vendor/bootstrap/bootstrap.min.css"]
    assert hashed_css != "vendor/bootstrap/bootstrap.min.css"
    assert (tmp_path / hashed_css).exists()
    # The source map the stylesheet names is collected and rewritten to its hashed name too.
    hashed_map = manifest["vendor/bootstrap/bootstrap.min.css.map"]
    assert Path(hashed_map).name in (tmp_path / hashed_css).read_text()
    assert (tmp_path / (hashed_css + ".gz")).exists()  # whitenoise serves it compressed


def test_gunicorn_config_loads():
    gunicorn = Path(sys.executable).parent / "gunicorn"
    result = subprocess.run(
        [str(gunicorn), "--check-config", "-c", "config/gunicorn.conf.py", "config.wsgi"],
        cwd=ROOT,
        env={**PRODUCTION_ENV, "PATH": os.environ["PATH"], "WEB_CONCURRENCY": "3"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("raw,expected", [("true", True), ("On", True), ("1", True), ("no", False), ("0", False)])
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("SB_FLAG", raw)
    assert app_settings.env_bool("SB_FLAG", default=not expected) is expected


def test_env_bool_default_when_unset_or_empty(monkeypatch):
    monkeypatch.delenv("SB_FLAG", raising=False)
    assert app_settings.env_bool("SB_FLAG", default=True) is True
    monkeypatch.setenv("SB_FLAG", "")
    assert app_settings.env_bool("SB_FLAG", default=False) is False


def test_a_bad_boolean_is_refused(monkeypatch):
    monkeypatch.setenv("SB_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SB_FLAG must be true or false"):
        app_settings.env_bool("SB_FLAG", default=False)


def test_a_bad_integer_is_refused(monkeypatch):
    monkeypatch.setenv("SB_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="SB_NUMBER must be an integer"):
        app_settings.env_int("SB_NUMBER", 10)


def test_env_list_splits_on_commas_and_trims(monkeypatch):
    monkeypatch.setenv("SB_HOSTS", " a.example , b.example,, ")
    assert app_settings.env_list("SB_HOSTS", []) == ["a.example", "b.example"]


def load_settings(monkeypatch, **env):
    """Execute config/settings.py afresh with exactly these variables (the test run sets others)."""
    for name in (
        "DATABASE_URL",
        "REDIS_URL",
        "SECRET_KEY",
        "DEBUG",
        "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
        "FIELD_ENCRYPTION_KEY",
        "FIELD_ENCRYPTION_KEYS_OLD",
        "TRUSTED_PROXIES",
        "SECURE_PROXY_SSL_HEADER_ENABLED",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "config" / "settings.py"))


def test_no_secret_key_with_debug_off_is_refused(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY must be set"):
        load_settings(monkeypatch, DEBUG="false")


def test_a_bad_debug_value_stops_the_settings(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="DEBUG must be true or false"):
        load_settings(monkeypatch, DEBUG="yes please")


def test_nothing_set_runs_embedded(monkeypatch):
    loaded = load_settings(monkeypatch)
    assert loaded["DEBUG"] is True
    assert loaded["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert loaded["CELERY_TASK_ALWAYS_EAGER"] is True


def test_a_database_url_turns_debug_off_and_hardens(monkeypatch):
    loaded = load_settings(monkeypatch, **PRODUCTION_ENV)
    assert loaded["DEBUG"] is False
    assert loaded["DATABASES"]["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert loaded["SESSION_COOKIE_SECURE"] and loaded["CSRF_COOKIE_SECURE"] and loaded["SECURE_SSL_REDIRECT"]
    assert loaded["CELERY_BROKER_URL"] == PRODUCTION_ENV["REDIS_URL"]
    assert loaded["STORAGES"]["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
