"""Which corrections a user may see: those of the CNs they may see (`deliveries_visible_to`)."""

from __future__ import annotations

from django.db.models import QuerySet

from notifications.corrections.fields import FIELDS
from notifications.corrections.models import Correction
from notifications.selectors import deliveries_visible_to

DECIDED_SHOWN = 30  # the latest decisions the corrections page lists under those awaiting one


def corrections_of(delivery) -> list[Correction]:
    """Every correction of a CN the user was allowed to read, newest first, each with its label."""
    rows = list(Correction.objects.filter(delivery=delivery).select_related("proposed_by", "decided_by"))
    return _labelled(rows)


def corrections_visible_to(user) -> QuerySet[Correction]:
    return Correction.objects.filter(delivery__in=deliveries_visible_to(user).values("pk")).select_related(
        "delivery__candidate", "proposed_by", "decided_by"
    )


def pending_corrections_for(user) -> list[Correction]:
    """What awaits a Program Manager's decision, oldest first."""
    rows = corrections_visible_to(user).filter(status=Correction.Status.PROPOSED).order_by("proposed_at", "id")
    return _labelled(list(rows))


def decided_corrections_for(user) -> list[Correction]:
    rows = corrections_visible_to(user).exclude(status=Correction.Status.PROPOSED).order_by("-decided_at", "-id")
    return _labelled(list(rows[:DECIDED_SHOWN]))


def _labelled(rows: list[Correction]) -> list[Correction]:
    for row in rows:
        field = FIELDS.get(f"{row.record}.{row.field}")
        row.label = field.label if field is not None else f"{row.record}: {row.field}"
    return rows
