"""Writing the audit trail. Every service calls `audit(...)` inside its transaction."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any

from django.db import models

from vip.audit import reads
from vip.audit.triggers import wanted_triggers
from vip.db_roles import as_owner, may_maintain_audit
from vip.models import AuditEvent
from vip.requestlocal import current_request

# Who is acting when no request is being served: a service's user, or None for "system" (a task, a command).
_acting: ContextVar[tuple | None] = ContextVar("vip_audit_acting", default=None)
_SYSTEM = ("system",)
CONTEXT_SETTING = "vip.audit_context"
# The table an INSERT, UPDATE or DELETE writes (Django quotes it; SQL typed by hand may not).
_WRITTEN_TABLE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(?:ONLY\s+)?"?([A-Za-z0-9_]+)"?', re.I)


@contextmanager
def acting_as(user) -> Iterator[None]:
    """The writes made in this block are recorded in the trail as `user`'s (None: the system's, for a Celery
    task or a management command), with the request's address when one is being served."""
    token = _acting.set((user,) if user is not None else _SYSTEM)
    try:
        yield
    finally:
        _acting.reset(token)


def audit_context() -> str:
    """The JSON the database's change triggers read (`vip.audit_context`): who is acting and from where."""
    acting = _acting.get()
    request = current_request()
    if acting is None or acting is _SYSTEM:
        user = getattr(request, "user", None) if acting is None else None
    else:
        user = acting[0]
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    ip, agent = _client(request)
    return json.dumps(
        {"id": user.pk if user else None, "username": user.get_username() if user else "", "ip": ip, "ua": agent}
    )


@cache
def _followed_tables() -> frozenset[str]:
    return frozenset(wanted_triggers())


def _writes_a_followed_table(sql: str) -> bool:
    """Whether `sql` writes a table whose change trigger reads the context. Only those statements carry it:
    a session's, a lockout's or an idempotency record's write is sent as it is."""
    head = sql.lstrip()[:6].upper()
    if head not in ("INSERT", "UPDATE", "DELETE"):
        return False
    written = _WRITTEN_TABLE.match(sql)
    return written is None or written.group(1) in _followed_tables()  # unsure: carry it


def with_audit_context(execute, sql, params, many, context):
    """A database execute wrapper (installed on every connection, `vip.apps`): a write statement is sent with
    the acting user and the request before it, in the same statement (`SELECT set_config(..., true); UPDATE
    ...`), so the change triggers (`vip.audit.triggers`) record who made it. The setting lives only as long as
    the transaction (in autocommit, the statement): a rolled-back write leaves nothing behind, and a later
    write of another user cannot inherit it. Reads, and writes of tables the trail does not follow (the trail's
    own rows carry their actor), are sent unchanged."""
    if not _writes_a_followed_table(sql):
        return execute(sql, params, many, context)
    value = audit_context()
    if many or params is None:
        context["cursor"].execute("SELECT set_config(%s, %s, true)", [CONTEXT_SETTING, value])
        return execute(sql, params, many, context)
    return execute(f"SELECT set_config('{CONTEXT_SETTING}', %s, true); {sql}", [value, *params], many, context)


def _client(request) -> tuple[str | None, str]:
    if request is None:
        return None, ""
    ip = request.META.get("REMOTE_ADDR") or None
    agent = request.META.get("HTTP_USER_AGENT", "")[:300]
    return ip, agent


def _repr(obj) -> str:
    if obj is None:
        return ""
    try:
        return str(obj)[:200]
    except Exception:  # e.g. a date field still holding the string it was created with
        return f"{obj._meta.verbose_name} #{obj.pk}"[:200]


# A request writes one of these at most: written by its view, the middleware adds none (vip/audit/middleware.py).
_ROWS_OF_A_REQUEST = frozenset({AuditEvent.Action.READ, AuditEvent.Action.EXPORT, AuditEvent.Action.DENIED})


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
    row = AuditEvent(
        actor=actor_obj,
        actor_username=getattr(actor_obj, "username", "") if actor_obj else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=_repr(obj),
        from_state=from_state,
        to_state=to_state,
        note=note,
        changes=changes or {},
        ip_address=ip,
        user_agent=agent,
    )
    row.save(force_insert=True)
    if action in _ROWS_OF_A_REQUEST:
        reads.recorded()  # the request's read, export or refusal row: the middleware writes no second one
    return row


