"""Keeping what is derived from the CNs in step with them."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from candidates.models import Candidate
from notifications.models import Delivery
from notifications.selectors import cn_data_changed


@receiver([post_save, post_delete], sender=Delivery, dispatch_uid="notifications.cn_data_changed.delivery")
@receiver([post_save, post_delete], sender=Candidate, dispatch_uid="notifications.cn_data_changed.candidate")
def _cn_data_changed(**kwargs) -> None:
    # Now, and again after commit: a board read meanwhile must not keep what it read from before.
    cn_data_changed()
    transaction.on_commit(cn_data_changed)
