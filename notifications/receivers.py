"""Keeping what is derived from the CNs in step with them."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from candidates.models import Candidate
from notifications.models import Delivery
from notifications.selectors import forget_counts


@receiver([post_save, post_delete], sender=Delivery, dispatch_uid="notifications.forget_counts.delivery")
@receiver([post_save, post_delete], sender=Candidate, dispatch_uid="notifications.forget_counts.candidate")
def _forget_counts(**kwargs) -> None:
    # Now, and again after commit: a board counting meanwhile must not keep the count from before.
    forget_counts()
    transaction.on_commit(forget_counts)
