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
- Object kwargs name an object of the test world (see `build_world`): "candidate", "delivery", "membership",
  "auditevent", "user", "group"; a literal value starts with "=" (kind="=membership").
  With object kwargs, give the codes per object kind: adult=..., juvenile=..., sealed=... (a kind left out
  is not requested; a single `codes` applies to every kind).
- method="post" (with data) for POST-only endpoints; url="/literal/" for unnamed regex patterns.
- `admin_model(...)` classifies the six admin URLs of one registered model in one line.

The world: an adult and a juvenile, each with a CN whose team holds the LE Lead and the officer (and, for
the adult, the social worker); the social worker also serves the juvenile (a service offer) without being on
the team; a sealed juvenile with a CN; `officer_not_on_team` is qualified on another, closed CN.
"""

from __future__ import annotations

import datetime as dt

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
KIND_OBJECTS = {"candidate", "delivery", "membership", "auditevent"}


class E:
    """What each role gets from one URL pattern (see the module docstring)."""

    def __init__(self, codes="", *, adult="", juvenile="", sealed="", method="get", data=None, url="", **kwargs):
        self.codes, self.adult, self.juvenile, self.sealed = codes, adult, juvenile, sealed
        self.method, self.data, self.url, self.kwargs = method, data or {}, url, kwargs

    def per_kind(self) -> dict[str, dict[str, str]]:
        """{kind: {role: code}} for the kinds to request."""
        needs_object = any(str(v) in KIND_OBJECTS for v in self.kwargs.values()) or "{" in self.url
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


SIGNED_IN_200 = "200 200 200 200 200 200 200 302"
EVERYONE_200 = "200 200 200 200 200 200 200 200"


def admin_model(label: str, *, changelist: str, add: str, change: str, history: str = "", delete: str = "", obj: str):
    """The admin URLs of one model: label "app_model" (e.g. "auth_user"), obj the world object or "=id"."""
    history = history or change
    delete = delete or change
    app, model = (
        label.split("_", 1)
        if not label.startswith("django_celery_beat_")
        else (
            "django_celery_beat",
            label.removeprefix("django_celery_beat_"),
        )
    )
    return {
        f"admin:{label}_changelist": E(changelist),
        f"admin:{label}_add": E(add),
        f"admin:{label}_change": E(change, object_id=obj),
        f"admin:{label}_history": E(history, object_id=obj),
        f"admin:{label}_delete": E(delete, object_id=obj),
        # the bare object URL only redirects to its change page (signed-out and non-staff: to sign in)
        f"admin/{app}/{model}/<path:object_id>/": E("302 302 302 302 302 302 302 302", url=f"/admin/{app}/{model}/1/"),
    }


# Non-staff (every role but the administrator) are sent to the admin's sign-in page.
ADMIN_ONLY_200 = "302 302 302 302 302 200 302 302"
ADMIN_ONLY_403 = "302 302 302 302 302 403 302 302"
# Reference data (not candidate-linked) that does not exist: Django's admin redirects with "doesn't exist".
MISSING_REDIRECT = "302 302 302 302 302 302 302 302"

MATRIX: dict[str, E] = {
    # --- the site ---------------------------------------------------------------------------------
    "home": E("302 302 302 302 302 302 302 302"),
    "no_role": E("403 403 403 403 403 403 403 302"),
    "healthz": E(EVERYONE_200),
    "login": E(EVERYONE_200),
    "logout": E("405 405 405 405 405 405 405 405"),
    # --- candidates -------------------------------------------------------------------------------
    "candidates:list": E(SIGNED_IN_200),
    "candidates:detail": E(
        adult="200 200 200 404 200 404 200 302",
        juvenile="200 200 200 404 404 404 200 302",
        sealed="404 404 404 404 404 404 200 302",
        pk="candidate",
    ),
    # --- CNs --------------------------------------------------------------------------------------
    "notifications:board": E(SIGNED_IN_200),
    "notifications:my_deliveries": E(SIGNED_IN_200),
    "notifications:personnel": E(SIGNED_IN_200),
    "notifications:detail": E(
        adult="200 200 200 404 200 404 200 302",
        juvenile="200 200 200 404 404 404 200 302",
        sealed="404 404 404 404 404 404 200 302",
        pk="delivery",
    ),
    "tablet:home": E(SIGNED_IN_200),
    "reminders:inbox": E(SIGNED_IN_200),
    "reports:dashboard": E(SIGNED_IN_200),
    "reports:transparency": E(EVERYONE_200),
    # --- audit, sealing, review (issue #5) -------------------------------------------------------
    "audit:list": E("403 200 403 403 403 200 200 302"),
    "audit:export": E("403 200 403 403 403 200 200 302"),
    "audit:seal_start": E("403 403 403 403 403 200 403 302"),
    "audit:seal": E(
        adult="403 403 403 403 403 200 403 302",
        juvenile="403 403 403 403 403 200 403 302",
        sealed="403 403 403 403 403 404 403 302",
        pk="candidate",
    ),
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
    "schema": E(EVERYONE_200),
    "api_docs": E(EVERYONE_200),
    # --- admin ------------------------------------------------------------------------------------
    "admin:index": E(ADMIN_ONLY_200),
    "admin:login": E("200 200 200 200 200 302 200 200"),
    "admin:logout": E("302 302 302 302 302 405 302 302"),
    "admin:password_change": E(ADMIN_ONLY_200),
    "admin:password_change_done": E(ADMIN_ONLY_200),
    "admin:autocomplete": E(ADMIN_ONLY_403),
    "admin:jsi18n": E(ADMIN_ONLY_200),
    "admin:view_on_site": E("302 302 302 302 302 404 302 302", content_type_id="=0", object_id="=0"),
    "admin:app_list": E(ADMIN_ONLY_200, app_label="=vip"),
    "admin/(?P<url>.*)$": E("302 302 302 302 302 404 302 302", url="/admin/nowhere/"),
    "admin:auth_user_password_change": E(ADMIN_ONLY_200, id="user"),
    **admin_model(
        "auth_user",
        changelist=ADMIN_ONLY_200,
        add=ADMIN_ONLY_200,
        change=ADMIN_ONLY_200,
        delete=ADMIN_ONLY_403,  # accounts are deactivated, never deleted: their audit rows point at them
        obj="user",
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
    "admin:vip_auditevent_changelist": E(ADMIN_ONLY_200),
    "admin:vip_auditevent_add": E(ADMIN_ONLY_403),
    "admin:vip_auditevent_change": E(
        adult=ADMIN_ONLY_200, juvenile=ADMIN_ONLY_200, sealed="302 302 302 302 302 404 302 302", object_id="auditevent"
    ),
    "admin:vip_auditevent_history": E(
        adult=ADMIN_ONLY_200, juvenile=ADMIN_ONLY_200, sealed="302 302 302 302 302 404 302 302", object_id="auditevent"
    ),
    "admin:vip_auditevent_delete": E(ADMIN_ONLY_403, object_id="auditevent"),
    "admin/vip/auditevent/<path:object_id>/": E("302 302 302 302 302 302 302 302", url="/admin/vip/auditevent/1/"),
}


# --- the world the matrix is checked against -----------------------------------------------------


def build_world(*, le_lead, officer, second_officer, social_worker, administrator, program_manager, custodian):
    """{kind: {object key: pk}} for adult, juvenile and sealed objects, built the way the services would."""
    from django.contrib.auth.models import Group as AuthGroup

    from candidates.models import Candidate, GroupMembership, ServiceOffer
    from candidates.models import Group as Gang
    from candidates.sealing import candidate_seal
    from notifications.models import Delivery, TeamMember
    from vip import roles
    from vip.models import AuditEvent

    today = dt.date.today()
    gang = Gang.objects.create(name="Matrix Street (test)")
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
        else:  # serves the juvenile without being on the team: still not enough to see a juvenile
            ServiceOffer.objects.create(
                candidate=person, service_type="education", offered_by=social_worker, offered_on=today
            )
        membership = GroupMembership.objects.create(
            candidate=person,
            group=gang,
            source=GroupMembership.Source.LINK_ANALYSIS,
            link_analysis_reference=f"LA-{kind}",
            identified_on=today,
        )
        if kind == "sealed":
            candidate_seal(person, administrator, "D-202-JR-2026-00042")
        event = AuditEvent.objects.filter(object_type="candidates.Candidate", object_id=str(person.pk)).first()
        world[kind] = {
            "candidate": person.pk,
            "delivery": delivery.pk,
            "membership": membership.pk,
            "auditevent": event.pk,
            "user": officer.pk,
            "group": AuthGroup.objects.get(name=roles.OFFICER).pk,
        }
    return world


def fast_password_hashing(settings):
    """Personas are many: hash their passwords cheaply in these tests (the real hasher is tested elsewhere)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
