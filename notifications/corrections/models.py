"""A proposed change of one field of a frozen record, and the Program Manager's decision on it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from notifications.rules import CORRECTABLE

__all__ = ["Correction"]


class Correction(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "Awaiting the Program Manager"
        APPROVED = "approved", "Approved and applied"
        REFUSED = "refused", "Refused"

    delivery = models.ForeignKey("notifications.Delivery", on_delete=models.PROTECT, related_name="corrections")
    record = models.CharField(max_length=20, choices=[(r.key, r.title) for r in CORRECTABLE])
    record_pk = models.PositiveBigIntegerField(help_text="The corrected record's key (the CN's, for the CN).")
    field = models.CharField(max_length=50)
    # As text, as the trail writes values: the value when proposed, and the value proposed.
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    reason = models.TextField()
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        indexes = [
            # what awaits the Program Manager; a CN's corrections are found by the foreign key's index
            models.Index(fields=["proposed_at"], condition=Q(status="proposed"), name="correction_pending"),
        ]
        constraints = [
            # Two people, whatever the interface: the one who decides is never the one who proposed.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("proposed_by")),
                name="correction_decided_by_another",
            ),
            models.CheckConstraint(
                condition=Q(status="proposed", decided_by__isnull=True)
                | (~Q(status="proposed") & Q(decided_by__isnull=False, decided_at__isnull=False)),
                name="correction_decided_with_who_and_when",
            ),
        ]

    def __str__(self):
        return f"Correction #{self.pk} of CN #{self.delivery_id}: {self.record}.{self.field}"
