"""What the LE Lead records at the weekly review, one service per action (SOP 2-64-3, 2-64-4 A.4).

Each checks who acts (the LE Lead records; `candidates.services.may_write_candidates`), validates, writes as
the acting user inside one transaction (the database's triggers record each change, `vip.audit.acting_as`) and
adds its audit row. A refusal raises `DomainError` with the reason by field, and nothing is written.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from candidates import services as candidate_services
from candidates.models import (
    Candidate,
    EligibilityBasis,
    GVISAttendee,
    GVISGroupIdentification,
    GVISIdentification,
    GVISMeeting,
    Shooting,
    today,
)
from candidates.models import Group as VIPGroup
from notifications import services as cn_services
from vip.audit import acting_as, audit
from vip.errors import DomainError, NotPermitted

Decision = GVISIdentification.Decision


def _require_lead(user) -> None:
    if not candidate_services.may_write_candidates(user):
        raise NotPermitted("Only the VIP LE Lead records the weekly review (SOP 2-64-4 A).")


def review_start(*, user) -> GVISMeeting:
    """This week's review: the meeting held today, or the one already started today."""
    _require_lead(user)
    started = GVISMeeting.objects.filter(held_on=today()).order_by("-pk").first()
    return started or candidate_services.gvis_meeting_create(user=user, held_on=today())


def attendee_add(*, user, meeting: GVISMeeting, staff=None, name: str = "", agency: str = "") -> GVISAttendee:
    _require_lead(user)
    attendee = GVISAttendee(meeting=meeting, user=staff, name=name.strip(), agency=agency.strip(), recorded_by=user)
    if staff is not None and meeting.attendees.filter(user=staff).exists():
        raise DomainError(f"{attendee} is already on the list.", reasons={"staff": "Already recorded as attending."})
    _save(attendee, user=user, note=f"Attended {meeting}.")
    return attendee


def shooting_mark_reviewed(*, user, meeting: GVISMeeting, shooting: Shooting) -> None:
    _require_lead(user)
    with transaction.atomic(), acting_as(user):
        meeting.shootings_reviewed.add(shooting)  # the trigger records the link on the meeting
        audit(actor=user, action="update", obj=meeting, note=f"Shooting {shooting} reviewed.")


def person_identify(
    *, user, meeting: GVISMeeting, candidate: Candidate, kind: str, evidence: str
) -> GVISIdentification:
    """A person the meeting identified, with the SOP basis and its evidence. The basis must apply at the
    person's age (the influencer basis is for adults only, SOP 2-64-5 A.2): the basis's own rule says so."""
    _require_lead(user)
    errors = {}
    if kind not in EligibilityBasis.Kind.values:
        errors["kind"] = "Pick the SOP basis the meeting identified the person on (SOP 2-64-4 A)."
    else:
        errors.update(EligibilityBasis(candidate=candidate, kind=kind).age_errors(meeting.held_on))
    if not evidence.strip():
        errors["evidence"] = "Write the evidence the meeting saw: the shooting, the link analysis, the information."
    if meeting.identifications.filter(candidate=candidate).exists():
        errors["candidate"] = f"{candidate} is already identified at this meeting."
    if errors:
        raise DomainError("The person was not identified: " + " ".join(errors.values()), reasons=errors)
    identification = GVISIdentification(
        meeting=meeting, candidate=candidate, kind=kind, evidence=evidence.strip(), identified_by=user
    )
    with transaction.atomic(), acting_as(user):
        _save(identification, user=user, note=f"Identified at {meeting}.")
        meeting.individuals_identified.add(candidate)  # the meeting's own list, which the intelligence page reads
    return identification


def group_identify(*, user, meeting: GVISMeeting, group: VIPGroup, evidence: str) -> GVISGroupIdentification:
    _require_lead(user)
    errors = {}
    if not evidence.strip():
        errors["evidence"] = "Write the evidence that connects the group to gun violence."
    if meeting.group_identifications.filter(group=group).exists():
        errors["group"] = f"{group} is already identified at this meeting."
    if errors:
        raise DomainError("The group was not identified: " + " ".join(errors.values()), reasons=errors)
    identified = GVISGroupIdentification(meeting=meeting, group=group, evidence=evidence.strip(), identified_by=user)
    with transaction.atomic(), acting_as(user):
        _save(identified, user=user, note=f"Group identified at {meeting}.")
        meeting.groups_identified.add(group)
    return identified


def person_decide(*, user, identification: GVISIdentification, decision: str, reason: str = "") -> GVISIdentification:
    """The LE Lead's decision on a person identified: open a CN now, watch, or not eligible (with the reason).

    "Open a CN now" opens it through `delivery_create`, in `identified`, on a basis of kind GVIS resting on the
    meeting with the identification's evidence: every rule of opening a CN applies (one open CN a person, none
    for a sealed record), and a refusal leaves nothing written, the decision included."""
    _require_lead(user)
    reason = reason.strip()
    if decision not in Decision.values:
        raise DomainError("Pick a decision.", reasons={"decision": "Open a CN now, watch, or not eligible."})
    if decision == Decision.NOT_ELIGIBLE and not reason:
        raise DomainError(
            "Say why the person is not eligible.",
            reasons={"reason": "Write why the person is not eligible (SOP 2-64-4 A): it goes in the minutes."},
        )
    with transaction.atomic(), acting_as(user):
        locked = GVISIdentification.objects.select_for_update().select_related("meeting", "candidate")
        identification = locked.get(pk=identification.pk)
        if identification.delivery_id:
            raise DomainError(
                f"A CN (#{identification.delivery_id}) was already opened from this decision.",
                reasons={"decision": "Decided: the CN is open."},
            )
        if decision == Decision.OPEN_CN:
            identification.delivery = _open_cn(user, identification)
        identification.decision = decision
        identification.decision_reason = reason
        identification.decided_by = user
        identification.decided_at = timezone.now()
        identification.save()
        audit(
            actor=user,
            action="update",
            obj=identification,
            note=f"Decided: {identification.get_decision_display()}" + (f" ({reason})" if reason else ""),
        )
    return identification


def _open_cn(user, identification: GVISIdentification):
    meeting, candidate = identification.meeting, identification.candidate
    try:
        delivery = cn_services.delivery_create(user=user, candidate=candidate, note=f"Opened at {meeting}.")
    except DomainError as refused:
        # The rule's own words, beside the decision the Lead took.
        raise DomainError(refused.message, reasons={"decision": refused.message}) from None
    information = f"{identification.get_kind_display()}: {identification.evidence}"
    try:
        candidate_services.basis_add(
            user=user,
            candidate=candidate,
            kind=EligibilityBasis.Kind.GVIS_OR_LINK_ANALYSIS,
            gvis_meeting=meeting,
            information=information,
        )
    except ValidationError as exc:  # the basis's rules refused it: refuse the whole decision
        raise DomainError(" ".join(exc.messages), reasons={"decision": " ".join(exc.messages)}) from None
    return delivery


def _save(obj, *, user, note: str) -> None:
    try:
        obj.full_clean()
        with transaction.atomic(), acting_as(user):
            obj.save()
            audit(actor=user, action="create", obj=obj, note=note)
    except ValidationError as exc:
        reasons = {key: " ".join(value) for key, value in exc.message_dict.items()}
        raise DomainError(" ".join(reasons.values()), reasons=reasons) from None
    except IntegrityError:
        raise DomainError("This was already recorded at this meeting.") from None
