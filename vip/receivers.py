"""Signal receivers that write the audit trail for changes no service writes itself (CJIS AU-2, AU-3).

- Every create, update and delete of a record of the audited apps (candidates, notifications, reports):
  who (the signed-in user of the request, or "system" for tasks and commands), when, from where (IP),
  and the before and after values of the fields that changed (`vip.audit.model_changes`). The services'
  own transition rows say *why*; these rows say *what changed*, so a change made in the admin or a shell
  is recorded too. A model may opt out with `audit_changes = False` (none does today).
- Every permission change: a user's groups or permissions, a group's permissions, and is_staff,
  is_superuser and is_active, plus account creation and password changes (never the hash).

Connected in `VipConfig.ready()`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, User
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from vip.audit import audit, model_changes
from vip.models import AuditEvent
from vip.requestlocal import current_request

AUDITED_APPS = {"candidates", "notifications", "reports"}
NOT_DIFFED = {"search_text", "updated_at"}
USER_SECRET_FIELDS = {"password", "last_login"}
USER_PRIVILEGE_FIELDS = {"is_staff", "is_superuser", "is_active"}


def _actor():
    request = current_request()
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _values(instance, exclude=frozenset()) -> dict[str, Any]:
    return {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if field.attname not in NOT_DIFFED and field.attname not in exclude
    }


def _is_audited(sender) -> bool:
    meta = getattr(sender, "_meta", None)
    if meta is None or meta.app_label not in AUDITED_APPS or meta.auto_created:
        return False
    if sender.__module__ == "__fake__":  # a migration's historical model: the trail may not exist yet
        return False
    if meta.model_name.startswith("historical"):  # simple_history's copies: the original is audited
        return False
    return getattr(sender, "audit_changes", True)


def read_under_lock(instance) -> None:
    """`instance` was just read with its row locked (`select_for_update`), in the transaction that is to save
    it: its values are the row's, so its next save's change row is diffed from them without reading the row
    once more (the lock keeps anyone else from changing it meanwhile). Call it before changing anything."""
    instance._audit_read_under_lock = _values(instance)


def remember_before(sender, instance, raw=False, **kwargs):
    if raw or not _is_audited(sender) or instance.pk is None:
        return
    as_locked = instance.__dict__.pop("_audit_read_under_lock", None)
    if as_locked is not None:
        instance._audit_before = as_locked
        return
    old = sender._base_manager.filter(pk=instance.pk).first()
    instance._audit_before = _values(old) if old is not None else None


def record_save(sender, instance, created, raw=False, **kwargs):
    if raw or not _is_audited(sender):
        return
    before = {} if created else (getattr(instance, "_audit_before", None) or {})
    changes = model_changes(before, _values(instance))
    instance._audit_before = _values(instance)
    if not created and not changes:
        return
    action = AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE
    audit(actor=_actor(), action=action, obj=instance, changes=changes, note="Record created." if created else "")


def record_delete(sender, instance, **kwargs):
    if not _is_audited(sender):
        return
    before = _values(instance)
    changes = {key: [None if value is None else str(value), None] for key, value in before.items()}
    audit(actor=_actor(), action=AuditEvent.Action.DELETE, obj=instance, changes=changes, note="Record deleted.")


def record_m2m(sender, instance, action, reverse, model, pk_set, **kwargs):
    """A many-to-many link of an audited record changed (e.g. the shootings a GVIS meeting reviewed)."""
    if action not in ("post_add", "post_remove", "post_clear") or not _is_audited(type(instance)):
        return
    field = next(
        (f.name for f in instance._meta.many_to_many if f.remote_field.through is sender),
        model._meta.verbose_name_plural,
    )
    verb = {"post_add": "added", "post_remove": "removed", "post_clear": "cleared"}[action]
    audit(
        actor=_actor(),
        action=AuditEvent.Action.UPDATE,
        obj=instance,
        changes={field: {verb: sorted(str(pk) for pk in (pk_set or []))}},
        note=f"{field}: {verb}.",
    )


# --- accounts and permissions ------------------------------------------------------------------------


def user_before(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    old = User.objects.filter(pk=instance.pk).first()
    instance._audit_before = _values(old) if old is not None else None


def user_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    after = _values(instance, exclude=USER_SECRET_FIELDS)
    if created:
        audit(
            actor=_actor(),
            action=AuditEvent.Action.CREATE,
            obj=instance,
            changes=model_changes({}, after),
            note="Account created.",
        )
        return
    before = getattr(instance, "_audit_before", None) or {}
    changes = model_changes({k: v for k, v in before.items() if k not in USER_SECRET_FIELDS}, after)
    if before.get("password") not in (None, instance.password):
        changes["password"] = ["(set)", "(changed)"]
    instance._audit_before = _values(instance)
    if not changes:
        return
    privileged = bool(USER_PRIVILEGE_FIELDS & changes.keys())
    audit(
        actor=_actor(),
        action=AuditEvent.Action.PERMISSION if privileged else AuditEvent.Action.UPDATE,
        obj=instance,
        changes=changes,
        note="Account privileges changed." if privileged else "Account changed.",
    )


def membership_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """User.groups, User.user_permissions and Group.permissions, from either side."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    verb = {"post_add": "added", "post_remove": "removed", "post_clear": "cleared"}[action]
    names = sorted(str(obj) for obj in model._base_manager.filter(pk__in=pk_set or []))
    what = model._meta.verbose_name_plural
    audit(
        actor=_actor(),
        action=AuditEvent.Action.PERMISSION,
        obj=instance,
        changes={str(what): {verb: names}},
        note=f"{str(what).capitalize()} {verb}: {', '.join(names) or 'all'}.",
    )


def connect() -> None:
    pre_save.connect(remember_before, dispatch_uid="vip_audit_pre_save")
    post_save.connect(record_save, dispatch_uid="vip_audit_post_save")
    post_delete.connect(record_delete, dispatch_uid="vip_audit_post_delete")
    m2m_changed.connect(record_m2m, dispatch_uid="vip_audit_m2m")
    pre_save.connect(user_before, sender=User, dispatch_uid="vip_audit_user_pre_save")
    post_save.connect(user_saved, sender=User, dispatch_uid="vip_audit_user_post_save")
    for through, uid in (
        (User.groups.through, "groups"),
        (User.user_permissions.through, "user_permissions"),
        (Group.permissions.through, "group_permissions"),
    ):
        m2m_changed.connect(membership_changed, sender=through, dispatch_uid=f"vip_audit_perm_{uid}")
