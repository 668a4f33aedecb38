from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
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


# --- error pages: what is not allowed or not found, and where to go instead (issue #18 item 7) ------------
# An /api/ path answers JSON like every other API answer (DRF's own views answer JSON already; these cover a
# path no route matches, or a refusal raised outside DRF). Pages use the site's layout, with the menu for a
# signed-in person. The 404 page never says whether a record exists: the selectors answer 404 both for "not
# yours" and "does not exist" (vip/audit/middleware.py records both as a refused read).

NOT_FOUND = "Not found: check the address and the id."
FORBIDDEN = "Your role does not allow this."


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": NOT_FOUND, "code": "not_found"}, status=404)
    return render(request, "404.html", status=404)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    reason = str(exception or "") or FORBIDDEN
    if _is_api(request):
        return JsonResponse({"detail": reason, "code": "permission_denied"}, status=403)
    return render(request, "403.html", {"reason": reason}, status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """The form was sent without its security token (an old tab, or cookies blocked): say how to recover."""
    detail = "The form had expired or was sent without its security token. Reload the page and send it again."
    if _is_api(request):
        return JsonResponse({"detail": detail, "code": "csrf_failed"}, status=403)
    return render(request, "403_csrf.html", {"detail": detail}, status=403)
