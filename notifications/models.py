"""The Custom Notification (CN) delivery, its state machine, its step records, and personnel.

The state machine is the rulebook (SOP 2-64). Transition bodies change only the delivery's own fields;
services in `notifications/services.py` create the step records, lock the row, call the transition,
save, audit and schedule side effects after commit. No interface sets `state` by hand
(`protected=True`).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from candidates.models import Candidate, EligibilityBasis, Influencer, today
from notifications import guards as g

# The states, their sets and who may move a CN are the rulebook's (notifications/rules.py).
from notifications.rules import (
    CANCELLABLE_STATES,
    DELIVERING_ROLES,
    FINISHED_STATES,
    OPEN_STATES,
    OUTCOME_STATES,
    State,
    may_act_at_the_door,
    may_lead,
)


class DeliveryQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=OPEN_STATES)

    def on_team_of(self, user):
        return self.filter(team_members__user=user).distinct()


class Delivery(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """One Custom Notification for one candidate, from identification to the closed after-action."""

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="deliveries")
    state = FSMField(default=State.IDENTIFIED, choices=State.choices, protected=True, db_index=True)
    state_entered_at = models.DateTimeField(default=timezone.now, db_index=True)
    attempt = models.PositiveSmallIntegerField(default=1, help_text="Delivery attempt; a not-located CN is retried.")
    le_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_deliveries",
        verbose_name="VIP LE Lead",
    )
    planned_for = models.DateField(null=True, blank=True, help_text="The day the delivery is planned.")
    location = models.CharField(max_length=200, blank=True, help_text="Where the CN is to be delivered.")
    cancellation_reason = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "CN delivery"
        verbose_name_plural = "CN deliveries"
        indexes = [
            # The CNs in a state in the order they entered it, with what the reminder sweep reads of each: the
            # sweep pages a step's late CNs by key (state_entered_at, id) on this index alone, 5,000 at a time. On
            # (state, state_entered_at) only, PostgreSQL read and sorted every CN of the state for each batch: the
            # sweep's time grew with the square of the open CNs (docs/performance.md, "The data at scale 4").
            models.Index(
                fields=["state", "state_entered_at", "id"], include=["le_lead", "attempt"], name="delivery_state_visit"
            ),
            # The open CNs by id, with what the tablet sorts and filters them by: an officer's open CNs are
            # found among their thousands of team places in this smaller index alone (docs/performance.md).
            models.Index(
                fields=["id"],
                include=["state", "planned_for", "candidate"],
                condition=models.Q(state__in=OPEN_STATES),
                name="delivery_open",
            ),
            # The calendar of planned deliveries reads one week of planned days (notifications/finding).
            models.Index(
                fields=["planned_for"], condition=models.Q(planned_for__isnull=False), name="delivery_planned_for"
            ),
        ]

    def __str__(self):
        return f"CN #{self.pk} for {self.candidate}"

    # --- facts the guards read ---------------------------------------------------------------------

    def reference_date(self) -> dt.date:
        """The date whose rules apply: the encounter's, else the planned day, else today (SOP 2-64-5 A)."""
        encounter = self.latest_encounter()
        if encounter is not None and encounter.attempt == self.attempt and encounter.occurred_at:
            return timezone.localdate(encounter.occurred_at)
        if self.planned_for and self.planned_for >= today():
            return self.planned_for
        return today()

    def candidate_is_juvenile(self) -> bool:
        return self.candidate.is_juvenile(self.reference_date())

    def letter_or_none(self):
        return Letter.objects.filter(delivery=self).first()

    def jpo_check_or_none(self):
        return JPOCheck.objects.filter(delivery=self).first()

    def after_action_or_none(self):
        return AfterAction.objects.filter(delivery=self).first()

    def latest_ecc_advisement(self):
        return self.ecc_advisements.order_by("-attempt", "-id").first()

    def latest_encounter(self):
        if not self.pk:
            return None
        return self.encounters.order_by("-attempt", "-id").first()

    def _enter(self, reason: str = "") -> None:
        self.state_entered_at = timezone.now()

    # --- the state machine -------------------------------------------------------------------------

    @transition(
        field=state,
        source=State.IDENTIFIED,
        target=State.ELIGIBLE,
        conditions=[g.has_valid_eligibility_basis],
        permission=may_lead,
    )
    def determine_eligibility(self):
        self._enter()

    @transition(field=state, source=State.ELIGIBLE, target=State.IN_PREPARATION, permission=may_lead)
    def start_preparation(self):
        self._enter()

    @transition(
        field=state,
        source=State.IN_PREPARATION,
        target=State.READY,
        permission=may_lead,
        conditions=[
            g.threat_assessment_done,
            g.background_check_done,
            g.jpo_cleared_if_juvenile,
            g.letter_drafted_or_not_warranted,
            g.team_has_qualified_officer,
            g.team_officers_meet_sop_2_64_6,
            g.social_services_coordinated,
            g.guardian_contact_attempted_if_juvenile,
        ],
    )
    def approve(self):
        self._enter()

    @transition(
        field=state,
        source=State.READY,
        target=State.ECC_ADVISED,
        permission=may_act_at_the_door,
        conditions=[g.team_has_qualified_officer, g.team_officers_meet_sop_2_64_6, g.ecc_advisement_recorded],
    )
    def advise_ecc(self):
        self._enter()

    @transition(
        field=state,
        source=State.ECC_ADVISED,
        target=State.DELIVERED,
        permission=may_act_at_the_door,
        conditions=[
            g.team_has_qualified_officer,
            g.team_officers_meet_sop_2_64_6,
            g.encounter_recorded,
            g.letter_presented_where_drafted,
            g.gvi_message_delivered,
            g.social_services_stayed_or_why_not,
            # Checked again on the delivery day: a candidate planned as an adult may be delivered to early.
            g.jpo_cleared_if_juvenile,
            g.guardian_present_for_juvenile,
        ],
    )
    def record_delivery(self):
        self._enter()

    @transition(
        field=state,
        source=State.ECC_ADVISED,
        target=State.DELIVERED_TO_INFLUENCER,
        permission=may_act_at_the_door,
        conditions=[g.encounter_recorded, g.recipient_named, g.recipient_warranted, g.gvi_message_delivered],
    )
    def record_influencer_delivery(self):
        self._enter()

    # SOP 2-64-4 C.1.d: the encounter is consensual. Recording a refusal is never blocked by paperwork.
    @transition(field=state, source=State.ECC_ADVISED, target=State.REFUSED, permission=may_act_at_the_door)
    def record_refusal(self):
        self._enter()

    @transition(field=state, source=State.ECC_ADVISED, target=State.NOT_LOCATED, permission=may_act_at_the_door)
    def record_not_located(self):
        self._enter()

    @transition(field=state, source=State.NOT_LOCATED, target=State.READY, permission=may_act_at_the_door)
    def retry(self):
        self.attempt += 1
        self._enter()

    @transition(
        field=state,
        source=OUTCOME_STATES,
        target=State.AFTER_ACTION,
        permission=may_act_at_the_door,
        conditions=[g.ecc_advised_of_outcome, g.cad_report_number_valid],
    )
    def record_after_action(self):
        self._enter()

    @transition(
        field=state,
        source=State.AFTER_ACTION,
        target=State.CLOSED,
        permission=may_lead,
        conditions=[g.cad_report_number_valid],
    )
    def close(self):
        self._enter()
        self.closed_at = self.state_entered_at

    @transition(field=state, source=CANCELLABLE_STATES, target=State.CANCELLED, permission=may_lead)
    def cancel(self, reason: str):
        self.cancellation_reason = reason
        self._enter()

    @property
    def is_read_only(self) -> bool:
        return self.state in FINISHED_STATES


