#!/usr/bin/env bash
# Run the whole suite on PostgreSQL: DATABASE_URL when set, otherwise the embedded PostgreSQL under var/pg
# (started for this run and stopped after it). Redis: REDIS_URL, else 127.0.0.1:6379 if it answers; without
# it the tests needing Redis say they were skipped and why, and VIP_REQUIRE_SERVICES=1 (CI) turns those
# skips into failures. pytest's exit 5 (no tests collected) is a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
[ -n "${DATABASE_URL:-}" ] || exec $PY scripts/embedded_pg.py run -- "$0" "$@"

probe_redis() {
  $PY - "$1" <<'PYEOF' >/dev/null 2>&1
import sys, redis
assert redis.Redis.from_url(sys.argv[1], socket_connect_timeout=1).ping()
PYEOF
}

if [ -z "${REDIS_URL:-}" ] && probe_redis "redis://127.0.0.1:6379/0"; then
  export REDIS_URL="redis://127.0.0.1:6379/0"
fi
# Two database roles, as production (docs/operations.md, "Database roles"): the owner creates and migrates the
# test database and sets up the app role on it; every test connects as the app role (conftest.py). Given
# DATABASE_URL alone (as CI gives it, or the embedded server), it is the owner's, and the app role is
# VIP_APP_ROLE (vip_app) on the same server; given DATABASE_OWNER_URL too, DATABASE_URL is the app role's.
export DATABASE_OWNER_URL="${DATABASE_OWNER_URL:-$DATABASE_URL}"
echo "make test: database ${DATABASE_URL}, broker ${REDIS_URL:-none (Redis tests skip)}; the owner migrates, the tests connect as the app role"

$PY -m pytest "$@"
status=$?
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure." >&2
  exit 1
fi
exit "$status"
