"""The authentication backend that loads the signed-in user on every request."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import backends, get_user_model
from django.db.models import QuerySet

from vip.roles import with_role_names

# What every page shows of the signed-in user besides their roles, read in the same query: each app adds its
# own in its AppConfig.ready() (notifications: the unread reminders badge), so that vip depends on none of them.
READ_WITH_SIGNED_IN_USER: list[Callable[[QuerySet], QuerySet]] = []


class ModelBackend(backends.ModelBackend):
    """Django's ModelBackend, which reads the signed-in user of a session with their roles in one query
    (`vip.roles.with_role_names`), and what the apps registered in READ_WITH_SIGNED_IN_USER: every page asks
    them."""

    def get_user(self, user_id):
        model = get_user_model()
        users = with_role_names(model._default_manager.all())
        for read in READ_WITH_SIGNED_IN_USER:
            users = read(users)
        try:
            user = users.get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
