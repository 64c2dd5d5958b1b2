"""Settings for Star Branch.

Everything that differs between machines comes from the environment. With nothing set the app runs
embedded: SQLite next to the code and Celery tasks executed in-process, so `make run` works on a
fresh machine. Set DATABASE_URL and REDIS_URL to run on PostgreSQL with real workers and beat.
"""

import base64
import binascii
import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from accounts.directory import ldap_settings
from assessment.schedules import beat_schedule
from config.email_url import parse_email_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default="DATABASE_URL" not in os.environ)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    # Only for the embedded development default; production must set its own.
    SECRET_KEY = "insecure-development-key-star-branch-change-me-in-production-0123456789"


def checked_key(raw: str, name: str) -> str:
    """A 32-byte key in URL-safe base64, checked at start-up so a typo never reaches the data."""
    try:
        length = len(base64.urlsafe_b64decode(raw.encode("ascii")))
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise ImproperlyConfigured(f"{name} is not URL-safe base64") from exc
    if length != 32:
        raise ImproperlyConfigured(f"{name} must be 32 random bytes in URL-safe base64 (44 characters)")
    return raw


def env_proxies() -> list[str]:
    """TRUSTED_PROXIES (or gunicorn's older FORWARDED_ALLOW_IPS): addresses or networks, or `none`.

    `*` is refused: trusting every peer lets anyone write their own address. config/gunicorn.conf.py
    reads the same variables the same way.
    """
    raw = os.environ.get("TRUSTED_PROXIES") or os.environ.get("FORWARDED_ALLOW_IPS") or "127.0.0.1,::1"
    if raw.strip().lower() in ("none", "off"):
        return []
    items = [item.strip() for item in raw.split(",") if item.strip()]
    for item in items:
        try:
            ipaddress.ip_network(item)
        except ValueError as exc:
            raise ImproperlyConfigured(f"TRUSTED_PROXIES: {item!r} is not an IP address or network") from exc
    return items


# ID-card numbers are stored AES-GCM encrypted under this key (security/crypto.py). Losing it loses
# the numbers: keep it with the database backups, apart from them. Rotation: docs/features/security.md.
FIELD_ENCRYPTION_KEY = env_str("FIELD_ENCRYPTION_KEY").strip()
if FIELD_ENCRYPTION_KEY:
    checked_key(FIELD_ENCRYPTION_KEY, "FIELD_ENCRYPTION_KEY")
elif not DEBUG:
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must be set when DEBUG is off")
else:
    # Only for the embedded development default, like SECRET_KEY above.
    FIELD_ENCRYPTION_KEY = base64.urlsafe_b64encode(b"insecure-dev-field-key-star-brch").decode()
# Keys earlier values may still be written with, while `rotate_encryption_key` rewrites them.
FIELD_ENCRYPTION_KEYS_OLD = [
    checked_key(key, "FIELD_ENCRYPTION_KEYS_OLD") for key in env_list("FIELD_ENCRYPTION_KEYS_OLD", [])
]

# The reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (security/proxy.py);
# from any other peer those headers are dropped. Loopback by default: the proxy on the same host,
# in front of gunicorn bound to 127.0.0.1 (config/gunicorn.conf.py reads the same variable).
TRUSTED_PROXIES = env_proxies()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # OpClass in index expressions (the trigram index of activities/search.py); harmless on SQLite.
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_celery_beat",
    "simple_history",
    "treebeard",
    "axes",
    "core",
    "csp",
    "branches",
    "security",
    "imports",
    "members",
    "activities",
    "dues",
    "assessment",
    "recruitment",
    "demo",
    "bench",
    "accounts",
    "notices",
]

