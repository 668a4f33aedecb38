"""`Server-Timing` on each answer, for the benchmark's mixed phase (issue 21): off unless VIP_SERVER_TIMING.

    Server-Timing: app;dur=41.2, audit;dur=1.3, kept;desc=miss

- `app`: the request's time in Django, from this middleware (the first) in to its answer out, in ms.
- `audit`: the time spent in INSERTs into the audit trail (`vip_auditevent`) during the request, in ms, by
  an execute wrapper on the request's connection (Django's documented `connection.execute_wrapper`).
- `kept`: whether the kept pages the request asked for (`vip.kept`) were computed (`miss`: any one of them),
  served from the cache (`hit`), or the request asked for none (`none`: it is computed every time).

The bench (`bench/mixed.py`) tells a warm request from a cold one by `kept`, and the read-audit INSERT's share
of each request from `audit`/`app`. It changes nothing in what is answered, kept or audited: it only times.
The header names nothing about people or data; still, it says what was kept, so it stays off in production.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import connection

from vip import requestlocal

AUDIT_INSERT = 'INSERT INTO "vip_auditevent"'


def timed_audit_inserts(times: list[float]):
    """An execute wrapper adding to `times` the seconds each INSERT into the audit trail took (the benchmark's
    in-process measure uses it too: Django's CaptureQueriesContext keeps milliseconds only)."""

    def wrapper(execute, sql, params, many, context):
        if not sql.startswith(AUDIT_INSERT):
            return execute(sql, params, many, context)
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            times.append(time.perf_counter() - started)

    return wrapper


class ServerTimingMiddleware:
    def __init__(self, get_response):
        if not settings.VIP_SERVER_TIMING:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        audit: list[float] = []
        started = time.perf_counter()
        with connection.execute_wrapper(timed_audit_inserts(audit)):
            response = self.get_response(request)
        total = time.perf_counter() - started
        outcomes = requestlocal.kept_outcomes(request)
        kept = "none" if not outcomes else ("hit" if all(outcomes) else "miss")
        response["Server-Timing"] = f"app;dur={total * 1000:.2f}, audit;dur={sum(audit) * 1000:.2f}, kept;desc={kept}"
        return response
