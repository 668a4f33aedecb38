from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

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


@login_required
def floor(request: HttpRequest) -> HttpResponse:
    """A signed-in page that does nothing: the benchmark's floor (session + auth middleware, no queries of ours)."""
    return HttpResponse("ok", content_type="text/plain")
