#!/usr/bin/env bash
# `make test`: the checks CI runs. Lint, migrations, then the suite on real services.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
source scripts/services.sh

sb_ensure_chromium
sb_ensure_pdf
sb_ensure_postgres
sb_ensure_redis
sb_ensure_slapd
echo "Database: $DATABASE_URL  Broker: $REDIS_URL  Chromium: $CHROMIUM_PATH"

$BIN/ruff check .
$BIN/ruff format --check .
$BIN/mypy
# No database needed to compare models with migrations.
SQLITE_PATH=:memory: env -u DATABASE_URL -u REDIS_URL $BIN/python manage.py makemigrations --check --dry-run
# Every core (one pytest-xdist process per CPU): each process has its own test database, media folder
# and Redis keys (tests/conftest.py). Whole modules go to one process (loadscope), so a module that
# seeds data once for its tests (the demo) seeds it once. Pass -n 0 to run in one process.
$BIN/pytest -n auto --dist loadscope "$@"
