"""Propose, approve and refuse a correction: the one path past the freeze (`rules.CORRECTABLE`).

Each service works as every CN service does (notifications/services.py): inside `transaction.atomic()`, the
CN's row locked through the access rules (`_lock`: a CN the user may not see is "no such CN"), who may act
checked, the record written, and the reason audited. The new value is checked as the step that recorded it
checks it (its form's field, the model's validation, the state machine's guards on the corrected record) when
proposed, and again when approved, when it is applied. The approver is never the proposer (and the
database's check constraint says so too).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from notifications import guards, rules
from notifications.corrections.fields import CorrectableField, correctable_field, value_text
from notifications.corrections.models import Correction
from notifications.services import _lock
from vip.audit import acting_as, audit
from vip.errors import Conflict, DomainError, NotPermitted
from vip.models import AuditEvent


class _Tried(Exception):
    """Undoes a trial application of a proposed value (its savepoint rolls back)."""


def _apply(field: CorrectableField, record, delivery, value) -> None:
    """Write `value` into the frozen record, as its step would have: the model's validation, then the guards
    the corrected record must still meet. Raises (and the caller's transaction rolls back) when it may not."""
    setattr(record, field.name, value)
    # Only the corrected field is judged (and written): the others are as their step left them, and the CN's
    # state is the state machine's alone (FSMField(protected=True)).
    others = [f.name for f in record._meta.concrete_fields if f.name != field.name]
    try:
        record.full_clean(exclude=others)
    except ValidationError as exc:
        raise DomainError(
            f"{field.label}: " + " ".join(exc.messages), reasons={"new_value": " ".join(exc.messages)}
        ) from None
    record.save(
        update_fields=[field.name, *(f.name for f in record._meta.concrete_fields if getattr(f, "auto_now", 0))]
    )
    unmet = [guards.reason_for(guard, delivery) for guard in field.guards() if not guard(delivery)]
    if unmet:
        raise DomainError(
            "The corrected record would not meet the SOP: " + " ".join(unmet), reasons={"new_value": " ".join(unmet)}
        )


def _try(field: CorrectableField, record, delivery, value) -> None:
    """Apply the value in a savepoint and undo it: a proposal is refused now for what its approval would be."""
    before = getattr(record, field.name)
    try:
        with transaction.atomic():
            _apply(field, record, delivery, value)
            raise _Tried
    except _Tried:
        pass
    finally:
        setattr(record, field.name, before)


def _frozen_record(field: CorrectableField, delivery):
    record = field.record_of(delivery, lock=True)
    if record is None:
        raise DomainError(
            f"This CN has no {field.record.title.removeprefix('The ').lower()} on record: there is nothing to correct.",
            reasons={"field": "Nothing on record."},
        )
    if not field.record.is_frozen(record, delivery):
        raise DomainError(
            f"{field.record.title} is not frozen yet (it is frozen {field.record.frozen_when}): change it through its "
            "own step; a correction is only for what the SOP has frozen.",
            reasons={"field": "Not frozen: use the step."},
        )
    return record


def correction_propose(delivery_id: int, *, user, field: str, new_value, reason: str) -> Correction:
    """The LE Lead proposes to change one field of a frozen record of this CN, and says why. Nothing changes
    until a Program Manager approves it."""
    with transaction.atomic(), acting_as(user):
        delivery = _lock(delivery_id, user)
        if not rules.PROPOSER.may(delivery, user):
            raise NotPermitted(rules.PROPOSER.refusal)
        declared = correctable_field(field)
        record = _frozen_record(declared, delivery)
        if not (reason or "").strip():
            raise DomainError("Say why the record must be corrected.", reasons={"reason": "Required."})
        if Correction.objects.filter(
            delivery=delivery, record=declared.record.key, field=declared.name, status=Correction.Status.PROPOSED
        ).exists():
            raise DomainError(
                f"A correction of {declared.label.lower()} already awaits the Program Manager: "
                "wait for the decision on it.",
                reasons={"field": "A correction of it is pending."},
            )
        value = declared.clean(new_value)
        old, new = value_text(getattr(record, declared.name)), value_text(value)
        if old == new:
            raise DomainError(
                f"{declared.label} already reads that: there is nothing to correct.",
                reasons={"new_value": "The same as on record."},
            )
        _try(declared, record, delivery, value)
        correction = Correction.objects.create(
            delivery=delivery,
            record=declared.record.key,
            record_pk=record.pk,
            field=declared.name,
            old_value=old,
            new_value=new,
            reason=reason.strip(),
            proposed_by=user,
        )
        audit(
            actor=user,
            action=AuditEvent.Action.CORRECTION,
            obj=delivery,
            to_state=Correction.Status.PROPOSED,
            note=f"Correction #{correction.pk} proposed ({declared.label}): {correction.reason}",
            changes={
                "correction": correction.pk,
                "record": declared.record.key,
                "proposed": {declared.name: [old, new]},
            },
        )
        return correction


def _pending(delivery, correction_id, user) -> Correction:
    if not rules.APPROVER.may(delivery, user):
        raise NotPermitted(rules.APPROVER.refusal)
    try:
        correction = Correction.objects.select_for_update().get(pk=correction_id, delivery=delivery)
    except (Correction.DoesNotExist, ValueError, TypeError):
        raise DomainError("There is no such correction of this CN.", code="not_found") from None
    if correction.status != Correction.Status.PROPOSED:
        raise Conflict(f"This correction was {correction.get_status_display().lower()} already.")
    if correction.proposed_by_id == user.pk:
        raise NotPermitted(rules.SAME_PERSON_REFUSAL)
    return correction


def correction_approve(delivery_id: int, correction_id: int, *, user, note: str = "") -> Correction:
    """A Program Manager who did not propose it approves the correction: the field is changed, past the freeze,
    in this transaction, and the trail keeps the old and the new value with the proposer's reason."""
    with transaction.atomic(), acting_as(user):
        delivery = _lock(delivery_id, user)
        correction = _pending(delivery, correction_id, user)
        declared = correctable_field(f"{correction.record}.{correction.field}")
        record = _frozen_record(declared, delivery)
        now = value_text(getattr(record, declared.name))
        if now != correction.old_value:
            raise Conflict(
                f"{declared.label} has changed since this correction was proposed (it now reads '{now}'): "
                "refuse it, and the LE Lead proposes it again."
            )
        _apply(declared, record, delivery, declared.clean(correction.new_value))
        correction.status = Correction.Status.APPROVED
        correction.decided_by = user
        correction.decided_at = timezone.now()
        correction.decision_reason = (note or "").strip()
        correction.save()
        audit(
            actor=user,
            action=AuditEvent.Action.CORRECTION,
            obj=delivery,
            from_state=Correction.Status.PROPOSED,
            to_state=Correction.Status.APPROVED,
            note=correction.reason,
            changes={
                declared.name: [correction.old_value, correction.new_value],
                "record": declared.record.key,
                "correction": correction.pk,
                "proposed_by": correction.proposed_by.get_username(),
            },
        )
        return correction


def correction_refuse(delivery_id: int, correction_id: int, *, user, reason: str) -> Correction:
    """A Program Manager who did not propose it refuses the correction with a reason: nothing changes."""
    with transaction.atomic(), acting_as(user):
        delivery = _lock(delivery_id, user)
        correction = _pending(delivery, correction_id, user)
        if not (reason or "").strip():
            raise DomainError("Say why the correction is refused.", reasons={"reason": "Required."})
        correction.status = Correction.Status.REFUSED
        correction.decided_by = user
        correction.decided_at = timezone.now()
        correction.decision_reason = reason.strip()
        correction.save()
        audit(
            actor=user,
            action=AuditEvent.Action.CORRECTION,
            obj=delivery,
            from_state=Correction.Status.PROPOSED,
            to_state=Correction.Status.REFUSED,
            note=f"Correction #{correction.pk} refused: {correction.decision_reason}",
            changes={
                "correction": correction.pk,
                "record": correction.record,
                "proposed": {correction.field: [correction.old_value, correction.new_value]},
            },
        )
        return correction
