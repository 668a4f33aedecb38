"""The second factor (CJIS IA-2): an authenticator app (TOTP) and ten single-use recovery codes. No SMS."""

from __future__ import annotations

import base64
import hashlib

import segno
from django.conf import settings
from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
# Demo mode only (refused in production): every demo persona shares this published test secret.
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"


def confirmed_totp(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def pending_totp(user) -> TOTPDevice:
    """The not-yet-confirmed device shown as a QR code during enrolment (the same one until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG QR code, drawn here (no external QR service)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=5, light="#fff", dark="#000")


def secret_for_typing(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for apps where the QR code cannot be scanned."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def normalise(code: str) -> str:
    return "".join(str(code or "").split()).replace("-", "")[:64]


@transaction.atomic
def confirm_enrolment(device: TOTPDevice, code: str) -> bool:
    """The person proves the app works by typing its current code; then the device counts."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if not device.verify_token(normalise(code)):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).exclude(pk=device.pk).delete()
    return True


@transaction.atomic
def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with ten new ones (each works once). Shown once, never stored in clear."""
    from vip.models import RecoveryCode

    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.VIP_RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(RecoveryCode(device=device, digest=recovery_digest(code)) for code in codes)
    return codes


def recovery_digest(code: str) -> str:
    """How a recovery code is stored: its SHA-256 (80 random bits each: no slow hash needed). The data
    migration vip/0006 hashed the codes django-otp had stored in clear the same way."""
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def recovery_codes_left(device: StaticDevice) -> int:
    return device.recovery_codes.count()


def use_recovery_code(user, code: str) -> StaticDevice | None:
    """The user's recovery-code device if `code` is one of its unused codes, now used up; otherwise None."""
    from vip.models import RecoveryCode

    device = StaticDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        return None
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        return None
    used, _ = RecoveryCode.objects.filter(device=device, digest=recovery_digest(code)).delete()
    if not used:
        device.throttle_increment()
        return None
    device.throttle_reset(commit=False)
    device.set_last_used_timestamp(commit=False)
    device.save()
    return device


def verify(user, code: str):
    """The device that accepts this code (app or recovery code, used up), or None."""
    code = normalise(code)
    if not code:
        return None
    for device in TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk"):
        if device.verify_token(code):
            return device
    return use_recovery_code(user, code)


# Said when a code is refused because it was accepted already (the page and the token API).
REUSED_CODE = (
    "That code was already used. Codes work once: wait for the next one your authenticator app shows "
    "(they change every 30 seconds) and enter that."
)


def was_already_used(user, code: str) -> bool:
    """The refused `code` is one the user's app showed in the accepted window, but its time step was used up.

    django-otp accepts each 30-second step once (`TOTPDevice.last_t`, its replay protection), so the same code
    typed again is refused; this tells that apart from a wrong code, so the person waits for the next one
    instead of doubting the app. The check matches the code against the steps the device would accept with
    no lower bound, and calls it reused only when the step it matches is at or before `last_t`.
    """
    code = normalise(code)
    if not code.isdigit():
        return False
    for device in TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk"):
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        if totp.verify(int(code), device.tolerance) and totp.t() <= device.last_t:
            return True
    return False


def current_code(device: TOTPDevice) -> str:
    """The code the app would show now (tests and demo mode only)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def ensure_demo_device(user) -> TOTPDevice:
    device = confirmed_totp(user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, key=DEMO_TOTP_KEY, confirmed=True)
    return device


def reset_mfa(user) -> None:
    """An administrator resets a lost authenticator: the user enrols again at the next sign-in."""
    from vip.tokens import revoke_tokens

    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    revoke_tokens(user)