# --- Step records ------------------------------------------------------------------------------------


class StepRecord(models.Model):
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class EligibilityDetermination(StepRecord):
    """The LE Lead's determination that the candidate is eligible, and on which bases (SOP 2-64-4 A)."""

    delivery = models.OneToOneField(Delivery, on_delete=models.CASCADE, related_name="eligibility")
    bases = models.ManyToManyField(EligibilityBasis, related_name="determinations")
    note = models.TextField(blank=True)


class Check(StepRecord):
    """A threat assessment or a background check (SOP 2-64-4 B.1.a)."""

    class Kind(models.TextChoices):
        THREAT_ASSESSMENT = "threat_assessment", "Threat assessment"
        BACKGROUND_CHECK = "background_check", "Background check"

    class Result(models.TextChoices):
        NO_CONCERNS = "no_concerns", "No concerns"
        CONCERNS_NOTED = "concerns_noted", "Concerns noted (see notes)"
        HIGH_RISK = "high_risk", "High risk: plan accordingly"

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="checks")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    completed_on = models.DateField()
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(max_length=20, choices=Result.choices)
    notes = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["delivery", "kind"], name="one_check_of_each_kind")]

    # What was found is written down: the team reads it before the door (issue 18; the CN page, the tablet).
    NEEDS_NOTES = (Result.CONCERNS_NOTED, Result.HIGH_RISK)
    NOTES_REQUIRED = "Say what was found: notes are required when the result is not 'No concerns'."

    def clean(self):
        errors = {}
        if self.completed_on and self.completed_on > today():
            errors["completed_on"] = "The check cannot be completed in the future: check the date."
        if self.result in self.NEEDS_NOTES and not (self.notes or "").strip():
            errors["notes"] = self.NOTES_REQUIRED
        if errors:
            raise ValidationError(errors)


