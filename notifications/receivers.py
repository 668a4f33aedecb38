"""Keeping what is derived from the records in step with them."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.models import User
from django.db.models.signals import m2m_changed, post_delete, post_save

from vip.kept import cn_data_changing

# What the kept board, lists and pages show (vip.kept) is drawn from the records of these
# apps and from users' names: any write to one of them makes a new version of the data, and everything kept
# under the old one is never read again. Reminders are the exception: no kept page shows them.
FOLLOWED_APPS = ("candidates", "notifications")
NOT_SHOWN_BY_KEPT = {"notifications.Reminder", "notifications.ReminderPreference"}


def _changed(**kwargs) -> None:
    cn_data_changing()


def _user_changed(update_fields=None, **kwargs) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login", "password"}:
        return  # a sign-in or a new password: nothing a page shows
    _changed()


def followed_models() -> list[type]:
    return [
        model
        for label in FOLLOWED_APPS
        for model in apps.get_app_config(label).get_models()  # with their history models
        if model._meta.label not in NOT_SHOWN_BY_KEPT
    ]


for _model in followed_models():
    for _signal in (post_save, post_delete):
        _signal.connect(_changed, sender=_model, dispatch_uid=f"kept.{_signal is post_save}.{_model._meta.label}")
    for _field in _model._meta.local_many_to_many:
        m2m_changed.connect(_changed, sender=_field.remote_field.through, dispatch_uid=f"kept.m2m.{_field}")
post_save.connect(_user_changed, sender=User, dispatch_uid="kept.user.save")
post_delete.connect(_changed, sender=User, dispatch_uid="kept.user.delete")
