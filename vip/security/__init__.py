"""Sign-in security shared by every page and the API (FBI CJIS Security Policy, OWASP ASVS L2).

- `SecurityGateMiddleware`: the session lock (AC-11: 30 minutes idle; AC-12: at most 12 hours), the
  second factor (IA-2) and the system-use notice (AC-8) before any page, and `Cache-Control: no-store`.
- `LockoutHandler`: django-axes counting only the failures of the last 15 minutes (AC-7); a locked account
  stays locked until an administrator releases it.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode

from vip.audit import audit
from vip.mfa import confirmed_totp
from vip.parsers import NUL_MESSAGE

SESSION_LOGIN_AT = "vip_login_at"  # seconds since the epoch when the password was accepted
SESSION_LAST_SEEN = "vip_last_seen"  # seconds since the epoch of the last request
SESSION_MFA_AT = "vip_mfa_verified_at"  # ISO time the second factor was verified
SESSION_NOTICE_AT = "vip_notice_acknowledged_at"  # ISO time the system-use notice was acknowledged

IDLE_MESSAGE = "Your session was locked after 30 minutes without activity. Sign in again to continue."
MAX_AGE_MESSAGE = "You have been signed in for 12 hours, the longest allowed. Sign in again to continue."
MFA_MESSAGE = "Enter the one-time code from your authenticator app first."
NOTICE_MESSAGE = "Acknowledge the system-use notice first."
PERMISSIONS_POLICY = "camera=(), microphone=(), payment=(), usb=()"
LAST_SEEN_GRANULARITY = 15  # seconds: fewer session writes, at most this much slack on the idle limit


def _now() -> float:
    """Wall-clock seconds; tests move it with monkeypatch instead of sleeping."""
    return time.time()


def iso_now() -> str:
    return datetime.fromtimestamp(_now(), tz=UTC).isoformat()


def start_session_clock(request) -> None:
    """Called when the password is accepted: the 12-hour and 30-minute clocks start now."""
    now = _now()
    request.session[SESSION_LOGIN_AT] = now
    request.session[SESSION_LAST_SEEN] = now


def is_verified(user) -> bool:
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def signin_complete(request) -> bool:
    """Every sign-in step is done: the password, the second factor (IA-2) and the notice (AC-8)."""
    return is_verified(request.user) and bool(request.session.get(SESSION_NOTICE_AT))


def _is_api(path: str) -> bool:
    return path.startswith("/api/")


def _exempt_paths() -> tuple[str, ...]:
    """Pages an authenticated but not yet verified user may reach: the sign-in steps themselves."""
    return (
        reverse("login"),
        reverse("logout"),
        reverse("security:mfa_enrol"),
        reverse("security:mfa_verify"),
        reverse("api_token"),
        settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL,
    )


def _notice_exempt_paths() -> tuple[str, ...]:
    return (reverse("security:notice"), reverse("security:recovery_codes"))


class SecurityGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.gate(request)
        if response is None:
            response = self.get_response(request)
        # Personal data must not be kept by browsers or proxies (ASVS 8.2.1): no page or API answer is cached.
        patch_cache_control(response, no_store=True, no_cache=True, must_revalidate=True, private=True)
        if "Permissions-Policy" not in response:
            response["Permissions-Policy"] = PERMISSIONS_POLICY
        return response

    @staticmethod
    def send_to(request, url: str):
        """A redirect; for an htmx request, a full-page redirect (htmx would swap the page into a fragment)."""
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)

    def gate(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        session = request.session
        now = _now()
        login_at = session.get(SESSION_LOGIN_AT)
        last_seen = session.get(SESSION_LAST_SEEN, login_at)
        reason = None
        if login_at is None or now - login_at > settings.VIP_SESSION_MAX_AGE.total_seconds():
            reason = MAX_AGE_MESSAGE
        elif last_seen is None or now - last_seen > settings.VIP_SESSION_IDLE_TIMEOUT.total_seconds():
            reason = IDLE_MESSAGE
        if reason:
            return self.end_session(request, reason)
        if now - last_seen >= LAST_SEEN_GRANULARITY:
            session[SESSION_LAST_SEEN] = now

        path = request.path_info
        # healthz by exact path: a prefix would let "/healthz/auth" (the benchmark's signed-in floor) through.
        if path.startswith(_exempt_paths()) or path == reverse("healthz"):
            return None
        # A signed-in session passes every step whatever else the request carries: an `Authorization` header
        # (even an invalid one) does not skip the second factor or the notice. A token request comes without
        # a session, so it never reaches this point; its notice was acknowledged when it was issued.
        if not is_verified(user):
            if _is_api(path):
                return JsonResponse({"detail": MFA_MESSAGE, "code": "mfa_required"}, status=401)
            step = "security:mfa_verify" if confirmed_totp(user) else "security:mfa_enrol"
            return self.send_to(request, f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
        if not signin_complete(request) and not path.startswith(_notice_exempt_paths()):
            if _is_api(path):
                return JsonResponse({"detail": NOTICE_MESSAGE, "code": "notice_required"}, status=403)
            return self.send_to(request, f"{reverse('security:notice')}?{urlencode({'next': request.get_full_path()})}")
        return None

    def end_session(self, request, reason: str):
        request.vip_logout_reason = reason
        logout(request)
        if _is_api(request.path_info):
            return JsonResponse({"detail": reason, "code": "session_expired"}, status=401)
        messages.info(request, reason)
        if request.headers.get("HX-Request"):
            return self.send_to(request, redirect_to_login(request.get_full_path())["Location"])
        return redirect_to_login(request.get_full_path())


class RequestSizeLimitMiddleware:
    """Refuse oversized request bodies before anything reads them (ASVS 5.1/13.1).

    Django limits form bodies (DATA_UPLOAD_MAX_MEMORY_SIZE) but DRF reads JSON straight from the stream, so
    the limit is enforced here from Content-Length: JSON and forms at DATA_UPLOAD_MAX_MEMORY_SIZE, file
    uploads (multipart) at VIP_MAX_UPLOAD_SIZE.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        multipart = request.META.get("CONTENT_TYPE", "").startswith("multipart/")
        limit = settings.VIP_MAX_UPLOAD_SIZE if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if length > limit:
            message = (
                f"The request is too large ({length // 1024} KB); the most this system accepts is "
                f"{limit // 1024} KB. Shorten the text or attach a smaller file."
            )
            if _is_api(request.path_info) or "json" in request.META.get("CONTENT_TYPE", ""):
                response = JsonResponse({"detail": message, "code": "too_large"}, status=413)
            else:
                response = HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
            patch_cache_control(response, no_store=True)
            return response
        return self.get_response(request)


