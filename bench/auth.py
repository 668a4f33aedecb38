"""Signing the benchmark's personas in without the login form.

The load driver cannot type passwords or one-time codes, so it is handed a session cookie made here, exactly
as `django.contrib.auth.login()` would store it, or a DRF token for the API. Every sign-in step the product
adds later (MFA, the system-use notice) marks the session with a key: add that key in `make_session`, the one
place the benchmark signs in.
"""

from __future__ import annotations

import datetime as dt
import time
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

DEFAULT_BACKEND = "django.contrib.auth.backends.ModelBackend"


def make_session(user) -> str:
    """A saved session in which `user` is signed in; returns the session key (the cookie value)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = _backend()
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    _later_sign_in_steps(store, user)
    store.save()
    return store.session_key


def _later_sign_in_steps(store, user) -> None:
    """The keys the steps after the password leave in a session: the session clocks, MFA verified and the
    system-use notice acknowledged (`vip.security`), and django-otp's device (`user.is_verified()` is then
    true; the persona gets a confirmed TOTP device). A new sign-in step adds its key here, or the
    benchmark's rows answer 302 and fail: `make bench` shows it.
    """
    now = time.time()
    try:
        from vip import security
    except ImportError:  # no session clock, MFA gate or system-use notice in this branch
        security = None
    if security is not None:
        for name in ("SESSION_LOGIN_AT", "SESSION_LAST_SEEN"):  # the 12-hour and 30-minute session clocks
            if hasattr(security, name):
                store[getattr(security, name)] = now
        for name in ("SESSION_MFA_AT", "SESSION_NOTICE_AT"):  # second factor verified, notice acknowledged
            if hasattr(security, name):
                store[getattr(security, name)] = dt.datetime.fromtimestamp(now, tz=dt.UTC).isoformat()
    if apps.is_installed("django_otp") and apps.is_installed("django_otp.plugins.otp_totp"):
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
        store[DEVICE_ID_SESSION_KEY] = device.persistent_id


def make_token(user) -> str:
    """A DRF token for the API (`Authorization: Token <key>`): tablets sign in this way."""
    from django.utils import timezone

    from vip.models import ApiToken

    # Tokens expire (12 hours): one made in the last hour is reused, so that a profile run (bench.profile
    # --token) does not revoke the token a load run is using; an older one is replaced.

    recent = ApiToken.objects.filter(user=user, created__gte=timezone.now() - dt.timedelta(hours=1)).first()
    if recent is not None:
        return recent.key
    ApiToken.objects.filter(user=user).delete()
    return ApiToken.objects.create(user=user).key


def _backend() -> str:
    backends = list(getattr(settings, "AUTHENTICATION_BACKENDS", [DEFAULT_BACKEND]))
    # With django-axes the first backend is AxesBackend, which refuses requests without a request object;
    # the session must name the backend that loads the user.
    for path in backends:
        if "axes" not in path.lower():
            return path
    return DEFAULT_BACKEND