MIDDLEWARE = [
    # First: X-Forwarded-* from anyone but TRUSTED_PROXIES is dropped before anything reads it.
    "security.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "security.middleware.PermissionsPolicyMiddleware",
    # Before anything reads the body (CSRF reads the form): an upload larger than any the app takes
    # is a 413 at once, with the security headers above.
    "config.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed by the app, not the proxy (docs/deployment.md): a committee page of 100 table
    # rows is 90 % smaller. Above everything that reads or writes the body, below whitenoise, which
    # serves its own pre-compressed files. It pads each response against BREACH (Django ≥ 4.2).
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.ChosenLanguageMiddleware",
    # The database down: the Chinese 503 page, before anything below reads the session or the user.
    "core.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A user still on a one-time password reaches only the password change page (and logout).
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it must see the final response of a failed login.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "branches.context_processors.navigation",
                "notices.context_processors.unread_notices",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # A database host that does not answer: give up after DB_CONNECT_TIMEOUT seconds (libpq
        # would wait for ever) and show the 503 page (core.middleware).
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", env_int("DB_CONNECT_TIMEOUT", 5))
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # Axes first so a locked-out account is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Optional sign-in against the organisation's directory (LDAP / AD): off unless LDAP_SERVER_URI is
# set; the LDAP_* variables are read in accounts/directory.py (docs/features/accounts.md). Local
# passwords keep working after it (the committee's own accounts, members not in the directory).
_LDAP = ldap_settings(os.environ)
if _LDAP:
    globals().update(_LDAP)
    AUTHENTICATION_BACKENDS.insert(1, "accounts.ldap_backend.RosterLDAPBackend")

# Django's defaults, in its order (the first hashes every password a person chooses), plus the
# cheaper one for the random one-time passwords the app hands out (accounts/hashers.py).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "accounts.hashers.OneTimePasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout in two tiers (security/lockout.py, docs/features/security.md). First the username together
# with the address the attempts come from: AXES_FAILURE_LIMIT failures lock that pair only, so a
# stranger guessing a committee member's password locks himself out, not the member at her desk.
# Then the username alone, from everywhere: once AXES_USERNAME_FAILURE_LIMIT failures have come from
# several addresses (each address counting at most AXES_FAILURE_LIMIT), against password spraying.
# Both locks last AXES_COOLOFF_MINUTES. The address is the one security/proxy.py resolves.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_USERNAME_FAILURE_LIMIT = env_int("AXES_USERNAME_FAILURE_LIMIT", 30)
if AXES_USERNAME_FAILURE_LIMIT <= AXES_FAILURE_LIMIT:
    raise ImproperlyConfigured("AXES_USERNAME_FAILURE_LIMIT must be larger than AXES_FAILURE_LIMIT")
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "security.lockout.TieredAxesHandler"
AXES_CLIENT_IP_CALLABLE = "security.proxy.client_ip"
AXES_USERNAME_CALLABLE = "security.lockout.attempted_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# The sign-in log (security.SignInEvent) records every sign-in and sign-out; axes' own AccessLog
# would be a second, never-pruned copy.
AXES_DISABLE_ACCESS_LOG = True
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS", [])
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The covering index of submitted meetings (activities 0011) carries INCLUDE columns, a PostgreSQL
    # speed-up for the compliance ranking; SQLite (the laptop demo) builds it without them, as it should.
    SILENCED_SYSTEM_CHECKS.append("models.W040")

# How long the sign-in log is kept. China's Cybersecurity Law (art. 21) asks for at least six months.
SIGNIN_LOG_RETENTION_DAYS = env_int("SIGNIN_LOG_RETENTION_DAYS", 365)

# Content-Security-Policy (django-csp): scripts, styles, fonts and images from this site only; no
# inline script, no inline event handler, no inline style, no eval (htmx runs with allowEval off,
# see base.html). Bootstrap's CSS draws its icons (select arrows, close buttons) as data: images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Permissions-Policy: every powerful browser feature off, but full screen for the pledge wall.
PERMISSIONS_POLICY = {
    **{
        feature: []
        for feature in (
            "accelerometer",
            "autoplay",
            "camera",
            "display-capture",
            "encrypted-media",
            "geolocation",
            "gyroscope",
            "magnetometer",
            "microphone",
            "midi",
            "payment",
            "picture-in-picture",
            "publickey-credentials-get",
            "screen-wake-lock",
            "serial",
            "usb",
            "xr-spatial-tracking",
        )
    },
    "fullscreen": ["self"],
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Uploaded attachments are never served as static files: views check who may see them.
MEDIA_URL = "/media-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env_str(
            "STATICFILES_BACKEND",
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

# Decided here rather than from settings.DEBUG at request time: the test runner switches DEBUG off
# while STATIC_ROOT has never been collected, and whitenoise would then warn on every test client.
WHITENOISE_AUTOREFRESH = DEBUG

FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# Bounded uploads (core/uploads.py, docs/configuration.md#uploads-and-imports). Sizes in bytes.
MB = 1024 * 1024
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_MB", 20) * MB  # an .xlsx as uploaded
# Any request body: the largest upload (an import; attachments are capped at 10 MB) and the form around it.
REQUEST_MAX_BYTES = max(IMPORT_MAX_UPLOAD_BYTES, 10 * MB) + MB
IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_MAX_UNCOMPRESSED_MB", 200) * MB  # all its parts unzipped
IMPORT_MAX_SHARED_STRINGS_BYTES = env_int("IMPORT_MAX_SHARED_STRINGS_MB", 50) * MB  # held in memory whole
IMPORT_MAX_COMPRESSION_RATIO = env_int("IMPORT_MAX_COMPRESSION_RATIO", 150)  # per part of 1 MB or more
IMPORT_MAX_PARTS = env_int("IMPORT_MAX_PARTS", 1000)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 50_000)  # data rows per sheet
# An import larger than this (declared rows, or unzipped bytes) runs as a background job.
IMPORT_JOB_ROWS = env_int("IMPORT_JOB_ROWS", 2_000)
IMPORT_JOB_BYTES = env_int("IMPORT_JOB_MB", 5) * MB
# How many of an import's errors its page lists; the rest are in the marked workbook to download.
IMPORT_ERRORS_SHOWN = 50

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Celery. Without REDIS_URL tasks run in-process (the embedded default); with it they go to workers.
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 3600)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker killed mid-task: its unacknowledged message goes back to the queue (a child of the prefork
# pool at once, a whole worker after the broker's visibility timeout) and the task runs again. Every
# task is safe to run twice (its job is claimed by status and rewritten whole).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Redis down: sending a task (a request starting a job) fails within about BROKER_TIMEOUT seconds
# instead of holding the request ~20 s through Celery's default retries; core.tasks.enqueue_on_commit
# then records the job as not started. A worker's own reconnecting is not affected.
BROKER_TIMEOUT = env_int("BROKER_TIMEOUT", 2)
_SEND_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_TIMEOUT
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": BROKER_TIMEOUT}
CELERY_TASK_PUBLISH_RETRY_POLICY = _SEND_RETRY_POLICY
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = BROKER_TIMEOUT
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": _SEND_RETRY_POLICY}
# The heartbeat of a running job (core.tasks): its row's heartbeat_at is renewed every
# JOB_HEARTBEAT_SECONDS while the task runs; a running job silent for JOB_STALE_SECONDS (its worker
# died) is marked failed by the STALE_JOBS_CRON sweep (assessment/schedules.py).
JOB_HEARTBEAT_SECONDS = env_int("JOB_HEARTBEAT_SECONDS", 30)
JOB_STALE_SECONDS = env_int("JOB_STALE_SECONDS", 180)
if JOB_HEARTBEAT_SECONDS < 1 or JOB_STALE_SECONDS < 2 * JOB_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured("JOB_STALE_SECONDS must be at least twice JOB_HEARTBEAT_SECONDS (and that at least 1)")
# Periodic jobs (quarterly check, yearly rating, daily notices): QUARTER_CHECK_CRON, RATE_YEAR_CRON,
# NOTICES_CRON, see assessment/schedules.py.
CELERY_BEAT_SCHEDULE = beat_schedule()

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)

