"""A person's change history in one query, read from the one change trail (vip_auditevent): the changes the
database recorded (vip/audit/triggers.py) to the candidate and to every record hanging off them, newest first,
with who made each change and what the record read then.

Each change row carries the record as it read after the change (`snapshot`; before it, for a removal). One
UNION ALL reads the newest rows of each kind of record, with the rows a record's name needs
(`LABEL_RELATIONS`) read with each (`vip.json_rows`: no query per row, issue #9), and the author of each change
joined once outside.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection, models

from candidates import models as m
from candidates.sealing import SEALING_FIELDS
from vip import prepared
from vip.json_rows import USER_FIELDS, attach, decode, make, qn, related_json
from vip.models import AuditEvent

HISTORY_LIMIT = 60
HISTORY_MODELS: list[type[models.Model]] = [
    m.Candidate,
    m.Alias,
    m.Address,
    m.Phone,
    m.Influencer,
    m.Referral,
    m.EligibilityBasis,
    m.GroupMembership,
    m.ServiceOffer,
    m.OutcomeEvent,
]
# The foreign keys a record's name (its __str__) reads, other than the candidate itself.
LABEL_RELATIONS: dict[type[models.Model], tuple[str, ...]] = {
    m.GroupMembership: ("group",),
    m.EligibilityBasis: ("shooting", "related_person", "gvis_meeting", "referral"),
}
CHANGES = (AuditEvent.Action.CREATE, AuditEvent.Action.UPDATE, AuditEvent.Action.DELETE)


@dataclass
class Change:
    """One line of the history: when, who (a user, or the name the trail gives: "db:<role>", empty for the
    system), what (create/update/delete) and of which record."""

    id: int  # the trail's row
    at: dt.datetime
    actor: object
    actor_username: str
    action: str
    record_label: str
    record_text: str
    object_type: str
    object_id: str


def candidate_history(candidate: m.Candidate, limit: int = HISTORY_LIMIT) -> list[Change]:
    """The newest `limit` changes, each with `record_label` (what kind of record) and `record_text` (the record
    as it read after the change; empty for the candidate's own rows)."""
    with connection.cursor() as cursor:
        prepared.execute(cursor, _history_sql(), [str(candidate.pk), limit] * len(HISTORY_MODELS) + [limit])
        rows = cursor.fetchall()
    return [_change(candidate, *row) for row in rows]


@cache
def _history_sql() -> str:
    trail = qn(AuditEvent._meta.db_table)
    actions = ", ".join(f"'{action}'" for action in CHANGES)
    branches = []
    for kind, model in enumerate(HISTORY_MODELS):
        if model is m.Candidate:  # a sealing's or unsealing's changes are the custodian's alone (NMSA 32A-2-26)
            sealing = ", ".join(f"'{column}'" for column in SEALING_FIELDS)
            owner = f"object_id = %s AND NOT (action = 'update' AND changes ?| ARRAY[{sealing}])"
        else:
            owner = f"snapshot ->> '{model._meta.get_field('candidate').column}' = %s"
        # Each kind's newest changes only (the database's rows: they carry the record), before the joins.
        newest = (
            f"SELECT * FROM {trail} WHERE object_type = '{model._meta.label}' AND {owner} "  # noqa: S608 - names
            f"AND snapshot IS NOT NULL AND action IN ({actions}) ORDER BY at DESC, id DESC LIMIT %s"
        )
        names = LABEL_RELATIONS.get(model, ())
        source = f"({newest}) e"
        if names:  # the record as a row of its table, for the related rows its name reads
            source += f" CROSS JOIN LATERAL jsonb_populate_record(NULL::{qn(model._meta.db_table)}, e.snapshot) h"
        branches.append(
            f"SELECT {kind} AS kind, e.id, e.at, e.action, e.actor_id, e.actor_username, e.object_id, "  # noqa: S608
            f"e.snapshot AS record, {related_json(model, names, 'h') if names else 'NULL::json'} "
            f"AS related FROM {source}"
        )
    user = get_user_model()
    user_columns = ", ".join(f"u.{qn(name)}" for name in USER_FIELDS)
    union = " UNION ALL ".join(branches)
    return (
        f"SELECT b.kind, b.id, b.at, b.action, b.actor_username, b.object_id, b.record, b.related, "  # noqa: S608
        f"{user_columns} FROM ({union}) b "
        f"LEFT JOIN {qn(user._meta.db_table)} u ON u.{qn(user._meta.pk.column)} = b.actor_id "
        "ORDER BY b.at DESC, b.id DESC LIMIT %s"
    )


def _change(candidate, kind, event_id, at, action, actor_username, object_id, record, related, user_id, *user_values):
    model = HISTORY_MODELS[kind]
    actor = None
    if user_id is not None:
        actor = get_user_model().from_db(connection.alias, USER_FIELDS, [user_id, *user_values])
    text = ""
    if model is not m.Candidate:  # the candidate's own rows show only what kind of change it was
        instance = make(model, decode(record))  # the record as it read then
        instance._meta.get_field("candidate").set_cached_value(instance, candidate)
        attach(instance, decode(related))
        text = str(instance)
    return Change(
        id=event_id,
        at=at,
        actor=actor,
        actor_username=actor_username,
        action=action,
        record_label=str(model._meta.verbose_name),
        record_text=text,
        object_type=model._meta.label,
        object_id=object_id,
    )
