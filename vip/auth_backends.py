"""The authentication backend that loads the signed-in user on every request."""

from __future__ import annotations

from django.contrib.auth import backends, get_user_model

from vip.roles import with_role_names


class ModelBackend(backends.ModelBackend):
    """Django's ModelBackend, which reads the signed-in user of a session with their roles in one query
    (`vip.roles.with_role_names`): every page asks them."""

    def get_user(self, user_id):
        model = get_user_model()
        try:
            user = with_role_names(model._default_manager.all()).get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
