"""One idempotency layer for every retried POST: the REST API's `Idempotency-Key` header (`vip.api.idempotent`)
and the tablet forms' hidden key (notifications/tablet.py), so a retry is applied once whatever sent it.

The rules, here only:

- A key is its user's: one `IdempotencyRecord` per user and key. The same key from two users is two keys.
- The first request claims the key (one INSERT ... ON CONFLICT DO NOTHING) and runs. What it applies and the
  answer it keeps commit in one transaction, so a claim without an answer means nothing was applied.
- A refusal applies nothing and keeps nothing: the key is free again (the officer corrects the form and sends
  it with the same key), and a retry is decided afresh.
- A retry of the same request gets the kept answer, but only when the caller's check says the user may still
  see what it shows (`still_visible`, asked now): a CN taken off their team or a person sealed since is
  "gone", and the caller answers its usual 404, never the kept body.
- Another request under a key already used is a "mismatch" (the caller answers 422).
- A retry while the first request runs waits up to VIP_IDEMPOTENCY_WAIT for its answer, then is "in progress"
  (409). A claim left unanswered for VIP_IDEMPOTENCY_CLAIM_TIMEOUT was left by a crashed request: the next
  retry takes it over. Should the first request finish after all, its answer no longer finds its claim and
  it is rolled back, so the step is still applied once.
- Answers are kept VIP_IDEMPOTENCY_KEPT_FOR (24 hours). An older key is new again, and the hourly beat task
  `vip.tasks.purge_expired_idempotency_records` deletes its row (`purge_expired`).

A foundation module: it knows no app's records. Each caller says how to re-check access to what it answered.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone

from vip.models import IdempotencyRecord

T = TypeVar("T")
KEY_MAX_LENGTH = IdempotencyRecord._meta.get_field("key").max_length
POLL_SECONDS = 0.2  # how often a retry waiting for the first request looks for its answer


class Verdict(Enum):
    APPLIED = "applied"  # this request ran and was applied; its answer is kept for the retries
    REFUSED = "refused"  # this request ran and was refused: nothing applied, nothing kept, the key is free
    REPLAYED = "replayed"  # a retry of a request applied before: here is its answer
    GONE = "gone"  # a retry, but the user may no longer see what the answer shows: a 404
    MISMATCH = "mismatch"  # the key was used for another request: a 422
    IN_PROGRESS = "in_progress"  # the first request with this key is still running: a 409


@dataclass(frozen=True)
class Answer:
    """What a request answered, kept for its retries: an HTTP status and a JSON body."""

    status: int
    body: Any


@dataclass(frozen=True)
class Outcome(Generic[T]):
    verdict: Verdict
    result: T | None = None  # APPLIED, REFUSED: what `apply` returned
    answer: Answer | None = None  # REPLAYED: the kept answer


def key_problem(key: str) -> str | None:
    """What makes `key` unusable, to follow "The key ..." in a 400, or None. A key is kept as text: no NUL
    byte (PostgreSQL refuses one) nor other control character, and at most KEY_MAX_LENGTH characters."""
    if len(key) > KEY_MAX_LENGTH:
        return f"is too long ({KEY_MAX_LENGTH} characters at most)"
    if any(ord(char) < 32 or ord(char) == 127 for char in key):
        return "has a control character (a NUL byte, say): use printable characters only"
    return None


def fingerprint(method: str, path: str, body: Any) -> str:
    """The request a key was used for (method, address and body), to tell a retry from another request."""
    try:
        text = json.dumps(body, sort_keys=True, default=str)
    except TypeError:  # keys that do not sort together
        text = repr(body)
    return hashlib.sha256(f"{method} {path} {text}".encode()).hexdigest()


def once(
    *,
    user,
    key: str,
    request_fingerprint: str,
    path: str,
    apply: Callable[[], T],
    answer_of: Callable[[T], Answer | None],
    still_visible: Callable[[Answer], bool],
) -> Outcome[T]:
    """Run `apply` at most once for this user's `key`, or say what to answer instead.

    `answer_of(result)` is the answer to keep for retries, or None for a refusal (rolled back, nothing kept).
    `still_visible(answer)` re-checks, at the retry, that the user may still see what the answer shows; it
    returns False (or raises the caller's own 404) when not. An exception from `apply` frees the key and
    goes on up. Without a key, `apply` simply runs.
    """
    if not key:
        result = apply()
        return Outcome(Verdict.REFUSED if answer_of(result) is None else Verdict.APPLIED, result=result)
    claimed = _claim(user, key, request_fingerprint, path, still_visible)
    if isinstance(claimed, Outcome):
        return claimed
    try:
        with transaction.atomic():
            result = apply()
            answer = answer_of(result)
            if answer is None:
                raise _Refused(result)
            if not _keep(claimed, answer):
                raise _TakenOver
    except _Refused as refused:
        _release(claimed)
        return Outcome(Verdict.REFUSED, result=refused.result)
    except _TakenOver:
        return Outcome(Verdict.IN_PROGRESS)
    except BaseException:
        _release(claimed)
        raise
    return Outcome(Verdict.APPLIED, result=result)


def purge_expired() -> int:
    """Delete the keys older than VIP_IDEMPOTENCY_KEPT_FOR, with their answers; how many.

    One statement: QuerySet.delete() would first read every row (and its kept body) to send signals."""
    meta = IdempotencyRecord._meta
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {quote(meta.db_table)} WHERE {quote(meta.get_field('created_at').column)} <= %s",  # noqa: S608 - names
            [timezone.now() - settings.VIP_IDEMPOTENCY_KEPT_FOR],
        )
        return cursor.rowcount


# --- the claim ----------------------------------------------------------------------------------------------


class _Refused(Exception):
    def __init__(self, result):
        super().__init__("refused")
        self.result = result


class _TakenOver(Exception):
    """The claim was taken over by a retry meanwhile: this request's work is rolled back."""


def _claim(user, key: str, digest: str, path: str, still_visible: Callable[[Answer], bool]) -> int | Outcome:
    """The id of this request's claim of the key, or the outcome that answers it instead."""
    wait_until = time.monotonic() + settings.VIP_IDEMPOTENCY_WAIT.total_seconds()
    while True:
        claimed = _insert(user, key, digest, path)
        if claimed is not None:
            return claimed
        record = _read(user, key)
        if record is None:
            continue  # refused meanwhile: claim it again
        if record.stale:
            _free(record)
            continue
        if record.request_hash != digest:
            return Outcome(Verdict.MISMATCH)
        if record.response_status is not None:
            answer = Answer(record.response_status, record.response_body)
            return Outcome(Verdict.REPLAYED, answer=answer) if still_visible(answer) else Outcome(Verdict.GONE)
        if time.monotonic() >= wait_until:
            return Outcome(Verdict.IN_PROGRESS)
        time.sleep(POLL_SECONDS)  # the first request is still running: wait for its answer


def _insert(user, key: str, digest: str, path: str) -> int | None:
    """Claim the key in one statement (the ORM's create() in a transaction of its own took four round
    trips): the new row's id, or None when the user's key is already there. Of two simultaneous claims, the
    unique row per user and key lets one in; the other waits for it to commit and inserts nothing."""
    meta = IdempotencyRecord._meta
    quote = connection.ops.quote_name
    values = {
        "user": user.pk,
        "key": key,
        "method": "POST",
        "path": path[: meta.get_field("path").max_length],
        "request_hash": digest,
        "created_at": timezone.now(),
    }
    columns = ", ".join(quote(meta.get_field(name).column) for name in values)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(values))}) "  # noqa: S608 - names
            f"ON CONFLICT DO NOTHING RETURNING {quote(meta.pk.column)}",
            list(values.values()),
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _stale() -> Q:
    """A key free to claim again: its answer expired, or its claim was abandoned by a crashed request."""
    now = timezone.now()
    expired = Q(created_at__lte=now - settings.VIP_IDEMPOTENCY_KEPT_FOR)
    abandoned = Q(response_status__isnull=True, created_at__lte=now - settings.VIP_IDEMPOTENCY_CLAIM_TIMEOUT)
    return expired | abandoned


def _read(user, key: str) -> IdempotencyRecord | None:
    """The user's record of `key`, with `stale` (`_stale()`, decided by the database)."""
    stale = ExpressionWrapper(_stale(), output_field=BooleanField())
    return IdempotencyRecord.objects.filter(user=user, key=key).annotate(stale=stale).first()


def _free(record: IdempotencyRecord) -> None:
    """Delete a stale record, if it still is: an answer written meanwhile keeps it (its UPDATE holds the row
    until it commits, and the DELETE then tests the row as committed)."""
    IdempotencyRecord.objects.filter(_stale(), pk=record.pk).delete()


def _keep(claimed: int, answer: Answer) -> bool:
    """Write the answer on this request's claim; False when a retry took the claim over meanwhile."""
    kept = IdempotencyRecord.objects.filter(pk=claimed, response_status__isnull=True)
    return kept.update(response_status=answer.status, response_body=answer.body) == 1


def _release(claimed: int) -> None:
    """Nothing was applied: let the key go, so that it may be used again."""
    IdempotencyRecord.objects.filter(pk=claimed, response_status__isnull=True).delete()