def model_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """{field: [before, after]} for the fields whose value changed, as strings safe for JSON."""
    return {
        key: [None if before.get(key) is None else str(before.get(key)), None if value is None else str(value)]
        for key, value in after.items()
        if before.get(key) != value
    }


def audit_read(user, obj: models.Model, request=None, *, note: str = "") -> AuditEvent:
    """A read of a sensitive record (a candidate, a CN): who, what, when, from where (CJIS AU-2)."""
    return audit(actor=user, action=AuditEvent.Action.READ, obj=obj, note=note, request=request)


def audit_denied(user, *, object_type: str, object_id: str | int, request=None, note: str = "") -> AuditEvent:
    """A refused read: the record does not exist for this user (404) or the action is forbidden (403)."""
    return audit(
        actor=user,
        action=AuditEvent.Action.DENIED,
        object_type=object_type,
        object_id=object_id,
        note=note,
        request=request,
    )


def client_ip(request) -> str | None:
    return _client(request)[0]


class _Among(models.Expression):
    """`lhs = ANY(values)` (or another array operator, `?|`), the values sent as one array the database reads
    once, in a sub-select, when the query runs. Written as `IN (...)`, the thousands of sealed records' ids
    were estimated one by one by the planner, for each monthly partition of the trail: half a second of
    planning for every search of the audit viewer at scale 4, for 10 to 100 ms of execution (issue 21)."""

    def __init__(self, lhs, values: list[str], cast: str, *, operator: str = "= ANY"):
        super().__init__(output_field=models.BooleanField())
        self.lhs, self.values, self.cast, self.operator = lhs, list(values), cast, operator

    def get_source_expressions(self):
        return [self.lhs]

    def set_source_expressions(self, exprs):
        (self.lhs,) = exprs

    def as_sql(self, compiler, connection):
        sql, params = compiler.compile(self.lhs)
        # `= ANY ((SELECT array)::type[])`: cast, it is an array's elements, not a sub-select's rows
        array = f"(SELECT %s::{self.cast}[])::{self.cast}[]"
        return f"({sql} {self.operator} ({array}))", [*params, self.values]


def audit_events_visible_to(user):
    """Who reads the audit trail: the Program Manager and administrators (and the Records Custodian for
    sealed records). Events about a sealed candidate or their CNs, and every `seal` row, are left out for
    everyone but the custodian, so that a sealed record does not reappear through its trail (NMSA 32A-2-26)."""
    from django.db.models import BooleanField, ExpressionWrapper, F, Q, Value
    from django.db.models.fields.json import KeyTransform
    from django.db.models.functions import Coalesce

    from vip import roles, scopes

    qs = AuditEvent.objects.select_related("actor")
    if user is None or not user.is_authenticated:
        return qs.none()
    if roles.is_records_custodian(user):
        return qs
    if not (roles.is_program_manager(user) or roles.is_administrator(user)):
        return qs.none()
    # That a record is or was sealed, and on which order, is the custodian's alone: after an unsealing the
    # record's trail is seen again, but never its `seal` rows, nor the database's rows of the sealing fields'
    # changes (NMSA 32A-2-26).
    qs = qs.exclude(action=AuditEvent.Action.SEAL)
    for scope in scopes.all_scopes():
        if scope.sealing_fields:
            qs = qs.exclude(
                object_type=scope.label,
                action=AuditEvent.Action.UPDATE,
                changes__has_any_keys=list(scope.sealing_fields),
            )
    sealed = {scope: ids for scope in scopes.all_scopes() if scope.sealed_ids and (ids := scope.sealed_ids())}
    if not sealed:
        return qs
    hidden = Q()
    for scope, ids in sealed.items():
        hidden |= Q(object_type=scope.label) & Q(_Among(F("object_id"), ids, "text"))
    # the rows of their other records (aliases, memberships, step records...) carry the link in the changes
    for scope, ids in sealed.items():
        if scope.link:
            key = f"{scope.link}_id"
            as_json = [json.dumps(pk) for pk in ids]  # the changes hold [before, after] as text
            for side in ("0", "1"):
                hidden |= Q(_Among(KeyTransform(side, KeyTransform(key, "changes")), as_json, "jsonb"))
            # and the database's change rows carry the whole record, whichever fields changed
            hidden |= Q(_Among(KeyTransform(key, "snapshot"), [json.dumps(int(pk)) for pk in ids], "jsonb"))
    # and a read row of a list (vip/audit/reads.py) naming one among the records it showed (ids as text: `?|`)
    for scope, ids in sealed.items():
        shown = KeyTransform(scope.label, KeyTransform("shown", "changes"))
        hidden |= Q(_Among(shown, ids, "text", operator="?|"))
    # Judged row by row, so that a search reads only the rows its own index finds (an `exclude(pk__in=...)` of
    # the hidden rows made PostgreSQL gather them from the whole trail first: seconds at 20 M rows, issue 21). A
    # JSON key missing from `changes` makes its condition NULL, and NOT NULL would drop the row: NULL is "not
    # hidden" here.
    return qs.alias(hidden=Coalesce(ExpressionWrapper(hidden, output_field=BooleanField()), Value(False))).filter(
        hidden=False
    )


