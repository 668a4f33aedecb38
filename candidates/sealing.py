"""Sealing a juvenile's record on a court order (NMSA 1978 § 32A-2-26).

Once sealed, the record behaves as if it never existed: the selectors (`candidates_visible_to`,
`deliveries_visible_to`) leave it out of every page, search, list, export, count, the API and the admin,
for everyone but the Records Custodian. Only an administrator seals, and only a juvenile's record: the
person was 17 or younger today, on the day the record was entered, or on the day one of their CNs was
opened (a record made while they were a juvenile may be sealed after they turn 18). Audited.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from candidates.models import Candidate
from vip import roles
from vip.audit import audit
from vip.errors import DomainError, NotPermitted
from vip.models import AuditEvent


def was_juvenile_in_record(candidate: Candidate) -> bool:
    days = [timezone.localdate()]
    if candidate.created_at:
        days.append(timezone.localdate(candidate.created_at))
    days += [timezone.localdate(at) for at in candidate.deliveries.values_list("created_at", flat=True)]
    return any(candidate.is_juvenile(day) for day in days)


def seal_errors(candidate: Candidate, order_reference: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not order_reference.strip():
        errors["order_reference"] = "Give the court order's reference (case and order number)."
    if candidate.is_sealed:
        errors["candidate"] = f"This record was already sealed on {timezone.localdate(candidate.sealed_at):%Y-%m-%d}."
    elif not was_juvenile_in_record(candidate):
        errors["candidate"] = (
            "Only a juvenile's record may be sealed (NMSA 32A-2-26): this person was 18 or older "
            "when the record and their CNs were made."
        )
    return errors


def candidate_seal(candidate: Candidate, user, order_reference: str) -> Candidate:
    if not roles.is_administrator(user):
        raise NotPermitted("Only an administrator seals a record, on a court order.")
    order_reference = (order_reference or "").strip()
    with transaction.atomic():
        locked = Candidate.objects.select_for_update().get(pk=candidate.pk)
        errors = seal_errors(locked, order_reference)
        if errors:
            raise DomainError("The record cannot be sealed.", reasons=errors, code="seal_refused")
        locked.sealed_at = timezone.now()
        locked.sealed_by = user
        locked.sealing_order_reference = order_reference[:100]
        locked.save(update_fields=["sealed_at", "sealed_by", "sealing_order_reference"])
        audit(
            actor=user,
            action=AuditEvent.Action.SEAL,
            obj=locked,
            note=f"Sealed on court order {locked.sealing_order_reference} (NMSA 32A-2-26).",
        )
    return locked
