"""The people a CN is about, the evidence that makes them candidates, and what happened afterwards.

Juvenile status is never stored: it is computed from the date of birth on the date in question
(SOP 2-64-5 A: seventeen years of age or younger).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from candidates.aftercare.kinds import Area

JUVENILE_MAX_AGE = 17
OLDEST_PLAUSIBLE_AGE = 110
REVIEW_AFTER_YEARS = 5  # 28 CFR Part 23 practice: every membership and basis is reviewed within 5 years.


def age_on(date_of_birth: dt.date, on: dt.date) -> int:
    years = on.year - date_of_birth.year
    if (on.month, on.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def eighteenth_birthday(date_of_birth: dt.date) -> dt.date:
    return add_years(date_of_birth, JUVENILE_MAX_AGE + 1)


def today() -> dt.date:
    return timezone.localdate()


class CandidateQuerySet(models.QuerySet):
    def juveniles(self, on: dt.date | None = None):
        """Born less than 18 years before `on`: seventeen or younger on that date."""
        on = on or today()
        return self.filter(date_of_birth__gt=add_years(on, -(JUVENILE_MAX_AGE + 1)))

    def adults(self, on: dt.date | None = None):
        on = on or today()
        return self.filter(date_of_birth__lte=add_years(on, -(JUVENILE_MAX_AGE + 1)))

    def aged_between(self, youngest: int, oldest: int, on: dt.date | None = None):
        on = on or today()
        return self.filter(
            date_of_birth__lte=add_years(on, -youngest),
            date_of_birth__gt=add_years(on, -(oldest + 1)),
        )

    def unsealed(self):
        return self.filter(sealed_at__isnull=True)

    def sealed(self):
        return self.filter(sealed_at__isnull=False)


class Candidate(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "F", "Female"
        MALE = "M", "Male"
        OTHER = "X", "Other / not stated"

    first_name = models.CharField(max_length=100)
    middle_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.OTHER)
    photo = models.ImageField(upload_to="candidate-photos/", blank=True)
    # What the team at the door needs to recognise and speak with the person (the tablet's briefing card).
    physical_description = models.TextField(
        blank=True, help_text="Height, build, hair, marks, tattoos: what lets the team recognise the person."
    )
    language = models.CharField(
        "preferred language", max_length=60, blank=True, help_text="The language to speak and give the letter in."
    )
    notes = models.TextField(blank=True)
    # A lower-cased "first middle last + aliases" text, kept for trigram search (see migrations).
    search_text = models.TextField(blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Sealing (NMSA 32A-2-26): a sealed record behaves as if it never existed, except for a custodian.
    sealed_at = models.DateTimeField(null=True, blank=True)
    sealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sealing_order_reference = models.CharField(max_length=100, blank=True)
    sealing_order_date = models.DateField(null=True, blank=True)  # the court order's date (candidates.sealing)
    # Set when this record was merged into another (candidates.merging): it answers with a redirect there.
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = CandidateQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            models.Index(fields=["last_name", "first_name"]),
            models.Index(fields=["date_of_birth"]),
            # The few sealed records, so "every CN but the sealed ones" is a hashed NOT IN of a few hundred
            # ids rather than a join over every candidate (notifications.selectors, docs/performance.md).
            models.Index(fields=["id"], condition=models.Q(sealed_at__isnull=False), name="candidate_sealed"),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.middle_name, self.last_name) if part)

    def age(self, on: dt.date | None = None) -> int:
        return age_on(self.date_of_birth, on or today())

    def is_juvenile(self, on: dt.date | None = None) -> bool:
        return self.age(on) <= JUVENILE_MAX_AGE

    @property
    def is_sealed(self) -> bool:
        return self.sealed_at is not None

    def clean(self):
        errors = {}
        if self.date_of_birth:
            if self.date_of_birth > today():
                errors["date_of_birth"] = "The date of birth is in the future: check the year."
            elif self.age() > OLDEST_PLAUSIBLE_AGE:
                errors["date_of_birth"] = f"That makes the person {self.age()} years old: check the year of birth."
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.search_text = self.build_search_text()
        super().save(*args, **kwargs)

    def refresh_search_text(self) -> None:
        Candidate.objects.filter(pk=self.pk).update(search_text=self.build_search_text())

    def build_search_text(self, aliases: list[str] | None = None) -> str:
        if aliases is None:
            aliases = list(self.aliases.values_list("name", flat=True)) if self.pk else []
        return " ".join([self.full_name, *aliases]).lower()


class Alias(models.Model):
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=150)

    class Meta:
        verbose_name_plural = "aliases"

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self.candidate.refresh_search_text()

    def delete(self, *args, **kwargs):
        candidate = self.candidate
        result = super().delete(*args, **kwargs)
        candidate.refresh_search_text()
        return result


class Address(models.Model):
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="addresses")
    line1 = models.CharField("address", max_length=200)
    line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, default="Albuquerque")
    state = models.CharField(max_length=2, default="NM")
    postal_code = models.CharField(max_length=10, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "addresses"
        ordering = ["-valid_from", "-id"]

    def __str__(self):
        return ", ".join(part for part in (self.line1, self.line2, self.city, self.state) if part)

    def clean(self):
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": "The end date is before the start date."})


class Phone(models.Model):
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(max_length=30)
    label = models.CharField(max_length=30, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    def __str__(self):
        return self.number


class Group(models.Model):
    """A gang or group. No political or religious affiliation is ever recorded (28 CFR 23.20(b))."""

    name = models.CharField(max_length=150, unique=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        from candidates.retention import affiliation_errors

        errors = affiliation_errors(name=self.name, description=self.description)
        if errors:
            raise ValidationError(errors)


class Shooting(models.Model):
    """A shooting with injury, reviewed weekly (GVIS)."""

    incident_number = models.CharField(max_length=40, unique=True)
    occurred_on = models.DateField()
    location = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]

    def __str__(self):
        return f"{self.incident_number} ({self.occurred_on:%Y-%m-%d})"

    def clean(self):
        if self.occurred_on and self.occurred_on > today():
            raise ValidationError({"occurred_on": "The shooting is dated in the future: check the date."})


class ShootingParticipant(models.Model):
    class Role(models.TextChoices):
        VICTIM = "victim", "Victim"
        INVOLVED = "involved", "Involved (suspect, witness, associate)"

    shooting = models.ForeignKey(Shooting, on_delete=models.CASCADE, related_name="participants")
    candidate = models.ForeignKey(
        Candidate, null=True, blank=True, on_delete=models.CASCADE, related_name="shooting_roles"
    )
    name = models.CharField(max_length=150, blank=True, help_text="When the person is not a candidate.")
    role = models.CharField(max_length=10, choices=Role.choices)

    def __str__(self):
        return f"{self.candidate or self.name} ({self.get_role_display()})"

    def clean(self):
        if not self.candidate_id and not self.name:
            raise ValidationError("Name the person: pick a candidate or type a name.")


class GVISMeeting(models.Model):
    """Gun Violence Information Sharing: shootings reviewed, groups and people identified, partners present."""

    held_on = models.DateField()
    partners_present = models.TextField(blank=True, help_text="One partner or agency a line.")
    shootings_reviewed = models.ManyToManyField(Shooting, blank=True, related_name="gvis_meetings")
    groups_identified = models.ManyToManyField(Group, blank=True, related_name="gvis_meetings")
    individuals_identified = models.ManyToManyField(Candidate, blank=True, related_name="gvis_meetings")
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # What the meeting's record holds, as the form and the API take it.
    RECORD_FIELDS = (
        "held_on",
        "partners_present",
        "shootings_reviewed",
        "groups_identified",
        "individuals_identified",
        "notes",
    )

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = "GVIS meeting"

    def __str__(self):
        return f"GVIS {self.held_on:%Y-%m-%d}"

    def clean(self):
        if self.held_on and self.held_on > today():
            raise ValidationError({"held_on": "A meeting cannot be recorded before it is held: check the date."})


class GroupMembership(models.Model):
    """A candidate's membership in a group, with its source and the LE Lead's approval (28 CFR 23.20)."""

    class Source(models.TextChoices):
        GVIS = "gvis", "GVIS meeting"
        LINK_ANALYSIS = "link_analysis", "Shooting link analysis"

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="memberships")
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="memberships")
    source = models.CharField(max_length=20, choices=Source.choices)
    gvis_meeting = models.ForeignKey(GVISMeeting, null=True, blank=True, on_delete=models.PROTECT)
    link_analysis_reference = models.CharField(max_length=100, blank=True)
    identified_on = models.DateField()
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    review_due_on = models.DateField(null=True, blank=True)
    last_reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["candidate", "group"], name="one_membership_per_group"),
        ]

    def __str__(self):
        return f"{self.candidate} in {self.group}"

    def clean(self):
        errors = {}
        if self.source == self.Source.GVIS and not self.gvis_meeting_id:
            errors["gvis_meeting"] = "A membership from GVIS needs the meeting it was identified in."
        if self.source == self.Source.LINK_ANALYSIS and not self.link_analysis_reference:
            errors["link_analysis_reference"] = "A membership from link analysis needs the analysis reference."
        if self.identified_on and self.identified_on > today():
            errors["identified_on"] = "The date identified is in the future: check the date."
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.review_due_on is None:
            self.review_due_on = add_years(self.identified_on or today(), REVIEW_AFTER_YEARS)
        super().save(*args, **kwargs)


class Influencer(models.Model):
    """Someone with a strong, influential relationship to the candidate (SOP 2-64-3 D)."""

    class Relationship(models.TextChoices):
        SPOUSE = "spouse", "Spouse"
        PARENT = "parent", "Parent"
        GRANDPARENT = "grandparent", "Grandparent"
        GUARDIAN = "guardian", "Guardian"
        OTHER = "other", "Other"

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="influencers")
    name = models.CharField(max_length=150)
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    relationship_detail = models.CharField(max_length=100, blank=True)
    is_legal_guardian = models.BooleanField(default=False)
    phone = models.CharField(max_length=30, blank=True)
    address = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)

    def __str__(self):
        return f"{self.name} ({self.get_relationship_display()})"

    @property
    def can_be_guardian_present(self) -> bool:
        return self.is_legal_guardian or self.relationship in (self.Relationship.PARENT, self.Relationship.GUARDIAN)


class Referral(models.Model):
    class Source(models.TextChoices):
        DEPARTMENT = "department", "Department personnel"
        OUTSIDE_LAW_ENFORCEMENT = "outside_le", "Outside law-enforcement agency"
        DISTRICT_ATTORNEY = "district_attorney", "District Attorney's Office"
        OUTREACH = "outreach", "Outreach team member"
        FAITH_BASED = "faith_based", "Faith-based coalition team member"
        COMMUNITY_BASED = "community_based", "Community-based coalition team member"

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="referrals")
    source = models.CharField(max_length=20, choices=Source.choices)
    referred_by = models.CharField("referring person or agency", max_length=150)
    referred_on = models.DateField()
    reason = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-referred_on", "-id"]

    def __str__(self):
        return f"{self.get_source_display()}: {self.referred_by} ({self.referred_on:%Y-%m-%d})"

    def age_errors(self) -> dict[str, str]:
        """Whether this source may refer the person at their age on the referral date (SOP 2-64-4/5 A.5)."""
        if not (self.candidate_id and self.source and self.referred_on):
            return {}
        juvenile = self.candidate.is_juvenile(self.referred_on)
        allowed = JUVENILE_REFERRAL_SOURCES if juvenile else ADULT_REFERRAL_SOURCES
        if self.source in allowed:
            return {}
        names = ", ".join(Referral.Source(s).label for s in sorted(allowed))
        who = "a juvenile" if juvenile else "an adult"
        clause = "2-64-5 A.5" if juvenile else "2-64-4 A.5"
        return {
            "source": (
                f"A referral from {self.get_source_display()} is not accepted for {who} (SOP {clause}): "
                f"accepted sources are {names}."
            )
        }

    def clean(self):
        errors = {}
        if self.referred_on and self.referred_on > today():
            errors["referred_on"] = "The referral is dated in the future: check the date."
        else:
            errors.update(self.age_errors())
        if errors:
            raise ValidationError(errors)


# SOP 2-64-4 A.5 (adults) and 2-64-5 A.5 (juveniles): who may refer.
ADULT_REFERRAL_SOURCES = frozenset({Referral.Source.DEPARTMENT, Referral.Source.DISTRICT_ATTORNEY})
JUVENILE_REFERRAL_SOURCES = frozenset(Referral.Source.values)


SEALED_PERSON = "a person whose record is sealed"


class EligibilityBasis(models.Model):
    """One reason a person is a CN candidate, tied to its evidence (SOP 2-64-4 A, 2-64-5 A)."""

    class Kind(models.TextChoices):
        SHOOTING_VICTIM = "shooting_victim", "Victim of a shooting"
        ASSOCIATE = "associate", "Associate of someone involved in a shooting"
        INFLUENCER = "influencer", "Influencer of someone involved in a shooting (adults only)"
        DRIVER = "driver", "Driver of gun violence"
        GVIS_OR_LINK_ANALYSIS = "gvis", "Identified in GVIS or shooting link analysis"
        REFERRAL = "referral", "Referral"

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="bases")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    shooting = models.ForeignKey(Shooting, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    related_person = models.ForeignKey(
        Candidate,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The person involved in the shooting, when they are in the system.",
    )
    related_person_name = models.CharField(max_length=150, blank=True)
    information = models.TextField(blank=True, help_text="For a driver of gun violence: the information.")
    gvis_meeting = models.ForeignKey(GVISMeeting, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    link_analysis_reference = models.CharField(max_length=100, blank=True)
    referral = models.ForeignKey(Referral, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)
    review_due_on = models.DateField(null=True, blank=True)
    last_reviewed_at = models.DateTimeField(null=True, blank=True)

    # The evidence a basis may carry, as the intake form and the API take it; which of them a kind needs is
    # `clean()`'s rule.
    EVIDENCE_FIELDS = (
        "shooting",
        "related_person",
        "related_person_name",
        "information",
        "gvis_meeting",
        "link_analysis_reference",
        "referral",
    )

    @classmethod
    def evidence_fields_of(cls, kind: str) -> tuple[str, ...]:
        """The evidence fields that can make a basis of `kind` (what `evidence_errors` asks of it): the intake
        form shows only these for the kind chosen."""
        k = cls.Kind
        return {
            k.SHOOTING_VICTIM: ("shooting",),
            k.ASSOCIATE: ("shooting", "related_person", "related_person_name"),
            k.INFLUENCER: ("shooting", "related_person", "related_person_name"),
            k.DRIVER: ("information",),
            k.GVIS_OR_LINK_ANALYSIS: ("gvis_meeting", "link_analysis_reference"),
            k.REFERRAL: ("referral",),
        }.get(kind, ())

    class Meta:
        verbose_name_plural = "eligibility bases"
        ordering = ["entered_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.evidence_summary}"

    @property
    def evidence_summary(self) -> str:
        k = self.Kind
        if self.kind == k.SHOOTING_VICTIM:
            return str(self.shooting or "")
        if self.kind in (k.ASSOCIATE, k.INFLUENCER):
            person = self.related_person or self.related_person_name
            if self.related_person is not None and self.related_person.is_sealed:
                person = SEALED_PERSON  # a sealed record never reappears through another's (NMSA 32A-2-26)
            return f"{person} in {self.shooting}"
        if self.kind == k.DRIVER:
            return self.information[:80]
        if self.kind == k.GVIS_OR_LINK_ANALYSIS:
            return str(self.gvis_meeting) if self.gvis_meeting_id else f"Link analysis {self.link_analysis_reference}"
        if self.kind == k.REFERRAL:
            return str(self.referral or "")
        return ""

    def evidence_errors(self) -> dict[str, str]:
        """What evidence this basis lacks, by field, in words."""
        k = self.Kind
        errors: dict[str, str] = {}
        if self.kind in (k.SHOOTING_VICTIM, k.ASSOCIATE, k.INFLUENCER) and not self.shooting_id:
            errors["shooting"] = "Pick the shooting this basis rests on."
        if self.kind in (k.ASSOCIATE, k.INFLUENCER) and not (self.related_person_id or self.related_person_name):
            errors["related_person"] = "Name the person involved in the shooting."
        if self.kind == k.DRIVER and not self.information.strip():
            errors["information"] = "Write the information that identifies a driver of gun violence."
        if self.kind == k.GVIS_OR_LINK_ANALYSIS and not (self.gvis_meeting_id or self.link_analysis_reference):
            errors["gvis_meeting"] = "Pick the GVIS meeting or give the link-analysis reference."
        if self.kind == k.REFERRAL and not self.referral_id:
            errors["referral"] = "Pick the referral this basis rests on."
        if self.referral_id and self.candidate_id and self.referral.candidate_id != self.candidate_id:
            errors["referral"] = "That referral is for another person."
        return errors

    def age_errors(self, on: dt.date | None = None) -> dict[str, str]:
        """Whether this basis applies to the candidate at their age on `on` (SOP 2-64-4 A vs 2-64-5 A)."""
        on = on or today()
        errors: dict[str, str] = {}
        juvenile = self.candidate.is_juvenile(on)
        if juvenile and self.kind == self.Kind.INFLUENCER:
            errors["kind"] = (
                "Being an influencer of someone involved in a shooting is a basis for adults only "
                "(SOP 2-64-5 A.2): record the juvenile as an associate, or choose another basis."
            )
        if self.kind == self.Kind.REFERRAL and self.referral_id:
            allowed = JUVENILE_REFERRAL_SOURCES if juvenile else ADULT_REFERRAL_SOURCES
            if self.referral.source not in allowed:
                names = ", ".join(Referral.Source(s).label for s in sorted(allowed))
                who = "a juvenile" if juvenile else "an adult"
                clause = "2-64-5 A.5" if juvenile else "2-64-4 A.5"
                errors["referral"] = (
                    f"A referral from {self.referral.get_source_display()} is not accepted for {who} "
                    f"(SOP {clause}): accepted sources are {names}."
                )
        return errors

    def is_valid_on(self, on: dt.date | None = None) -> bool:
        return not self.evidence_errors() and not self.age_errors(on)

    def clean(self):
        errors = self.evidence_errors()
        if self.candidate_id:
            errors.update(self.age_errors())
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.review_due_on is None:
            self.review_due_on = add_years(today(), REVIEW_AFTER_YEARS)
        super().save(*args, **kwargs)


class GVISAttendee(models.Model):
    """Who attended a GVIS meeting: a staff member (their account) or a partner agency's person by name."""

    meeting = models.ForeignKey(GVISMeeting, on_delete=models.CASCADE, related_name="attendees")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=150, blank=True, help_text="A partner agency's attendee, by name.")
    agency = models.CharField(max_length=150, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "GVIS attendee"

    def __str__(self):
        if self.user_id:
            return self.user.get_full_name() or self.user.username
        return f"{self.name} ({self.agency})" if self.agency else self.name

    def clean(self):
        if not self.user_id and not self.name.strip():
            raise ValidationError({"name": "Pick a staff member, or type the attendee's name and agency."})
        if not self.user_id and not self.agency.strip():
            raise ValidationError({"agency": "Say which agency the attendee is from."})


class GVISIdentification(models.Model):
    """A person a GVIS meeting identified, with its evidence and SOP basis (2-64-4 A, 2-64-5 A), and the LE
    Lead's decision on them: open a CN now, watch, or not eligible (with the reason)."""

    class Decision(models.TextChoices):
        OPEN_CN = "open_cn", "Open a CN now"
        WATCH = "watch", "Watch"
        NOT_ELIGIBLE = "not_eligible", "Not eligible"

    meeting = models.ForeignKey(GVISMeeting, on_delete=models.CASCADE, related_name="identifications")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="gvis_identifications")
    kind = models.CharField("SOP basis", max_length=20, choices=EligibilityBasis.Kind.choices)
    evidence = models.TextField(help_text="What the meeting saw: the shooting, the link analysis, the information.")
    identified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    identified_at = models.DateTimeField(auto_now_add=True)
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # The CN the decision opened, and the basis it rests on (the meeting, with this evidence).
    delivery = models.ForeignKey(
        "notifications.Delivery", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        verbose_name = "GVIS identification"
        constraints = [
            models.UniqueConstraint(fields=["meeting", "candidate"], name="one_identification_per_meeting"),
        ]

    def __str__(self):
        return f"{self.candidate} at {self.meeting}"


class GVISGroupIdentification(models.Model):
    """A group a GVIS meeting identified as connected to gun violence, with its evidence (SOP 2-64-4 A.4)."""

    meeting = models.ForeignKey(GVISMeeting, on_delete=models.CASCADE, related_name="group_identifications")
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="gvis_identifications")
    evidence = models.TextField()
    identified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    identified_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "GVIS group identification"
        constraints = [
            models.UniqueConstraint(fields=["meeting", "group"], name="one_group_identification_per_meeting"),
        ]

    def __str__(self):
        return f"{self.group} at {self.meeting}"


