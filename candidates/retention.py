"""Retention of criminal intelligence (28 CFR Part 23 practice; lessons of the CalGang 2016 and Chicago
OIG 2019/2020 gang-database audits: entries without support, never reviewed, never purged).

- A group membership carries its source (model validation) and is a fact only once the LE Lead approved
  it (`membership_approve`); until then officers and social services do not see it
  (`candidates.selectors.memberships_visible_to`).
- Every membership and eligibility basis comes up for review five years after it was entered at the
  latest (`review_due_on`). The LE Lead keeps it, with a reason, for up to five more years
  (`review_keep`), or removes it (`review_remove`). Both are audited.
- No political or religious affiliation is recorded (28 CFR 23.20(b)): `affiliation_errors` refuses a
  group whose name or description names one. The keyword list is deliberately short and obvious; it is
  a guard rail against mistakes, not a classifier, and the LE Lead's approval remains the real check.
- No risk score is computed or shown anywhere (tests/test_retention.py checks the models and templates).
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from candidates.models import REVIEW_AFTER_YEARS, EligibilityBasis, GroupMembership, add_years, today
from vip import roles
from vip.audit import audit
from vip.errors import DomainError, NotPermitted
from vip.models import AuditEvent

REVIEW_NOTICE_DAYS = 30

AFFILIATION_WORDS = [
    # political
    "democrat",
    "democratic party",
    "republican",
    "libertarian",
    "green party",
    "socialist",
    "communist party",
    "political party",
    "political",
    "activist",
    # religious
    "church",
    "mosque",
    "synagogue",
    "parish",
    "congregation",
    "ministry",
    "religious",
    "faith community",
    "catholic",
    "baptist",
    "methodist",
    "mormon",
    "muslim",
    "islamic",
    "jewish",
    "christian",
    "buddhist",
    "hindu",
    "sikh",
]
_AFFILIATION_RE = re.compile(r"\b(" + "|".join(re.escape(w) for w in AFFILIATION_WORDS) + r")", re.IGNORECASE)


def affiliation_errors(**texts: str) -> dict[str, str]:
    """{field: message} for each text that names a political or religious affiliation."""
    errors = {}
    for field, text in texts.items():
        found = _AFFILIATION_RE.search(text or "")
        if found:
            errors[field] = (
                f'"{found.group(0)}" reads as a political or religious affiliation, which is never recorded '
                "(28 CFR 23.20(b)). Record only the criminal group and the conduct that ties people to it."
            )
    return errors


def _require_le_lead(user) -> None:
    if not roles.is_le_lead(user):
        raise NotPermitted("Only the VIP LE Lead approves and reviews intelligence records.")


def membership_approve(membership: GroupMembership, user) -> GroupMembership:
    _require_le_lead(user)
    with transaction.atomic():
        locked = GroupMembership.objects.select_for_update().get(pk=membership.pk)
        errors = {}
        if locked.approved_at is not None:
            errors["approved_at"] = "This membership is already approved."
        if locked.source == GroupMembership.Source.GVIS and not locked.gvis_meeting_id:
            errors["gvis_meeting"] = "Name the GVIS meeting it was identified in before approving it."
        if locked.source == GroupMembership.Source.LINK_ANALYSIS and not locked.link_analysis_reference:
            errors["link_analysis_reference"] = "Give the link-analysis reference before approving it."
        if errors:
            raise DomainError("The membership cannot be approved.", reasons=errors)
        locked.approved_by = user
        locked.approved_at = timezone.now()
        locked.save(update_fields=["approved_by", "approved_at"])
        audit(actor=user, action=AuditEvent.Action.REVIEW, obj=locked, note="Membership approved by the LE Lead.")
    return locked


def memberships_due_for_review(on: dt.date | None = None) -> QuerySet[GroupMembership]:
    horizon = (on or today()) + dt.timedelta(days=REVIEW_NOTICE_DAYS)
    return (
        GroupMembership.objects.select_related("candidate", "group")
        .filter(candidate__sealed_at__isnull=True, review_due_on__lte=horizon)
        .order_by("review_due_on", "id")
    )


def bases_due_for_review(on: dt.date | None = None) -> QuerySet[EligibilityBasis]:
    horizon = (on or today()) + dt.timedelta(days=REVIEW_NOTICE_DAYS)
    return (
        EligibilityBasis.objects.select_related("candidate")
        .filter(candidate__sealed_at__isnull=True, review_due_on__lte=horizon)
        .order_by("review_due_on", "id")
    )


REVIEWABLE = {"membership": GroupMembership, "basis": EligibilityBasis}


def review_horizon(on: dt.date | None = None) -> dt.date:
    """The oldest date of evidence still shown as a link between people: five years back (the review period).
    A shooting, meeting or referral dated before it ties nobody together any more (the network)."""
    return add_years(on or today(), -REVIEW_AFTER_YEARS)


def within_review(qs: QuerySet, on: dt.date | None = None) -> QuerySet:
    """The memberships or bases not past their review date: one overdue for review is not shown as a fact
    until the LE Lead keeps it (`review_keep`)."""
    return qs.filter(review_due_on__gte=on or today())


def review_keep(record, user, *, reason: str, until: dt.date | None = None):
    """Keep a membership or basis after review, with the reason, until `until` (at most five years on)."""
    _require_le_lead(user)
    reason = (reason or "").strip()
    latest = add_years(today(), REVIEW_AFTER_YEARS)
    until = until or latest
    errors = {}
    if not reason:
        errors["reason"] = "Say why the record is still supported (what new information, which source)."
    if until <= today():
        errors["until"] = "The next review must be after today."
    elif until > latest:
        errors["until"] = f"A record is kept at most five years between reviews: pick {latest:%Y-%m-%d} or earlier."
    if errors:
        raise DomainError("The review was not recorded.", reasons=errors)
    model = type(record)
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=record.pk)
        before = locked.review_due_on
        locked.review_due_on = until
        locked.last_reviewed_at = timezone.now()
        locked.save(update_fields=["review_due_on", "last_reviewed_at"])
        audit(
            actor=user,
            action=AuditEvent.Action.REVIEW,
            obj=locked,
            note=f"Kept after review: {reason}",
            changes={"review_due_on": [str(before), str(until)]},
        )
    return locked


def review_remove(record, user, *, reason: str) -> None:
    """Remove a membership or basis that is no longer supported (purge, 28 CFR 23.20(h))."""
    _require_le_lead(user)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            "The review was not recorded.", reasons={"reason": "Say why the record is removed (no longer supported)."}
        )
    model = type(record)
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=record.pk)
        audit(actor=user, action=AuditEvent.Action.REVIEW, obj=locked, note=f"Removed after review: {reason}")
        locked.delete()
