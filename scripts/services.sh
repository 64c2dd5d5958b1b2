# Sourced by test.sh and bench.sh. Makes sure PostgreSQL and Redis answer at DATABASE_URL and
# REDIS_URL; where nothing answers at the standard local ports, starts throwaway servers from the
# local binaries and registers their shutdown on exit.

SB_TMP=$(mktemp -d /tmp/star-branch-services.XXXXXX)
chmod 755 "$SB_TMP"
SB_CLEANUP=()

sb_cleanup() {
  local cmd
  for cmd in "${SB_CLEANUP[@]}"; do eval "$cmd" >/dev/null 2>&1 || true; done
  rm -rf "$SB_TMP"
}
trap sb_cleanup EXIT

sb_url_answers() {  # url default_port: does anything listen at the URL's host and port?
  python3 - "$1" "$2" <<'PY'
import socket, sys
from urllib.parse import urlsplit
url = urlsplit(sys.argv[1])
s = socket.socket()
s.settimeout(1)
sys.exit(0 if s.connect_ex((url.hostname or "127.0.0.1", url.port or int(sys.argv[2]))) == 0 else 1)
PY
}

sb_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

sb_ensure_postgres() {
  local configured="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/star_branch}"
  if sb_url_answers "$configured" 5432; then
    export DATABASE_URL="$configured"
    return
  fi
  echo "Nothing answers at ${configured}" >&2
  local bindir port
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$bindir" ]; then
    echo "PostgreSQL is not running and not installed; installing it" >&2
    apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
    bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  port=$(sb_free_port)
  echo "Starting a throwaway PostgreSQL on port $port" >&2
  mkdir -p "$SB_TMP/pg" && chown postgres "$SB_TMP/pg" 2>/dev/null || true
  local run=()
  [ "$(id -u)" = 0 ] && run=(runuser -u postgres --)
  "${run[@]}" "$bindir/initdb" -D "$SB_TMP/pg/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  "${run[@]}" "$bindir/pg_ctl" -D "$SB_TMP/pg/data" -l "$SB_TMP/pg/log" \
    -o "-p $port -k $SB_TMP/pg -c listen_addresses=127.0.0.1 -c fsync=off" -w start >/dev/null
  SB_CLEANUP+=("${run[*]} $bindir/pg_ctl -D $SB_TMP/pg/data -m fast stop")
  export DATABASE_URL="postgres://postgres@127.0.0.1:$port/star_branch"
}

sb_ensure_redis() {
  local configured="${REDIS_URL:-redis://127.0.0.1:6379/15}"
  if sb_url_answers "$configured" 6379; then
    export REDIS_URL="$configured"
    return
  fi
  echo "Nothing answers at ${configured}" >&2
  if ! command -v redis-server >/dev/null; then
    echo "Redis is not running and not installed; installing it" >&2
    apt-get update -qq && apt-get install -y -qq redis-server >/dev/null
  fi
  local port
  port=$(sb_free_port)
  echo "Starting a throwaway Redis on port $port" >&2
  redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --save '' --appendonly no \
    --pidfile "$SB_TMP/redis.pid" --logfile "$SB_TMP/redis.log" --dir "$SB_TMP"
  SB_CLEANUP+=("kill \$(cat $SB_TMP/redis.pid)")
  export REDIS_URL="redis://127.0.0.1:$port/15"
}

sb_ensure_chromium() {
  local missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  fc-list 2>/dev/null | grep -qi "wenquanyi\|wqy" || missing+=(fonts-wqy-microhei)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing ${missing[*]} for the browser tests" >&2
    local sudo=()
    [ "$(id -u)" = 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  export CHROMIUM_PATH="${CHROMIUM_PATH:-$(command -v chromium)}"
}

sb_ensure_pdf() {  # WeasyPrint's pango, a CJK font to embed, and pdftotext/pdffonts for the PDF tests
  local missing=()
  ldconfig -p | grep -q "libpango-1.0" || missing+=(libpango-1.0-0)
  ldconfig -p | grep -q "libpangoft2-1.0" || missing+=(libpangoft2-1.0-0)
  fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-wqy-microhei)
  command -v pdftotext >/dev/null && command -v pdffonts >/dev/null || missing+=(poppler-utils)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing ${missing[*]} for PDF output and its tests" >&2
    local sudo=()
    [ "$(id -u)" = 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

sb_ensure_slapd() {  # OpenLDAP's server, for the directory sign-in test (it starts its own slapd)
  if [ ! -x /usr/sbin/slapd ]; then
    echo "Installing slapd for the LDAP sign-in test" >&2
    local sudo=()
    [ "$(id -u)" = 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    # The package's own service is not wanted: the test runs a throwaway server.
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slapd ldap-utils >/dev/null
  fi
  export SLAPD_PATH="${SLAPD_PATH:-/usr/sbin/slapd}"
}
