"""API tokens that die with the credentials they were issued on (issue 17, CJIS IA-2/AC-12).

A token keeps a keyed digest of what it was issued on: the password hash, the active, staff and superuser
flags and the roles. Any change of these, made anywhere, makes the digest differ and the token is refused.
An MFA reset and a lockout delete the user's tokens outright (`revoke_tokens`).
"""

from __future__ import annotations

import binascii
import json
import os

from django.utils.crypto import constant_time_compare, salted_hmac

from vip.roles import role_names


def new_key() -> str:
    return binascii.hexlify(os.urandom(20)).decode()


def fingerprint(user) -> str:
    what = json.dumps(
        [user.password, user.is_active, user.is_staff, user.is_superuser, sorted(role_names(user))],
        separators=(",", ":"),
    )
    return salted_hmac("vip.api-token.credentials", what, algorithm="sha256").hexdigest()


def still_valid(token, user) -> bool:
    return constant_time_compare(token.credentials, fingerprint(user))


def revoke_tokens(user=None, *, username: str | None = None) -> int:
    from vip.models import ApiToken

    tokens = (
        ApiToken.objects.filter(user=user) if user is not None else ApiToken.objects.filter(user__username=username)
    )
    return tokens.delete()[0]


def _revoke_with_device(sender, instance, **kwargs) -> None:
    """A second factor removed anywhere (an MFA reset, the admin's device pages): the user's tokens go too."""
    from vip.models import ApiToken

    ApiToken.objects.filter(user_id=instance.user_id).delete()


def connect() -> None:
    from django.db.models.signals import post_delete
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for model in (TOTPDevice, StaticDevice):
        post_delete.connect(_revoke_with_device, sender=model, dispatch_uid=f"vip.tokens.revoke.{model.__name__}")
