"""What the REST API shares: the domain-error mapping and the Idempotency-Key replay."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from vip import idempotency
from vip.errors import DomainError


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


def idempotent(still_visible: Callable[[APIView, Any], bool]):
    """A POST carrying an `Idempotency-Key` header is applied once (the rules: vip/idempotency.py).

    A retry gets the first answer again (with `Idempotent-Replay: true`), once `still_visible(view, body)`
    says the user may still see what that answer shows (it returns False, or raises the endpoint's own 404,
    when not: the retry is then a 404, never the kept body). The same key with a different body is refused
    with 422; a retry while the first request runs, with 409.
    """

    def decorate(view_method):
        @wraps(view_method)
        def wrapper(self, request, *args, **kwargs):
            key = request.headers.get("Idempotency-Key", "").strip() if request.method == "POST" else ""
            if not key:
                return view_method(self, request, *args, **kwargs)
            problem = idempotency.key_problem(key)
            if problem:
                return Response({"detail": f"The Idempotency-Key header {problem}.", "code": "invalid"}, status=400)
            outcome = idempotency.once(
                user=request.user,
                key=key,
                request_fingerprint=idempotency.fingerprint(request.method, request.path, request.data),
                path=request.path,
                apply=lambda: view_method(self, request, *args, **kwargs),
                answer_of=_kept_answer,
                still_visible=lambda answer: still_visible(self, answer.body),
            )
            return _answer(outcome)

        return wrapper

    return decorate


def _kept_answer(response) -> idempotency.Answer | None:
    """A success is kept for the retries; a refusal or an error is not (nothing was applied)."""
    if response.status_code >= 400:
        return None
    return idempotency.Answer(response.status_code, getattr(response, "data", None))


def _answer(outcome: idempotency.Outcome) -> Response:
    verdict = idempotency.Verdict
    if outcome.verdict in (verdict.APPLIED, verdict.REFUSED):
        return outcome.result
    if outcome.verdict is verdict.REPLAYED:
        response = Response(outcome.answer.body, status=outcome.answer.status)
        response["Idempotent-Replay"] = "true"
        return response
    if outcome.verdict is verdict.GONE:
        raise Http404
    if outcome.verdict is verdict.MISMATCH:
        return Response(
            {
                "detail": "This Idempotency-Key was already used for a different request. Use a new key for a new submission.",
                "code": "idempotency_mismatch",
            },
            status=status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    return Response(
        {
            "detail": "The first request with this key is still being processed. Retry in a moment.",
            "code": "in_progress",
        },
        status=409,
    )
