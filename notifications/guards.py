"""The guards of the CN state machine: small named conditions, each able to say in a sentence why it fails.

A guard marked `payload=True` judges the step record submitted with the transition (the encounter, the
after-action); it is checked when the transition is attempted, and listed as a requirement, not a
blocker, when the API tells a user which transitions are available now.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings

from notifications import rules


def guard(reason: str, *, payload: bool = False) -> Callable:
    def decorate(fn: Callable) -> Callable:
        fn.reason = reason
        fn.payload = payload
        return fn

    return decorate


def reason_for(condition: Callable, delivery) -> str:
    explain = getattr(condition, "explain", None)
    if explain is not None:
        text = explain(delivery)
        if text:
            return text
    return getattr(condition, "reason", condition.__name__.replace("_", " "))


# --- Eligibility: SOP 2-64-4 A, 2-64-5 A -------------------------------------------------------------


@guard(
    "At least one eligibility basis with its evidence is needed, valid for the candidate's age (SOP 2-64-4 A / 2-64-5 A)."
)
def has_valid_eligibility_basis(delivery) -> bool:
    on = delivery.reference_date()
    return any(basis.is_valid_on(on) for basis in delivery.candidate.bases.all())


# --- Preparation: SOP 2-64-4 B, 2-64-5 B -------------------------------------------------------------


@guard("The threat assessment has not been completed (SOP 2-64-4 B.1.a).")
def threat_assessment_done(delivery) -> bool:
    return delivery.checks.filter(kind="threat_assessment").exists()


@guard("The background check has not been completed (SOP 2-64-4 B.1.a).")
def background_check_done(delivery) -> bool:
    return delivery.checks.filter(kind="background_check").exists()


@guard("The personalised letter has not been drafted, nor recorded as not warranted with a reason (SOP 2-64-4 B.1.b).")
def letter_drafted_or_not_warranted(delivery) -> bool:
    letter = delivery.letter_or_none()
    if letter is None:
        return False
    if letter.status == "not_warranted":
        return bool(letter.not_warranted_reason.strip())
    return bool(letter.body.strip())


@guard(rules.QUALIFIED_OFFICER_REASON)
def team_has_qualified_officer(delivery) -> bool:
    from notifications.personnel import qualification

    return any(
        qualification(member.user).qualified
        for member in delivery.team_members.select_related("user")
        if member.role in ("le_lead", "officer")
    )


def _team_problems(delivery) -> list[str]:
    from notifications.personnel import qualification

    members = list(delivery.team_members.select_related("user"))
    lead_on_team = any(m.role == "le_lead" for m in members)
    problems = (
        rules.team_place_problem(
            member.user.get_full_name() or member.user.username, qualification(member.user), lead_on_team=lead_on_team
        )
        for member in members
        if member.role in ("officer", "trainee")
    )
    return [problem for problem in problems if problem]


@guard(rules.TEAM_QUALIFICATION_REASON)
def team_officers_meet_sop_2_64_6(delivery) -> bool:
    return not _team_problems(delivery)


team_officers_meet_sop_2_64_6.explain = lambda delivery: " ".join(_team_problems(delivery))


@guard("The delivering personnel have not coordinated with the social services component (SOP 2-64-4 B.1.d).")
def social_services_coordinated(delivery) -> bool:
    # A query, not the reverse accessor: Django caches a missing one-to-one on the instance.
    from notifications.models import SocialServicesCoordination

    return SocialServicesCoordination.objects.filter(delivery=delivery).exists()


@guard(
    "For a juvenile, the Juvenile Probation Office must be contacted and its decision to deliver recorded (SOP 2-64-5 B.1)."
)
def jpo_cleared_if_juvenile(delivery) -> bool:
    if not delivery.candidate_is_juvenile():
        return True
    jpo = delivery.jpo_check_or_none()
    return jpo is not None and jpo.decision == "deliver"


@guard(
    "For a juvenile, the LE Lead must attempt to contact the parent or guardian before the delivery (SOP 2-64-5 B.1.f)."
)
def guardian_contact_attempted_if_juvenile(delivery) -> bool:
    if not delivery.candidate_is_juvenile():
        return True
    return delivery.guardian_contacts.exists()


# --- Delivery: SOP 2-64-4 C, 2-64-5 C ----------------------------------------------------------------


@guard(
    "The ECC must be advised of the location, the team members and the candidate's identity first (SOP 2-64-4 C.1.a).",
    payload=True,  # the advise-ecc step writes this record itself: a requirement, not a blocker on a READY CN
)
def ecc_advisement_recorded(delivery) -> bool:
    record = delivery.latest_ecc_advisement()
    return bool(
        record
        and record.attempt == delivery.attempt
        and record.location.strip()
        and record.team_members.strip()
        and record.candidate_identity.strip()
    )


@guard("The encounter has not been recorded.", payload=True)
def encounter_recorded(delivery) -> bool:
    encounter = delivery.latest_encounter()
    return encounter is not None and encounter.attempt == delivery.attempt


@guard(
    "The letter was drafted, so it must be presented to record the CN as delivered (SOP 2-64-4 C.1.b).", payload=True
)
def letter_presented_where_drafted(delivery) -> bool:
    letter = delivery.letter_or_none()
    if letter is None or letter.status != "drafted":
        return True
    encounter = delivery.latest_encounter()
    return bool(encounter and encounter.letter_presented)


@guard("The GVI message must be delivered to record the CN as delivered (SOP 2-64-4 C.1.b).", payload=True)
def gvi_message_delivered(delivery) -> bool:
    encounter = delivery.latest_encounter()
    return bool(encounter and encounter.gvi_message_delivered)


@guard(
    "Record whether the team stayed for the social services component, or why it was not feasible (SOP 2-64-4 C.1.c).",
    payload=True,
)
def social_services_stayed_or_why_not(delivery) -> bool:
    encounter = delivery.latest_encounter()
    if encounter is None:
        return False
    if encounter.social_services_stayed:
        return True
    return bool(encounter.social_services_not_feasible_reason.strip())


@guard("A juvenile's CN is never delivered without a parent or guardian present (SOP 2-64-5 B.1.f).", payload=True)
def guardian_present_for_juvenile(delivery) -> bool:
    # The rule of the delivery day applies (SOP 2-64-5 A): the encounter's local date, not identification's.
    encounter = delivery.latest_encounter()
    if not delivery.candidate_is_juvenile():
        return True
    return bool(
        encounter
        and encounter.attempt == delivery.attempt
        and encounter.guardian_present
        and (encounter.guardian_name.strip() or encounter.guardian_influencer_id)
    )


@guard(
    "Name who received the message: a family member, influencer or associate of the candidate (SOP 2-64-4 C.2).",
    payload=True,
)
def recipient_named(delivery) -> bool:
    encounter = delivery.latest_encounter()
    return bool(encounter and (encounter.recipient_influencer_id or encounter.recipient_name.strip()))


@guard("Say why delivering to someone other than the candidate was warranted (SOP 2-64-4 C.2).", payload=True)
def recipient_warranted(delivery) -> bool:
    encounter = delivery.latest_encounter()
    return bool(encounter and encounter.recipient_reason.strip())


# --- After-action: SOP 2-64-4 D, 2-64-5 D ------------------------------------------------------------


@guard("The ECC must be advised of the outcome (SOP 2-64-4 D.1).", payload=True)
def ecc_advised_of_outcome(delivery) -> bool:
    record = delivery.after_action_or_none()
    return bool(record and record.ecc_advised_of_outcome)


@guard("The CAD report number is missing or not in the Department's format (e.g. CAD-2026-001234).", payload=True)
def cad_report_number_valid(delivery) -> bool:
    record = delivery.after_action_or_none()
    return bool(record and re.fullmatch(settings.VIP_CAD_NUMBER_PATTERN, record.cad_report_number.strip()))


def hasattr_safe(obj, name: str) -> bool:
    try:
        getattr(obj, name)
    except Exception:  # RelatedObjectDoesNotExist
        return False
    return True