class LetterTemplate(models.Model):
    """An admin-editable template of the VIP letter. Django template syntax; context: candidate, penalties."""

    name = models.CharField(max_length=100, unique=True)
    body = models.TextField()
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.name


class Letter(StepRecord):
    """The personalised VIP letter (SOP 2-64-4 B.1.b): penalties specific to this candidate, frozen once presented."""

    class Status(models.TextChoices):
        DRAFTED = "drafted", "Drafted"
        NOT_WARRANTED = "not_warranted", "Not warranted"

    delivery = models.OneToOneField(Delivery, on_delete=models.CASCADE, related_name="letter")
    status = models.CharField(max_length=20, choices=Status.choices)
    template = models.ForeignKey(LetterTemplate, null=True, blank=True, on_delete=models.PROTECT)
    penalties = models.TextField(blank=True, help_text="The penalties specific to this candidate.")
    body = models.TextField(blank=True, help_text="The letter as rendered, frozen once presented.")
    not_warranted_reason = models.TextField(blank=True)
    presented_at = models.DateTimeField(null=True, blank=True)

    @property
    def is_frozen(self) -> bool:
        return self.presented_at is not None


class TeamMember(models.Model):
    """A member of the delivery team (SOP 2-64-4 B.1.c-d)."""

    class Role(models.TextChoices):
        LE_LEAD = "le_lead", "VIP LE Lead"
        OFFICER = "officer", "Officer"
        TRAINEE = "trainee", "Trainee, accompanying the LE Lead"
        SOCIAL_SERVICES = "social_services", "Social services"

    DELIVERING_ROLES = DELIVERING_ROLES  # notifications/rules.py

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="team_members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="team_memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["delivery", "user"], name="one_team_place_per_person")]
        indexes = [models.Index(fields=["user", "delivery"])]

    def __str__(self):
        return f"{self.user.get_full_name() or self.user.username} ({self.get_role_display()})"


class SocialServicesCoordination(StepRecord):
    """The team coordinated with the social services component (SOP 2-64-4 B.1.d)."""

    delivery = models.OneToOneField(Delivery, on_delete=models.CASCADE, related_name="social_services")
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    coordinated_on = models.DateField()
    plan = models.TextField(help_text="What the social services component will bring: services, partners.")


class JPOCheck(StepRecord):
    """Juvenile Probation Office contact and the decision to deliver or not (SOP 2-64-5 B.1)."""

    class Decision(models.TextChoices):
        DELIVER = "deliver", "Deliver the CN"
        DO_NOT_DELIVER = "do_not_deliver", "Do not deliver"

    delivery = models.OneToOneField(Delivery, on_delete=models.CASCADE, related_name="jpo_check")
    contacted_on = models.DateField()
    on_probation = models.BooleanField()
    probation_officer = models.CharField(max_length=150, blank=True)
    services_status = models.TextField(help_text="The status of services to the juvenile.")
    relationship_status = models.TextField(help_text="The probation officer's relationship with the juvenile.")
    decision = models.CharField(max_length=20, choices=Decision.choices)
    reasons = models.TextField()

    def clean(self):
        if self.contacted_on and self.contacted_on > today():
            raise ValidationError({"contacted_on": "The JPO cannot be contacted in the future: check the date."})


