#!/usr/bin/env bash
# `make bench`: compute_quarter, rate_year and export_year at the scale of a province, each beside a
# floor measured in the same run (see bench/benchmarks.py); every main page of the committee and of a
# branch secretary (bench/pages.py); the year archive of the largest branch and the committee's search
# of every record. Not part of `make test`.
#
# For each size a dedicated database (BENCH_DB, default star_branch_bench) is dropped, created,
# migrated and filled by seed_scale; the jobs run in fresh processes; the database is dropped at the
# end unless BENCH_KEEP=1. Sizes: BENCH_SIZES (default "100 1000 5000"). Results (one JSON line per
# measurement) go to BENCH_RESULTS (default a new file under /tmp), then the table is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
source scripts/services.sh

sb_ensure_postgres
SIZES=${BENCH_SIZES:-"100 1000 5000"}
YEAR=${BENCH_YEAR:-$(($(date +%Y) - 1))}
BENCH_DB=${BENCH_DB:-star_branch_bench}
RESULTS=${BENCH_RESULTS:-$(mktemp /tmp/star-branch-bench.XXXXXX.jsonl)}
SERVER=${DATABASE_URL%/*}
# Nothing is served: development settings need no SECRET_KEY. Jobs log only warnings.
export DEBUG=true LOG_LEVEL=WARNING

recreate() {  # database name; "drop" to drop only
  DATABASE_URL="$SERVER/postgres" $BIN/python - "$1" "${2:-}" <<'PY'
import sys, psycopg2, dj_database_url, os
cfg = dj_database_url.parse(os.environ["DATABASE_URL"])
conn = psycopg2.connect(dbname="postgres", user=cfg["USER"], password=cfg["PASSWORD"] or None,
                        host=cfg["HOST"] or None, port=cfg["PORT"] or None)
conn.autocommit = True
with conn.cursor() as cur:
    cur.execute(f'DROP DATABASE IF EXISTS "{sys.argv[1]}" WITH (FORCE)')
    if sys.argv[2] != "drop":
        cur.execute(f'CREATE DATABASE "{sys.argv[1]}"')
PY
}

echo "Benchmark: sizes $SIZES, year $YEAR, database $SERVER/$BENCH_DB, results $RESULTS"
for n in $SIZES; do
  echo "== N = $n"
  recreate "$BENCH_DB"
  export DATABASE_URL="$SERVER/$BENCH_DB"
  $BIN/python manage.py migrate --noinput -v0
  started=$(date +%s%N)
  $BIN/python manage.py seed_scale --branches "$n" --year "$YEAR"
  ms=$((($(date +%s%N) - started) / 1000000))
  echo "{\"n\": $n, \"job\": \"seed_scale\", \"time\": $((ms / 1000)).$(printf %03d $((ms % 1000)))}" >>"$RESULTS"
  # A database in use has been visited by autovacuum: hint bits set, visibility map and statistics
  # current. Without this the first job pays for setting hint bits on a million freshly loaded rows.
  $BIN/python manage.py shell --no-imports -c "
from django.db import connection
connection.ensure_connection()
connection.connection.autocommit = True
connection.cursor().execute('VACUUM (ANALYZE)')"
  # Each job in a process of its own, so the process's peak memory is that job's.
  $BIN/python manage.py bench --year "$YEAR" --step quarter --results "$RESULTS"
  $BIN/python manage.py bench --year "$YEAR" --step quarters  # untimed: the year is rated on them
  $BIN/python manage.py bench --year "$YEAR" --step year --results "$RESULTS"
  $BIN/python manage.py bench --year "$YEAR" --step export --results "$RESULTS"
  $BIN/python manage.py bench --year "$YEAR" --step archive --results "$RESULTS"
  # After the jobs: the rating review shows the year's proposal. DEBUG is switched off for the requests.
  $BIN/python manage.py bench --year "$YEAR" --step pages --results "$RESULTS"
  echo "{\"n\": $n, \"job\": \"loadavg\", \"loadavg\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"}" >>"$RESULTS"
done
export DATABASE_URL="$SERVER/postgres"
[ "${BENCH_KEEP:-0}" = 1 ] || recreate "$BENCH_DB" drop
echo
$BIN/python manage.py bench --report "$RESULTS"
