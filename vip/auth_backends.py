"""The authentication backend that loads the signed-in user on every request."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import backends, get_user_model
from django.db.models import QuerySet

from vip.roles import with_role_names

# What every page asks of the signed-in user, read in the same query as the user: their roles, and what each
# app adds in its AppConfig.ready() (notifications: the unread reminders badge), so vip depends on none of them.
READ_WITH_SIGNED_IN_USER: list[Callable[[QuerySet], QuerySet]] = [with_role_names]


class ModelBackend(backends.ModelBackend):
    """Django's ModelBackend, which reads the signed-in user of a session in one query with what every page
    asks of them (READ_WITH_SIGNED_IN_USER: their roles, `vip.roles.with_role_names`, and what apps add)."""

    def get_user(self, user_id):
        model = get_user_model()
        users = model._default_manager.all()
        for read in READ_WITH_SIGNED_IN_USER:
            users = read(users)
        try:
            user = users.get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
