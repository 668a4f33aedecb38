"""Admin actions for account security: release a sign-in lockout (CJIS AC-7) and reset a lost second factor.

Installed from VipConfig.ready(), after the admin modules were discovered, by adding actions to whatever
ModelAdmin is registered for the user model and for django-axes' access attempts.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth import get_user_model

from vip import security


@admin.action(description="Release the sign-in lockout of the selected accounts")
def release_user_lockouts(modeladmin, request, queryset):
    names = list(queryset.values_list("username", flat=True))
    for username in names:
        security.release_lockout(username, by=request.user, request=request)
    modeladmin.message_user(request, f"Lockout released for: {', '.join(names)}.", messages.SUCCESS)


@admin.action(description="Reset the second factor (the user enrols a new authenticator at next sign-in)")
def reset_second_factor(modeladmin, request, queryset):
    for user in queryset:
        security.reset_second_factor(user, by=request.user, request=request)
    modeladmin.message_user(request, f"Second factor reset for {queryset.count()} account(s).", messages.SUCCESS)


@admin.action(description="Release the lockout of these usernames")
def release_attempt_lockouts(modeladmin, request, queryset):
    names = sorted(set(queryset.values_list("username", flat=True)) - {None, ""})
    for username in names:
        security.release_lockout(username, by=request.user, request=request)
    modeladmin.message_user(request, f"Lockout released for: {', '.join(names)}.", messages.SUCCESS)


def _add_actions(model, *actions) -> None:
    if not admin.site.is_registered(model):
        return
    model_admin = admin.site.get_model_admin(model)
    current = list(model_admin.actions or [])
    model_admin.actions = [*current, *[a for a in actions if a not in current]]


def install() -> None:
    from axes.models import AccessAttempt

    _add_actions(get_user_model(), release_user_lockouts, reset_second_factor)
    _add_actions(AccessAttempt, release_attempt_lockouts)