# Mail for notices (config/email_url.py): smtp://user:password@host:port, smtp+tls://…, smtp+ssl://….
# Unset, every mail is printed to the console (the log) and goes nowhere: the embedded default.
EMAIL_CONFIG = parse_email_url(env_str("EMAIL_URL"))
EMAIL_BACKEND = EMAIL_CONFIG.backend
EMAIL_HOST = EMAIL_CONFIG.host
EMAIL_PORT = EMAIL_CONFIG.port
EMAIL_HOST_USER = EMAIL_CONFIG.user
EMAIL_HOST_PASSWORD = EMAIL_CONFIG.password
EMAIL_USE_TLS = EMAIL_CONFIG.use_tls
EMAIL_USE_SSL = EMAIL_CONFIG.use_ssl
# Seconds before an SMTP server or a work-chat robot that does not answer counts as a failed attempt.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "星级支部 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The address people reach the site at: links in mails and work-chat messages point here.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Production hardening: on whenever DEBUG is off, so `check --deploy` passes with the documented
# variables set. Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER_ENABLED=true.
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading is a promise made to browser vendors by submitting a public domain; a court's
        # intranet host cannot be preloaded, so leaving it off is a decision, not an oversight.
        SILENCED_SYSTEM_CHECKS.append("security.W021")
    SECURE_CONTENT_TYPE_NOSNIFF = True
    if env_bool("SECURE_PROXY_SSL_HEADER_ENABLED", False):
        if not TRUSTED_PROXIES:
            # The header is dropped from every peer but a trusted proxy: every request would redirect.
            raise ImproperlyConfigured("SECURE_PROXY_SSL_HEADER_ENABLED needs the proxy's address in TRUSTED_PROXIES")
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # runserver's reloader logs its start at INFO, repeating what runserver itself prints.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "django.utils.autoreload": {"level": "WARNING"}},
}
