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


class FunnelDay(models.Model):
    """Not a table: one CN of the delivery funnel's cohort with the day it reached each stage (null: not
    reached), the rows of the set-based query reports/funnel.py runs as a common table expression of this name
    (`funnel.cohort`). What each day means is declared once, by its stage (`funnel.STAGES`, `funnel.EXITS`);
    here are only the columns, so that the funnel's counts and drill-downs are Django filters over them.
    reports/tests/test_funnel.py checks there is a column for each stage's day."""

    id = models.BigIntegerField(primary_key=True)
    candidate_id = models.BigIntegerField()
    state = models.CharField(max_length=40)
    identified_on = models.DateField(null=True)
    eligible_on = models.DateField(null=True)
    ready_on = models.DateField(null=True)
    attempted_on = models.DateField(null=True)
    delivered_on = models.DateField(null=True)
    to_person_on = models.DateField(null=True)
    to_influencer_on = models.DateField(null=True)
    service_accepted_on = models.DateField(null=True)
    referral_enrolled_on = models.DateField(null=True)
    referral_completed_on = models.DateField(null=True)
    refused_on = models.DateField(null=True)
    not_located_on = models.DateField(null=True)
    jpo_do_not_deliver = models.BooleanField()

    class Meta:
        managed = False
        db_table = "reports_funnel_day"


class FollowUpPerson(models.Model):
    """Not a table: one person of the follow-up report's period with the day of their first contact and of their
    first CN (reports/follow_up.py `people`), the rows of a set-based query run as a common table expression of
    this name (reports/cte.py). Who is followed, and from when, is declared in reports/follow_up.py."""

    id = models.BigIntegerField(primary_key=True, db_column="candidate_id")  # the person
    contact_on = models.DateField(null=True)
    identified_on = models.DateField(null=True)

    class Meta:
        managed = False
        db_table = "reports_follow_up_person"