class PartnerOrganization(models.Model):
    name = models.CharField(max_length=150, unique=True)
    contact = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)
    # The areas it takes referrals for (issue 19): its contacts are `contacts` (candidates.aftercare).
    service_types = ArrayField(
        models.CharField(max_length=20, choices=Area.choices), default=list, blank=True, help_text="What it takes."
    )

    def takes(self, area: str) -> bool:
        return area in self.service_types

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ServiceOffer(models.Model):
    """One service offered to a candidate by the social services component."""

    class Type(models.TextChoices):
        SHELTER = "shelter", "Shelter"
        RENTAL_ASSISTANCE = "rental_assistance", "Rental assistance"
        JOB_TRAINING = "job_training", "Job training"
        MENTAL_HEALTH = "mental_health", "Mental health assistance"
        FOOD_BOX = "food_box", "Food box"
        SUBSTANCE_USE = "substance_use", "Substance use treatment"
        EDUCATION = "education", "Education"
        RELOCATION = "relocation", "Relocation"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        OFFERED = "offered", "Offered"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        REFERRED = "referred", "Referred"
        COMPLETED = "completed", "Completed"

    # A service the person took up: the dashboard's "accepted" and the officers' "accepted: yes" (issue 19).
    ACCEPTED_STATUSES = (Status.ACCEPTED, Status.COMPLETED)

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="services")
    delivery = models.ForeignKey(
        "notifications.Delivery", null=True, blank=True, on_delete=models.SET_NULL, related_name="services"
    )
    service_type = models.CharField(max_length=30, choices=Type.choices)
    detail = models.CharField(max_length=200, blank=True)
    partner = models.ForeignKey(PartnerOrganization, null=True, blank=True, on_delete=models.PROTECT)
    offered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    offered_on = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OFFERED)
    status_changed_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-offered_on", "-id"]
        indexes = [models.Index(fields=["service_type", "status"])]

    def __str__(self):
        return f"{self.get_service_type_display()} ({self.get_status_display()})"

    def clean(self):
        errors = {}
        if self.offered_on and self.offered_on > today():
            errors["offered_on"] = "The offer is dated in the future: check the date."
        if self.status_changed_on and self.offered_on and self.status_changed_on < self.offered_on:
            errors["status_changed_on"] = "The status changed before the service was offered: check the dates."
        if errors:
            raise ValidationError(errors)


