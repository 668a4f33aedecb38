"""Stored results of the reports app: the dashboard's figures, computed ahead (issue #9)."""

from __future__ import annotations

from django.db import models


class FiguresSnapshot(models.Model):
    """The dashboard's figures for one scope and period, as computed at `computed_at` (reports/snapshots.py).

    Numbers only (counts by figure, state, service type and month): no name, no id of a record, nothing
    about a person. The records behind a figure are always listed live (the drill-down), which recomputes the
    snapshot when they have changed since (`snapshots.agree`).
    """

    scope = models.CharField(max_length=40, help_text="Whose figures: a key shared by every user of that scope.")
    period_start = models.DateField()
    period_end = models.DateField()
    window = models.PositiveSmallIntegerField(help_text="The re-offence window, in days.")
    computed_at = models.DateTimeField(db_index=True)
    counted_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the pipeline and the overdue count were last counted (a drill-down recounts them alone); "
        "empty: with the rest, at computed_at.",
    )
    duration_ms = models.PositiveIntegerField(help_text="How long the computation took.")
    data = models.JSONField(help_text="The figures: numbers only.")

    # Derived numbers recomputed every few minutes, not a record anyone changes: the generic change trail
    # (vip/audit/triggers.py) would write a row a computation. A recomputation asked for on the page is audited
    # by the view that runs it.
    audit_changes = False

    class Meta:
        verbose_name = "dashboard figures snapshot"
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "period_start", "period_end", "window"], name="reports_snapshot_one_per_key"
            )
        ]

    def __str__(self):
        return f"Figures {self.scope} {self.period_start}..{self.period_end} ({self.window} d) at {self.computed_at}"
