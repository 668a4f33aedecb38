"""THE WALL between services and enforcement (issue 19): who reads a person's needs, referrals, consents and case
notes. Every page, API view, form choice and the admin start from these; the audit trail withholds the contents
of these records' rows (`vip.scopes.register_walled`), and search, exports and the candidate page never read them.

- Social Services (the navigators) read them, for the people they may see (`candidates_visible_to`);
- the Program Manager reads totals only (`aftercare_totals`), and the details of a person who consented to a
  program review; substance use details only if that consent is a 42 CFR Part 2 one;
- the LE Lead, officers, the Administrator and the Records Custodian: nothing, on any interface. Officers keep
  "services offered / accepted: yes or no" from the service offers (reports), as before.

The wall is one-way: what enforcement knows may be shown to navigators, never the other way.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from candidates.aftercare.kinds import PART2_AREAS
from candidates.aftercare.models import CaseNote, Consent, NavigatorAssignment, Need, PartnerReferral
from candidates.models import Candidate, PartnerOrganization
from candidates.selectors import candidates_visible_to
from vip import roles


def may_work_aftercare(user) -> bool:
    """The navigators: they record needs, referrals, consents and notes."""
    return roles.is_social_services(user)


def may_read_aftercare(user) -> bool:
    """Who opens the aftercare pages and API at all: the navigators, and the Program Manager (totals, and the
    details the person consented to show them)."""
    return roles.has_role(user, roles.SOCIAL_SERVICES, roles.PROGRAM_MANAGER)


def _program_review_consents(part2: bool) -> QuerySet[Consent]:
    consents = Consent.objects.valid_on(timezone.localdate()).filter(purpose=Consent.Purpose.PROGRAM_REVIEW)
    return consents.filter(part2=True) if part2 else consents


def aftercare_candidates_for(user, *, part2: bool = False) -> QuerySet[Candidate]:
    """The people whose details after the door `user` reads (with `part2`: their substance use details too)."""
    visible = candidates_visible_to(user)
    if may_work_aftercare(user):
        return visible
    if roles.is_program_manager(user):
        return visible.filter(Exists(_program_review_consents(part2).filter(candidate=OuterRef("pk"))))
    return visible.none()


def _behind_the_wall(user, qs: QuerySet, *, part2: Q) -> QuerySet:
    """`qs` (rows with a `candidate`) cut to what `user` reads: the people they read, and rows about substance
    use (`part2`) only for the people whose consent covers them."""
    if not may_read_aftercare(user):
        return qs.none()
    if may_work_aftercare(user):  # the navigators hold the Part 2 records they wrote: shown with the notice
        return qs.filter(candidate__in=aftercare_candidates_for(user).values("pk"))
    ordinary = qs.exclude(part2).filter(candidate__in=aftercare_candidates_for(user).values("pk"))
    protected = qs.filter(part2).filter(candidate__in=aftercare_candidates_for(user, part2=True).values("pk"))
    return ordinary | protected


def needs_visible_to(user) -> QuerySet[Need]:
    return _behind_the_wall(user, Need.objects.all(), part2=Q(area__in=PART2_AREAS)).select_related("candidate")


def referrals_visible_to(user) -> QuerySet[PartnerReferral]:
    qs = PartnerReferral.objects.all()
    return _behind_the_wall(user, qs, part2=Q(area__in=PART2_AREAS)).select_related(
        "candidate", "partner", "navigator", "made_by"
    )


def consents_visible_to(user) -> QuerySet[Consent]:
    return _behind_the_wall(user, Consent.objects.all(), part2=Q(part2=True)).select_related("candidate", "partner")


def case_notes_visible_to(user) -> QuerySet[CaseNote]:
    return _behind_the_wall(user, CaseNote.objects.all(), part2=Q(part2=True)).select_related("candidate", "author")


def assignments_visible_to(user) -> QuerySet[NavigatorAssignment]:
    if not may_read_aftercare(user):
        return NavigatorAssignment.objects.none()
    people = aftercare_candidates_for(user).values("pk")
    return NavigatorAssignment.objects.filter(candidate__in=people).select_related("candidate", "navigator")


def partners_for(user) -> QuerySet[PartnerOrganization]:
    """Partners are reference data, but who is referred where is not: the list is for those behind the wall."""
    if not may_read_aftercare(user):
        return PartnerOrganization.objects.none()
    return PartnerOrganization.objects.prefetch_related("contacts")


def get_aftercare_person(user, pk) -> Candidate:
    """A person whose details `user` reads, or 404 (as if they did not exist)."""
    try:
        return aftercare_candidates_for(user).get(pk=pk)
    except (Candidate.DoesNotExist, ValueError, TypeError):
        raise Http404("No such person.") from None


def shows_part2(*rows) -> bool:
    """Whether a page or an answer discloses substance use information: it then carries the redisclosure notice
    (42 CFR 2.32)."""
    return any(getattr(row, "is_part2", False) or getattr(row, "part2", False) for group in rows for row in group)


# --- the navigator's caseload ------------------------------------------------------------------------------


def caseload(user, *, today: dt.date | None = None) -> dict:
    """A navigator's people, their open referrals and the follow-ups due (the reminder's rule)."""
    today = today or timezone.localdate()
    referrals = referrals_visible_to(user).filter(navigator=user)
    return {
        "people": assignments_visible_to(user).filter(navigator=user).order_by("candidate__last_name"),
        "open_referrals": referrals.open().order_by("follow_up_due", "pk"),
        "follow_ups_due": referrals.follow_up_overdue(today).order_by("follow_up_due", "pk"),
    }


# --- the Program Manager's totals: numbers, never a person --------------------------------------------------


def aftercare_totals(user) -> dict:
    """Counts over everyone the user may see as a record: needs by area and status, referrals by result. For the
    Program Manager, who reads no person's details without their consent."""
    if not may_read_aftercare(user):
        return {"needs": [], "referrals": []}
    people = candidates_visible_to(user).values("pk")
    needs = (
        Need.objects.filter(candidate__in=people)
        .values("area", "status")
        .annotate(count=Count("pk"))
        .order_by("area", "status")
    )
    referrals = (
        PartnerReferral.objects.filter(candidate__in=people)
        .values("result")
        .annotate(count=Count("pk"))
        .order_by("result")
    )
    return {"needs": list(needs), "referrals": list(referrals)}
