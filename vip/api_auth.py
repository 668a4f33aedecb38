"""DRF authentication: a browser session counts only once verified; tablet tokens expire.

Kept apart from the views (DRF imports these classes while it is itself being imported).
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication, TokenAuthentication

from vip.roles import READ_WITH_USER, with_role_names
from vip.security import is_verified
from vip.tokens import still_valid


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
    """Token auth whose tokens last as long as a session may (12 hours, CJIS AC-12), one per sign-in
    (`vip.models.ApiToken`), refused once the credentials they were issued on changed (`vip.tokens`)."""

    def get_model(self):
        from vip.models import ApiToken

        return ApiToken

    def authenticate_credentials(self, key):
        # DRF's own, reading the user's roles with the token and the user (`with_role_names`).
        model = self.get_model()
        if "\x00" in key or len(key) > 64:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        try:
            token = with_role_names(model.objects.select_related("user"), user_key="user_id").get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        user = token.user
        setattr(user, READ_WITH_USER, getattr(token, READ_WITH_USER))
        if not still_valid(token, user):
            token.delete()
            raise exceptions.AuthenticationFailed(
                "This token was issued before a change of the account's password, roles or status, and no longer "
                "works. Ask for a new one at /api/auth/token/ with your username, password and one-time code."
            )
        if token.created < timezone.now() - settings.VIP_API_TOKEN_MAX_AGE:
            raise exceptions.AuthenticationFailed(
                "This token has expired (tokens last 12 hours). Ask for a new one at /api/auth/token/ "
                "with your username, password and one-time code."
            )
        return user, token


class VerifiedSessionScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the verified-session authentication (the browser's cookie)."""

    target_class = "vip.api_auth.VerifiedSessionAuthentication"
    name = "verifiedSession"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": "A browser session that passed the password, the one-time code and the notice.",
        }


class ExpiringTokenScheme(OpenApiAuthenticationExtension):
    """The tablet's token: `Authorization: Token <key>`, from POST /api/auth/token/ (with a one-time code)."""

    target_class = "vip.api_auth.ExpiringTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Token-based authentication with the prefix "Token "; tokens expire after 12 hours.',
        }
