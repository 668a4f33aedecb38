"""THE ACCESS MATRIX (CJIS AC-6, OWASP ASVS V8): every URL pattern of the project, and what each role gets.

tests/test_access_matrix.py walks every URL pattern (admin and API included) and fails when one is not
classified here, then requests each one as each role and compares the status codes.

Adding a page is one line:

    "cn/<int:pk>/letter/": E("200 200 200 404 200 404 200 302", pk="delivery"),

- The key is the pattern's name ("namespace:name"), or its route when it has no name. A named DRF
  route with a format suffix is keyed "name.format" (e.g. "api-root.format").
- The codes are the HTTP status for each role, in ROLES order:
      le_lead program_manager officer_on_team officer_not_on_team social_worker administrator custodian anonymous
  "302" for anonymous is the redirect to sign in. "-" means "not requested" (use sparingly, say why).
- Object kwargs name an object of the test world (see `build_world`). One per adult, juvenile and sealed
  record (KIND_OBJECTS): "candidate", "delivery", "membership", "influencer", "referral", "basis",
  "serviceoffer", "outcome", "auditevent"; shared: "user", "group", "gang", "shooting", "gvismeeting", "partner",
  "personnel", "training", "lettertemplate", "stepduetime", "reminder", "totpdevice", "staticdevice",
  "accessattempt", "accessfailurelog", "accesslog", "rolegrant";
  a literal value starts with "=" (kind="=membership").
  With object kwargs, give the codes per object kind: adult=..., juvenile=..., sealed=... (a kind left out
  is not requested; a single `codes` applies to every kind).
- method="post" (with data) for POST-only endpoints; url="/literal/" for unnamed regex patterns and query
  strings, with "{candidate}"-style world objects (url="/cn/new/?candidate={candidate}").
- `admin_model(...)` classifies the admin URLs of one registered model in one line (the admin site is
  "otpadmin"); change/history/delete take one code line or {"adult": ..., "juvenile": ..., "sealed": ...}.

The world: an adult and a juvenile, each with a CN whose team holds the LE Lead and the officer (and, for
the adult, the social worker); the social worker also serves the juvenile (a service offer) without being on
the team; a sealed juvenile with a CN; `officer_not_on_team` is qualified on another, closed CN. Each person
has an influencer, a referral, an eligibility basis, a group membership, a service offer, an outcome, and
their CN a drafted letter and a reminder to the officer. Requests that may write are the few POST entries
(the LE Lead records a threat assessment, page and API): none moves a CN, so the order of entries does not
change what a later one finds.
"""

from __future__ import annotations

import datetime as dt
import uuid

ROLES = (
    "le_lead",
    "program_manager",
    "officer_on_team",
    "officer_not_on_team",
    "social_worker",
    "administrator",
    "custodian",
    "anonymous",
)
KINDS = ("adult", "juvenile", "sealed")
# World objects that differ between an adult, a juvenile and a sealed record (others are requested once).
KIND_OBJECTS = {
    "candidate",
    "delivery",
    "membership",
    "auditevent",
    "influencer",
    "referral",
    "basis",
    "serviceoffer",
    "outcome",
    "need",
    "partnerreferral",
    "consent",
    "casenote",
    "assignment",
}


class E:
    """What each role gets from one URL pattern (see the module docstring)."""

    def __init__(self, codes="", *, adult="", juvenile="", sealed="", method="get", data=None, url="", **kwargs):
        self.codes, self.adult, self.juvenile, self.sealed = codes, adult, juvenile, sealed
        self.method, self.data, self.url, self.kwargs = method, data or {}, url, kwargs

    def per_kind(self) -> dict[str, dict[str, str]]:
        """{kind: {role: code}} for the kinds to request."""
        needs_object = any(str(v) in KIND_OBJECTS for v in self.kwargs.values()) or any(
            "{" + name + "}" in self.url for name in KIND_OBJECTS
        )
        if not needs_object:
            kinds = {"adult": self.codes or self.adult}
        else:
            kinds = {k: (getattr(self, k) or self.codes) for k in KINDS if (getattr(self, k) or self.codes)}
        result = {}
        for kind, codes in kinds.items():
            parts = codes.split()
            if len(parts) != len(ROLES):
                raise ValueError(f"{codes!r}: give {len(ROLES)} codes, one per role {ROLES}.")
            result[kind] = dict(zip(ROLES, parts, strict=True))
        return result


TODAY = dt.date.today().isoformat()
SIGNED_IN_200 = "200 200 200 200 200 200 200 302"
EVERYONE_200 = "200 200 200 200 200 200 200 200"


def _codes(codes) -> dict:
    """One code line for every kind, or {kind: codes} for a candidate- or CN-linked object."""
    return dict(codes) if isinstance(codes, dict) else {"codes": codes}


def admin_model(
    label: str,
    *,
    changelist: str,
    add: str,
    change,
    history="",
    delete="",
    obj: str,
):
    """The admin URLs of one model: label "app_model" (e.g. "auth_user"), obj the world object or "=id".

    change/history/delete take one code line, or {"adult": ..., "juvenile": ..., "sealed": ...} when `obj` is
    a candidate- or CN-linked object."""
    history = history or change
    delete = delete or change
    app, model = label.rsplit("_", 1)  # model names have no underscore; app labels may
    entries = {
        f"otpadmin:{label}_changelist": E(changelist),
        f"otpadmin:{label}_add": E(add),
        f"otpadmin:{label}_change": E(**_codes(change), object_id=obj),
        f"otpadmin:{label}_history": E(**_codes(history), object_id=obj),
        f"otpadmin:{label}_delete": E(**_codes(delete), object_id=obj),
        # the bare object URL only redirects to its change page (signed-out and non-staff: to sign in)
        f"admin/{app}/{model}/<path:object_id>/": E("302 302 302 302 302 302 302 302", url=f"/admin/{app}/{model}/1/"),
    }
    return entries


# Non-staff (every role but the administrator) are sent to the admin's sign-in page.
ADMIN_ONLY_200 = "302 302 302 302 302 200 302 302"
ADMIN_ONLY_403 = "302 302 302 302 302 403 302 302"
# Reference data (not candidate-linked) that does not exist: Django's admin redirects with "doesn't exist".
MISSING_REDIRECT = "302 302 302 302 302 302 302 302"
# The admin's stock user pages: the Administrator is sent to the staff pages (/staff/), others to sign in.
ADMIN_TO_STAFF_PAGES = "302 302 302 302 302 302 302 302"
# A candidate- or CN-linked record in the admin, for the administrator who sees none (vip/admin_access.py).
ADMIN_ONLY_404 = "302 302 302 302 302 404 302 302"

# The services wall (issue 19), in ROLES order. WW: what the navigator gets from a POSTed form.
WALL_READ = "403 200 403 403 200 403 403 302"
WALL_NOT_FOUND = "403 404 403 403 404 403 403 302"
WALL_WRITE = "403 403 403 403 WW 403 403 302"
WALL_API_READ = "403 200 403 403 200 403 403 403"
WALL_API_NOT_FOUND = "403 404 403 403 404 403 403 403"

