"""Signing the benchmark's personas in without the login form.

The load driver cannot type passwords or one-time codes, so it is handed a session cookie made here, exactly
as `django.contrib.auth.login()` would store it, or a DRF token for the API. Every sign-in step the product
adds later (MFA, the system-use notice) marks the session with a key: add that key in `make_session`, the one
place the benchmark signs in.
"""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

DEFAULT_BACKEND = "django.contrib.auth.backends.ModelBackend"


def make_session(user) -> str:
    """A saved session in which `user` is signed in; returns the session key (the cookie value)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = _backend()
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    # TODO(lead): once MFA is merged, mark the session as OTP-verified the way django-otp does, e.g.
    #   device = user.totpdevice_set.filter(confirmed=True).first() (create a confirmed one for the persona)
    #   store["otp_device_id"] = device.persistent_id
    # and add the system-use notice acknowledgement key the security helper uses, so pages do not redirect.
    store.save()
    return store.session_key


def make_token(user) -> str:
    """A DRF token for the API (`Authorization: Token <key>`): tablets sign in this way."""
    from rest_framework.authtoken.models import Token

    return Token.objects.get_or_create(user=user)[0].key


def _backend() -> str:
    backends = list(getattr(settings, "AUTHENTICATION_BACKENDS", [DEFAULT_BACKEND]))
    # With django-axes the first backend is AxesBackend, which refuses requests without a request object;
    # the session must name the backend that loads the user.
    for path in backends:
        if "axes" not in path.lower():
            return path
    return DEFAULT_BACKEND
