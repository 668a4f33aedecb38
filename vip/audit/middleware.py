"""One audit row per request that shows people or is refused (CJIS AU-2, AU-3; issues #5 and 17).

After the view answers, for a signed-in user, the middleware writes at most ONE row (one INSERT):

- READ when the answer showed people's records: every record of a declared model (`vip.audit.reads`) the
  request loaded to answer, by type and id, with what was asked (path and query). A list, a search, the
  board, the tablet's list, a detail page and the people it links to: whatever the view, nothing to remember
  in it. Its `object_type` and `object_id` name the record of a detail URL (declared below), else the first
  type the answer showed (and its id when it showed one). A declared list (`PEOPLE_LISTS`) is recorded even
  when it showed nobody: a search that found no one still says what was asked. An answer "shows" when it is
  a success (2xx) or a form or body refused and shown again with its records (400, 409, 422: the intake form
  with its possible duplicates, the API's 409 with them); a redirect shows nothing.
- DENIED when the request was refused (403 or 404) by a view: "a read of a juvenile's record by a user outside
  the rules is refused and logged", and so is a refused write (a POST to a CN the user may not see). The
  row names the record of the URL when the URL says which (the declarations below), else only the path.
  The selectors answer 404 for both "not yours" and "does not exist", so the row says the read was refused,
  never which. An address that leads to no view at all (a typo, /favicon.ico) refuses no record: no row.
- Nothing when the view wrote the request's read, export or refusal row itself (an export names every row it
  lets out, `reports.exports.record_export`), nor for an anonymous request.

Fail closed (AU-5): an answer that shows records is not served if its row could not be written.
"""

from __future__ import annotations

from vip.audit import audit, audit_denied, reads
from vip.models import AuditEvent
from vip.requestlocal import read_by_request

# view_name (namespace:name) -> (object type label, URL kwarg holding its id; "pk" also accepts the aliases below)
SENSITIVE_READS: dict[str, tuple[str, str]] = {
    "candidates:detail": ("candidates.Candidate", "pk"),
    "notifications:detail": ("notifications.Delivery", "pk"),
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
# API routes by the start of their name: DRF routers name them "<basename>-<action>"; the CN API "api_delivery...".
SENSITIVE_API_NAMES: dict[str, tuple[str, str]] = {
    "candidate-": ("candidates.Candidate", "pk"),
    "influencer-": ("candidates.Influencer", "pk"),
    "referral-": ("candidates.Referral", "pk"),
    "eligibility-basis-": ("candidates.EligibilityBasis", "pk"),
    "membership-": ("candidates.GroupMembership", "pk"),
    "service-offer-": ("candidates.ServiceOffer", "pk"),
    "outcome-event-": ("candidates.OutcomeEvent", "pk"),
    "shooting-": ("candidates.Shooting", "pk"),
    "gvis-meeting-": ("candidates.GVISMeeting", "pk"),
    "api_delivery": ("notifications.Delivery", "pk"),
}
# Other spellings of the record's id in a URL ("cn/<int:delivery_pk>/letter/").
PK_ALIASES: dict[str, tuple[str, ...]] = {
    "candidates.Candidate": ("candidate_pk", "candidate_id"),
    "notifications.Delivery": ("delivery_pk", "delivery_id"),
}
# Lists and searches of people: a successful GET is recorded even when it showed nobody (what was asked).
PEOPLE_LISTS: frozenset[str] = frozenset(
    {
        "candidates:list",
        "candidates:intelligence",
        "candidate-list",
        "candidate-possible-duplicates",
        "influencer-list",
        "referral-list",
        "eligibility-basis-list",
        "membership-list",
        "shooting-list",
        "gvis-meeting-list",
        "service-offer-list",
        "outcome-event-list",
        "api_deliveries",
        "notifications:board",
        "notifications:my_deliveries",
        "tablet:home",
        "tablet:briefings",
        "reports:drill",
        "reports:services",
        "reports:outcomes",
        "audit:review",
        "notifications:corrections",
        "finding:search",
        "finding:caseload",
        "finding:calendar",
    }
)
QUERY_VALUE_MAX = 200  # characters of each asked value kept in the row


def sensitive_target(match) -> tuple[str, str] | None:
    """(object type, object id) when the resolved URL names one sensitive record, else None."""
    if match is None:
        return None
    declared = SENSITIVE_READS.get(match.view_name)
    if declared is None and match.namespace in SENSITIVE_NAMESPACES:
        declared = SENSITIVE_NAMESPACES[match.namespace]
    if declared is None and match.url_name:
        declared = next((v for start, v in SENSITIVE_API_NAMES.items() if match.url_name.startswith(start)), None)
    if declared is None:
        return None
    object_type, kwarg = declared
    names = [kwarg, *PK_ALIASES.get(object_type, ())] if kwarg == "pk" else [kwarg]
    object_id = next((match.kwargs[n] for n in names if match.kwargs.get(n) not in (None, "")), None)
    if object_id is None:
        return None
    return object_type, str(object_id)[:64]


def asked(request) -> dict:
    """What was asked, as the read row keeps it: the method, the path and the query's parameters."""
    query = {}
    for key in list(request.GET)[:50]:
        values = [v[:QUERY_VALUE_MAX] for v in request.GET.getlist(key)[:20]]
        query[key[:QUERY_VALUE_MAX]] = values[0] if len(values) == 1 else values
    return {"method": request.method, "path": request.path[:500], "query": query}


def shows_records(status: int) -> bool:
    """An answer whose body shows what it read: a success, or a form or body refused and shown again."""
    return 200 <= status < 300 or status in (400, 409, 422)


class AuditReadMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with reads.collecting() as frame:
            response = self.get_response(request)
        try:
            self._record(request, response, frame)
        except Exception:  # the audit must never turn a refusal into an error page...
            if shows_records(response.status_code):
                raise  # ...but an unrecorded read must not be served (AU-5 fail closed)
        return response

    def _record(self, request, response, frame) -> None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or frame.recorded:
            return
        match = getattr(request, "resolver_match", None)
        target = sensitive_target(match)
        status = response.status_code
        if status in (403, 404):
            if match is not None:  # a view refused it (an address that leads nowhere refuses no record)
                object_type, object_id = target or ("", "")
                audit_denied(
                    user,
                    object_type=object_type,
                    object_id=object_id,
                    request=request,
                    note=f"{request.method} {request.get_full_path()[:300]} answered {status}.",
                )
            return
        if not shows_records(status):
            return
        reading = request.method in ("GET", "HEAD")
        if target is not None and reading and target[1] not in frame.shown.get(target[0], ()):
            # a detail read whose record was not loaded as an instance (the admin's change page): name it
            reads.show(target[0], [target[1]])
        listed = reading and 200 <= status < 300 and match is not None and match.view_name in PEOPLE_LISTS
        if not frame.shown and not listed:
            return
        self._write_read(request, user, frame, target)

    def _write_read(self, request, user, frame, target) -> None:
        obj = None
        if target is not None:
            object_type, object_id = target
            obj = read_by_request(request, object_type, object_id)  # the view read it already, in the rules
        else:
            object_type = frame.first
            ids = frame.shown.get(object_type, ())
            object_id = next(iter(ids)) if len(ids) == 1 else ""
        audit(
            actor=user,
            action=AuditEvent.Action.READ,
            obj=obj,
            object_type=object_type,
            object_id=object_id,
            note=f"{request.method} {request.get_full_path()[:300]}",
            changes={"asked": asked(request), "shown": reads.as_changes(frame.shown)},
            request=request,
        )