class OutcomeEvent(models.Model):
    """What happened after a CN: a new arrest or offence, or a re-victimisation."""

    class Kind(models.TextChoices):
        ARREST = "arrest", "New arrest or offence"
        REVICTIMIZATION = "revictimization", "Re-victimisation (shot again)"

    class Category(models.TextChoices):
        GUN_VIOLENCE = "gun_violence", "Gun violence"
        OTHER_VIOLENCE = "other_violence", "Other violence"
        DRUG = "drug", "Drug"
        PROPERTY = "property", "Property"
        OTHER = "other", "Other"

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="outcomes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    category = models.CharField(max_length=20, choices=Category.choices, blank=True)
    occurred_on = models.DateField()
    source_reference = models.CharField("RMS or CAD number", max_length=40)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["kind", "occurred_on"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.occurred_on:%Y-%m-%d}"

    def clean(self):
        errors = {}
        if self.occurred_on and self.occurred_on > today():
            errors["occurred_on"] = "The event is dated in the future: check the date."
        if self.kind == self.Kind.ARREST and not self.category:
            errors["category"] = "Pick the category of the offence."
        if errors:
            raise ValidationError(errors)


# The records after the door (issue 19) are a sub-domain of their own, a package; Django finds its models here.
from candidates.aftercare.models import (  # noqa: E402, F401
    CaseNote,
    Consent,
    NavigatorAssignment,
    Need,
    PartnerContact,
    PartnerReferral,
)


