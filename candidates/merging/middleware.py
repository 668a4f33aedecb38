"""A page of a merged-away record answers with a redirect to the same page of the surviving record."""

from __future__ import annotations

from django.http import HttpResponseRedirect

from candidates.selectors import MergedAway


class MergedRecordMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, MergedAway):
            return HttpResponseRedirect(exception.location(request.get_full_path()))
        return None
