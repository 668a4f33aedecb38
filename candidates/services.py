"""Every write to a candidate's record, one service per action. Pages, the API and the admin call these.

Each service checks who is acting (only the VIP LE Lead writes intake records), validates the whole
record with the model's rules (`full_clean`: a future date of birth, a basis without evidence, a referral
source not accepted at the person's age...), writes inside `transaction.atomic()` so nothing is half-saved,
saves as the acting user (the database's change trail records who), and writes the audit row.

Validation failures raise Django's `ValidationError` with a message per field; the API turns it into a 400
with field errors, forms show it next to the field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from candidates.models import (
    Address,
    Alias,
    Candidate,
    EligibilityBasis,
    GroupMembership,
    GVISMeeting,
    Influencer,
    Phone,
    Referral,
    Shooting,
    ShootingParticipant,
)
from candidates.models import Group as VIPGroup
from vip import roles
from vip.audit import acting_as, audit, model_changes
from vip.errors import NotPermitted

CANDIDATE_FIELDS = (
    "first_name", "middle_name", "last_name", "date_of_birth", "sex", "photo", "physical_description", "language",
    "notes",
)  # fmt: skip
ADDRESS_FIELDS = ("line1", "line2", "city", "state", "postal_code", "valid_from", "valid_to")
PHONE_FIELDS = ("number", "label", "valid_from", "valid_to")


# --- who may write -----------------------------------------------------------------------------------


def may_write_candidates(user) -> bool:
    """Intake, eligibility and the people's networks are the VIP LE Lead's to record (SOP 2-64-4 A)."""
    return roles.is_le_lead(user)


def _require_writer(user) -> None:
    if not may_write_candidates(user):
        raise NotPermitted("Only the VIP LE Lead may change candidate records.")


# --- helpers -----------------------------------------------------------------------------------------


def _snapshot(obj: models.Model) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _save(obj: models.Model, *, user, exclude: Iterable[str] = ()) -> None:
    """Validate everything the model knows, then save as `user` (the change trail's row names them)."""
    obj.full_clean(exclude=list(exclude) or None)
    try:
        with transaction.atomic(), acting_as(user):
            obj.save()
    except IntegrityError as exc:
        raise ValidationError(_integrity_message(obj, exc)) from exc


def _integrity_message(obj: models.Model, exc: IntegrityError) -> str:
    text = str(exc)
    if "one_membership_per_group" in text:
        return "This person is already recorded as a member of that group."
    return f"This {obj._meta.verbose_name} conflicts with one already recorded: check the details."


def _set_fields(obj: models.Model, fields: Mapping[str, Any], allowed: Iterable[str]) -> None:
    allowed = set(allowed)
    for key, value in fields.items():
        if key not in allowed:
            raise TypeError(f"{obj._meta.label} has no editable field {key!r}.")
        setattr(obj, key, value)


def _editable(model: type[models.Model], *, skip: Iterable[str] = ()) -> set[str]:
    skip = set(skip) | {"id", "candidate"}
    names = set()
    for field in model._meta.concrete_fields:
        if field.editable and not field.auto_created and field.name not in skip:
            names.add(field.name)
            names.add(field.attname)
    return names


def _prefix_errors(exc: ValidationError, prefix: str, index: int) -> ValidationError:
    """Name the row in a nested list, so the user can find it: {"aliases": ["Row 2: ..."]}."""
    messages = []
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for message in errors:
                label = "" if field == "__all__" else f"{field}: "
                messages.append(f"Row {index + 1}: {label}{message}")
    else:
        messages = [f"Row {index + 1}: {m}" for m in exc.messages]
    return ValidationError({prefix: messages})


def _sync_children(
    candidate: Candidate, model, rows: Iterable[Mapping[str, Any]], fields: tuple[str, ...], *, user, prefix: str
) -> list[str]:
    """Make the candidate's rows of `model` exactly `rows`: rows with an id are updated, others created,
    rows no longer listed are deleted. Returns a line for the audit note."""
    existing = {obj.pk: obj for obj in model.objects.filter(candidate=candidate)}
    kept: set[int] = set()
    notes = []
    for index, row in enumerate(rows):
        row = dict(row)
        pk = row.pop("id", None)
        if pk:
            obj = existing.get(int(pk))
            if obj is None:
                raise ValidationError({prefix: [f"Row {index + 1}: that row belongs to another record."]})
            kept.add(obj.pk)
            before = _snapshot(obj)
        else:
            obj = model(candidate=candidate)
            before = None
        _set_fields(obj, {k: v for k, v in row.items() if k in fields}, fields)
        try:
            _save(obj, user=user, exclude=["candidate"])
        except ValidationError as exc:
            raise _prefix_errors(exc, prefix, index) from exc
        if before is None:
            notes.append(f"added {model._meta.verbose_name} {obj}")
        elif model_changes(before, _snapshot(obj)):
            notes.append(f"changed {model._meta.verbose_name} {obj}")
    for pk, obj in existing.items():
        if pk not in kept:
            notes.append(f"removed {model._meta.verbose_name} {obj}")
            with acting_as(user):
                obj.delete()
    return notes


def _alias_rows(aliases: Iterable[Any]) -> list[dict[str, Any]]:
    rows = []
    for alias in aliases:
        row = {"name": alias} if isinstance(alias, str) else dict(alias)
        if str(row.get("name", "")).strip():
            row["name"] = row["name"].strip()
            rows.append(row)
    return rows


# --- candidates --------------------------------------------------------------------------------------


@transaction.atomic
def candidate_create(
    *,
    user,
    aliases: Iterable[Any] = (),
    addresses: Iterable[Mapping[str, Any]] = (),
    phones: Iterable[Mapping[str, Any]] = (),
    **fields: Any,
) -> Candidate:
    """Take a person in (intake). Duplicates are looked for before this is called (`possible_duplicates`)."""
    _require_writer(user)
    candidate = Candidate(created_by=user)
    _set_fields(candidate, fields, CANDIDATE_FIELDS)
    _save(candidate, user=user)
    notes = []
    notes += _sync_children(candidate, Alias, _alias_rows(aliases), ("name",), user=user, prefix="aliases")
    notes += _sync_children(candidate, Address, addresses, ADDRESS_FIELDS, user=user, prefix="addresses")
    notes += _sync_children(candidate, Phone, phones, PHONE_FIELDS, user=user, prefix="phones")
    candidate.search_text = candidate.build_search_text()
    Candidate.objects.filter(pk=candidate.pk).update(search_text=candidate.search_text)
    audit(actor=user, action="create", obj=candidate, note="; ".join(notes))
    return candidate


@transaction.atomic
def candidate_update(
    *,
    user,
    candidate: Candidate,
    aliases: Iterable[Any] | None = None,
    addresses: Iterable[Mapping[str, Any]] | None = None,
    phones: Iterable[Mapping[str, Any]] | None = None,
    **fields: Any,
) -> Candidate:
    """Change a person's details. Lists given replace the current ones (rows keep their `id`)."""
    _require_writer(user)
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    before = _snapshot(candidate)
    _set_fields(candidate, fields, CANDIDATE_FIELDS)
    _save(candidate, user=user)
    notes = []
    if aliases is not None:
        notes += _sync_children(candidate, Alias, _alias_rows(aliases), ("name",), user=user, prefix="aliases")
    if addresses is not None:
        notes += _sync_children(candidate, Address, addresses, ADDRESS_FIELDS, user=user, prefix="addresses")
    if phones is not None:
        notes += _sync_children(candidate, Phone, phones, PHONE_FIELDS, user=user, prefix="phones")
    candidate.search_text = candidate.build_search_text()
    Candidate.objects.filter(pk=candidate.pk).update(search_text=candidate.search_text)
    changes = model_changes(before, _snapshot(candidate))
    changes.pop("updated_at", None)
    changes.pop("search_text", None)
    audit(actor=user, action="update", obj=candidate, changes=changes, note="; ".join(notes))
    return candidate


# --- the person's network ------------------------------------------------------------------------------


def _create(model, *, user, candidate: Candidate | None = None, stamp: Mapping[str, Any] = (), **fields: Any):
    _require_writer(user)
    obj = model(**({"candidate": candidate} if candidate is not None else {}), **dict(stamp))
    _set_fields(obj, fields, _editable(model))
    _save(obj, user=user)
    audit(actor=user, action="create", obj=obj, note=f"for {candidate}" if candidate is not None else "")
    return obj


def _update(obj: models.Model, *, user, skip: Iterable[str] = (), **fields: Any):
    _require_writer(user)
    obj = type(obj).objects.select_for_update().get(pk=obj.pk)
    before = _snapshot(obj)
    _set_fields(obj, fields, _editable(type(obj), skip=skip))
    _save(obj, user=user)
    audit(actor=user, action="update", obj=obj, changes=model_changes(before, _snapshot(obj)))
    return obj


@transaction.atomic
def influencer_add(*, user, candidate: Candidate, **fields: Any) -> Influencer:
    return _create(Influencer, user=user, candidate=candidate, **fields)


@transaction.atomic
def influencer_update(*, user, influencer: Influencer, **fields: Any) -> Influencer:
    return _update(influencer, user=user, **fields)


@transaction.atomic
def referral_add(*, user, candidate: Candidate, add_basis: bool = False, **fields: Any) -> Referral:
    """Record a referral; refused when its source is not accepted at the person's age (SOP 2-64-4/5 A.5).

    With `add_basis`, the referral also becomes the candidate's eligibility basis of kind "referral".
    """
    referral = _create(Referral, user=user, candidate=candidate, stamp={"created_by": user}, **fields)
    if add_basis:
        basis_add(user=user, candidate=candidate, kind=EligibilityBasis.Kind.REFERRAL, referral=referral)
    return referral


@transaction.atomic
def referral_update(*, user, referral: Referral, **fields: Any) -> Referral:
    return _update(referral, user=user, skip={"created_by"}, **fields)


@transaction.atomic
def basis_add(*, user, candidate: Candidate, **fields: Any) -> EligibilityBasis:
    """One reason the person is a CN candidate, with its evidence, refused when it does not apply at their
    age today (the influencer basis is for adults only, SOP 2-64-5 A.2)."""
    return _create(EligibilityBasis, user=user, candidate=candidate, stamp={"entered_by": user}, **fields)


@transaction.atomic
def basis_update(*, user, basis: EligibilityBasis, **fields: Any) -> EligibilityBasis:
    return _update(basis, user=user, skip={"entered_by", "review_due_on"}, **fields)


@transaction.atomic
def membership_add(*, user, candidate: Candidate, **fields: Any) -> GroupMembership:
    """A membership from a GVIS meeting or a link analysis. The LE Lead records it, which is the approval
    28 CFR 23.20 asks for; its review falls due five years on."""
    stamp = {"added_by": user, "approved_by": user, "approved_at": timezone.now()}
    return _create(GroupMembership, user=user, candidate=candidate, stamp=stamp, **fields)


@transaction.atomic
def membership_update(*, user, membership: GroupMembership, **fields: Any) -> GroupMembership:
    skip = {"added_by", "approved_by", "approved_at", "review_due_on", "last_reviewed_at"}
    return _update(membership, user=user, skip=skip, **fields)


@transaction.atomic
def group_create(*, user, **fields: Any) -> VIPGroup:
    return _create(VIPGroup, user=user, **fields)


@transaction.atomic
def group_update(*, user, group: VIPGroup, **fields: Any) -> VIPGroup:
    return _update(group, user=user, **fields)


# --- shootings and GVIS ------------------------------------------------------------------------------


def _sync_participants(shooting: Shooting, participants: Iterable[Mapping[str, Any]], *, user) -> None:
    shooting.participants.all().delete()
    for index, row in enumerate(participants):
        participant = ShootingParticipant(shooting=shooting)
        _set_fields(participant, row, {"candidate", "candidate_id", "name", "role"})
        try:
            _save(participant, user=user, exclude=["shooting"])
        except ValidationError as exc:
            raise _prefix_errors(exc, "participants", index) from exc


@transaction.atomic
def shooting_create(*, user, participants: Iterable[Mapping[str, Any]] = (), **fields: Any) -> Shooting:
    """A shooting with injury, with its victims and the people involved."""
    shooting = _create(Shooting, user=user, **fields)
    _sync_participants(shooting, participants, user=user)
    return shooting


@transaction.atomic
def shooting_update(
    *, user, shooting: Shooting, participants: Iterable[Mapping[str, Any]] | None = None, **fields: Any
) -> Shooting:
    shooting = _update(shooting, user=user, **fields)
    if participants is not None:
        _sync_participants(shooting, participants, user=user)
    return shooting


def _set_meeting_links(meeting: GVISMeeting, *, shootings=None, groups=None, individuals=None) -> None:
    if shootings is not None:
        meeting.shootings_reviewed.set(shootings)
    if groups is not None:
        meeting.groups_identified.set(groups)
    if individuals is not None:
        meeting.individuals_identified.set(individuals)


@transaction.atomic
def gvis_meeting_create(*, user, shootings=(), groups=(), individuals=(), **fields: Any) -> GVISMeeting:
    """The weekly Gun Violence Information Sharing meeting: shootings reviewed, groups and people identified."""
    meeting = _create(GVISMeeting, user=user, **fields)
    _set_meeting_links(meeting, shootings=shootings, groups=groups, individuals=individuals)
    return meeting


@transaction.atomic
def gvis_meeting_update(
    *, user, meeting: GVISMeeting, shootings=None, groups=None, individuals=None, **fields: Any
) -> GVISMeeting:
    meeting = _update(meeting, user=user, **fields)
    _set_meeting_links(meeting, shootings=shootings, groups=groups, individuals=individuals)
    return meeting
