"""Settings for the test suite: the app's own settings, on PostgreSQL and Redis.

scripts/test.sh exports DATABASE_URL and REDIS_URL (starting throwaway servers if none answer);
run directly, pytest falls back to the standard local ports.
"""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/star_branch")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
# Development-mode settings (no HTTPS redirect, no secure-only cookies): live_server speaks plain HTTP.
os.environ.setdefault("DEBUG", "true")
# Tests call tasks the way the app does; the Celery worker test turns this off for itself.
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")

from .settings import *  # noqa: E402,F403
from .settings import BASE_DIR  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", "accounts.hashers.OneTimePasswordHasher"]
# Hashed manifest names 404 under live_server; plain storage serves the files as they are.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / ".test-media"
AXES_FAILURE_LIMIT = 3
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
