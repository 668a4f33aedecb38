"""Reports read from a PostgreSQL streaming replica (issue 21, part 5; docs/operations.md, "A read replica").

With DATABASE_REPLICA_URL set, settings add the database alias `replica` and `ReplicaRouter`. Then:

- Only the views decorated with `reads_replica` (the dashboard, its drill-downs and cohort pages, the exports,
  the transparency report) read the replica, through a per-request marker (a context variable) the router
  reads. Every other read, every read of a Celery task or a command, and every write go to the primary.
- Inside such a view, the first write (the router's `db_for_write`: a snapshot stored, an export's audit row)
  ends the replica's part: everything the request reads after it, and every read inside a transaction on the
  primary, reads the primary, so a request always sees what it wrote.
- Read-your-writes across requests: a user whose request was not safe (POST, PUT, PATCH, DELETE, through the
  pages, the tablet or the API, by session or token) reads the primary for VIP_REPLICA_STICKY_SECONDS after
  it. The mark is kept in the cache (Redis in production, shared by every web process and host), by user id,
  so it holds for API token clients too, which carry no cookie.
- An unreachable replica, or one more than VIP_REPLICA_MAX_LAG_SECONDS behind, is not used: the request reads
  the primary instead of failing. Each process checks it at most every VIP_REPLICA_CHECK_SECONDS.

Without DATABASE_REPLICA_URL there is no `replica` alias and no router, and the decorator and middleware
do nothing: every query goes to the primary as before.
"""

from __future__ import annotations

import logging
import threading
import time
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

REPLICA = "replica"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})  # RFC 9110: the others change something
STICKY_KEY = "replica-sticky:{}"

logger = logging.getLogger(__name__)


@dataclass
class _Reading:
    """The request being served reads the replica until it writes."""

    wrote: bool = False


_reading: ContextVar[_Reading | None] = ContextVar("vip_replica_reading", default=None)


def configured() -> bool:
    return REPLICA in settings.DATABASES


def reading_replica() -> bool:
    """Whether a read now goes to the replica: inside a `reads_replica` view that has not written, outside
    any transaction on the primary."""
    state = _reading.get()
    return state is not None and not state.wrote and not connections[DEFAULT_DB_ALIAS].in_atomic_block


class ReplicaRouter:
    """DATABASE_ROUTERS when DATABASE_REPLICA_URL is set (vip/settings)."""

    def db_for_read(self, model, **hints):
        return REPLICA if reading_replica() else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        state = _reading.get()
        if state is not None:
            state.wrote = True  # what the request reads after its first write, it reads from the primary
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The project's only aliases are the primary and its physical copy: the same rows on both, so a record
        # read from the replica may be linked to one read from the primary (and Django's `_state.db`, private,
        # need not be read to tell them apart).
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA else None  # a standby is read-only: it gets the primary's schema by WAL


# --- read-your-writes ---------------------------------------------------------------------------------------


def _sticky_key(user) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return STICKY_KEY.format(user.pk)


def mark_wrote(user) -> None:
    """`user` just made a change: their reads go to the primary for VIP_REPLICA_STICKY_SECONDS."""
    key = _sticky_key(user)
    if key is not None and settings.VIP_REPLICA_STICKY_SECONDS > 0:
        cache.set(key, 1, timeout=settings.VIP_REPLICA_STICKY_SECONDS)


def wrote_recently(user) -> bool:
    key = _sticky_key(user)
    return key is not None and cache.get(key) is not None


class ReplicaStickyMiddleware:
    """After a request that is not safe, its user reads the primary for a few seconds (read-your-writes).

    The user is read after the view answered: an API request authenticates by token inside the view (DRF sets
    the request's user then), and a sign-in names its user only once done. Marked whatever the answer: a
    refused write may have written (its audit row, a lockout) and costs the user only a few primary reads."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in SAFE_METHODS and configured():
            mark_wrote(getattr(request, "user", None))
        return response


# --- is the replica there, and close enough behind? ---------------------------------------------------------

_LAG_SQL = (
    "SELECT CASE WHEN NOT pg_is_in_recovery() OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
    " ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) END"
)
_verdict_lock = threading.Lock()
_verdict: tuple[float, bool] = (float("-inf"), False)  # (monotonic time checked, usable)


def replica_usable() -> bool:
    """Whether the replica answers and has replayed the primary's changes of the last
    VIP_REPLICA_MAX_LAG_SECONDS: checked once per VIP_REPLICA_CHECK_SECONDS per process (one query)."""
    global _verdict
    checked, usable = _verdict
    now = time.monotonic()
    if now - checked < settings.VIP_REPLICA_CHECK_SECONDS:
        return usable
    with _verdict_lock:
        usable = _check()
        _verdict = (time.monotonic(), usable)
    return usable


def _check() -> bool:
    replica = connections[REPLICA]
    try:
        with replica.cursor() as cursor:
            cursor.execute(_LAG_SQL)
            lag = float(cursor.fetchone()[0])
    except DatabaseError as exc:
        logger.warning("The read replica is not used (the primary answers instead): %s", exc)
        replica.close()  # a broken connection is opened again at the next check
        return False
    if lag > settings.VIP_REPLICA_MAX_LAG_SECONDS:
        logger.warning("The read replica is %.0f s behind the primary: the primary answers instead.", lag)
        return False
    return True


def reads_replica(view):
    """The view's reads go to the replica, unless its user wrote in the last VIP_REPLICA_STICKY_SECONDS or the
    replica is down or behind. Its writes, and its reads after a write, go to the primary (the router)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not configured() or wrote_recently(getattr(request, "user", None)) or not replica_usable():
            return view(request, *args, **kwargs)
        token = _reading.set(_Reading())
        try:
            return view(request, *args, **kwargs)
        finally:
            _reading.reset(token)

    return wrapper
