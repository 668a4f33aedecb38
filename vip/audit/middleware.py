"""Log every read of a sensitive record, and every refused one (CJIS AU-2; issue #5).

After the view answers, if the resolved URL is a declared sensitive read (a candidate page, a CN page,
a tablet delivery page, the API detail of a candidate or a delivery) the middleware writes:
- READ for a successful GET (2xx) by a signed-in user, with the object id from the URL;
- DENIED when such a URL answered 403 or 404 to a signed-in user: "a read of a juvenile's record by a
  user outside the rules is refused and logged". The selectors answer 404 for both "not yours" and
  "does not exist", so the row says the read was refused, never which.

Views keep no audit code: the declaration below is the one list. Sub-pages of a record (tabs, the
printable letter) count as reads of it when their namespace is declared with the object kwarg.
"""

from __future__ import annotations

from vip.audit import audit_denied, audit_read
from vip.requestlocal import read_by_request

# view_name (namespace:name) -> (object type label, URL kwarg holding its id; "pk" also accepts the aliases below)
SENSITIVE_READS: dict[str, tuple[str, str]] = {
    "candidates:detail": ("candidates.Candidate", "pk"),
    "notifications:detail": ("notifications.Delivery", "pk"),
    "candidate-detail": ("candidates.Candidate", "pk"),
    "delivery-detail": ("notifications.Delivery", "pk"),
    "api_delivery": ("notifications.Delivery", "pk"),
    "admin:candidates_candidate_change": ("candidates.Candidate", "object_id"),
    "admin:notifications_delivery_change": ("notifications.Delivery", "object_id"),
    # The admin runs on the OTP-verified site, whose namespace is "otpadmin".
    "otpadmin:candidates_candidate_change": ("candidates.Candidate", "object_id"),
    "otpadmin:notifications_delivery_change": ("notifications.Delivery", "object_id"),
    # The Records Custodian's sealing pages show the person; anyone else is refused them (404, NMSA 32A-2-26).
    "audit:seal": ("candidates.Candidate", "pk"),
    "audit:unseal": ("candidates.Candidate", "pk"),
}
# Any other page in these namespaces whose URL carries the kwarg is a read of that record too
# (e.g. "cn/<pk>/letter/", "tablet/<pk>/encounter/").
SENSITIVE_NAMESPACES: dict[str, tuple[str, str]] = {
    "candidates": ("candidates.Candidate", "pk"),
    "notifications": ("notifications.Delivery", "pk"),
    "tablet": ("notifications.Delivery", "pk"),
}
# API routes named by DRF routers: "<basename>-<action>".
SENSITIVE_API_BASENAMES: dict[str, tuple[str, str]] = {
    "candidate": ("candidates.Candidate", "pk"),
    "delivery": ("notifications.Delivery", "pk"),
}

# Other spellings of the record's id in a URL ("cn/<int:delivery_pk>/letter/").
PK_ALIASES: dict[str, tuple[str, ...]] = {
    "candidates.Candidate": ("candidate_pk", "candidate_id"),
    "notifications.Delivery": ("delivery_pk", "delivery_id"),
}


def sensitive_target(match) -> tuple[str, str] | None:
    """(object type, object id) when the resolved URL reads a sensitive record, else None."""
    if match is None:
        return None
    declared = SENSITIVE_READS.get(match.view_name)
    if declared is None and match.namespace in SENSITIVE_NAMESPACES:
        declared = SENSITIVE_NAMESPACES[match.namespace]
    if declared is None and match.url_name:
        declared = next(
            (v for base, v in SENSITIVE_API_BASENAMES.items() if match.url_name.startswith(f"{base}-")), None
        )
    if declared is None:
        return None
    object_type, kwarg = declared
    names = [kwarg, *PK_ALIASES.get(object_type, ())] if kwarg == "pk" else [kwarg]
    object_id = next((match.kwargs[n] for n in names if match.kwargs.get(n) not in (None, "")), None)
    if object_id is None:
        return None
    return object_type, str(object_id)


class AuditReadMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        try:
            self._record(request, response)
        except Exception:  # the audit must never turn a good answer into an error page...
            if response.status_code < 400:
                raise  # ...except that an unrecorded read must not be served (AU-5 fail closed)
        return response

    def _record(self, request, response) -> None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return
        target = sensitive_target(getattr(request, "resolver_match", None))
        if target is None:
            return
        object_type, object_id = target
        status = response.status_code
        if request.method in ("GET", "HEAD") and 200 <= status < 300:
            from django.apps import apps

            obj = read_by_request(request, object_type, object_id)  # the view read it already, in the rules
            if obj is None:
                obj = apps.get_model(object_type)._base_manager.filter(pk=object_id).first()
            if obj is not None:
                audit_read(user, obj, request, note=request.path[:200])
            return
        if status in (403, 404):
            audit_denied(
                user,
                object_type=object_type,
                object_id=object_id,
                request=request,
                note=f"{request.method} {request.path[:200]} answered {status}.",
            )
