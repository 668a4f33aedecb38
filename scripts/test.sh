#!/usr/bin/env bash
# Run the whole suite. DATABASE_URL when set; otherwise the local PostgreSQL if it answers; otherwise
# SQLite, where tests needing PostgreSQL or Redis say they were skipped and why. VIP_REQUIRE_SERVICES=1
# (CI) turns those skips into failures. pytest's exit 5 (no tests collected) is a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

probe_pg() {
  $PY - "$1" <<'PYEOF' >/dev/null 2>&1
import sys, psycopg2
psycopg2.connect(sys.argv[1], connect_timeout=2).close()
PYEOF
}
probe_redis() {
  $PY - "$1" <<'PYEOF' >/dev/null 2>&1
import sys, redis
assert redis.Redis.from_url(sys.argv[1], socket_connect_timeout=1).ping()
PYEOF
}

if [ -z "${DATABASE_URL:-}" ] && probe_pg "postgresql://postgres@127.0.0.1:5432/postgres"; then
  export DATABASE_URL="postgresql://postgres@127.0.0.1:5432/vip"
fi
if [ -z "${REDIS_URL:-}" ] && probe_redis "redis://127.0.0.1:6379/0"; then
  export REDIS_URL="redis://127.0.0.1:6379/0"
fi
echo "make test: database ${DATABASE_URL:-SQLite (no PostgreSQL found)}, broker ${REDIS_URL:-none (Redis tests skip)}"

$PY -m pytest "$@"
status=$?
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure." >&2
  exit 1
fi
exit "$status"
