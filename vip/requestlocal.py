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
