"""One service per step of a CN. Every interface (pages, tablet, API, admin, Celery) calls these.

Each service: inside `transaction.atomic()`, lock the delivery row (`select_for_update`), check who is
acting, write the step record, check the guards with their reasons, call the transition, `save()`,
write the audit row saying why (the database records what changed, as the acting user:
`vip.audit.acting_as`), and schedule side effects with `transaction.on_commit`. A refused step raises
`TransitionRefused` and the transaction rolls back, so the CN is left exactly as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template import Context, Template
from django.utils import timezone
from django_fsm import ConcurrentTransition

from candidates.models import Candidate, Influencer, ServiceOffer, today
from notifications import guards as g
from notifications import rules, steps
from notifications.models import (
    AfterAction,
    Check,
    Delivery,
    ECCAdvisement,
    EligibilityDetermination,
    Encounter,
    GuardianContactAttempt,
    JPOCheck,
    Letter,
    LetterTemplate,
    SocialServicesCoordination,
    State,
    TeamMember,
)
from notifications.personnel import qualification
from notifications.selectors import deliveries_visible_to
from vip import roles
from vip.audit import acting_as, audit, model_changes
from vip.errors import Conflict, DomainError, NotPermitted, TransitionRefused
from vip.signals import delivery_transitioned

# The transitions by their API names, in the order of the SOP: read from the step registry.
TRANSITIONS = {name: step.method for name, step in steps.TRANSITIONS.items()}


# --- reading the machine ----------------------------------------------------------------------------


def unmet_conditions(delivery: Delivery, name: str, *, include_payload: bool = True) -> dict[str, str]:
    """The guards of transition `name` (its method's name) not met by `delivery` now, each with its reason.
    Without `include_payload`, the guards judging the record the step itself writes are left out: those are
    what its record must show (`payload_requirements`), not what blocks it now."""
    step = steps.TRANSITION_BY_METHOD[name]
    transition = step.from_state(delivery.state)
    if transition is None:
        return {}
    unmet = {}
    for condition in transition.conditions:
        if not include_payload and step.is_requirement(condition):
            continue
        if not condition(delivery):
            unmet[condition.__name__] = g.reason_for(condition, delivery)
    return unmet


def payload_requirements(name: str, state: str) -> dict[str, str]:
    step = steps.TRANSITION_BY_METHOD[name]
    transition = step.from_state(state)
    if transition is None:
        return {}
    return {c.__name__: c.reason for c in transition.conditions if step.is_requirement(c)}


@dataclass
class TransitionOption:
    name: str  # API name, e.g. "advise-ecc"
    method: str
    target: str
    allowed: bool
    reasons: dict[str, str]
    requires: dict[str, str]
    title: str = ""


def transition_options(delivery: Delivery, user) -> list[TransitionOption]:
    """The transitions out of the current state this user may perform, and for each blocked one, why."""
    options = []
    for step in steps.TRANSITIONS.values():
        transition = step.from_state(delivery.state)
        if transition is None or not transition.has_perm(delivery, user):
            continue
        reasons = unmet_conditions(delivery, step.method, include_payload=False)
        options.append(
            TransitionOption(
                name=step.name,
                method=step.method,
                target=transition.target,
                allowed=not reasons,
                reasons=reasons,
                requires=payload_requirements(step.method, delivery.state),
                title=step.title,
            )
        )
    return options


# --- the common path of every transition -------------------------------------------------------------


def _lock(delivery_id: int, user) -> Delivery:
    """The CN, its row locked, if `user` may see it (`deliveries_visible_to`): a CN they may not see is one
    there is no such CN, whatever the interface that asks (a 404 in the API, as when they read it)."""
    try:
        # of=("self",): lock the CN row only, not the candidate joined in for the guards nor the LE Lead (whom
        # the API's answer names: it shows the CN as saved here, without reading it again).
        return deliveries_visible_to(user).select_for_update(of=("self",)).get(pk=delivery_id)
    except (Delivery.DoesNotExist, ValueError, TypeError):
        raise DomainError("There is no such CN.", code="not_found") from None


def _transition(
    delivery_id: int,
    *,
    user,
    method_name: str,
    note: str = "",
    record: Callable[[Delivery], object] | None = None,
    args: tuple = (),
) -> Delivery:
    """Lock, check, write the step record, transition, save, audit. Raises and rolls back on refusal."""
    try:
        with transaction.atomic(), acting_as(user):
            delivery = _lock(delivery_id, user)
            step = steps.TRANSITION_BY_METHOD[method_name]
            transition = step.from_state(delivery.state)
            if transition is None:
                raise TransitionRefused(
                    f"This CN is {delivery.get_state_display().lower()}: "
                    f"'{method_name.replace('_', ' ')}' is not possible from here.",
                    reasons={"state": f"Not possible while the CN is {delivery.get_state_display().lower()}."},
                )
            if not transition.has_perm(delivery, user):
                raise NotPermitted(step.who(delivery.state).refusal)
            if record is not None:
                record(delivery)
            reasons = unmet_conditions(delivery, method_name)
            if reasons:
                raise TransitionRefused(
                    f"Cannot {method_name.replace('_', ' ')} yet: " + " ".join(reasons.values()),
                    reasons=reasons,
                )
            from_state = delivery.state
            getattr(delivery, method_name)(*args)
            delivery.save()
            audit(
                actor=user, action="transition", obj=delivery, from_state=from_state, to_state=delivery.state, note=note
            )
            transaction.on_commit(lambda: _after_transition(delivery.pk, from_state, delivery.state))
            return delivery
    except ConcurrentTransition:
        raise Conflict() from None
    except ValidationError as exc:
        raise _validation_to_domain(exc) from None


def _after_transition(delivery_id: int, from_state: str, to_state: str) -> None:
    """Side effects after commit. Reminders resolve themselves from the state; hook for notifications."""
    delivery_transitioned.send(sender=Delivery, delivery_id=delivery_id, from_state=from_state, to_state=to_state)


def _validation_to_domain(exc: ValidationError) -> DomainError:
    if hasattr(exc, "message_dict"):
        reasons = {field: " ".join(msgs) for field, msgs in exc.message_dict.items()}
    else:
        reasons = {"__all__": " ".join(exc.messages)}
    if len(reasons) == 1:  # one field: the message is its reason, in full
        return DomainError(next(iter(reasons.values())), reasons=reasons)
    return DomainError("Please correct the highlighted fields: " + " ".join(reasons.values()), reasons=reasons)


def _step(delivery_id: int, *, user, step: str, write: Callable, note: str = "", reason: str = "") -> object:
    """Write one preparation record (no transition): lock, check state and person (as the registry declares
    the step), validate, save, audit. A writer that changes what was already on record (`_revise`) gives the
    changes, and the reason the person gave, to the trail."""
    declared = steps.PREPARATION_STEPS[step]
    changes: dict = {}
    try:
        with transaction.atomic(), acting_as(user):
            delivery = _lock(delivery_id, user)
            if delivery.state not in declared.states:
                raise TransitionRefused(
                    f"The {declared.record} can't be recorded while the CN is {delivery.get_state_display().lower()}.",
                    reasons={
                        "state": f"Allowed while the CN is {', '.join(State(s).label.lower() for s in declared.states)}."
                    },
                )
            if not declared.who.may(delivery, user):
                raise NotPermitted(declared.who.refusal)
            obj = write(delivery, changes)
            if changes:
                _require_reason(declared, reason)
                note = f"Changed the recorded {declared.record}: {reason.strip()}"
            audit(
                actor=user,
                action="update",
                obj=delivery,
                note=note or f"Recorded the {declared.record}.",
                changes={"step": declared.record, **changes},
            )
            return obj
    except ValidationError as exc:
        raise _validation_to_domain(exc) from None


def revision_refusal(record: str) -> DomainError:
    """Why a change of what was recorded is refused without a reason (issue 18: Record pressed again never
    silently overwrites a result)."""
    return DomainError(
        f"The {record} is already on record: say why you change it.",
        reasons={rules.REVISION_REASON_FIELD: "Say why the recorded result changes (kept in the audit trail)."},
    )


def _require_reason(declared, reason: str) -> None:
    if not (reason or "").strip():
        raise revision_refusal(declared.record)


def _revise(record, values: dict, changes: dict) -> None:
    """Set a step's one record to `values`. For a record already on record, what changes is put in `changes`
    ({field: [before, after]}) for `_step`, which then asks for a reason and audits both."""
    before = {name: getattr(record, name) for name in values} if record.pk else {}
    for name, value in values.items():
        setattr(record, name, value)
    if record.pk:
        changes.update(model_changes(_plain(before), _plain(values)))


def _plain(values: dict) -> dict:
    """Values compared as the trail shows them: a person or a record by its id."""
    return {name: getattr(value, "pk", value) for name, value in values.items()}


def _save(obj):
    obj.full_clean()
    obj.save()
    return obj


# --- creation ----------------------------------------------------------------------------------------


def delivery_create(
    *, user, candidate, planned_for: dt.date | None = None, location: str = "", note: str = ""
) -> Delivery:
    if not rules.may_open_cn(user):
        raise NotPermitted(rules.OPEN_CN_REFUSAL)
    if candidate.is_sealed:
        raise DomainError("There is no such candidate.", code="not_found")
    problem = rules.planned_for_problem(planned_for, timezone.localdate())
    if problem:
        raise DomainError(problem, reasons={"planned_for": problem})
    with transaction.atomic():
        # Lock the candidate so two LE Leads opening a CN for the same person at once make only one.
        Candidate.objects.select_for_update().filter(pk=candidate.pk).first()
        if Delivery.objects.filter(candidate=candidate).open().exists():
            raise DomainError(
                f"{candidate} already has an open CN: continue that one, or cancel it first.",
                reasons={"candidate": "This candidate already has an open CN."},
            )
        delivery = Delivery.objects.create(
            candidate=candidate, le_lead=user, created_by=user, planned_for=planned_for, location=location
        )
        TeamMember.objects.create(delivery=delivery, user=user, role=TeamMember.Role.LE_LEAD, added_by=user)
        audit(actor=user, action="create", obj=delivery, to_state=delivery.state, note=note or "CN opened.")
    return delivery


# --- eligibility (SOP 2-64-4 A / 2-64-5 A) -------------------------------------------------------------


def delivery_determine_eligibility(
    delivery_id: int, *, user, basis_ids: list[int] | None = None, note: str = ""
) -> Delivery:
    def record(delivery):
        bases = delivery.candidate.bases.all()
        if basis_ids:
            bases = bases.filter(pk__in=basis_ids)
            if bases.count() != len(set(basis_ids)):
                raise DomainError(
                    "Some of those bases are not this candidate's.",
                    reasons={"basis_ids": "Pick this candidate's bases."},
                )
        on = delivery.reference_date()
        valid = [b for b in bases if b.is_valid_on(on)]
        invalid = {
            f"basis_{b.pk}": " ".join({**b.evidence_errors(), **b.age_errors(on)}.values())
            for b in bases
            if not b.is_valid_on(on)
        }
        if basis_ids and invalid:
            raise TransitionRefused("Some bases do not hold: " + " ".join(invalid.values()), reasons=invalid)
        EligibilityDetermination.objects.filter(delivery=delivery).delete()
        determination = EligibilityDetermination.objects.create(delivery=delivery, recorded_by=user, note=note)
        determination.bases.set(valid)

    return _transition(delivery_id, user=user, method_name="determine_eligibility", note=note, record=record)


def delivery_start_preparation(delivery_id: int, *, user, note: str = "") -> Delivery:
    return _transition(delivery_id, user=user, method_name="start_preparation", note=note)


# --- preparation records (SOP 2-64-4 B, 2-64-5 B) -------------------------------------------------------


def record_check(
    delivery_id: int, *, user, kind: str, completed_on: dt.date, result: str, notes: str = "", reason: str = ""
) -> Check:
    def write(delivery, changes):
        check = Check.objects.filter(delivery=delivery, kind=kind).first() or Check(delivery=delivery, kind=kind)
        _revise(check, {"completed_on": completed_on, "result": result, "notes": notes}, changes)
        check.completed_by = user  # who acted is the signed-in user, never a value sent (issue 17)
        check.recorded_by = user
        return _save(check)

    if kind not in Check.Kind.values:
        raise DomainError("Pick the kind of check.", reasons={"kind": "Unknown kind."})
    return _step(delivery_id, user=user, step=kind.replace("_", "-"), write=write, reason=reason)


LETTER_SIGNER_ROLE = "VIP Law Enforcement Lead"


def render_letter(template: LetterTemplate, *, delivery: Delivery, penalties: str, signer=None) -> str:
    """The letter's text. A template may name who signs it: `signer` (their name) and `signer_role`; the LE Lead
    who drafts the letter signs it."""
    # Plain text, not HTML: pages escape it when they show it, so a name like O'Neil is not escaped twice.
    context = Context(
        {
            "candidate": delivery.candidate,
            "penalties": penalties,
            "delivery": delivery,
            "today": timezone.localdate(),
            "signer": (signer.get_full_name() or signer.get_username()) if signer is not None else "",
            "signer_role": LETTER_SIGNER_ROLE,
        },
        autoescape=False,
    )
    return Template(template.body).render(context)


def record_letter(
    delivery_id: int,
    *,
    user,
    warranted: bool = True,
    template: LetterTemplate | None = None,
    penalties: str = "",
    not_warranted_reason: str = "",
) -> Letter:
    def write(delivery, _changes):
        letter = Letter.objects.filter(delivery=delivery).first() or Letter(delivery=delivery)
        if letter.is_frozen:
            raise DomainError(
                "The letter was presented and is frozen. To change it, the LE Lead proposes a correction on the CN "
                "page (Audited corrections) and a Program Manager approves it."
            )
        letter.recorded_by = user
        if warranted:
            chosen = template or LetterTemplate.objects.filter(active=True).order_by("name").first()
            if chosen is None:
                raise DomainError(
                    "There is no active letter template: ask an administrator to add one.",
                    reasons={"template": "No template."},
                )
            if not penalties.strip():
                raise DomainError(
                    "Write the penalties specific to this candidate (SOP 2-64-4 B.1.b).",
                    reasons={"penalties": "Required for a letter."},
                )
            letter.status = Letter.Status.DRAFTED
            letter.template = chosen
            letter.penalties = penalties
            letter.body = render_letter(chosen, delivery=delivery, penalties=penalties, signer=user)
            letter.not_warranted_reason = ""
        else:
            if not not_warranted_reason.strip():
                raise DomainError(
                    "Say why a letter is not warranted.",
                    reasons={"not_warranted_reason": "Required when no letter is drafted."},
                )
            letter.status = Letter.Status.NOT_WARRANTED
            letter.template = None
            letter.penalties = ""
            letter.body = ""
            letter.not_warranted_reason = not_warranted_reason
        return _save(letter)

    return _step(delivery_id, user=user, step="letter", write=write)


def add_team_member(delivery_id: int, *, user, member, role: str) -> TeamMember:
    """Add a person to the delivery team, checking officers against SOP 2-64-6 when added."""

    def write(delivery, _changes):
        if role not in TeamMember.Role.values:
            raise DomainError(
                "Pick the team role: LE Lead, officer, trainee or social services.", reasons={"role": "Unknown role."}
            )
        if role in TeamMember.DELIVERING_ROLES:
            name = member.get_full_name() or member.username
            if role == TeamMember.Role.LE_LEAD and not roles.is_le_lead(member):
                raise DomainError(f"{name} is not a VIP LE Lead.", reasons={"role": "Pick Officer or Trainee."})
            holds_role = roles.has_role(member, roles.OFFICER, roles.LE_LEAD)
            problem = rules.joining_problem(name, qualification(member), role=role, holds_role=holds_role)
            if problem is not None:
                message, reasons = problem
                raise DomainError(message, reasons=reasons)
        elif role == TeamMember.Role.SOCIAL_SERVICES and not roles.is_social_services(member):
            raise DomainError(
                "Only social services staff can join in the social services role.", reasons={"role": "Wrong role."}
            )
        existing = TeamMember.objects.filter(delivery=delivery, user=member).first()
        if existing:
            existing.role = role
            existing.save()
            return existing
        return TeamMember.objects.create(delivery=delivery, user=member, role=role, added_by=user)

    return _step(
        delivery_id,
        user=user,
        step="team",
        write=write,
        note=f"Added {member.get_full_name() or member.username} to the team as {TeamMember.Role(role).label}."
        if role in TeamMember.Role.values
        else "",
    )


def change_team(delivery_id: int, *, user, action: str, member, role: str = "") -> TeamMember | None:
    """Add a person to the team (`action` "add", in `role`) or remove one ("remove"): the API's team step."""
    if action == "remove":
        return remove_team_member(delivery_id, user=user, member=member)
    return add_team_member(delivery_id, user=user, member=member, role=role)


def remove_team_member(delivery_id: int, *, user, member) -> None:
    def write(delivery, _changes):
        deleted, _ = TeamMember.objects.filter(delivery=delivery, user=member).delete()
        if not deleted:
            raise DomainError(
                f"{member.get_full_name() or member.username} is not on this CN's team.",
                reasons={"member": "Not on the team."},
            )

    _step(
        delivery_id,
        user=user,
        step="team",
        write=write,
        note=f"Removed {member.get_full_name() or member.username} from the team.",
    )


def record_social_services(
    delivery_id: int, *, user, coordinated_on: dt.date, plan: str, coordinator=None, reason: str = ""
) -> SocialServicesCoordination:
    def write(delivery, changes):
        if coordinator is not None and not roles.is_social_services(coordinator):
            raise DomainError(
                f"{coordinator.get_full_name() or coordinator.username} is not social services staff.",
                reasons={"coordinator": "Pick someone from the social services component."},
            )
        record = SocialServicesCoordination.objects.filter(delivery=delivery).first() or SocialServicesCoordination(
            delivery=delivery
        )
        _revise(record, {"coordinated_on": coordinated_on, "plan": plan, "coordinator": coordinator}, changes)
        record.recorded_by = user
        return _save(record)

    return _step(delivery_id, user=user, step="social-services", write=write, reason=reason)


def record_jpo_check(
    delivery_id: int,
    *,
    user,
    contacted_on: dt.date,
    on_probation: bool,
    decision: str,
    reasons: str,
    services_status: str,
    relationship_status: str,
    probation_officer: str = "",
    reason: str = "",
) -> Delivery:
    """SOP 2-64-5 B.1: the JPO contacted; a decision not to deliver cancels the CN with its reasons."""

    def write(delivery, changes):
        if not delivery.candidate_is_juvenile():
            raise DomainError("The Juvenile Probation Office check is for juveniles only (SOP 2-64-5 B).")
        record = JPOCheck.objects.filter(delivery=delivery).first() or JPOCheck(delivery=delivery)
        values = dict(
            contacted_on=contacted_on,
            on_probation=on_probation,
            decision=decision,
            reasons=reasons,
            services_status=services_status,
            relationship_status=relationship_status,
            probation_officer=probation_officer,
        )
        _revise(record, values, changes)
        record.recorded_by = user
        return _save(record)

    with transaction.atomic():
        _step(delivery_id, user=user, step="jpo-check", write=write, reason=reason)
        if decision == JPOCheck.Decision.DO_NOT_DELIVER:
            return delivery_cancel(
                delivery_id, user=user, reason=f"Juvenile Probation Office: do not deliver. {reasons}"
            )
        return Delivery.objects.select_related("candidate", "le_lead").get(pk=delivery_id)  # as `_lock` reads it


def record_guardian_contact(
    delivery_id: int,
    *,
    user,
    attempted_at: dt.datetime,
    method: str,
    reached: bool = False,
    will_be_present: bool = False,
    influencer: Influencer | None = None,
    guardian_name: str = "",
    notes: str = "",
) -> GuardianContactAttempt:
    def write(delivery, _changes):
        if influencer is not None and influencer.candidate_id != delivery.candidate_id:
            raise DomainError(
                "That person is not one of this candidate's influencers.", reasons={"influencer": "Wrong person."}
            )
        if influencer is None and not guardian_name.strip():
            raise DomainError("Name the parent or guardian you tried to reach.", reasons={"guardian_name": "Required."})
        return _save(
            GuardianContactAttempt(
                delivery=delivery,
                influencer=influencer,
                guardian_name=guardian_name or (influencer.name if influencer else ""),
                attempted_at=attempted_at,
                method=method,
                reached=reached,
                will_be_present=will_be_present,
                notes=notes,
                recorded_by=user,
            )
        )

    return _step(
        delivery_id,
        user=user,
        step="guardian-contact",
        write=write,
    )


def delivery_approve(delivery_id: int, *, user, note: str = "") -> Delivery:
    return _transition(delivery_id, user=user, method_name="approve", note=note)


# --- delivery (SOP 2-64-4 C, 2-64-5 C) ------------------------------------------------------------------


def delivery_advise_ecc(
    delivery_id: int,
    *,
    user,
    ecc_reference: str = "",
    advised_at: dt.datetime | None = None,
    location: str = "",
    note: str = "",
) -> Delivery:
    def record(delivery):
        team = ", ".join(str(m) for m in delivery.team_members.select_related("user"))
        where = location or delivery.location or _current_address(delivery)
        if not where.strip():
            raise DomainError(
                "Give the ECC the location of the CN (SOP 2-64-4 C.1.a).",
                reasons={"location": "Where is the CN being delivered?"},
            )
        _save(
            ECCAdvisement(
                delivery=delivery,
                attempt=delivery.attempt,
                advised_at=advised_at or timezone.now(),
                location=where,
                team_members=team,
                candidate_identity=f"{delivery.candidate.full_name}, born {delivery.candidate.date_of_birth:%Y-%m-%d}",
                ecc_reference=ecc_reference,
                recorded_by=user,
            )
        )

    return _transition(delivery_id, user=user, method_name="advise_ecc", note=note, record=record)


def _current_address(delivery) -> str:
    address = delivery.candidate.addresses.first()
    return str(address) if address else ""


# What the team may say about an encounter; the rest (CN, attempt, outcome, who) the service fills in.
ENCOUNTER_FIELDS = frozenset(
    {
        "occurred_at",
        "letter_presented",
        "gvi_message_delivered",
        "message_partially_given",
        "recipient_influencer",
        "recipient_name",
        "recipient_relationship",
        "recipient_reason",
        "social_services_stayed",
        "social_services_not_feasible_reason",
        "candidate_ended_encounter",
        "guardian_present",
        "guardian_influencer",
        "guardian_name",
        "notes",
    }
)


def _encounter(delivery, user, outcome: str, fields: dict) -> Encounter:
    fields = {k: v for k, v in fields.items() if v is not None or k in ("social_services_stayed",)}
    unknown = set(fields) - ENCOUNTER_FIELDS
    if unknown:
        raise DomainError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    encounter = Encounter(delivery=delivery, attempt=delivery.attempt, outcome=outcome, recorded_by=user, **fields)
    # The CN is the row `_lock` holds and the user the one acting: their keys are not looked up once each to
    # be validated (the database's foreign keys check them on insert); every other field is.
    encounter.full_clean(exclude=["delivery", "recorded_by"])
    encounter.save()
    return encounter


def delivery_record_delivery(
    delivery_id: int,
    *,
    user,
    note: str = "",
    services_offered: tuple[str, ...] | list[str] = (),
    services_accepted: tuple[str, ...] | list[str] = (),
    **encounter,
) -> Delivery:
    """SOP 2-64-4 C.1.b-c, with the services the team offered at the door (and those accepted) recorded as
    the social services component's offers on this CN, in the same step (SOP 2-64-4 C.1.c)."""

    def record(delivery):
        guardian = encounter.get("guardian_influencer")
        if guardian is not None:
            if guardian.candidate_id != delivery.candidate_id:
                raise DomainError(
                    "That person is not one of this candidate's influencers.",
                    reasons={"guardian_influencer": "Pick this candidate's parent or guardian."},
                )
            if not guardian.can_be_guardian_present:
                raise TransitionRefused(
                    f"{guardian.name} is not the candidate's parent or legal guardian (SOP 2-64-5 B.1.f).",
                    reasons={"guardian_present_for_juvenile": f"{guardian.name} is not a parent or guardian."},
                )
            encounter.setdefault("guardian_name", guardian.name)
        _encounter(delivery, user, Encounter.Outcome.DELIVERED, encounter)
        _freeze_letter(delivery, encounter)
        _offers_at_the_door(delivery, user, offered=services_offered, accepted=services_accepted)

    return _transition(delivery_id, user=user, method_name="record_delivery", note=note, record=record)


def _offers_at_the_door(delivery, user, *, offered, accepted) -> None:
    """One `ServiceOffer` a service offered at the door: accepted there, or offered (social services follow up)."""
    not_offered = set(accepted) - set(offered)
    if not_offered:
        raise DomainError(
            "A service was marked accepted but not offered.",
            reasons={"services_accepted": "Tick a service as offered before marking it accepted."},
        )
    for service_type in offered:
        taken = service_type in accepted
        offer = ServiceOffer(
            candidate_id=delivery.candidate_id,
            delivery=delivery,
            service_type=service_type,
            offered_by=user,
            offered_on=today(),
            status=ServiceOffer.Status.ACCEPTED if taken else ServiceOffer.Status.OFFERED,
            status_changed_on=today() if taken else None,
            notes="Offered at the door.",
        )
        offer.full_clean(exclude=["candidate", "delivery", "offered_by"])
        offer.save()
        audit(actor=user, action="create", obj=offer, note="Service offered at the door.")


def delivery_record_influencer_delivery(delivery_id: int, *, user, note: str = "", **encounter) -> Delivery:
    def record(delivery):
        influencer = encounter.get("recipient_influencer")
        if influencer is not None and influencer.candidate_id != delivery.candidate_id:
            raise DomainError(
                "That person is not one of this candidate's influencers.",
                reasons={"recipient_influencer": "Wrong person."},
            )
        _encounter(delivery, user, Encounter.Outcome.DELIVERED_TO_INFLUENCER, encounter)
        _freeze_letter(delivery, encounter)

    return _transition(delivery_id, user=user, method_name="record_influencer_delivery", note=note, record=record)


def delivery_record_refusal(
    delivery_id: int, *, user, note: str = "", message_partially_given: bool = False
) -> Delivery:
    """SOP 2-64-4 C.1.d: the one-tap path. The team left at once; nothing else is required."""

    def record(delivery):
        _encounter(
            delivery,
            user,
            Encounter.Outcome.REFUSED,
            {
                "candidate_ended_encounter": True,
                "message_partially_given": message_partially_given,
                "notes": note,
            },
        )

    return _transition(delivery_id, user=user, method_name="record_refusal", note=note, record=record)


def delivery_record_not_located(delivery_id: int, *, user, note: str = "") -> Delivery:
    def record(delivery):
        _encounter(delivery, user, Encounter.Outcome.NOT_LOCATED, {"notes": note})

    return _transition(delivery_id, user=user, method_name="record_not_located", note=note, record=record)


def delivery_retry(delivery_id: int, *, user, note: str = "") -> Delivery:
    return _transition(delivery_id, user=user, method_name="retry", note=note)


def _freeze_letter(delivery, encounter: dict) -> None:
    if encounter.get("letter_presented"):
        Letter.objects.filter(delivery=delivery, status=Letter.Status.DRAFTED, presented_at__isnull=True).update(
            presented_at=timezone.now()
        )


# --- after-action (SOP 2-64-4 D, 2-64-5 D) ---------------------------------------------------------------


def delivery_record_after_action(
    delivery_id: int,
    *,
    user,
    cad_report_number: str,
    ecc_advised_of_outcome: bool,
    ecc_outcome_advised_at: dt.datetime | None = None,
    notes: str = "",
) -> Delivery:
    def record(delivery):
        record = AfterAction.objects.filter(delivery=delivery).first() or AfterAction(delivery=delivery)
        record.cad_report_number = cad_report_number.strip()
        record.ecc_advised_of_outcome = ecc_advised_of_outcome
        record.ecc_outcome_advised_at = ecc_outcome_advised_at or (timezone.now() if ecc_advised_of_outcome else None)
        record.notes = notes
        record.recorded_by = user
        # The CAD number is judged by its guard, so a wrong one is refused by name (409), not as a blank field.
        record.full_clean(exclude=["cad_report_number"])
        record.save()

    return _transition(delivery_id, user=user, method_name="record_after_action", note=notes, record=record)


def delivery_close(delivery_id: int, *, user, note: str = "") -> Delivery:
    """The LE Lead confirms the record (SOP 2-64-4 D.2); the CN is closed and read-only."""

    def record(delivery):
        AfterAction.objects.filter(delivery=delivery).update(confirmed_by=user, confirmed_at=timezone.now())

    return _transition(delivery_id, user=user, method_name="close", note=note, record=record)


def delivery_cancel(delivery_id: int, *, user, reason: str) -> Delivery:
    if not reason or not reason.strip():
        raise DomainError("Say why the CN is cancelled.", reasons={"reason": "Required."})
    return _transition(delivery_id, user=user, method_name="cancel", note=reason, args=(reason,))


def transition_by_api_name(api_name: str):
    """The service for a transition's API name, e.g. 'advise-ecc' -> delivery_advise_ecc (the registry's)."""
    return steps.TRANSITIONS[api_name].call
