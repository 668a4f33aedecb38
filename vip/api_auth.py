"""DRF authentication: a browser session counts only once verified; tablet tokens expire.

Kept apart from the views (DRF imports these classes while it is itself being imported).
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication, TokenAuthentication

from vip.security import is_verified


class VerifiedSessionAuthentication(SessionAuthentication):
    """Session auth that ignores a session whose second factor is not verified (CJIS IA-2)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, auth = result
        if not is_verified(request._request.user):
            return None
        return user, auth


class ExpiringTokenAuthentication(TokenAuthentication):
    """Token auth whose tokens last as long as a session may (12 hours, CJIS AC-12)."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token.created < timezone.now() - settings.VIP_API_TOKEN_MAX_AGE:
            raise exceptions.AuthenticationFailed(
                "This token has expired (tokens last 12 hours). Ask for a new one at /api/auth/token/ "
                "with your username, password and one-time code."
            )
        return user, token
