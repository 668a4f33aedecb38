"""POST /api/auth/token/: an API token for a tablet, against username, password and a one-time code."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import update_last_login
from django.contrib.auth.signals import user_login_failed
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from vip import mfa
from vip.audit import audit
from vip.models import ApiToken
from vip.security import ADDRESS_THROTTLED, address_throttled, is_locked_out, signin_completed


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})
    otp = serializers.CharField(max_length=64, help_text="The 6-digit code from the authenticator app.")
    # Optional, so the request body stays the one the API always had (a client that shows the notice before
    # asking for a token, as the tablet's sign-in page does, may leave it out); false refuses the token.
    notice_acknowledged = serializers.BooleanField(
        required=False,
        default=True,
        help_text="Whether the user read and accepted the system-use notice on the device (CJIS AC-8). "
        "false: no token is issued. Left out: the device showed the notice before asking (the tablet does).",
    )

    def validate_notice_acknowledged(self, value):
        if not value:
            raise serializers.ValidationError(NOTICE_REQUIRED)
        return value


class TokenThrottle(AnonRateThrottle):
    rate = "30/min"


NOTICE_REQUIRED = (
    "Show the user the system-use notice and send notice_acknowledged: true once they accept it; "
    "no token is issued without it (CJIS AC-8)."
)
WRONG_CREDENTIALS = "Wrong username or password, or the account is disabled."
LOCKED = "This account is locked after 5 failed sign-in attempts within 15 minutes. An administrator must release it."
WRONG_OTP = "That one-time code did not work. Enter the code your authenticator app shows now."


class ObtainTokenView(APIView):
    """Issue an API token (tablets): username, password and a valid one-time code are all required."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenThrottle]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer(
                "TokenResponse", {"token": serializers.CharField(), "expires_at": serializers.DateTimeField()}
            ),
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description='What to fix: field errors such as {"otp": ["..."]}, or {"detail": "...", "code": "..."}.',
            ),
            403: inline_serializer("TokenLocked", {"detail": serializers.CharField(), "code": serializers.CharField()}),
            429: inline_serializer(
                "TokenThrottled", {"detail": serializers.CharField(), "code": serializers.CharField()}
            ),
        },
        auth=[],
        tags=["auth"],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        django_request = request._request
        if address_throttled(django_request):
            return Response({"detail": ADDRESS_THROTTLED, "code": "throttled"}, status=429)
        if is_locked_out(data["username"]):
            return self.locked()
        user = authenticate(django_request, username=data["username"], password=data["password"])
        if user is None:
            if getattr(django_request, "axes_locked_out", False) or is_locked_out(data["username"]):
                return self.locked()
            return Response({"detail": WRONG_CREDENTIALS, "code": "invalid_credentials"}, status=400)
        if mfa.verify(user, data["otp"]) is None:
            # A wrong code counts towards the lockout like a wrong password (CJIS AC-7).
            user_login_failed.send(sender=__name__, credentials={"username": user.username}, request=django_request)
            if is_locked_out(user.username):
                return self.locked()
            if mfa.was_already_used(user, data["otp"]):
                return Response({"otp": [mfa.REUSED_CODE], "code": "invalid_otp"}, status=400)
            return Response({"otp": [WRONG_OTP], "code": "invalid_otp"}, status=400)
        signin_completed(user.get_username())
        # A token of its own for each sign-in; the user's expired ones go.
        ApiToken.objects.filter(user=user, created__lt=timezone.now() - settings.VIP_API_TOKEN_MAX_AGE).delete()
        token = ApiToken.objects.create(user=user, notice_acknowledged_at=timezone.now())
        update_last_login(None, user)
        audit(
            actor=user,
            action="login",
            note="API token issued (password and one-time code; system-use notice acknowledged).",
        )
        return Response(
            {"token": token.key, "expires_at": token.created + settings.VIP_API_TOKEN_MAX_AGE},
            status=status.HTTP_200_OK,
        )

    def locked(self):
        # AxesMiddleware must not turn this JSON answer into its HTML page.
        self.request._request.axes_locked_out = False
        return Response({"detail": LOCKED, "code": "locked"}, status=403)