class RefuseNulMiddleware:
    """Refuse a NUL character in the query string, a form field or a header with a 400 and a message (ASVS 5.1).

    PostgreSQL cannot store or compare one, so it reached the database as an error (a 500). JSON bodies are
    checked by the API's parser (vip.parsers.SafeJSONParser).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self.has_nul(request):
            if _is_api(request.path_info):
                response = JsonResponse({"detail": NUL_MESSAGE, "code": "invalid"}, status=400)
            else:
                response = HttpResponse(NUL_MESSAGE, status=400, content_type="text/plain; charset=utf-8")
            patch_cache_control(response, no_store=True)
            return response
        return self.get_response(request)

    @staticmethod
    def has_nul(request) -> bool:
        if "\x00" in request.path_info:
            return True
        if any("\x00" in key or "\x00" in value for key, values in request.GET.lists() for value in values):
            return True
        if any("\x00" in str(value) for key, value in request.META.items() if key.startswith("HTTP_")):
            return True
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            try:
                form = request.POST
            except (SuspiciousOperation, MultiPartParserError):
                return False  # an oversized or malformed body: Django's own 400 when the view reads it
            return any("\x00" in key or "\x00" in value for key, values in form.lists() for value in values)
        return False


class LockoutHandler(AxesDatabaseHandler):
    """django-axes with a 15-minute window: only failures of the last 15 minutes count towards the five.

    A wrong password and a wrong one-time code count alike, and only a complete sign-in (password and second
    factor, `signin_completed`) starts the count again: a correct password alone does not (AC-7), so wrong
    codes tried between correct passwords lock the account too. When an account locks, its API tokens are
    revoked and the Administrators are told (`account_locked`).

    Once an account reached five, it stays locked (AXES_COOLOFF_TIME = None) until an administrator
    releases it (the "Release lockout" admin action, or `manage.py axes_reset_username`).
    """

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        username = get_client_username(request, credentials) if request is not None else None
        was_locked = bool(username) and is_locked_out(username)
        if request is not None:
            self.forget_old_failures(request, credentials)
        result = super().user_login_failed(sender, credentials, request, **kwargs)
        if username and not was_locked and is_locked_out(username):
            account_locked(username, request)
        return result

    def forget_old_failures(self, request, credentials) -> None:
        username = get_client_username(request, credentials)
        if not username:
            return
        attempts = list(AccessAttempt.objects.filter(username=username))
        if sum(a.failures_since_start for a in attempts) >= settings.AXES_FAILURE_LIMIT:
            return  # locked: only an administrator releases it
        since = timezone.now() - settings.VIP_FAILED_SIGNIN_WINDOW
        for attempt in attempts:
            recent = AccessFailureLog.objects.filter(
                username=username,
                ip_address=attempt.ip_address,
                user_agent=attempt.user_agent,
                attempt_time__gte=since,
            ).count()
            if recent != attempt.failures_since_start:
                AccessAttempt.objects.filter(pk=attempt.pk).update(failures_since_start=recent)

    def post_delete_access_attempt(self, instance, **kwargs):
        """Every way of releasing (admin action, deleting the attempt, `axes_reset`) starts the count again."""
        super().post_delete_access_attempt(instance, **kwargs)
        if instance.username:
            forget_recent_failures(instance.username)


def signin_completed(username: str) -> None:
    """Password and second factor both passed (a web sign-in or an API token): the failure count starts again."""
    AccessAttempt.objects.filter(username=username).update(failures_since_start=0)
    forget_recent_failures(username)


def client_address(request) -> str | None:
    from axes.helpers import get_client_ip_address

    return getattr(request, "axes_ip_address", None) or get_client_ip_address(request)


ADDRESS_THROTTLED = (
    "Too many failed sign-ins from this network address. Wait 15 minutes and try again, or ask an administrator."
)


def address_throttled(request) -> bool:
    """Sign-in from this client address is paused (ASVS 2.2.1): it failed VIP_ADDRESS_FAILURE_LIMIT times in
    the last VIP_FAILED_SIGNIN_WINDOW, whatever usernames it tried. The pause is checked before the password,
    so tries refused here count towards no account: one address cannot lock account after account."""
    address = client_address(request)
    if not address:
        return False
    since = timezone.now() - settings.VIP_FAILED_SIGNIN_WINDOW
    failures = AccessFailureLog.objects.filter(ip_address=address, attempt_time__gte=since)
    return failures.count() >= settings.VIP_ADDRESS_FAILURE_LIMIT


def account_locked(username: str, request=None) -> None:
    """An account just reached the limit: revoke its API tokens, audit it, and tell every Administrator."""
    from django.db import transaction

    from vip.tasks import tell_administrators_of_lockout
    from vip.tokens import revoke_tokens

    user = _audit_account(
        username,
        actor=None,
        action="denied",
        note=f"Account {username} locked after {settings.AXES_FAILURE_LIMIT} failed sign-ins; API tokens revoked.",
        request=request,
    )
    if user is not None:
        revoke_tokens(user)
    address = client_address(request) if request is not None else None
    transaction.on_commit(lambda: tell_administrators_of_lockout.delay(username, address or ""))


def forget_recent_failures(username: str) -> None:
    """After a success or a release the count starts again. The failures stay in the audit trail (AuditEvent)."""
    since = timezone.now() - settings.VIP_FAILED_SIGNIN_WINDOW
    AccessFailureLog.objects.filter(username=username, attempt_time__gte=since).delete()


def is_locked_out(username: str) -> bool:
    return username in locked_out_usernames([username])


def locked_out_usernames(usernames) -> set[str]:
    """Which of `usernames` are locked (their failures reached the limit): one query, for the staff list."""
    from django.db.models import Sum

    totals = (
        AccessAttempt.objects.filter(username__in=list(usernames))
        .values("username")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
    )
    return {row["username"] for row in totals}


def release_lockout(username: str, *, by, request=None) -> int:
    """An administrator releases a locked account (CJIS AC-7); audited."""
    from axes.utils import reset

    count = reset(username=username)
    _audit_account(
        username,
        actor=by,
        action="update",
        note=f"Sign-in lockout of {username} released by an administrator.",
        request=request,
    )
    return count


def reset_second_factor(user, *, by, request=None) -> None:
    """An administrator resets a lost authenticator (CJIS IA-2): the user enrols again at the next sign-in."""
    from vip.mfa import reset_mfa

    reset_mfa(user)
    audit(actor=by, action="update", obj=user, note="Second factor reset by an administrator.", request=request)


def _audit_account(username: str, *, actor, action: str, note: str, request):
    """Audit something that happened to the account `username` (which may not exist); returns its user."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first()
    audit(
        actor=actor,
        action=action,
        obj=user,
        object_type="auth.User",
        object_id=user.pk if user else username[:64],
        note=note,
        request=request,
    )
    return user
