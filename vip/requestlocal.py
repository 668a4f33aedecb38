"""The request being served, for audit rows written deep inside services (IP address, user agent)."""

from contextvars import ContextVar

_request: ContextVar = ContextVar("vip_request", default=None)


def current_request():
    return _request.get()


class RequestLocalMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def note_read(obj) -> None:
    """Keep a record the request read through its access rules, so the read's audit row names it without
    reading it again (vip/audit/middleware.py)."""
    request = current_request()
    if request is not None:
        request.__dict__.setdefault("_vip_read", {})[(obj._meta.label, str(obj.pk))] = obj


def read_by_request(request, object_type: str, object_id: str):
    """The record `note_read` kept for this request, or None."""
    return request.__dict__.get("_vip_read", {}).get((object_type, object_id))


def note_kept(hit: bool) -> None:
    """Whether a kept value this request asked for was served from the cache (`vip.kept`), for the
    Server-Timing header the benchmark reads (`vip.server_timing`)."""
    request = current_request()
    if request is not None:
        request.__dict__.setdefault("_vip_kept", []).append(hit)


def kept_outcomes(request) -> list[bool]:
    """Each kept value the request asked for: True when it was served kept, False when it was computed."""
    return request.__dict__.get("_vip_kept", [])
