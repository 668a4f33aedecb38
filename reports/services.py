"""Writes of the reports app: service offers (the social services component) and outcome events.

Every write: check who is acting and that the candidate is visible to them, validate with `full_clean`,
save inside `transaction.atomic()`, and write the audit row in the same transaction.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict

from candidates.models import Candidate, OutcomeEvent, PartnerOrganization, ServiceOffer, today
from candidates.selectors import candidates_visible_to
from vip import roles
from vip.audit import audit, model_changes
from vip.errors import NotPermitted

OFFER_FIELDS = (
    "service_type",
    "detail",
    "partner",
    "offered_by",
    "offered_on",
    "status",
    "status_changed_on",
    "delivery",
    "notes",
)


def may_record_services(user) -> bool:
    """SOP 2-64-4 B.1.d: the social services component, with the LE Lead and the Program Manager."""
    return roles.has_role(user, roles.SOCIAL_SERVICES, roles.LE_LEAD, roles.PROGRAM_MANAGER)


def may_record_outcomes(user) -> bool:
    return roles.has_role(user, roles.LE_LEAD, roles.PROGRAM_MANAGER)


def offers_visible_to(user):
    return ServiceOffer.objects.filter(candidate__in=candidates_visible_to(user).values("pk")).select_related(
        "candidate", "partner", "offered_by", "delivery"
    )


def outcomes_visible_to(user):
    if not may_record_outcomes(user):
        return OutcomeEvent.objects.none()
    return OutcomeEvent.objects.filter(candidate__in=candidates_visible_to(user).values("pk")).select_related(
        "candidate", "recorded_by"
    )


def _require_visible_candidate(user, candidate: Candidate) -> None:
    if not candidates_visible_to(user).filter(pk=candidate.pk).exists():
        raise NotPermitted("You may not record anything for this person.")


def _check_offer(offer: ServiceOffer, *, partner_changed: bool) -> None:
    errors = {}
    if offer.delivery_id and offer.delivery.candidate_id != offer.candidate_id:
        errors["delivery"] = "That CN is for another person: pick one of this candidate's CNs or none."
    if partner_changed and offer.partner_id and not offer.partner.active:
        errors["partner"] = f"{offer.partner} is no longer an active partner: pick another or none."
    if errors:
        raise ValidationError(errors)
    # An older offer may have lost who made it (the user was removed): that must not block a status change.
    offer.full_clean(exclude=None if offer.offered_by_id else ["offered_by"])


def _offer_snapshot(offer: ServiceOffer) -> dict:
    return model_to_dict(offer, fields=OFFER_FIELDS)


@transaction.atomic
def service_offer_create(
    *,
    user,
    candidate: Candidate,
    service_type: str,
    offered_on: dt.date | None = None,
    status: str = ServiceOffer.Status.OFFERED,
    status_changed_on: dt.date | None = None,
    partner: PartnerOrganization | None = None,
    detail: str = "",
    notes: str = "",
    delivery=None,
) -> ServiceOffer:
    if not may_record_services(user):
        raise NotPermitted("Only social services, the VIP LE Lead and the Program Manager record services.")
    _require_visible_candidate(user, candidate)
    offer = ServiceOffer(
        candidate=candidate,
        service_type=service_type,
        offered_on=offered_on or today(),
        status=status,
        status_changed_on=status_changed_on,
        partner=partner,
        offered_by=user,  # who acted is the signed-in user, never a value sent (issue 17)
        detail=detail,
        notes=notes,
        delivery=delivery,
    )
    if offer.status != ServiceOffer.Status.OFFERED and offer.status_changed_on is None:
        offer.status_changed_on = today()
    _check_offer(offer, partner_changed=True)
    offer.save()
    audit(
        actor=user,
        action="create",
        obj=offer,
        note="Service offer recorded.",
        changes=model_changes({}, _offer_snapshot(offer)),
    )
    return offer


@transaction.atomic
def service_offer_update(*, user, offer_id: int, **fields) -> ServiceOffer:
    """Change an offer: most often its status (accepted, declined, referred, completed) and the date of it."""
    if not may_record_services(user):
        raise NotPermitted("Only social services, the VIP LE Lead and the Program Manager record services.")
    unknown = set(fields) - set(OFFER_FIELDS) | ({"offered_by"} & set(fields))
    if unknown:
        raise ValueError(f"Not an offer field: {', '.join(sorted(unknown))}")
    try:
        offer = offers_visible_to(user).select_for_update(of=("self",)).get(pk=offer_id)
    except ServiceOffer.DoesNotExist:
        raise NotPermitted("You may not change this service offer.") from None
    before = _offer_snapshot(offer)
    for name, value in fields.items():
        setattr(offer, name, value)
    if offer.status != before["status"] and "status_changed_on" not in fields:
        offer.status_changed_on = today()
    if offer.status == ServiceOffer.Status.OFFERED and "status_changed_on" not in fields:
        offer.status_changed_on = None
    _check_offer(offer, partner_changed=offer.partner_id != before["partner"])
    offer.save()
    changes = model_changes(before, _offer_snapshot(offer))
    audit(actor=user, action="update", obj=offer, note="Service offer changed.", changes=changes)
    return offer


@transaction.atomic
def outcome_event_create(
    *,
    user,
    candidate: Candidate,
    kind: str,
    occurred_on: dt.date,
    source_reference: str,
    category: str = "",
    notes: str = "",
) -> OutcomeEvent:
    """A new arrest or offence, or a re-victimisation, after a CN, with its RMS or CAD number."""
    if not may_record_outcomes(user):
        raise NotPermitted("Only the VIP LE Lead and the Program Manager record outcomes.")
    _require_visible_candidate(user, candidate)
    event = OutcomeEvent(
        candidate=candidate,
        kind=kind,
        category=category,
        occurred_on=occurred_on,
        source_reference=(source_reference or "").strip(),
        notes=notes,
        recorded_by=user,
    )
    event.full_clean()
    event.save()
    audit(
        actor=user,
        action="create",
        obj=event,
        note="Outcome event recorded.",
        changes=model_changes(
            {}, model_to_dict(event, fields=("kind", "category", "occurred_on", "source_reference", "notes"))
        ),
    )
    return event