MATRIX: dict[str, E] = {
    # --- the site ---------------------------------------------------------------------------------
    "home": E("302 302 302 302 302 302 302 302"),
    "no_role": E("403 403 403 403 403 403 403 302"),
    "healthz": E(EVERYONE_200),
    "healthz_auth": E("200 200 200 200 200 200 200 302"),  # the benchmark's floor: signed in, does nothing
    "login": E(EVERYONE_200),
    "logout": E("405 405 405 405 405 405 405 405"),
    # --- candidates -------------------------------------------------------------------------------
    "candidates:list": E("200 200 200 200 200 404 200 302"),  # the administrator: no candidate pages at all
    # One record per person (issue 20): the LE Lead proposes a merge from a person's page and reviews the likely
    # duplicates; the Program Manager decides; merge 0 and pair 0 do not exist (404 for those who may act).
    "candidates:merge_propose": E(
        adult="200 403 403 403 403 403 403 302",
        juvenile="200 403 403 403 403 403 403 302",
        sealed="404 403 403 403 403 403 403 302",
        pk="candidate",
    ),
    "candidates:merges": E("200 200 404 404 404 404 404 302"),
    "candidates:merge_approve": E("404 404 404 404 404 404 404 302", method="post", pk="=0"),
    "candidates:merge_refuse": E("404 404 404 404 404 404 404 302", method="post", pk="=0"),
    "candidates:merge_undo": E("404 404 404 404 404 404 404 302", method="post", pk="=0"),
    "candidates:duplicates": E("200 404 404 404 404 404 404 302"),
    "candidates:duplicate_dismiss": E("404 403 403 403 403 403 403 302", method="post", pk="=0"),
    "candidates:detail": E(
        adult="200 200 200 404 200 404 200 302",
        juvenile="200 200 200 404 404 404 200 302",
        sealed="404 404 404 404 404 404 200 302",
        pk="candidate",
    ),
    # --- CNs --------------------------------------------------------------------------------------
    "notifications:board": E("200 200 403 403 403 403 403 302"),  # every CN: the LE Lead and the PM
    "notifications:my_deliveries": E(SIGNED_IN_200),
    "notifications:personnel": E("200 200 403 403 403 200 403 302"),
    "notifications:detail": E(
        adult="200 200 200 404 200 404 200 302",
        juvenile="200 200 200 404 404 404 200 302",
        sealed="404 404 404 404 404 404 200 302",
        pk="delivery",
    ),
    # --- finding things (issue 18): the header's search reads people as the candidate list does (404 for the
    # administrator, who reads none); the caseload is the LE Lead's; the calendar the Lead's, PM's and officers'
    "finding:search": E("200 200 200 200 200 404 200 302", url="/find/?q=a"),
    "finding:caseload": E("200 403 403 403 403 403 403 302"),
    "finding:calendar": E("200 200 200 200 403 403 403 302"),
    "tablet:home": E("200 403 200 200 403 403 403 302"),  # officers and the LE Lead
    "reminders:inbox": E(SIGNED_IN_200),
    "reports:dashboard": E("200 200 403 403 403 403 403 302"),
    # the delivery funnel and the follow-up outcomes (issue 19): numbers from the dashboard's snapshot, same readers
    "reports:funnel": E("200 200 403 403 403 403 403 302"),
    "reports:follow_up": E("200 200 403 403 403 403 403 302"),
    # "Recompute now" (POST only): recomputes the dashboard's figures and redirects back to it
    "reports:recompute": E("302 302 403 403 403 403 403 302", method="post"),
    "reports:transparency": E(EVERYONE_200),
    # --- audit, sealing, review (issue #5) -------------------------------------------------------
    "audit:list": E("403 200 403 403 403 200 200 302"),
    "audit:export": E("403 200 403 403 403 200 200 302"),
    # Sealing and unsealing are the Records Custodian's alone; for anyone else they do not exist (NMSA 32A-2-26).
    "audit:seal_start": E("404 404 404 404 404 404 200 302"),
    "audit:seal": E("404 404 404 404 404 404 200 302", pk="candidate"),
    "audit:unseal": E("404 404 404 404 404 404 200 302", pk="candidate"),
    "audit:review": E("200 403 403 403 403 403 403 302"),
    "audit:review_decide": E(
        adult="302 403 403 403 403 403 403 302",
        juvenile="302 403 403 403 403 403 403 302",
        sealed="404 403 403 403 403 403 403 302",
        method="post",
        kind="=membership",
        pk="membership",
    ),
    # --- API --------------------------------------------------------------------------------------
    "api-root": E("200 200 200 200 200 200 200 403"),
    "api-root.format": E("200 200 200 200 200 200 200 403", format="=json"),
    "schema": E("200 200 200 200 200 200 200 403"),
    "api_docs": E("200 200 200 200 200 200 200 403"),
    # --- account security (MFA, notice) and the API token (POST only: its GET is refused) ----------------
    "security:mfa_enrol": E("302 302 302 302 302 302 302 302"),
    "security:mfa_verify": E(SIGNED_IN_200),
    "security:recovery_codes": E(SIGNED_IN_200),
    "security:notice": E(SIGNED_IN_200),
    # role grants awaiting a second person (vip.grants): the Administrators and the Program Manager; the decision
    # is POSTed to a grant that does not exist here (a real one would change the world's roles)
    "security:grants": E("403 200 403 403 403 200 403 302"),
    "security:grant_decide": E("403 404 403 403 403 404 403 302", method="post", pk="=0"),
    # --- staff administration (issue 18): the Administrators' alone; no candidate record on them ---------------
    "staff:list": E("403 403 403 403 403 200 403 302"),
    "staff:add": E("403 403 403 403 403 200 403 302"),
    "staff:detail": E("403 403 403 403 403 200 403 302", pk="user"),
    # POST only: releases a sign-in lockout (none is locked here) and goes back to the member's page
    "staff:release_lockout": E("403 403 403 403 403 302 403 302", method="post", pk="user"),
    # POST only: resets a lost second factor; asked of a user who does not exist (a real one would lose the device
    # the world's clients signed in with)
    "staff:reset_second_factor": E("403 403 403 403 403 404 403 302", method="post", pk="=0"),
    "api_token": E("405 405 405 405 405 405 405 405"),
    # --- candidate pages: only the LE Lead writes (403 for other readers; 404 for a record out of scope) ------
    "candidates:create": E("200 403 403 403 403 403 403 302"),
    "candidates:intelligence": E("200 200 404 404 404 404 200 302"),
    # a person's network (candidates.network): the intelligence page's readers; the person must be one they see
    "candidates:network": E(
        adult="200 200 404 404 404 404 200 302",
        juvenile="200 200 404 404 404 404 200 302",
        sealed="404 404 404 404 404 404 200 302",
        pk="candidate",
    ),
    "candidates:group_create": E("200 403 403 403 403 403 403 302"),
    "candidates:shooting_create": E("200 403 403 403 403 403 403 302"),
    "candidates:gvis_meeting_create": E("200 403 403 403 403 403 403 302"),
    "candidates:edit": E(
        adult="200 403 403 404 403 404 403 302",
        juvenile="200 403 403 404 404 404 403 302",
        sealed="404 404 404 404 404 404 403 302",
        pk="candidate",
    ),
    "candidates:influencer_add": E(
        adult="200 403 403 404 403 404 403 302",
        juvenile="200 403 403 404 404 404 403 302",
        sealed="404 404 404 404 404 404 403 302",
        pk="candidate",
    ),
    "candidates:influencer_edit": E(
        adult="200 403 403 404 403 404 403 302",
        juvenile="200 403 403 404 404 404 403 302",
        sealed="404 404 404 404 404 404 403 302",
        pk="candidate",
        record_pk="influencer",
    ),
    "candidates:referral_add": E(
        adult="200 403 403 404 403 404 403 302",
        juvenile="200 403 403 404 404 404 403 302",
        sealed="404 404 404 404 404 404 403 302",
        pk="candidate",
    ),
    "candidates:referral_edit": E(
        adult="200 403 403 404 403 404 403 302",
        juvenile="200 403 403 404 404 404 403 302",
        sealed="404 404 404 404 404 404 403 302",
        pk="candidate",
        record_pk="referral",
    ),
    "candidates:basis_add": E(
        adult="200 403 403 404 403 404 403 302",
        juvenile="200 403 403 404 404 404 403 302",
        sealed="404 404 404 404 404 404 403 302",
        pk="candidate",
    ),
    "candidates:basis_edit": E(
        adult="200 403 403 404 403 404 403 302",
        juvenile="200 403 403 404 404 404 403 302",
        sealed="404 404 404 404 404 404 403 302",
        pk="candidate",
        record_pk="basis",
    ),
    "candidates:membership_add": E(
        adult="200 403 403 404 403 404 403 302",
        juvenile="200 403 403 404 404 404 403 302",
        sealed="404 404 404 404 404 404 403 302",
        pk="candidate",
    ),
    "candidates:membership_edit": E(
        adult="200 403 403 404 403 404 403 302",
        juvenile="200 403 403 404 404 404 403 302",
        sealed="404 404 404 404 404 404 403 302",
        pk="candidate",
        record_pk="membership",
    ),
    "candidates:group_edit": E("200 403 403 403 403 403 403 302", group_pk="gang"),
    "candidates:shooting_edit": E("200 403 403 403 403 403 403 302", shooting_pk="shooting"),
    "candidates:gvis_meeting_edit": E("200 403 403 403 403 403 403 302", meeting_pk="gvismeeting"),
    # --- the weekly review (issue 20): read as the intelligence page; the LE Lead records. The POSTs are empty
    # (400: nothing written) or name a record that does not exist (404); "start" finds the world's meeting of today
    "gvis:list": E("200 200 404 404 404 404 200 302"),
    "gvis:start": E("302 403 404 404 404 404 403 302", method="post"),
    "gvis:meeting": E("200 200 404 404 404 404 200 302", pk="gvismeeting"),
    "gvis:minutes": E("200 200 404 404 404 404 200 302", pk="gvismeeting"),
    "gvis:attendee_add": E("400 403 404 404 404 404 403 302", method="post", pk="gvismeeting"),
    "gvis:identify": E("400 403 404 404 404 404 403 302", method="post", pk="gvismeeting"),
    "gvis:group_identify": E("400 403 404 404 404 404 403 302", method="post", pk="gvismeeting"),
    "gvis:shooting_reviewed": E("404 403 404 404 404 404 403 302", method="post", pk="gvismeeting", shooting_pk="=0"),
    "gvis:decide": E("404 403 404 404 404 404 403 302", method="post", pk="gvismeeting", identification_pk="=0"),
    # --- CN pages: step and transition forms POSTed empty (400/409: nothing is written; the services refuse
    # anyone but the LE Lead); /cn/new/ is opened from a candidate -------------------------------------------
    "notifications:letter": E(
        adult="200 200 200 404 200 404 200 302",
        juvenile="200 200 200 404 404 404 200 302",
        sealed="404 404 404 404 404 404 200 302",
        pk="delivery",
    ),
    # A complete threat assessment: the LE Lead records it (302 back to the CN); the service refuses every
    # other role that sees the CN (403), and a CN out of scope is not found.
    "notifications:step": E(
        adult="302 403 403 404 403 404 403 302",
        juvenile="302 403 403 404 404 404 403 302",
        sealed="404 404 404 404 404 404 403 302",
        method="post",
        data={"threat-assessment-completed_on": TODAY, "threat-assessment-result": "no_concerns"},
        pk="delivery",
        name="=threat-assessment",
    ),
    "notifications:transition": E(
        adult="409 409 409 404 409 404 409 302",
        juvenile="409 409 409 404 404 404 409 302",
        sealed="404 404 404 404 404 404 409 302",
        method="post",
        pk="delivery",
        name="=approve",
    ),
    # Audited corrections (issue 17): the LE Lead proposes (the form opens on any CN they see; the service says
    # whether something is frozen); the Program Manager decides. Correction 0 does not exist: the PM finds no such
    # correction (404), a refusal without its reason is sent back (400); everyone else is refused before.
    "notifications:corrections": E("200 200 403 403 403 403 403 302"),
    "notifications:correction_new": E(
        adult="200 403 403 404 403 404 403 302",
        juvenile="200 403 403 404 404 404 403 302",
        sealed="404 404 404 404 404 404 403 302",
        pk="delivery",
    ),
    "notifications:correction_approve": E(
        adult="403 404 403 404 403 404 403 302",
        juvenile="403 404 403 404 404 404 403 302",
        sealed="404 404 404 404 404 404 403 302",
        method="post",
        pk="delivery",
        correction_pk="=0",
    ),
    "notifications:correction_refuse": E(
        adult="403 400 403 404 403 404 403 302",
        juvenile="403 400 403 404 404 404 403 302",
        sealed="404 404 404 404 404 404 403 302",
        method="post",
        pk="delivery",
        correction_pk="=0",
    ),
    "notifications:new": E(
        adult="200 403 403 403 403 403 403 302",
        juvenile="200 403 403 403 403 403 403 302",
        sealed="404 403 403 403 403 403 403 302",
        url="/cn/new/?candidate={candidate}",
    ),
    # --- tablet: officers and the LE Lead, their CNs only; the service worker and the offline page name nobody
    # (public so the browser can fetch them); one-tap outcomes are POST only (their GET: 405) ---------------
    "tablet:sw": E(EVERYONE_200),
    "tablet:offline": E(EVERYONE_200),
    "tablet:step": E(
        adult="302 403 302 404 403 403 403 302",
        juvenile="302 403 302 404 403 403 403 302",
        sealed="404 403 404 404 403 403 403 302",
        pk="delivery",
    ),
    "tablet:status": E(
        adult="200 403 200 404 403 403 403 302",
        juvenile="200 403 200 404 403 403 403 302",
        sealed="404 403 404 404 403 403 403 302",
        pk="delivery",
    ),
    "tablet:photo": E("404 403 404 404 403 403 403 302", pk="delivery"),
    "tablet:advise_ecc": E(
        adult="302 403 302 404 403 403 403 302",
        juvenile="302 403 302 404 403 403 403 302",
        sealed="404 403 404 404 403 403 403 302",
        pk="delivery",
    ),
    "tablet:encounter": E(
        adult="302 403 302 404 403 403 403 302",
        juvenile="302 403 302 404 403 403 403 302",
        sealed="404 403 404 404 403 403 403 302",
        pk="delivery",
    ),
    "tablet:delivered": E(
        adult="302 403 302 404 403 403 403 302",
        juvenile="302 403 302 404 403 403 403 302",
        sealed="404 403 404 404 403 403 403 302",
        pk="delivery",
    ),
    "tablet:influencer": E(
        adult="302 403 302 404 403 403 403 302",
        juvenile="302 403 302 404 403 403 403 302",
        sealed="404 403 404 404 403 403 403 302",
        pk="delivery",
    ),
    # Refused and not located: GET is the confirm page (the world's CNs are not at the door: sent to their step)
    "tablet:refusal": E(
        adult="302 403 302 404 403 403 403 302",
        juvenile="302 403 302 404 403 403 403 302",
        sealed="404 403 404 404 403 403 403 302",
        pk="delivery",
    ),
    "tablet:not_located": E(
        adult="302 403 302 404 403 403 403 302",
        juvenile="302 403 302 404 403 403 403 302",
        sealed="404 403 404 404 403 403 403 302",
        pk="delivery",
    ),
    # The door kit: the team's briefing cards, never social services nor an officer off the team (issue 18)
    "tablet:briefing": E(
        adult="200 403 200 404 403 403 403 302",
        juvenile="200 403 200 404 403 403 403 302",
        sealed="404 403 404 404 403 403 403 302",
        pk="delivery",
    ),
    "tablet:briefings": E("200 403 200 200 403 403 403 302"),
    "tablet:retry": E("405 403 405 405 403 403 403 302", pk="delivery"),
    "tablet:after_action": E(
        adult="302 403 302 404 403 403 403 302",
        juvenile="302 403 302 404 403 403 403 302",
        sealed="404 403 404 404 403 403 403 302",
        pk="delivery",
    ),
    # --- reminders (the inbox's actions are POST only) and reports -------------------------------------------
    "reminders:mark_all_read": E("405 405 405 405 405 405 405 302"),
    "reminders:set_digest": E("405 405 405 405 405 405 405 302"),
    "reports:outcomes": E("200 200 403 403 403 403 403 302"),
    "reports:service_new": E("302 302 403 403 302 403 403 302"),
    "reports:services": E("200 200 403 403 200 403 403 302"),
    "reports:transparency_json": E(EVERYONE_200),
    "reminders:mark_read": E("405 405 405 405 405 405 405 302", pk="reminder"),
    "reports:drill": E("200 200 403 403 403 403 403 302", figure="=contacts"),
    "reports:export": E("200 200 403 403 403 403 403 302", kind="=cns"),
    # the evaluation extract: the Program Manager alone releases records to an evaluator (issue 19)
    "reports:extract": E("403 200 403 403 403 403 403 302"),
    "reports:service_edit": E(
        adult="200 200 403 403 200 403 403 302",
        juvenile="200 200 403 403 404 403 403 302",
        sealed="404 404 403 403 404 403 403 302",
        pk="serviceoffer",
    ),
    # --- after the door (issue 19): THE SERVICES WALL. Social Services read and write; the Program Manager reads
    # totals, and a person's details only with their program review consent (the adult has one, the juvenile not);
    # the LE Lead, officers, the Administrator and the Records Custodian are refused every page and every API.
    # The forms are POSTed empty (400: nothing written); a referral's result POSTed empty goes back (302), and
    # the adult's consent is withdrawn by the navigator (302), which no later entry depends on.
    "aftercare:caseload": E(WALL_READ),
    "aftercare:person": E(adult=WALL_READ, juvenile=WALL_NOT_FOUND, sealed=WALL_NOT_FOUND, pk="candidate"),
    **{
        f"aftercare:{name}": E(
            adult=WALL_WRITE.replace("WW", "400"),
            juvenile=WALL_WRITE.replace("WW", "404"),
            sealed=WALL_WRITE.replace("WW", "404"),
            method="post",
            pk="candidate",
        )
        for name in ("need_set", "referral_new", "consent_new", "note_add", "assign")
    },
    "aftercare:referral_result": E(
        adult=WALL_WRITE.replace("WW", "302"),
        juvenile=WALL_WRITE.replace("WW", "404"),
        sealed=WALL_WRITE.replace("WW", "404"),
        method="post",
        pk="partnerreferral",
    ),
    "aftercare:consent_withdraw": E(
        adult=WALL_WRITE.replace("WW", "302"),
        juvenile=WALL_WRITE.replace("WW", "404"),
        sealed=WALL_WRITE.replace("WW", "404"),
        method="post",
        pk="consent",
    ),
    **{f"{name}-list": E(WALL_API_READ) for name in ("need", "partner-referral", "consent", "case-note", "partner")},
    **{
        f"{name}-detail": E(adult=WALL_API_READ, juvenile=WALL_API_NOT_FOUND, sealed=WALL_API_NOT_FOUND, pk=obj)
        for name, obj in (
            ("need", "need"),
            ("partner-referral", "partnerreferral"),
            ("consent", "consent"),
            ("case-note", "casenote"),
        )
    },
    "partner-detail": E(WALL_API_READ, pk="partner"),
    # the result POSTed empty: 400 for the navigator; the Program Manager reads but never writes (403)
    "partner-referral-result": E(
        adult="403 403 403 403 400 403 403 403",
        juvenile="403 403 403 403 404 403 403 403",
        sealed="403 403 403 403 404 403 403 403",
        method="post",
        pk="partnerreferral",
    ),
    # withdrawn through the API: asked of a consent that does not exist (the page withdraws the world's one)
    "consent-withdraw": E("403 403 403 403 404 403 403 403", method="post", pk="=0"),
    # --- CN API: steps and transitions POSTed empty (400 field errors / 409 refused: nothing is written; 404
    # out of scope); determine-eligibility and start-preparation would move the CN with no data: their GET ----
    "api_deliveries": E("200 200 200 200 200 200 200 403"),
    "api_letter_templates": E("200 200 403 403 403 200 403 403"),
    "api_personnel": E("200 200 403 403 403 200 403 403"),
    "api_delivery": E(
        adult="200 200 200 404 200 404 200 403",
        juvenile="200 200 200 404 404 404 200 403",
        sealed="404 404 404 404 404 404 200 403",
        pk="delivery",
    ),
    # Audited corrections (issue 17): a CN's corrections are read by whoever sees the CN; correction 0 does not
    # exist: an approval is refused to all but the Program Manager (403), who finds no such correction (404); a
    # refusal without its reason is a bad body (400) for whoever sees the CN.
    "api_delivery_corrections": E(
        adult="200 200 200 404 200 404 200 403",
        juvenile="200 200 200 404 404 404 200 403",
        sealed="404 404 404 404 404 404 200 403",
        pk="delivery",
    ),
    "api_delivery_correction_approve": E(
        adult="403 404 403 404 403 404 403 403",
        juvenile="403 404 403 404 404 404 403 403",
        sealed="404 404 404 404 404 404 403 403",
        method="post",
        pk="delivery",
        correction_pk="=0",
    ),
    "api_delivery_correction_refuse": E(
        adult="400 400 400 404 400 404 400 403",
        juvenile="400 400 400 404 404 404 400 403",
        sealed="404 404 404 404 404 404 400 403",
        method="post",
        pk="delivery",
        correction_pk="=0",
    ),
    "api_delivery_advise_ecc": E(
        adult="409 409 409 404 409 404 409 403",
        juvenile="409 409 409 404 404 404 409 403",
        sealed="404 404 404 404 404 404 409 403",
        method="post",
        pk="delivery",
    ),
    "api_delivery_approve": E(
        adult="409 409 409 404 409 404 409 403",
        juvenile="409 409 409 404 404 404 409 403",
        sealed="404 404 404 404 404 404 409 403",
        method="post",
        pk="delivery",
    ),
    "api_delivery_background_check": E(
        adult="400 400 400 404 400 404 400 403",
        juvenile="400 400 400 404 404 404 400 403",
        sealed="404 404 404 404 404 404 400 403",
        method="post",
        pk="delivery",
    ),
    "api_delivery_cancel": E(
        adult="400 400 400 404 400 404 400 403",
        juvenile="400 400 400 404 404 404 400 403",
        sealed="404 404 404 404 404 404 400 403",
        method="post",
        pk="delivery",
    ),
    "api_delivery_close": E(
        adult="409 409 409 404 409 404 409 403",
        juvenile="409 409 409 404 404 404 409 403",
        sealed="404 404 404 404 404 404 409 403",
        method="post",
        pk="delivery",
    ),
    "api_delivery_determine_eligibility": E("405 405 405 405 405 405 405 403", pk="delivery"),
    "api_delivery_guardian_contact": E(
        adult="400 400 400 404 400 404 400 403",
        juvenile="400 400 400 404 404 404 400 403",
        sealed="404 404 404 404 404 404 400 403",
        method="post",
        pk="delivery",
    ),
    "api_delivery_jpo_check": E(
        adult="400 400 400 404 400 404 400 403",
        juvenile="400 400 400 404 404 404 400 403",
        sealed="404 404 404 404 404 404 400 403",
        method="post",
        pk="delivery",
    ),
    "api_delivery_letter": E(
        adult="400 403 403 404 403 404 403 403",
        juvenile="400 403 403 404 404 404 403 403",
        sealed="404 404 404 404 404 404 403 403",
        method="post",
        pk="delivery",
    ),
    "api_delivery_record_after_action": E(
        adult="400 400 400 404 400 404 400 403",
        juvenile="400 400 400 404 404 404 400 403",
        sealed="404 404 404 404 404 404 400 403",
        method="post",
        pk="delivery",
    ),
    "api_delivery_record_delivery": E(
        adult="409 409 409 404 409 404 409 403",
        juvenile="409 409 409 404 404 404 409 403",
        sealed="404 404 404 404 404 404 409 403",
        method="post",
        pk="delivery",
    ),
    "api_delivery_record_influencer_delivery": E(
        adult="409 409 409 404 409 404 409 403",
        juvenile="409 409 409 404 404 404 409 403",
        sealed="404 404 404 404 404 404 409 403",
        method="post",
        pk="delivery",
    ),
    "api_delivery_record_not_located": E(
        adult="409 409 409 404 409 404 409 403",
        juvenile="409 409 409 404 404 404 409 403",
        sealed="404 404 404 404 404 404 409 403",
        method="post",
        pk="delivery",
    ),
    "api_delivery_record_refusal": E(
        adult="409 409 409 404 409 404 409 403",
        juvenile="409 409 409 404 404 404 409 403",
        sealed="404 404 404 404 404 404 409 403",
        method="post",
        pk="delivery",
    ),
    "api_delivery_retry": E(
        adult="409 409 409 404 409 404 409 403",
        juvenile="409 409 409 404 404 404 409 403",
        sealed="404 404 404 404 404 404 409 403",
        method="post",
        pk="delivery",
    ),
    "api_delivery_social_services": E(
        adult="400 400 400 404 400 404 400 403",
        juvenile="400 400 400 404 404 404 400 403",
        sealed="404 404 404 404 404 404 400 403",
        method="post",
        pk="delivery",
    ),
    "api_delivery_start_preparation": E("405 405 405 405 405 405 405 403", pk="delivery"),
    "api_delivery_team": E(
        adult="400 400 400 404 400 404 400 403",
        juvenile="400 400 400 404 404 404 400 403",
        sealed="404 404 404 404 404 404 400 403",
        method="post",
        pk="delivery",
    ),
    "api_delivery_threat_assessment": E(  # complete: recorded by the LE Lead, refused (403) to the others
        adult="200 403 403 404 403 404 403 403",
        juvenile="200 403 403 404 404 404 403 403",
        sealed="404 404 404 404 404 404 403 403",
        method="post",
        data={"completed_on": TODAY, "result": "no_concerns"},
        pk="delivery",
    ),
    # --- candidate API (the administrator's whole API is refused: 403), services and outcomes -------------------
    "candidate-list": E("200 200 200 200 200 403 200 403"),
    "candidate-possible-duplicates": E("400 400 400 400 400 403 400 403"),
    "influencer-list": E("200 200 200 200 200 403 200 403"),
    "group-list": E("200 200 200 200 200 403 200 403"),
    "shooting-list": E("200 200 200 200 200 403 200 403"),
    "gvis-meeting-list": E("200 200 200 200 200 403 200 403"),
    "referral-list": E("200 200 200 200 200 403 200 403"),
    "eligibility-basis-list": E("200 200 200 200 200 403 200 403"),
    "membership-list": E("200 200 200 200 200 403 200 403"),
    "outcome-event-list": E("200 200 403 403 403 403 403 403"),
    "service-offer-list": E("200 200 403 403 200 403 403 403"),
    "candidate-list.format": E("200 200 200 200 200 403 200 403", format="=json"),
    "candidate-possible-duplicates.format": E("400 400 400 400 400 403 400 403", format="=json"),
    "influencer-list.format": E("200 200 200 200 200 403 200 403", format="=json"),
    "group-list.format": E("200 200 200 200 200 403 200 403", format="=json"),
    "shooting-list.format": E("200 200 200 200 200 403 200 403", format="=json"),
    "gvis-meeting-list.format": E("200 200 200 200 200 403 200 403", format="=json"),
    "referral-list.format": E("200 200 200 200 200 403 200 403", format="=json"),
    "eligibility-basis-list.format": E("200 200 200 200 200 403 200 403", format="=json"),
    "membership-list.format": E("200 200 200 200 200 403 200 403", format="=json"),
    # Merges (issue 20): the LE Lead and the Program Manager; merge 0 and pair 0 do not exist.
    "merge-list": E("200 200 403 403 403 403 403 403"),
    "merge-detail": E("404 404 403 403 403 403 403 403", pk="=0"),
    "merge-approve": E("404 404 404 404 404 404 404 403", method="post", pk="=0"),
    "merge-refuse": E("404 404 404 404 404 404 404 403", method="post", pk="=0"),
    "merge-undo": E("404 404 404 404 404 404 404 403", method="post", pk="=0"),
    "duplicate-pair-list": E("200 403 403 403 403 403 403 403"),
    "duplicate-pair-dismiss": E("404 403 403 403 403 403 403 403", method="post", pk="=0"),
    "candidate-detail": E(
        adult="200 200 200 404 200 403 200 403",
        juvenile="200 200 200 404 404 403 200 403",
        sealed="404 404 404 404 404 403 200 403",
        pk="candidate",
    ),
    "candidate-detail.format": E(
        adult="200 200 200 404 200 403 200 403",
        juvenile="200 200 200 404 404 403 200 403",
        sealed="404 404 404 404 404 403 200 403",
        pk="candidate",
        format="=json",
    ),
    "candidate-network": E(
        adult="200 200 404 404 404 403 200 403",
        juvenile="200 200 404 404 404 403 200 403",
        sealed="404 404 404 404 404 403 200 403",
        pk="candidate",
    ),
    "influencer-detail": E(
        adult="200 200 200 404 200 403 200 403",
        juvenile="200 200 200 404 404 403 200 403",
        sealed="404 404 404 404 404 403 200 403",
        pk="influencer",
    ),
    "influencer-detail.format": E(
        adult="200 200 200 404 200 403 200 403",
        juvenile="200 200 200 404 404 403 200 403",
        sealed="404 404 404 404 404 403 200 403",
        pk="influencer",
        format="=json",
    ),
    "group-detail": E("200 200 404 404 404 403 200 403", pk="gang"),
    "group-detail.format": E("200 200 404 404 404 403 200 403", pk="gang", format="=json"),
    "shooting-detail": E("200 200 404 404 404 403 200 403", pk="shooting"),
    "shooting-detail.format": E("200 200 404 404 404 403 200 403", pk="shooting", format="=json"),
    "gvis-meeting-detail": E("200 200 404 404 404 403 200 403", pk="gvismeeting"),
    "gvis-meeting-detail.format": E("200 200 404 404 404 403 200 403", pk="gvismeeting", format="=json"),
    "referral-detail": E(
        adult="200 200 200 404 200 403 200 403",
        juvenile="200 200 200 404 404 403 200 403",
        sealed="404 404 404 404 404 403 200 403",
        pk="referral",
    ),
    "referral-detail.format": E(
        adult="200 200 200 404 200 403 200 403",
        juvenile="200 200 200 404 404 403 200 403",
        sealed="404 404 404 404 404 403 200 403",
        pk="referral",
        format="=json",
    ),
    "eligibility-basis-detail": E(
        adult="200 200 200 404 200 403 200 403",
        juvenile="200 200 200 404 404 403 200 403",
        sealed="404 404 404 404 404 403 200 403",
        pk="basis",
    ),
    "eligibility-basis-detail.format": E(
        adult="200 200 200 404 200 403 200 403",
        juvenile="200 200 200 404 404 403 200 403",
        sealed="404 404 404 404 404 403 200 403",
        pk="basis",
        format="=json",
    ),
    "membership-detail": E(
        adult="200 200 200 404 200 403 200 403",
        juvenile="200 200 200 404 404 403 200 403",
        sealed="404 404 404 404 404 403 200 403",
        pk="membership",
    ),
    "membership-detail.format": E(
        adult="200 200 200 404 200 403 200 403",
        juvenile="200 200 200 404 404 403 200 403",
        sealed="404 404 404 404 404 403 200 403",
        pk="membership",
        format="=json",
    ),
    "outcome-event-detail": E(
        adult="200 200 403 403 403 403 403 403",
        juvenile="200 200 403 403 403 403 403 403",
        sealed="404 404 403 403 403 403 403 403",
        pk="outcome",
    ),
    "service-offer-detail": E(
        adult="200 200 403 403 200 403 403 403",
        juvenile="200 200 403 403 404 403 403 403",
        sealed="404 404 403 403 404 403 403 403",
        pk="serviceoffer",
    ),
    "otpadmin:otp_totp_totpdevice_config": E(ADMIN_ONLY_403, pk="totpdevice"),
    "otpadmin:otp_totp_totpdevice_qrcode": E(ADMIN_ONLY_403, pk="totpdevice"),
    # --- admin ------------------------------------------------------------------------------------
    "otpadmin:index": E(ADMIN_ONLY_200),
    "otpadmin:login": E(MISSING_REDIRECT),  # one sign-in for the whole system: to the product's page
    "otpadmin:logout": E("302 302 302 302 302 405 302 302"),
    "otpadmin:password_change": E(ADMIN_ONLY_200),
    "otpadmin:password_change_done": E(ADMIN_ONLY_200),
    "otpadmin:autocomplete": E(ADMIN_ONLY_403),
    "otpadmin:jsi18n": E(ADMIN_ONLY_200),
    "otpadmin:view_on_site": E("302 302 302 302 302 404 302 302", content_type_id="=0", object_id="=0"),
    "otpadmin:app_list": E(ADMIN_ONLY_200, app_label="=vip"),
    "admin/(?P<url>.*)$": E("302 302 302 302 302 404 302 302", url="/admin/nowhere/"),
    "otpadmin:auth_user_password_change": E(ADMIN_ONLY_200, id="user"),
    **admin_model(
        "auth_user",
        # the stock user list, add and change forms send the Administrator to the staff pages (issue 18)
        changelist=ADMIN_TO_STAFF_PAGES,
        add=ADMIN_TO_STAFF_PAGES,
        change=ADMIN_TO_STAFF_PAGES,
        history=ADMIN_ONLY_200,
        delete=ADMIN_ONLY_403,  # accounts are deactivated, never deleted: their audit rows point at them
        obj="user",
    ),
    **admin_model(
        "vip_rolegrant",  # decided here by another Administrator; never added (asked on the user's page) nor deleted
        changelist=ADMIN_ONLY_200,
        add=ADMIN_ONLY_403,
        change=ADMIN_ONLY_200,
        delete=ADMIN_ONLY_403,
        obj="rolegrant",
    ),
    **admin_model(
        "auth_group",
        changelist=ADMIN_ONLY_200,
        add=ADMIN_ONLY_403,
        change=ADMIN_ONLY_200,
        delete=ADMIN_ONLY_403,
        obj="group",
    ),
    **admin_model(
        "authtoken_tokenproxy",
        changelist=ADMIN_ONLY_403,
        add=ADMIN_ONLY_403,
        change=ADMIN_ONLY_403,
        history=MISSING_REDIRECT,
        obj="=0",
    ),
    **admin_model(
        "django_celery_beat_periodictask",
        changelist=ADMIN_ONLY_200,
        add=ADMIN_ONLY_403,
        change=MISSING_REDIRECT,
        delete=ADMIN_ONLY_403,
        obj="=0",
    ),
    **admin_model(
        "django_celery_beat_clockedschedule",
        changelist=ADMIN_ONLY_403,
        add=ADMIN_ONLY_403,
        change=ADMIN_ONLY_403,
        history=MISSING_REDIRECT,
        obj="=0",
    ),
    **admin_model(
        "django_celery_beat_solarschedule",
        changelist=ADMIN_ONLY_403,
        add=ADMIN_ONLY_403,
        change=ADMIN_ONLY_403,
        history=MISSING_REDIRECT,
        obj="=0",
    ),
    **admin_model(
        "django_celery_beat_crontabschedule",
        changelist=ADMIN_ONLY_200,
        add=ADMIN_ONLY_200,
        change=MISSING_REDIRECT,
        delete=ADMIN_ONLY_403,
        obj="=0",
    ),
    **admin_model(
        "django_celery_beat_intervalschedule",
        changelist=ADMIN_ONLY_200,
        add=ADMIN_ONLY_200,
        change=MISSING_REDIRECT,
        delete=ADMIN_ONLY_403,
        obj="=0",
    ),
    # The audit trail in the admin: read-only, and a sealed record's events are gone (404) for the administrator.
    "otpadmin:vip_auditevent_changelist": E(ADMIN_ONLY_200),
    "otpadmin:vip_auditevent_add": E(ADMIN_ONLY_403),
    "otpadmin:vip_auditevent_change": E(
        adult=ADMIN_ONLY_200, juvenile=ADMIN_ONLY_200, sealed="302 302 302 302 302 404 302 302", object_id="auditevent"
    ),
    "otpadmin:vip_auditevent_history": E(
        adult=ADMIN_ONLY_200, juvenile=ADMIN_ONLY_200, sealed="302 302 302 302 302 404 302 302", object_id="auditevent"
    ),
    "otpadmin:vip_auditevent_delete": E(
        adult=ADMIN_ONLY_403, juvenile=ADMIN_ONLY_403, sealed=ADMIN_ONLY_404, object_id="auditevent"
    ),
    "admin/vip/auditevent/<path:object_id>/": E("302 302 302 302 302 302 302 302", url="/admin/vip/auditevent/1/"),
    # --- admin: candidate- and CN-linked models go through the selectors (vip/admin_access.py): 404 out of scope,
    # before any permission check; reference data is the administrator's ---------------------------------------
    **admin_model(
        "candidates_candidatemerge",  # read-only: merges are made by their service (candidates.merging)
        changelist=ADMIN_ONLY_403,  # no role reads it in the admin: the administrator sees no one's record
        add=ADMIN_ONLY_403,
        change=ADMIN_ONLY_404,
        obj="=0",
    ),
    **admin_model(
        "candidates_duplicatepair",  # read-only: the nightly search writes it
        changelist=ADMIN_ONLY_403,  # no role reads it in the admin: the administrator sees no one's record
        add=ADMIN_ONLY_403,
        change=ADMIN_ONLY_404,
        obj="=0",
    ),
    **admin_model(
        "axes_accessattempt",  # a lockout: the administrator lifts it by deleting the attempt
        changelist=ADMIN_ONLY_200,
        add=ADMIN_ONLY_403,
        change=ADMIN_ONLY_200,
        obj="accessattempt",
    ),
    **admin_model(
        "axes_accessfailurelog",  # the sign-in record: read, never deleted
        changelist=ADMIN_ONLY_200,
        add=ADMIN_ONLY_403,
        change=ADMIN_ONLY_200,
        delete=ADMIN_ONLY_403,
        obj="accessfailurelog",
    ),
    **admin_model(
        "axes_accesslog",  # the sign-in record: read, never deleted
        changelist=ADMIN_ONLY_200,
        add=ADMIN_ONLY_403,
        change=ADMIN_ONLY_200,
        delete=ADMIN_ONLY_403,
        obj="accesslog",
    ),
    **admin_model(
        "candidates_candidate",
        changelist=ADMIN_ONLY_403,
        add=ADMIN_ONLY_403,
        change=ADMIN_ONLY_404,
        history=ADMIN_ONLY_404,
        delete=ADMIN_ONLY_404,
        obj="candidate",
    ),
    **admin_model(
        "candidates_eligibilitybasis",
        changelist=ADMIN_ONLY_403,
        add=ADMIN_ONLY_403,
        change=ADMIN_ONLY_404,
        history=ADMIN_ONLY_404,
        delete=ADMIN_ONLY_404,
        obj="basis",
    ),
    **admin_model(
        "candidates_group",
        changelist=ADMIN_ONLY_200,
        add=ADMIN_ONLY_200,
        change=ADMIN_ONLY_200,
        history=ADMIN_ONLY_200,
        delete=ADMIN_ONLY_403,
        obj="gang",
    ),
    **admin_model(
        "candidates_groupmembership",
        changelist=ADMIN_ONLY_403,
        add=ADMIN_ONLY_403,
        change=ADMIN_ONLY_404,
        history=ADMIN_ONLY_404,
        delete=ADMIN_ONLY_404,
        obj="membership",
    ),
    **admin_model(
        "candidates_gvismeeting",
        changelist=ADMIN_ONLY_403,
        add=ADMIN_ONLY_403,
        change=ADMIN_ONLY_404,
        history=ADMIN_ONLY_404,
        delete=ADMIN_ONLY_404,
        obj="gvismeeting",
    ),
    **admin_model(
        "candidates_influencer",
        changelist=ADMIN_ONLY_403,
        add=ADMIN_ONLY_403,
        change=ADMIN_ONLY_404,
        history=ADMIN_ONLY_404,
        delete=ADMIN_ONLY_404,
        obj="influencer",
    ),
    # after the door (issue 19): behind the services wall, the admin too (the Administrator reads none)
    **{
        key: entry
        for label, obj in (
            ("candidates_need", "need"),
            ("candidates_partnerreferral", "partnerreferral"),
            ("candidates_consent", "consent"),
            ("candidates_casenote", "casenote"),
            ("candidates_navigatorassignment", "assignment"),
        )
        for key, entry in admin_model(
            label,
            changelist=ADMIN_ONLY_403,
            add=ADMIN_ONLY_403,
            change=ADMIN_ONLY_404,
            history=ADMIN_ONLY_404,
            delete=ADMIN_ONLY_404,
            obj=obj,
        ).items()
    },
    **admin_model(
        "candidates_outcomeevent",
        changelist=ADMIN_ONLY_403,
        add=ADMIN_ONLY_403,
        change=ADMIN_ONLY_404,
        history=ADMIN_ONLY_404,
        delete=ADMIN_ONLY_404,
        obj="outcome",
    ),
    **admin_model(
        "candidates_partnerorganization",
        changelist=ADMIN_ONLY_200,
        add=ADMIN_ONLY_200,
        change=ADMIN_ONLY_200,
        history=ADMIN_ONLY_200,
        delete=ADMIN_ONLY_403,
        obj="partner",
    ),
    **admin_model(
        "candidates_referral",
        changelist=ADMIN_ONLY_403,
        add=ADMIN_ONLY_403,
        change=ADMIN_ONLY_404,
        history=ADMIN_ONLY_404,
        delete=ADMIN_ONLY_404,
        obj="referral",
    ),
    **admin_model(
        "candidates_serviceoffer",
        changelist=ADMIN_ONLY_403,
        add=ADMIN_ONLY_403,
        change=ADMIN_ONLY_404,
        history=ADMIN_ONLY_404,
        delete=ADMIN_ONLY_404,
        obj="serviceoffer",
    ),
    **admin_model(
        "candidates_shooting",
        changelist=ADMIN_ONLY_403,
        add=ADMIN_ONLY_403,
        change=ADMIN_ONLY_404,
        history=ADMIN_ONLY_404,
        delete=ADMIN_ONLY_404,
        obj="shooting",
    ),
    **admin_model(
        "notifications_delivery",
        changelist=ADMIN_ONLY_403,
        add=ADMIN_ONLY_403,
        change=ADMIN_ONLY_404,
        history=ADMIN_ONLY_404,
        delete=ADMIN_ONLY_404,
        obj="delivery",
    ),
    **admin_model(
        "notifications_lettertemplate",
        changelist=ADMIN_ONLY_200,
        add=ADMIN_ONLY_200,
        change=ADMIN_ONLY_200,
        history=ADMIN_ONLY_200,
        delete=ADMIN_ONLY_403,
        obj="lettertemplate",
    ),
    **admin_model(
        "notifications_personnel",
        changelist=ADMIN_ONLY_200,
        add=ADMIN_ONLY_200,
        change=ADMIN_ONLY_200,
        history=ADMIN_ONLY_200,
        delete=ADMIN_ONLY_403,
        obj="personnel",
    ),
    **admin_model(
        "notifications_reminder",
        changelist=ADMIN_ONLY_200,
        add=ADMIN_ONLY_403,
        change=ADMIN_ONLY_404,
        history=ADMIN_ONLY_404,
        delete=ADMIN_ONLY_404,
        obj="reminder",
    ),
    **admin_model(
        "notifications_reminderpreference",
        changelist=ADMIN_ONLY_200,
        add=ADMIN_ONLY_403,
        change=MISSING_REDIRECT,
        history=MISSING_REDIRECT,
        delete=ADMIN_ONLY_403,
        obj="=0",
    ),
    **admin_model(
        "notifications_stepduetime",
        changelist=ADMIN_ONLY_200,
        add=ADMIN_ONLY_200,
        change=ADMIN_ONLY_200,
        history=ADMIN_ONLY_200,
        delete=ADMIN_ONLY_403,
        obj="stepduetime",
    ),
    **admin_model(
        "notifications_trainingrecord",
        changelist=ADMIN_ONLY_200,
        add=ADMIN_ONLY_200,
        change=ADMIN_ONLY_200,
        history=ADMIN_ONLY_200,
        delete=ADMIN_ONLY_403,
        obj="training",
    ),
    **admin_model(
        "otp_static_staticdevice",
        changelist=ADMIN_ONLY_200,
        add=ADMIN_ONLY_403,
        change=ADMIN_ONLY_200,
        history=ADMIN_ONLY_200,
        delete=ADMIN_ONLY_200,
        obj="staticdevice",
    ),
    **admin_model(
        "otp_totp_totpdevice",
        changelist=ADMIN_ONLY_200,
        add=ADMIN_ONLY_403,
        change=ADMIN_ONLY_200,
        history=ADMIN_ONLY_200,
        delete=ADMIN_ONLY_200,
        obj="totpdevice",
    ),
}