class GuardianContactAttempt(StepRecord):
    """The LE Lead's attempt to contact a juvenile's parent or guardian before delivery (SOP 2-64-5 B.1.f)."""

    class Method(models.TextChoices):
        PHONE = "phone", "Phone"
        IN_PERSON = "in_person", "In person"
        OTHER = "other", "Other"

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="guardian_contacts")
    influencer = models.ForeignKey(Influencer, null=True, blank=True, on_delete=models.PROTECT)
    guardian_name = models.CharField(max_length=150, blank=True)
    attempted_at = models.DateTimeField()
    method = models.CharField(max_length=20, choices=Method.choices)
    reached = models.BooleanField(default=False)
    will_be_present = models.BooleanField(default=False)
    notes = models.TextField(blank=True)

    def clean(self):
        if self.attempted_at and self.attempted_at > timezone.now() + dt.timedelta(minutes=10):
            raise ValidationError({"attempted_at": "The contact attempt is dated in the future: check the time."})


class ECCAdvisement(StepRecord):
    """The Emergency Communications Center told of the location, the team and the candidate (SOP 2-64-4 C.1.a)."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="ecc_advisements")
    attempt = models.PositiveSmallIntegerField(default=1)
    advised_at = models.DateTimeField()
    location = models.CharField(max_length=200)
    team_members = models.TextField()
    candidate_identity = models.CharField(max_length=200)
    ecc_reference = models.CharField(max_length=50, blank=True)


class Encounter(StepRecord):
    """What happened at the door (SOP 2-64-4 C)."""

    class Outcome(models.TextChoices):
        DELIVERED = "delivered", "Delivered to the candidate"
        DELIVERED_TO_INFLUENCER = "delivered_to_influencer", "Delivered to a family member, influencer or associate"
        REFUSED = "refused", "Refused or asked the team to leave"
        NOT_LOCATED = "not_located", "Not located"

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="encounters")
    attempt = models.PositiveSmallIntegerField(default=1)
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    occurred_at = models.DateTimeField(default=timezone.now)
    letter_presented = models.BooleanField(default=False)
    gvi_message_delivered = models.BooleanField(default=False)
    message_partially_given = models.BooleanField(default=False)
    recipient_influencer = models.ForeignKey(
        Influencer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recipient_name = models.CharField(max_length=150, blank=True)
    recipient_relationship = models.CharField(max_length=100, blank=True)
    recipient_reason = models.TextField(blank=True)
    social_services_stayed = models.BooleanField(null=True, blank=True)
    social_services_not_feasible_reason = models.TextField(blank=True)
    candidate_ended_encounter = models.BooleanField(default=False)
    guardian_present = models.BooleanField(default=False)
    guardian_influencer = models.ForeignKey(
        Influencer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    guardian_name = models.CharField(max_length=150, blank=True)
    notes = models.TextField(blank=True)

    def clean(self):
        # A few minutes of slack for a tablet clock running fast.
        if self.occurred_at and self.occurred_at > timezone.now() + dt.timedelta(minutes=10):
            raise ValidationError({"occurred_at": "The encounter is dated in the future: check the time."})


class AfterAction(StepRecord):
    """The ECC advised of the outcome and the CAD report number (SOP 2-64-4 D); the LE Lead's confirmation."""

    delivery = models.OneToOneField(Delivery, on_delete=models.CASCADE, related_name="after_action")
    ecc_advised_of_outcome = models.BooleanField(default=False)
    ecc_outcome_advised_at = models.DateTimeField(null=True, blank=True)
    cad_report_number = models.CharField(max_length=30)
    notes = models.TextField(blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)


# --- Personnel (SOP 2-64-6) --------------------------------------------------------------------------


class Personnel(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="personnel")
    badge_number = models.CharField(max_length=20, blank=True)
    rank = models.CharField(max_length=50, blank=True)
    is_sworn = models.BooleanField(default=False)
    is_command_level = models.BooleanField(default=False, help_text="Lieutenant and above (SOP 2-64-6 A).")

    class Meta:
        verbose_name_plural = "personnel"

    def __str__(self):
        return f"{self.rank} {self.user.get_full_name() or self.user.username}".strip()


class TrainingRecord(models.Model):
    """Attendance at a CN training or workshop (SOP 2-64-6 A.1)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cn_trainings")
    course = models.CharField(max_length=150)
    attended_on = models.DateField()
    department_recognised = models.BooleanField(default=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-attended_on"]

    def __str__(self):
        return f"{self.course} ({self.attended_on:%Y-%m-%d})"


# The reminder and correction models live in their packages; importing them here registers them with the app.
from notifications.corrections.models import Correction  # noqa: E402, F401
from notifications.reminders.models import Reminder, ReminderPreference, StepDueTime  # noqa: E402, F401
