"""Reminders: due times per step, the in-app notification centre, and each lead's e-mail preference.

A `Reminder` row is both the in-app notification and the claim that it was sent: the database's
uniqueness rules below let only one sweep insert it, however many sweeps run at once, so only the
winner sends the e-mail (see `notifications/reminders.py`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

__all__ = ["StepDueTime", "Reminder", "ReminderPreference", "STEP_CHOICES"]


# What is due in each state. Keys are the CN states, plus one extra step inside preparation and the
# weekly GVIS review (SOP 2-64-3): `settings.VIP_STEP_DUE` holds the same keys.
STEP_CHOICES = [
    ("identified", "Identified: determine eligibility"),
    ("eligible", "Eligible: start preparation"),
    ("in_preparation.checks", "In preparation: threat assessment and background check"),
    ("in_preparation", "In preparation: approval"),
    ("ready", "Ready: deliver the CN"),
    ("ecc_advised", "ECC advised: deliver the CN"),
    ("delivered", "Delivered: after-action"),
    ("delivered_to_influencer", "Delivered to influencer: after-action"),
    ("refused", "Refused: after-action"),
    ("not_located", "Not located: after-action"),
    ("after_action", "After-action: the LE Lead's confirmation (close)"),
    ("gvis", "Weekly shooting review (GVIS)"),
]
# What a reminder can be about: the steps, and a referral's follow-up (issue 19), whose date is the referral's own
# (no administrator's due time).
FOLLOW_UP_STEP = "referral_follow_up"
REMINDER_STEPS = [*STEP_CHOICES, (FOLLOW_UP_STEP, "Referral follow-up: record its result")]


class StepDueTime(models.Model):
    """An administrator's due time for a step, overriding `settings.VIP_STEP_DUE` without a deploy."""

    state = models.CharField(max_length=40, unique=True, choices=STEP_CHOICES)
    due_hours = models.PositiveIntegerField(
        validators=[MinValueValidator(1)], help_text="Hours after the CN enters the state."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["state"]
        verbose_name = "step due time"

    def __str__(self):
        return f"{self.get_state_display()}: {self.due_hours} h"


class Reminder(models.Model):
    """One reminder to one person about one overdue step of one visit of a CN to a state (or one GVIS week)."""

    # Made by the sweep from the CNs' states, never changed by anyone but the reader (read, e-mailed): not a
    # program record. Its first sweep over a city's backlog writes 175,000 of them, and a change row each
    # tripled the sweep's time (7.9 to 32.4 s, make bench): the CN transitions they follow are in the trail.
    audit_changes = False

    class Kind(models.TextChoices):
        STEP = "step", "CN step"
        GVIS = "gvis", "GVIS weekly review"
        FOLLOW_UP = "follow_up", "Referral follow-up"

    class Level(models.TextChoices):
        REMIND = "remind", "Reminder"
        ESCALATE = "escalate", "Escalation"

    class Mode(models.TextChoices):
        SINGLE = "single", "Single e-mail"
        DIGEST = "digest", "Daily digest"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.STEP)
    # No index of their own: `reminder_item` and `reminder_unread` below lead with these columns (every index
    # costs each of a backlog's 175,000 inserts).
    delivery = models.ForeignKey(
        "notifications.Delivery",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
        db_index=False,
    )
    # A referral's follow-up (issue 19): the navigator is reminded once per follow-up date (kept in `period`).
    referral = models.ForeignKey(
        "candidates.PartnerReferral",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
        db_index=False,
    )
    step = models.CharField(max_length=40, choices=REMINDER_STEPS)
    state = models.CharField(max_length=30, blank=True)
    # The visit to the state: a CN that moved on (or came back on a retry) is a new visit, a new key.
    state_entered_at = models.DateTimeField(null=True, blank=True)
    attempt = models.PositiveSmallIntegerField(default=1)
    period = models.CharField(max_length=10, blank=True, help_text="ISO week of a GVIS reminder, e.g. 2026-W48.")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders", db_index=False
    )
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.REMIND)
    due_at = models.DateTimeField()
    message = models.TextField()
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.SINGLE)
    # Which claim (one statement of a sweep) inserted the row. Not looked up: the sweep learns what it won
    # from `INSERT ... ON CONFLICT DO NOTHING RETURNING`.
    claim = models.UUIDField(editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    email_skipped = models.CharField(max_length=200, blank=True, help_text="Why no e-mail was sent, if none.")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "step", "state_entered_at", "recipient", "level"],
                condition=Q(kind="step"),
                name="one_reminder_per_cn_step_visit",
            ),
            models.UniqueConstraint(
                fields=["step", "period", "recipient", "level"],
                condition=Q(kind="gvis"),
                name="one_gvis_reminder_per_week",
            ),
            models.UniqueConstraint(
                fields=["referral", "period", "recipient", "level"],
                condition=Q(kind="follow_up"),
                name="one_follow_up_reminder_per_due_date",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="reminder_unread"),
            # A person's inbox, newest first, read a page at a time however many they have.
            models.Index(fields=["recipient", "-created_at", "-id"], name="reminder_inbox"),
            models.Index(fields=["delivery", "step", "state_entered_at", "level"], name="reminder_item"),
            # The e-mails still to send, for the sweep's re-queueing and the digest: few rows, however many
            # reminders the years pile up.
            models.Index(
                fields=["created_at"], condition=Q(email_sent_at__isnull=True, email_skipped=""), name="reminder_unsent"
            ),
        ]

    def __str__(self):
        return f"{self.get_level_display()} to {self.recipient}: {self.message[:60]}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    @property
    def moved_on(self) -> bool:
        """The CN has left the state (or re-entered it later), or the referral has its result, since this reminder:
        nothing left to do."""
        if self.kind == self.Kind.FOLLOW_UP and self.referral is not None:
            return self.referral.result != self.referral.Result.PENDING
        if self.kind != self.Kind.STEP or self.delivery is None:
            return False
        return self.delivery.state != self.state or self.delivery.state_entered_at != self.state_entered_at


class ReminderPreference(models.Model):
    """A lead may take one daily digest e-mail instead of a message per reminder."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preference")
    digest = models.BooleanField(default=False, help_text="One e-mail a day summarising the day's reminders.")

    def __str__(self):
        return f"{self.user}: {'daily digest' if self.digest else 'single e-mails'}"