class CandidateMerge(models.Model):
    """Two records of one person made one: the LE Lead proposes, the Program Manager decides (candidates.merging).

    `moved` lists what the merge moved onto the surviving record ({"app.Model.field": [ids]}) and
    `aliases_added` the aliases it made of the other record's names: the undo puts back exactly these."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Awaiting the Program Manager"
        REFUSED = "refused", "Refused"
        MERGED = "merged", "Merged"
        UNDONE = "undone", "Undone"

    survivor = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    moved = models.JSONField(default=dict, blank=True)
    aliases_added = models.JSONField(default=list, blank=True)
    # The undo needs both people who made the merge (SOP separation of duties): the first asks, the second undoes.
    undo_asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(survivor=F("merged")), name="merge_of_two_records"),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("proposed_by")),
                name="merge_decided_by_another",
            ),
            models.UniqueConstraint(
                fields=["merged"], condition=Q(status__in=["proposed", "merged"]), name="one_live_merge_per_record"
            ),
        ]

    def __str__(self):
        return f"Merge #{self.pk}: #{self.merged_id} into #{self.survivor_id} ({self.get_status_display()})"


class DuplicatePair(models.Model):
    """Two records the nightly search finds likely to be one person (candidates.merging.duplicates), until
    the LE Lead dismisses the pair for good or the two are merged. `first` is the lower id."""

    first = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="+")
    name_similarity = models.FloatField()
    matched_on = models.JSONField(default=list)  # ["name", "alias", "date_of_birth", "address"]
    found_at = models.DateTimeField(default=timezone.now)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-name_similarity", "first_id", "second_id"]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="one_duplicate_pair"),
            models.CheckConstraint(condition=Q(first__lt=F("second")), name="duplicate_pair_ordered"),
        ]

    def __str__(self):
        return f"#{self.first_id} and #{self.second_id}"
