"""What the REST API shares: the domain-error mapping and the Idempotency-Key replay."""

from __future__ import annotations

import hashlib
import json

from django.db import connection
from django.http import Http404
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from vip.errors import DomainError
from vip.models import IdempotencyRecord


def _flatten(errors) -> list[str]:
    if isinstance(errors, dict):
        return [
            f"{'' if key in ('non_field_errors', '__all__') else f'{key}: '}{msg}"
            for key, value in errors.items()
            for msg in _flatten(value)
        ]
    if isinstance(errors, list | tuple):
        return [msg for item in errors for msg in _flatten(item)]
    return [str(errors)]


def exception_handler(exc, context):
    """Every API error is JSON with `detail` (what to fix, in words) and `code`.

    A DomainError keeps its unmet conditions; DRF's field errors keep their fields (so a form can show each
    message next to its field) and gain a `detail` that says them all in one sentence.
    """
    if isinstance(exc, DomainError):
        status_code = 404 if exc.code == "not_found" else exc.status_code
        return Response(exc.as_dict(), status=status_code)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = getattr(exc, "default_code", "not_found" if isinstance(exc, Http404) else "error")
    if isinstance(response.data, dict):
        if "detail" not in response.data:
            messages = _flatten(response.data)
            response.data["detail"] = "Please correct: " + " ".join(messages) if messages else "Invalid request."
        elif not isinstance(response.data["detail"], str):
            response.data["detail"] = " ".join(_flatten(response.data["detail"]))
        response.data.setdefault("code", code)
    elif isinstance(response.data, list):
        response.data = {"detail": "Please correct: " + " ".join(_flatten(response.data)), "code": code}
    return response


def api_not_found(request, exception=None):
    """Django's 404 for /api/ paths no route matches: JSON like every other API answer."""
    from django.http import JsonResponse
    from django.views.defaults import page_not_found

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found: check the address and the id.", "code": "not_found"}, status=404)
    return page_not_found(request, exception)


def _request_hash(request) -> str:
    try:
        body = json.dumps(request.data, sort_keys=True, default=str)
    except TypeError:
        body = repr(request.data)
    return hashlib.sha256(f"{request.method} {request.path} {body}".encode()).hexdigest()


def _claim(request, key: str, digest: str) -> tuple[IdempotencyRecord, bool]:
    """The record of `key` for this user, and whether this request made it (and so is the one to apply).

    A new key costs one round trip: INSERT ... ON CONFLICT DO NOTHING RETURNING, where reading the key
    first, then inserting it in a transaction of its own, cost four. Of two simultaneous requests with the
    same key, the unique row per user and key lets one insert; the other waits for it to commit, inserts
    nothing, and reads the row.
    """
    record = IdempotencyRecord(
        user=request.user, key=key, method=request.method, path=request.path[:500], request_hash=digest
    )
    meta = IdempotencyRecord._meta
    fields = [field for field in meta.local_concrete_fields if not field.primary_key]
    values = [field.get_db_prep_save(field.pre_save(record, True), connection) for field in fields]
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "  # noqa: S608 - names
            f"VALUES ({', '.join(['%s'] * len(fields))}) ON CONFLICT DO NOTHING RETURNING {qn(meta.pk.column)}",
            values,
        )
        inserted = cursor.fetchone()
    if inserted is None:
        return IdempotencyRecord.objects.get(user=request.user, key=key), False
    record.pk = inserted[0]
    record._state.adding, record._state.db = False, connection.alias
    return record, True


def idempotent(view_method):
    """Apply a POST carrying an `Idempotency-Key` header once; a retry gets the first answer again.

    The same key with a different body is refused with 422. The key is claimed in the database (a unique
    row per user and key) so two simultaneous retries cannot both apply.
    """

    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key or request.method != "POST":
            return view_method(self, request, *args, **kwargs)
        if len(key) > 200:
            return Response(
                {"detail": "The Idempotency-Key header is too long (200 characters at most).", "code": "invalid"},
                status=400,
            )
        digest = _request_hash(request)
        existing, created = _claim(request, key, digest)
        if not created:
            if existing.request_hash != digest:
                return Response(
                    {
                        "detail": "This Idempotency-Key was already used for a different request. Use a new key for a new submission.",
                        "code": "idempotency_mismatch",
                    },
                    status=status.HTTP_422_UNPROCESSABLE_ENTITY,
                )
            if existing.response_status is None:
                return Response(
                    {
                        "detail": "The first request with this key is still being processed. Retry in a moment.",
                        "code": "in_progress",
                    },
                    status=409,
                )
            response = Response(existing.response_body, status=existing.response_status)
            response["Idempotent-Replay"] = "true"
            return response
        try:
            response = view_method(self, request, *args, **kwargs)
        except Exception as exc:
            handled = exception_handler(exc, {"request": request, "view": self})
            if handled is None or isinstance(exc, Http404):
                existing.delete()
                raise
            response = handled
        if response.status_code >= 500:
            existing.delete()
            return response
        existing.response_status = response.status_code
        existing.response_body = response.data if hasattr(response, "data") else None
        existing.save(update_fields=["response_status", "response_body"])
        return response

    wrapper.__name__ = view_method.__name__
    wrapper.__doc__ = view_method.__doc__
    return wrapper
