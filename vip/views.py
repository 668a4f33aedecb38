from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from drf_spectacular.views import SpectacularSwaggerSplitView

from vip import roles


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role where it works."""
    return redirect(roles.home_url_name(request.user))


@login_required
def no_role(request: HttpRequest) -> HttpResponse:
    return render(request, "no_role.html", status=403)


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


# Swagger UI (drf-spectacular-sidecar, our own static files) with its init script served from a URL, so
# script-src stays 'self'. Swagger UI writes inline styles, so this one page allows them; nothing else does.
api_docs = csp_update({"style-src": ["'unsafe-inline'"]})(SpectacularSwaggerSplitView.as_view(url_name="schema"))


@login_required
def floor(request: HttpRequest) -> HttpResponse:
    """A signed-in page that does nothing: the benchmark's floor (session + auth middleware, no queries of ours)."""
    return HttpResponse("ok", content_type="text/plain")
