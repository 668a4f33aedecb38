"""After the door: needs, partners' contacts, referrals followed to their result, consent and case notes.

HMIS-style: each need is "not assessed / not needed / unmet / met" with the date it changed; each referral has a
result and its date, and a follow-up date by which a result is expected. Every write is recorded by the database's
change trail (vip/audit/triggers.py: every model of `candidates` is followed), so a need's history is its trail.

These records are behind the wall (candidates/aftercare/selectors.py): their `__str__` names no content, because
the audit viewer, the admin and the reminders name records by it to people who must not read them.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from candidates.aftercare.kinds import Area, is_part2


def _today() -> dt.date:
    return timezone.localdate()


class Need(models.Model):
    """One area of need of one person, as the navigator last assessed it."""

    class Status(models.TextChoices):
        NOT_ASSESSED = "not_assessed", "Not assessed"
        NOT_NEEDED = "not_needed", "Not needed"
        UNMET = "unmet", "Unmet"
        MET = "met", "Met"

    candidate = models.ForeignKey("candidates.Candidate", on_delete=models.CASCADE, related_name="needs")
    area = models.CharField(max_length=20, choices=Area.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_ASSESSED)
    status_changed_on = models.DateField(help_text="The date the status changed to what it is now.")
    detail = models.TextField(blank=True, help_text="What the navigator learned. Behind the wall.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["candidate", "area"]
        constraints = [models.UniqueConstraint(fields=["candidate", "area"], name="one_need_per_area")]

    def __str__(self):
        return f"Need #{self.pk}"

    @property
    def is_part2(self) -> bool:
        return is_part2(self.area)

    def clean(self):
        if self.status_changed_on and self.status_changed_on > _today():
            raise ValidationError({"status_changed_on": "The date is in the future: check it."})


class PartnerContact(models.Model):
    """A person to call at a partner organisation. Reference data, like the partner itself."""

    partner = models.ForeignKey("candidates.PartnerOrganization", on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=150)
    role = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["partner", "name"]

    def __str__(self):
        return f"{self.name} ({self.partner})"


class ConsentQuerySet(models.QuerySet):
    def valid_on(self, day: dt.date):
        """THE consent rule: given, dated on or before `day`, not withdrawn by then, not expired."""
        return self.filter(
            Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day),
            Q(expires_on__isnull=True) | Q(expires_on__gte=day),
            decision=Consent.Decision.GIVEN,
            decided_on__lte=day,
        )

    def covering(self, *, candidate_id: int, purpose: str, partner_id: int | None, part2: bool):
        """The consents of this person for this purpose (and partner): a Part 2 disclosure needs a Part 2 one."""
        qs = self.filter(candidate_id=candidate_id, purpose=purpose, partner_id=partner_id)
        return qs.filter(part2=True) if part2 else qs


class Consent(models.Model):
    """What a person agreed (or refused) to share, with whom, for what, how they said it, and until when."""

    class Purpose(models.TextChoices):
        REFERRAL = "referral", "Referral: share what the partner needs to serve them"
        PROGRAM_REVIEW = "program_review", "Program review: the Program Manager may read the details"

    class Decision(models.TextChoices):
        GIVEN = "given", "Given"
        REFUSED = "refused", "Refused"

    class Method(models.TextChoices):
        SIGNED = "signed", "Signed form"
        VERBAL_WITNESSED = "verbal_witnessed", "Verbal, with a witness"

    candidate = models.ForeignKey("candidates.Candidate", on_delete=models.CASCADE, related_name="consents")
    partner = models.ForeignKey(
        "candidates.PartnerOrganization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consents",
        help_text="The partner it allows sharing with (a referral's consent names one).",
    )
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    part2 = models.BooleanField(
        "Includes substance use (42 CFR Part 2)",
        default=False,
        help_text="A Part 2 consent: substance use treatment information may be disclosed under it.",
    )
    decision = models.CharField(max_length=10, choices=Decision.choices)
    decided_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    method = models.CharField(max_length=20, choices=Method.choices)
    witness = models.CharField(max_length=150, blank=True, help_text="Who witnessed a verbal consent.")
    expires_on = models.DateField(null=True, blank=True)
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_on", "-id"]
        indexes = [models.Index(fields=["candidate", "purpose", "partner"], name="consent_lookup")]

    def __str__(self):
        return f"Consent #{self.pk}"

    def clean(self):
        errors = {}
        if self.purpose == self.Purpose.REFERRAL and not self.partner_id:
            errors["partner"] = "A consent to share for a referral names the partner: pick one."
        if self.purpose == self.Purpose.PROGRAM_REVIEW and self.partner_id:
            errors["partner"] = "A program review consent is for the Program Manager, not a partner: leave it empty."
        if self.method == self.Method.VERBAL_WITNESSED and not self.witness.strip():
            errors["witness"] = "A verbal consent needs its witness: give their name."
        if self.decided_on and self.decided_on > _today():
            errors["decided_on"] = "The date is in the future: check it."
        if self.expires_on and self.decided_on and self.expires_on < self.decided_on:
            errors["expires_on"] = "It expires before it was given: check the dates."
        if errors:
            raise ValidationError(errors)


class ReferralQuerySet(models.QuerySet):
    def open(self):
        """No result recorded yet, or enrolled and not yet finished: the navigator still follows it."""
        return self.filter(result__in=PartnerReferral.OPEN_RESULTS)

    def follow_up_overdue(self, day: dt.date):
        """THE follow-up rule: the follow-up date has come and no result is recorded (still pending)."""
        return self.filter(result=PartnerReferral.Result.PENDING, follow_up_due__lte=day)


class PartnerReferral(models.Model):
    """A referral of a person to a partner organisation, followed to its result (HMIS: referral result and date).

    Not `candidates.Referral`, which is how a person was referred *to* the program."""

    class Result(models.TextChoices):
        PENDING = "pending", "Pending"
        ENROLLED = "enrolled", "Enrolled"
        COMPLETED = "completed", "Completed"
        DECLINED_BY_PERSON = "declined_by_person", "Declined by the person"
        REFUSED_BY_PARTNER = "refused_by_partner", "Refused by the partner"
        LOST_CONTACT = "lost_contact", "Lost contact"

    OPEN_RESULTS = (Result.PENDING, Result.ENROLLED)

    candidate = models.ForeignKey("candidates.Candidate", on_delete=models.CASCADE, related_name="partner_referrals")
    partner = models.ForeignKey("candidates.PartnerOrganization", on_delete=models.PROTECT, related_name="referrals")
    area = models.CharField("Need or service", max_length=20, choices=Area.choices)
    referred_on = models.DateField()
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    navigator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="followed_referrals",
        help_text="Who follows it up and is reminded when the follow-up is due.",
    )
    consent = models.ForeignKey(
        Consent, on_delete=models.PROTECT, related_name="referrals", help_text="The consent it was shared under."
    )
    result = models.CharField(max_length=20, choices=Result.choices, default=Result.PENDING)
    result_on = models.DateField(null=True, blank=True)
    follow_up_due = models.DateField()
    detail = models.TextField(blank=True, help_text="What was shared with the partner. Behind the wall.")
    service_offer = models.ForeignKey(
        "candidates.ServiceOffer", null=True, blank=True, on_delete=models.SET_NULL, related_name="partner_referrals"
    )

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-referred_on", "-id"]
        indexes = [
            models.Index(fields=["result", "follow_up_due"], name="referral_follow_up"),
            models.Index(fields=["navigator", "result"], name="referral_navigator"),
        ]

    def __str__(self):
        return f"Referral #{self.pk}"

    @property
    def is_part2(self) -> bool:
        return is_part2(self.area)

    def clean(self):
        errors = {}
        if self.referred_on and self.referred_on > _today():
            errors["referred_on"] = "The referral is dated in the future: check the date."
        if self.follow_up_due and self.referred_on and self.follow_up_due < self.referred_on:
            errors["follow_up_due"] = "The follow-up is due before the referral was made: check the dates."
        if self.result_on and self.referred_on and self.result_on < self.referred_on:
            errors["result_on"] = "The result is dated before the referral: check the dates."
        if self.result_on and self.result_on > _today():
            errors["result_on"] = "The result is dated in the future: check the date."
        if errors:
            raise ValidationError(errors)


class CaseNote(models.Model):
    """What a client told their navigator. Never shown to enforcement (the wall)."""

    candidate = models.ForeignKey("candidates.Candidate", on_delete=models.CASCADE, related_name="case_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    written_at = models.DateTimeField(default=timezone.now)
    text = models.TextField()
    part2 = models.BooleanField(
        "About substance use (42 CFR Part 2)", default=False, help_text="Shown only under a Part 2 consent."
    )

    class Meta:
        ordering = ["-written_at", "-id"]

    def __str__(self):
        return f"Case note #{self.pk}"


class NavigatorAssignment(models.Model):
    """The Social Services navigator a person is assigned to: their caseload, and who is reminded."""

    candidate = models.OneToOneField("candidates.Candidate", on_delete=models.CASCADE, related_name="navigator")
    navigator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="caseload")
    assigned_on = models.DateField(default=_today)

    def __str__(self):
        return f"Navigator assignment #{self.pk}"
