"""Keeping what is derived from the CNs in step with them."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from candidates.models import Address, Candidate
from notifications.models import Delivery, TeamMember
from notifications.selectors import cn_data_changed


# What the kept board and lists show (notifications.selectors.kept): CNs, candidates and their addresses, who is
# on which team, and users' names.
@receiver([post_save, post_delete], sender=Delivery, dispatch_uid="notifications.cn_data_changed.delivery")
@receiver([post_save, post_delete], sender=Candidate, dispatch_uid="notifications.cn_data_changed.candidate")
@receiver([post_save, post_delete], sender=Address, dispatch_uid="notifications.cn_data_changed.address")
@receiver([post_save, post_delete], sender=TeamMember, dispatch_uid="notifications.cn_data_changed.team")
def _cn_data_changed(**kwargs) -> None:
    # Now, and again after commit: a board read meanwhile must not keep what it read from before.
    cn_data_changed()
    transaction.on_commit(cn_data_changed)


@receiver([post_save, post_delete], sender=User, dispatch_uid="notifications.cn_data_changed.user")
def _user_changed(update_fields=None, **kwargs) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login", "password"}:
        return  # a sign-in or a new password: nothing a list shows
    _cn_data_changed()
