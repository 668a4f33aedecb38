"""The sign-in steps after the password: enrol or verify the second factor, then acknowledge the notice."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from vip import mfa
from vip.audit import audit
from vip.security import (
    ADDRESS_THROTTLED,
    SESSION_MFA_AT,
    SESSION_NOTICE_AT,
    address_throttled,
    is_verified,
    iso_now,
    signin_completed,
)

RECOVERY_CODES_ONCE = "vip_recovery_codes_once"
WRONG_CODE = (
    "That code did not work. Enter the 6-digit code your authenticator app shows now "
    "(codes change every 30 seconds), or one of your recovery codes."
)


class CodeForm(forms.Form):
    otp = forms.CharField(
        label="One-time code",
        max_length=64,
        error_messages={"required": "Enter the 6-digit code from your authenticator app."},
    )


class NoticeForm(forms.Form):
    accept = forms.BooleanField(
        label="I understand and consent to these conditions.",
        error_messages={"required": "Tick the box to confirm you have read the notice, or sign out."},
    )


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


class SignInForm(AuthenticationForm):
    """Django's sign-in form, refusing over-long input with a message instead of trying it."""

    def clean(self):
        username = self.data.get("username", "")
        password = self.data.get("password", "")
        if len(username) > 150:
            raise forms.ValidationError("A username has at most 150 characters. Check what you typed.")
        if len(password) > 128:
            raise forms.ValidationError("A password has at most 128 characters. Check what you typed.")
        if self.request is not None and address_throttled(self.request):
            raise forms.ValidationError(ADDRESS_THROTTLED, code="throttled")
        return super().clean()


class SignInView(LoginView):
    """Step 1: username and password, under the system-use notice (CJIS AC-8)."""

    template_name = "registration/login.html"
    authentication_form = SignInForm


def _count_failed_code(request: HttpRequest, user) -> HttpResponse | None:
    """A wrong code counts towards the same lockout as a wrong password (CJIS AC-7)."""
    user_login_failed.send(sender=__name__, credentials={"username": user.username}, request=request)
    if getattr(request, "axes_locked_out", False):
        logout(request)
        return render(request, "registration/locked_out.html", status=403)
    return None


@never_cache
@sensitive_post_parameters("otp")
@login_required
@require_http_methods(["GET", "POST"])
def mfa_enrol(request: HttpRequest) -> HttpResponse:
    """Step 2 the first time: scan the QR code, type the code the app shows."""
    user = request.user
    next_url = _next(request)
    if mfa.confirmed_totp(user) is not None:
        return redirect(_with_next("security:mfa_verify", next_url))
    device = mfa.pending_totp(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if mfa.confirm_enrolment(device, form.cleaned_data["otp"]):
            device.refresh_from_db()
            codes = mfa.new_recovery_codes(user)
            request.session.cycle_key()
            otp_login(request, device)
            request.session[SESSION_MFA_AT] = iso_now()
            request.session[RECOVERY_CODES_ONCE] = codes
            signin_completed(user.get_username())
            audit(actor=user, action="login", note="Authenticator app enrolled; second factor verified.")
            return redirect(_with_next("security:recovery_codes", next_url))
        locked = _count_failed_code(request, user)
        if locked:
            return locked
        form.add_error("otp", WRONG_CODE)
    return render(
        request,
        "security/mfa_enrol.html",
        {
            "form": form,
            "qr_svg": mfa.qr_svg(device),
            "secret": mfa.secret_for_typing(device),
            "next": next_url,
        },
    )


@never_cache
@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The ten recovery codes, shown once right after enrolment."""
    if not is_verified(request.user):
        return redirect(_with_next("security:mfa_verify", _next(request)))
    codes = request.session.pop(RECOVERY_CODES_ONCE, None)
    return render(request, "security/recovery_codes.html", {"codes": codes, "next": _next(request)})


@never_cache
@sensitive_post_parameters("otp")
@login_required
@require_http_methods(["GET", "POST"])
def mfa_verify(request: HttpRequest) -> HttpResponse:
    """Step 2: the code from the authenticator app (or a recovery code)."""
    user = request.user
    next_url = _next(request)
    if mfa.confirmed_totp(user) is None and not mfa.StaticDevice.objects.filter(user=user).exists():
        return redirect(_with_next("security:mfa_enrol", next_url))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = mfa.verify(user, form.cleaned_data["otp"])
        if device is not None:
            request.session.cycle_key()
            otp_login(request, device)
            request.session[SESSION_MFA_AT] = iso_now()
            signin_completed(user.get_username())
            kind = "recovery code" if isinstance(device, mfa.StaticDevice) else "authenticator app"
            audit(actor=user, action="login", note=f"Second factor verified ({kind}).")
            if isinstance(device, mfa.StaticDevice):
                left = mfa.recovery_codes_left(device)
                messages.warning(
                    request,
                    f"You used a recovery code; {left} left. Ask an administrator to reset "
                    "your authenticator if you lost it.",
                )
            return redirect(next_url)
        locked = _count_failed_code(request, user)
        if locked:
            return locked
        # A reused code still counts as a failure (a replayed code is what the rule stops); it is only told.
        reused = mfa.was_already_used(user, form.cleaned_data["otp"])
        form.add_error("otp", mfa.REUSED_CODE if reused else WRONG_CODE)
    return render(request, "security/mfa_verify.html", {"form": form, "next": next_url})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def notice(request: HttpRequest) -> HttpResponse:
    """Step 3: the system-use notice, acknowledged before any page (CJIS AC-8)."""
    next_url = _next(request)
    if not is_verified(request.user):
        return redirect(_with_next("security:mfa_verify", next_url))
    form = NoticeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        request.session[SESSION_NOTICE_AT] = iso_now()
        audit(actor=request.user, action="login", note="System-use notice acknowledged.")
        return redirect(next_url)
    return render(request, "security/notice.html", {"form": form, "next": next_url})