MIN_RETENTION_DAYS = 365


class AuditMaintenanceRefused(Exception):
    """Retention was asked of a role that may not change the trail (the app role): only the owner may."""


def retire_audit_older_than(days: int) -> dict[str, int]:
    """Retention (CJIS AU-11): take out of the trail every monthly partition whose last instant is more than
    `days` (>= 365) ago, whole months only (vip/audit/partitions.py), as the database owner (DATABASE_OWNER_URL,
    vip.db_roles). No row is deleted: each month is detached and kept, append-only, as a table of the
    `audit_archive` schema for the operator to archive and drop (docs/operations.md). The retention is itself
    audited, naming each table and its rows. Runs outside a transaction: the connection is opened again as the
    owner. Returns {archived table: rows}."""
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone

    from vip.audit.partitions import detach_older_than

    if days < MIN_RETENTION_DAYS:
        raise ValueError(f"Audit events are kept at least {MIN_RETENTION_DAYS} days (CJIS AU-11).")
    cutoff = timezone.now() - dt.timedelta(days=days)
    with as_owner() as connection:
        if not may_maintain_audit(connection):
            raise AuditMaintenanceRefused(
                f"The database role {connection.settings_dict['USER'] or '(default)'!r} does not own the audit "
                "trail: run `manage.py purge_audit` with DATABASE_OWNER_URL set to the owner's URL."
            )
        with transaction.atomic():
            detached = dict(detach_older_than(cutoff, using=connection.alias))
            rows = sum(detached.values())
            audit(
                actor=None,
                action=AuditEvent.Action.DELETE,
                object_type="vip.AuditEvent",
                note=(
                    f"Retention: {len(detached)} month(s) of the trail, {rows} event(s) recorded before "
                    f"{cutoff:%Y-%m-%d %H:%M} (kept {days} days), detached to the archive: "
                    + (", ".join(f"{table} ({count})" for table, count in detached.items()) or "none")
                    + "."
                ),
                changes={"detached": detached, "rows": rows, "cutoff": cutoff.isoformat()},
            )
    return detached


def check_retention_setting(app_configs=None, **kwargs):
    """System check: the audit trail is kept at least a year (CJIS AU-11)."""
    from django.conf import settings
    from django.core.checks import Error

    days = getattr(settings, "VIP_AUDIT_RETENTION_DAYS", MIN_RETENTION_DAYS)
    if days < MIN_RETENTION_DAYS:
        return [
            Error(
                f"VIP_AUDIT_RETENTION_DAYS is {days}: audit events are kept at least {MIN_RETENTION_DAYS} days.",
                hint="Set VIP_AUDIT_RETENTION_DAYS to 365 or more (CJIS AU-11).",
                id="vip.E101",
            )
        ]
    return []
