"""Writing the audit trail. Every service calls `audit(...)` inside its transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from vip.models import AuditEvent
from vip.requestlocal import current_request


def _client(request) -> tuple[str | None, str]:
    if request is None:
        return None, ""
    ip = request.META.get("REMOTE_ADDR") or None
    agent = request.META.get("HTTP_USER_AGENT", "")[:300]
    return ip, agent


def audit(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    changes: dict[str, Any] | None = None,
    request=None,
) -> AuditEvent:
    ip, agent = _client(request or current_request())
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or obj.pk
    actor_obj = actor if (actor is not None and getattr(actor, "is_authenticated", False)) else None
    return AuditEvent.objects.create(
        actor=actor_obj,
        actor_username=getattr(actor_obj, "username", "") if actor_obj else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=str(obj)[:200] if obj is not None else "",
        from_state=from_state,
        to_state=to_state,
        note=note,
        changes=changes or {},
        ip_address=ip,
        user_agent=agent,
    )


def model_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """{field: [before, after]} for the fields whose value changed, as strings safe for JSON."""
    return {
        key: [None if before.get(key) is None else str(before.get(key)), None if value is None else str(value)]
        for key, value in after.items()
        if before.get(key) != value
    }
