"""Sealing a juvenile's record on a court order, and unsealing it on another (NMSA 1978 § 32A-2-26).

Once sealed, the record behaves as if it never existed: the selectors (`candidates_visible_to`,
`deliveries_visible_to`) leave it out of every page, search, list, export, count, the API and the admin,
for everyone but the Records Custodian. The custodian alone seals and unseals, and only they ever see that a
record is or was sealed: the badge, the filter, the pages under /audit/seal/ and the trail's `seal` rows.

Each act needs the court order that orders it: its reference (case and order number) and its date, which
cannot be in the future. Only a juvenile's record is sealed: the person was 17 or younger today, on the day
the record was entered, or on the day one of their CNs was opened (a record made while they were a juvenile
may be sealed after they turn 18). Each act writes one `seal` row naming the order, from "unsealed" to
"sealed" or back, with the sealing fields before and after.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from candidates.models import Candidate
from vip import roles
from vip.audit import audit, model_changes
from vip.errors import DomainError, NotPermitted
from vip.models import AuditEvent

SEALED, UNSEALED = "sealed", "unsealed"  # the trail's from_state / to_state of a `seal` row
LAW = "NMSA 32A-2-26"
ONLY_THE_CUSTODIAN = "Only the Records Custodian seals or unseals a record, on a court order."
SEALING_FIELDS = ("sealed_at", "sealed_by_id", "sealing_order_reference", "sealing_order_date")
REFERENCE_MAX_LENGTH = Candidate._meta.get_field("sealing_order_reference").max_length


def may_seal(user) -> bool:
    """Who seals and unseals, and who sees that a record is sealed at all: the Records Custodian."""
    return roles.is_records_custodian(user)


def was_juvenile_in_record(candidate: Candidate) -> bool:
    days = [timezone.localdate()]
    if candidate.created_at:
        days.append(timezone.localdate(candidate.created_at))
    days += [timezone.localdate(at) for at in candidate.deliveries.values_list("created_at", flat=True)]
    return any(candidate.is_juvenile(day) for day in days)


def order_errors(order_reference: str, order_date: dt.date | None) -> dict[str, str]:
    """What is wrong with the court order as given: its reference and its date are both needed, and an order
    cannot be dated after today."""
    errors: dict[str, str] = {}
    if not (order_reference or "").strip():
        errors["order_reference"] = "Give the court order's reference (case and order number)."
    elif len(order_reference.strip()) > REFERENCE_MAX_LENGTH:
        errors["order_reference"] = f"The reference is at most {REFERENCE_MAX_LENGTH} characters."
    if order_date is None:
        errors["order_date"] = "Give the date of the court order."
    elif order_date > timezone.localdate():
        errors["order_date"] = f"The court order cannot be dated after today ({timezone.localdate():%Y-%m-%d})."
    return errors


def sealable_errors(candidate: Candidate) -> dict[str, str]:
    """Why this record cannot be sealed, whatever the order says: it is sealed already, or not a juvenile's."""
    if candidate.is_sealed:
        return {"candidate": f"This record was already sealed on {timezone.localdate(candidate.sealed_at):%Y-%m-%d}."}
    if not was_juvenile_in_record(candidate):
        return {
            "candidate": (
                f"Only a juvenile's record may be sealed ({LAW}): this person was 18 or older "
                "when the record and their CNs were made."
            )
        }
    return {}


def unsealable_errors(candidate: Candidate) -> dict[str, str]:
    return {} if candidate.is_sealed else {"candidate": "This record is not sealed."}


def seal_errors(candidate: Candidate, order_reference: str, order_date: dt.date | None) -> dict[str, str]:
    return {**order_errors(order_reference, order_date), **sealable_errors(candidate)}


def unseal_errors(candidate: Candidate, order_reference: str, order_date: dt.date | None) -> dict[str, str]:
    return {**order_errors(order_reference, order_date), **unsealable_errors(candidate)}


def _sealing(candidate: Candidate) -> dict:
    return {name: getattr(candidate, name) for name in SEALING_FIELDS}


def _order_note(order_reference: str, order_date: dt.date) -> str:
    return f"court order {order_reference} of {order_date:%Y-%m-%d} ({LAW})"


def _write_sealing(locked: Candidate, at, by, order_reference: str, order_date: dt.date | None) -> None:
    """The record's sealing fields (SEALING_FIELDS), as a sealing sets them or an unsealing clears them."""
    locked.sealed_at, locked.sealed_by = at, by
    locked.sealing_order_reference, locked.sealing_order_date = order_reference, order_date
    locked.save(update_fields=[column.removesuffix("_id") for column in SEALING_FIELDS])


def candidate_seal(candidate: Candidate, user, order_reference: str, order_date: dt.date | None) -> Candidate:
    """Seal `candidate` on the court order `order_reference` dated `order_date`: from now on only the Records
    Custodian sees the record and its CNs."""
    if not may_seal(user):
        raise NotPermitted(ONLY_THE_CUSTODIAN)
    order_reference = (order_reference or "").strip()
    with transaction.atomic():
        locked = Candidate.objects.select_for_update().get(pk=candidate.pk)
        errors = seal_errors(locked, order_reference, order_date)
        if errors:
            raise DomainError("The record cannot be sealed.", reasons=errors, code="seal_refused")
        before = _sealing(locked)
        _write_sealing(locked, timezone.now(), user, order_reference, order_date)
        audit(
            actor=user,
            action=AuditEvent.Action.SEAL,
            obj=locked,
            from_state=UNSEALED,
            to_state=SEALED,
            note=f"Sealed on {_order_note(order_reference, order_date)}.",
            changes=model_changes(before, _sealing(locked)),
        )
    return locked


def candidate_unseal(candidate: Candidate, user, order_reference: str, order_date: dt.date | None) -> Candidate:
    """Unseal `candidate` on the court order `order_reference` dated `order_date`: the record is seen again by
    whoever its access rules allow. The sealing order is cleared from the record; the trail keeps both orders."""
    if not may_seal(user):
        raise NotPermitted(ONLY_THE_CUSTODIAN)
    order_reference = (order_reference or "").strip()
    with transaction.atomic():
        locked = Candidate.objects.select_for_update().get(pk=candidate.pk)
        errors = unseal_errors(locked, order_reference, order_date)
        if errors:
            raise DomainError("The record cannot be unsealed.", reasons=errors, code="unseal_refused")
        before = _sealing(locked)
        sealed_by = f"{before['sealing_order_reference']} of {before['sealing_order_date'] or '?'}"
        _write_sealing(locked, None, None, "", None)
        audit(
            actor=user,
            action=AuditEvent.Action.SEAL,
            obj=locked,
            from_state=SEALED,
            to_state=UNSEALED,
            note=f"Unsealed on {_order_note(order_reference, order_date)}; it had been sealed on order {sealed_by}.",
            changes={
                **model_changes(before, _sealing(locked)),
                "unsealing_order_reference": [None, order_reference],
                "unsealing_order_date": [None, order_date.isoformat()],
            },
        )
    return locked