# --- the world the matrix is checked against -----------------------------------------------------


# What a client told their navigator, in every walled record of the world: no interface outside the wall may show it.
WALL_SECRET = "Told the navigator in confidence: relapse, Tuesday group"


def build_world(*, le_lead, officer, second_officer, social_worker, administrator, program_manager, custodian):
    """{kind: {object key: pk}} for adult, juvenile and sealed objects, built the way the services would."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth.models import Group as AuthGroup
    from django.utils import timezone
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from candidates.models import (
        Candidate,
        CaseNote,
        Consent,
        EligibilityBasis,
        GroupMembership,
        GVISMeeting,
        Influencer,
        NavigatorAssignment,
        Need,
        OutcomeEvent,
        PartnerOrganization,
        PartnerReferral,
        Referral,
        ServiceOffer,
        Shooting,
    )
    from candidates.models import Group as Gang
    from candidates.sealing import candidate_seal
    from notifications.models import Delivery, Letter, LetterTemplate, Personnel, TeamMember, TrainingRecord
    from notifications.reminders.models import Reminder, StepDueTime
    from vip import roles
    from vip.models import AuditEvent, RoleGrant

    today = dt.date.today()
    gang = Gang.objects.create(name="Matrix Street (test)")
    shooting = Shooting.objects.create(incident_number="MX-1", occurred_on=today, location="Central Ave")
    meeting = GVISMeeting.objects.create(held_on=today)
    partner = PartnerOrganization.objects.create(name="Matrix Partner (test)", service_types=["substance_use"])
    personnel, _ = Personnel.objects.get_or_create(user=officer)
    training = TrainingRecord.objects.create(user=officer, course="CN delivery", attended_on=today)
    template = LetterTemplate.objects.first() or LetterTemplate.objects.create(name="Matrix", body="Hello")
    due, _ = StepDueTime.objects.get_or_create(state="identified", defaults={"due_hours": 24})
    totp = TOTPDevice.objects.filter(user=officer).first() or TOTPDevice.objects.create(user=officer, name="app")
    static = StaticDevice.objects.create(user=officer, name="recovery")
    # a stranger locked out (a persona's own attempts are reset when the matrix signs it in)
    seen = {"user_agent": "matrix", "ip_address": "10.0.0.9", "username": "locked.out", "http_accept": "*/*"}
    attempt = AccessAttempt.objects.create(
        **seen, path_info="/accounts/login/", get_data="", post_data="", failures_since_start=3
    )
    failure = AccessFailureLog.objects.create(**seen, path_info="/accounts/login/", locked_out=False)
    access = AccessLog.objects.create(**seen, path_info="/accounts/login/")
    # a role grant awaiting approval (vip.grants): asked by the administrator, for the second officer
    grant = RoleGrant.objects.create(
        user=second_officer,
        group=AuthGroup.objects.get(name=roles.RECORDS_CUSTODIAN),
        requested_by=administrator,
        reason="Matrix",
    )
    common = {
        "user": officer.pk,
        "group": AuthGroup.objects.get(name=roles.OFFICER).pk,
        "gang": gang.pk,
        "shooting": shooting.pk,
        "gvismeeting": meeting.pk,
        "partner": partner.pk,
        "personnel": personnel.pk,
        "training": training.pk,
        "lettertemplate": template.pk,
        "stepduetime": due.pk,
        "totpdevice": totp.pk,
        "staticdevice": static.pk,
        "accessattempt": attempt.pk,
        "accessfailurelog": failure.pk,
        "accesslog": access.pk,
        "rolegrant": grant.pk,
    }
    world: dict[str, dict[str, object]] = {}
    for kind, age in (("adult", 30), ("juvenile", 16), ("sealed", 15)):
        person = Candidate.objects.create(
            first_name=kind.title(), last_name="Matrix", date_of_birth=today.replace(year=today.year - age)
        )
        delivery = Delivery.objects.create(candidate=person, le_lead=le_lead)
        TeamMember.objects.create(delivery=delivery, user=le_lead, role=TeamMember.Role.LE_LEAD)
        TeamMember.objects.create(delivery=delivery, user=officer, role=TeamMember.Role.OFFICER)
        if kind == "adult":
            TeamMember.objects.create(delivery=delivery, user=social_worker, role=TeamMember.Role.SOCIAL_SERVICES)
            offer = ServiceOffer.objects.create(
                candidate=person, service_type="shelter", offered_by=social_worker, offered_on=today
            )
        else:  # serves the juvenile without being on the team: still not enough to see a juvenile
            offer = ServiceOffer.objects.create(
                candidate=person, service_type="education", offered_by=social_worker, offered_on=today
            )
        membership = GroupMembership.objects.create(
            candidate=person,
            group=gang,
            source=GroupMembership.Source.LINK_ANALYSIS,
            link_analysis_reference=f"LA-{kind}",
            identified_on=today,
        )
        Letter.objects.create(delivery=delivery, status=Letter.Status.DRAFTED, template=template, body="Dear")
        influencer = Influencer.objects.create(candidate=person, name=f"{kind} parent", relationship="parent")
        referral = Referral.objects.create(
            candidate=person, source="department", referred_by="Sgt", referred_on=today, reason="r"
        )
        basis = EligibilityBasis.objects.create(candidate=person, kind="driver", information="i")
        outcome = OutcomeEvent.objects.create(
            candidate=person, kind="arrest", occurred_on=today, source_reference=f"RMS-{kind}"
        )
        Reminder.objects.create(
            delivery=delivery,
            step="identified",
            recipient=officer,
            due_at=timezone.now(),
            message="due",
            claim=uuid.uuid4(),
        )
        # after the door (issue 19): a need, a consent and a referral under it, a case note, a navigator
        need = Need.objects.create(
            candidate=person, area="substance_use", status="unmet", status_changed_on=today, detail=WALL_SECRET
        )
        consent = Consent.objects.create(
            candidate=person,
            partner=partner,
            purpose=Consent.Purpose.REFERRAL,
            part2=True,
            decision=Consent.Decision.GIVEN,
            decided_on=today,
            method=Consent.Method.SIGNED,
        )
        partner_referral = PartnerReferral.objects.create(
            candidate=person,
            partner=partner,
            area="substance_use",
            referred_on=today,
            made_by=social_worker,
            navigator=social_worker,
            consent=consent,
            follow_up_due=today,
            detail=WALL_SECRET,
        )
        note = CaseNote.objects.create(candidate=person, author=social_worker, text=WALL_SECRET)
        assignment = NavigatorAssignment.objects.create(candidate=person, navigator=social_worker)
        if kind == "adult":  # the adult lets the Program Manager read their details (a program review consent)
            Consent.objects.create(
                candidate=person,
                purpose=Consent.Purpose.PROGRAM_REVIEW,
                part2=True,
                decision=Consent.Decision.GIVEN,
                decided_on=today,
                method=Consent.Method.VERBAL_WITNESSED,
                witness="A colleague",
            )
        if kind == "sealed":
            candidate_seal(person, custodian, "D-202-JR-2026-00042", dt.date.today())
        event = AuditEvent.objects.filter(object_type="candidates.Candidate", object_id=str(person.pk)).first()
        objects = {
            "candidate": person,
            "delivery": delivery,
            "membership": membership,
            "influencer": influencer,
            "referral": referral,
            "basis": basis,
            "serviceoffer": offer,
            "outcome": outcome,
            "need": need,
            "partnerreferral": partner_referral,
            "consent": consent,
            "casenote": note,
            "assignment": assignment,
        }
        world[kind] = {name: o.pk for name, o in objects.items()} | {"auditevent": event.pk} | common
    for kind in KINDS:
        world[kind]["reminder"] = Reminder.objects.order_by("pk").first().pk
    return world


def fast_password_hashing(settings):
    """Personas are many: hash their passwords cheaply in these tests (the real hasher is tested elsewhere)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
