"""Account life cycle (CJIS IA-4): accounts unused for 90 days are disabled."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from vip.audit import audit


@transaction.atomic
def disable_inactive_accounts(now=None) -> list[str]:
    """Disable every active account with no sign-in for 90 days (never signed in: 90 days since created).

    Returns the usernames disabled. An administrator re-enables an account in the admin (audited there).
    """
    now = now or timezone.now()
    cutoff = now - settings.VIP_ACCOUNT_INACTIVITY_LIMIT
    User = get_user_model()
    stale = (
        User.objects.select_for_update()
        .filter(is_active=True)
        .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff))
    )
    disabled = []
    for user in stale:
        user.is_active = False
        user.save(update_fields=["is_active"])
        last = user.last_login or user.date_joined
        audit(
            actor=None,
            action="update",
            obj=user,
            changes={"is_active": ["True", "False"]},
            note=f"Disabled: no sign-in since {last:%Y-%m-%d} (more than 90 days, CJIS IA-4).",
        )
        disabled.append(user.username)
    return disabled
