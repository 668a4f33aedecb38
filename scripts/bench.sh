#!/usr/bin/env bash
# `make bench`: fill a PostgreSQL database with made-up data at a city's scale, serve the product with
# gunicorn on it, drive each endpoint with wrk at a concurrency of 4, then a mix of reads and writes at 8,
# time the reminder sweep, and print the figures against the targets (docs/performance.md).
#
#   BENCH_SCALE=1.0     100,000 candidates, 300,000 CNs, 5,000,000 audit rows (0.01 for a quick run; 4 for
#                       400,000 candidates, 1.2 M CNs, 20 M audit rows)
#   BENCH_DB_NAME       the bench database, dropped and re-created (default vip_benchdata)
#   BENCH_PG_URL        the server to create it on (default: DATABASE_URL's server; without DATABASE_URL,
#                       the embedded PostgreSQL under var/pg, started for the run and stopped after it)
#   BENCH_REUSE=1       keep the database already filled (skip drop, create and generation)
#   BENCH_DURATION=20   seconds per endpoint; BENCH_WORKERS=4 gunicorn sync workers
#   BENCH_MIXED_DURATION  seconds of the mixed phase of reads and writes at concurrency 8 (bench/mixed.py;
#                       default three times BENCH_DURATION)
#   BENCH_REPLICA=1     measure the dashboard on a standby (scripts/replica.py) beside the mixed phase
#   BENCH_DROP=1        drop the database at the end (disk)
#   BENCH_STRICT=1      exit 1 when a row fails its target
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
[ -n "${BENCH_PG_URL:-}${DATABASE_URL:-}" ] || exec $PY scripts/embedded_pg.py run -- "$0" "$@"
# The bench database is filled and served with the one URL below (its role owns the tables): a
# DATABASE_OWNER_URL of another database would be refused by the settings.
unset DATABASE_OWNER_URL
SCALE="${BENCH_SCALE:-1.0}"
PG_URL="${BENCH_PG_URL:-${DATABASE_URL%/*}/postgres}"
DB_NAME="${BENCH_DB_NAME:-vip_benchdata}"
DB_URL="${PG_URL%/*}/${DB_NAME}"

command -v wrk >/dev/null || { echo "make bench needs wrk: apt-get install -y wrk" >&2; exit 1; }
[[ "$DB_NAME" =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "BENCH_DB_NAME must be a plain name" >&2; exit 1; }

admin() {  # run one statement on the server, outside a transaction
  $PY - "$PG_URL" "$1" <<'PYEOF'
import sys, psycopg2
connection = psycopg2.connect(sys.argv[1], connect_timeout=5)
connection.autocommit = True
connection.cursor().execute(sys.argv[2])
PYEOF
}

if [ "${BENCH_REUSE:-0}" != "1" ]; then
  echo "bench: re-creating ${DB_NAME} and filling it at scale ${SCALE}"
  admin "DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)"
  admin "CREATE DATABASE ${DB_NAME}"
  DATABASE_URL="$DB_URL" $PY -m bench.generate --scale "$SCALE"
fi

export DATABASE_URL="$DB_URL" DEBUG=0 DJANGO_SETTINGS_MODULE=vip.settings
# Tasks queued by a transition (on commit) go to a Redis database of the bench's own when Redis answers.
BENCH_REDIS_URL="${BENCH_REDIS_URL:-redis://127.0.0.1:6379/8}"
if $PY -c "import redis,sys; redis.Redis.from_url(sys.argv[1], socket_connect_timeout=1).ping()" "$BENCH_REDIS_URL" 2>/dev/null; then
  export REDIS_URL="$BENCH_REDIS_URL"
fi
status=0
$PY -m bench.run || status=$?

if [ "${BENCH_DROP:-0}" = "1" ]; then
  admin "DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)"
fi
exit "$status"
