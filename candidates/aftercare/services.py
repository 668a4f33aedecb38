"""Every write after the door (issue 19): needs, referrals and their results, consent, case notes, assignments.

Each one: only a navigator (Social Services) acts; the person must be one they read (the wall's selectors);
`full_clean`; save inside `transaction.atomic()`; the database's trigger records the change, and the service adds
its "why" row (`vip.audit.audit`) naming no content (the trail's readers are outside the wall).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from candidates.aftercare import selectors
from candidates.aftercare.kinds import Area, is_part2
from candidates.aftercare.models import CaseNote, Consent, NavigatorAssignment, Need, PartnerReferral
from candidates.models import Candidate, PartnerOrganization
from vip import roles
from vip.audit import audit
from vip.errors import DomainError, NotPermitted

DEFAULT_FOLLOW_UP_DAYS = 14  # when the navigator gives no follow-up date: two weeks after the referral


class ConsentMissing(DomainError):
    """A referral to a partner the person has not (or no longer) consented to share with: 409, in words."""

    status_code = 409

    def __init__(self, message: str):
        super().__init__(message, reasons={"consent": message}, code="consent_missing")


def _require_navigator(user) -> None:
    if not selectors.may_work_aftercare(user):
        raise NotPermitted("Only Social Services navigators record needs, referrals, consent and case notes.")


def _require_person(user, candidate: Candidate) -> None:
    if not selectors.aftercare_candidates_for(user).filter(pk=candidate.pk).exists():
        raise NotPermitted("You may not record anything for this person.")


def _today() -> dt.date:
    return timezone.localdate()


# --- needs --------------------------------------------------------------------------------------------------


@transaction.atomic
def need_set(
    *,
    user,
    candidate: Candidate,
    area: str,
    status: str,
    detail: str | None = None,
    status_changed_on: dt.date | None = None,
) -> Need:
    """Record where one need stands. The date changes only with the status; its history is the change trail."""
    _require_navigator(user)
    _require_person(user, candidate)
    need = Need.objects.select_for_update().filter(candidate=candidate, area=area).first()
    if need is None:
        need = Need(candidate=candidate, area=area, status=Need.Status.NOT_ASSESSED)
    if need.pk is None or need.status != status:
        need.status_changed_on = status_changed_on or _today()
    need.status = status
    if detail is not None:
        need.detail = detail
    need.recorded_by = user
    need.full_clean(exclude=["candidate"])
    need.save()
    audit(actor=user, action="update", obj=need, note="Need recorded.")
    return need


# --- consent ------------------------------------------------------------------------------------------------


@transaction.atomic
def consent_record(
    *,
    user,
    candidate: Candidate,
    purpose: str,
    decision: str,
    method: str,
    partner: PartnerOrganization | None = None,
    part2: bool = False,
    decided_on: dt.date | None = None,
    witness: str = "",
    expires_on: dt.date | None = None,
) -> Consent:
    _require_navigator(user)
    _require_person(user, candidate)
    consent = Consent(
        candidate=candidate,
        partner=partner,
        purpose=purpose,
        part2=part2,
        decision=decision,
        decided_on=decided_on or _today(),
        method=method,
        witness=witness.strip(),
        expires_on=expires_on,
        recorded_by=user,  # who recorded it is the signed-in user, never a value sent (issue 17)
    )
    consent.full_clean()
    consent.save()
    audit(actor=user, action="create", obj=consent, note=f"Consent {consent.get_decision_display().lower()}.")
    return consent


@transaction.atomic
def consent_withdraw(*, user, consent_id: int, on: dt.date | None = None) -> Consent:
    """The person withdraws a consent: from that day nothing more is shared under it (no new referral), and the
    withdrawal is its own audit row."""
    _require_navigator(user)
    try:
        consent = selectors.consents_visible_to(user).select_for_update(of=("self",)).get(pk=consent_id)
    except Consent.DoesNotExist:
        raise NotPermitted("You may not change this consent.") from None
    if consent.withdrawn_on is not None:
        raise DomainError(f"This consent was already withdrawn on {consent.withdrawn_on:%b %d, %Y}.", code="withdrawn")
    if consent.decision != Consent.Decision.GIVEN:
        raise DomainError("Only a consent that was given can be withdrawn: this one was refused.", code="refused")
    consent.withdrawn_on = on or _today()
    consent.withdrawn_by = user
    consent.save(update_fields=["withdrawn_on", "withdrawn_by"])
    audit(actor=user, action="update", obj=consent, note="Consent withdrawn: no further sharing under it.")
    return consent


def consent_for_referral(*, candidate: Candidate, partner: PartnerOrganization, area: str, on: dt.date) -> Consent:
    """The consent a referral is shared under, or ConsentMissing saying, in words, what is missing."""
    part2 = is_part2(area)
    covering = Consent.objects.covering(
        candidate_id=candidate.pk, purpose=Consent.Purpose.REFERRAL, partner_id=partner.pk, part2=part2
    )
    valid = covering.valid_on(on).order_by("-decided_on", "-pk").first()
    if valid is not None:
        return valid
    what = "42 CFR Part 2 consent (substance use)" if part2 else "consent"
    latest = covering.order_by("-decided_on", "-pk").first()
    if latest is None:
        why = f"{candidate} has given no {what} to share with {partner} for a referral."
    elif latest.decision == Consent.Decision.REFUSED:
        why = f"{candidate} refused {what} to share with {partner} on {latest.decided_on:%b %d, %Y}."
    elif latest.withdrawn_on is not None and latest.withdrawn_on <= on:
        why = f"{candidate} withdrew {what} to share with {partner} on {latest.withdrawn_on:%b %d, %Y}."
    elif latest.expires_on is not None and latest.expires_on < on:
        why = f"{candidate}'s {what} to share with {partner} expired on {latest.expires_on:%b %d, %Y}."
    else:
        why = f"{candidate}'s {what} to share with {partner} takes effect on {latest.decided_on:%b %d, %Y}."
    raise ConsentMissing(f"Referral refused: {why} Record the person's consent first.")


@transaction.atomic
def referral_create(
    *,
    user,
    candidate: Candidate,
    partner: PartnerOrganization,
    area: str,
    referred_on: dt.date | None = None,
    follow_up_due: dt.date | None = None,
    navigator: User | None = None,
    detail: str = "",
    service_offer=None,
) -> PartnerReferral:
    """Refer a person to a partner: only under a valid consent to share with that partner (a Part 2 one for
    substance use), else ConsentMissing (409)."""
    _require_navigator(user)
    _require_person(user, candidate)
    referred_on = referred_on or _today()
    if not partner.active:
        raise DomainError(f"{partner} is no longer an active partner: pick another.", code="inactive_partner")
    if partner.service_types and not partner.takes(area):
        taken = ", ".join(Area(a).label.lower() for a in partner.service_types)
        raise DomainError(f"{partner} does not take {Area(area).label.lower()} referrals (it takes {taken}).")
    consent = consent_for_referral(candidate=candidate, partner=partner, area=area, on=referred_on)
    referral = PartnerReferral(
        candidate=candidate,
        partner=partner,
        area=area,
        referred_on=referred_on,
        made_by=user,
        navigator=navigator or _assigned_navigator(candidate) or user,
        consent=consent,
        follow_up_due=follow_up_due or referred_on + dt.timedelta(days=DEFAULT_FOLLOW_UP_DAYS),
        detail=detail,
        service_offer=service_offer,
    )
    referral.full_clean()
    referral.save()
    audit(actor=user, action="create", obj=referral, note="Referral made under a recorded consent.")
    return referral


def _assigned_navigator(candidate: Candidate) -> User | None:
    assignment = NavigatorAssignment.objects.filter(candidate=candidate).select_related("navigator").first()
    return assignment.navigator if assignment else None


@transaction.atomic
def referral_record_result(
    *,
    user,
    referral_id: int,
    result: str,
    result_on: dt.date | None = None,
    follow_up_due: dt.date | None = None,
) -> PartnerReferral:
    """Record what came of a referral (HMIS: the result and its date); a new follow-up date while it is open."""
    _require_navigator(user)
    try:
        referral = selectors.referrals_visible_to(user).select_for_update(of=("self",)).get(pk=referral_id)
    except PartnerReferral.DoesNotExist:
        raise NotPermitted("You may not change this referral.") from None
    if result != referral.result:
        referral.result = result
        referral.result_on = None if result == PartnerReferral.Result.PENDING else (result_on or _today())
    elif result_on is not None:
        referral.result_on = result_on
    if follow_up_due is not None:
        referral.follow_up_due = follow_up_due
    referral.full_clean()
    referral.save()
    audit(actor=user, action="update", obj=referral, note="Referral result recorded.")
    return referral


# --- case notes and the caseload ------------------------------------------------------------------------------


@transaction.atomic
def case_note_add(*, user, candidate: Candidate, text: str, part2: bool = False) -> CaseNote:
    _require_navigator(user)
    _require_person(user, candidate)
    note = CaseNote(candidate=candidate, author=user, text=text.strip(), part2=part2)
    note.full_clean()
    note.save()
    audit(actor=user, action="create", obj=note, note="Case note written.")
    return note


@transaction.atomic
def navigator_assign(*, user, candidate: Candidate, navigator: User | None = None) -> NavigatorAssignment:
    """Put a person on a navigator's caseload (their own, when no one else is named)."""
    _require_navigator(user)
    _require_person(user, candidate)
    navigator = navigator or user
    if not roles.is_social_services(navigator):
        raise DomainError(f"{navigator} is not a Social Services navigator: pick one who is.", code="not_navigator")
    assignment, _ = NavigatorAssignment.objects.update_or_create(
        candidate=candidate, defaults={"navigator": navigator, "assigned_on": _today()}
    )
    audit(actor=user, action="update", obj=assignment, note="Navigator assigned.")
    return assignment
