"""A person's change history in one query: the django-simple-history rows of the candidate and of every
record hanging off them, newest first, with who made each change and what the record read then.

The candidate page used to ask each of the ten history tables in turn, then once more per membership or
basis row to name its group, shooting or referral (issue #9: no query per row). Here one UNION ALL reads
the newest rows of every table as JSON objects (`vip.json_rows`), with the rows a record's name
needs (`LABEL_RELATIONS`) read with each, and the author of each change joined once outside.
"""

from __future__ import annotations

from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection, models

from candidates import models as m
from vip import prepared
from vip.json_rows import USER_FIELDS, attach, columns, decode, json_object, make, qn, related_rows

HISTORY_LIMIT = 60
# The candidate first: on equal times, rows keep this order (as the page always showed them).
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


def candidate_history(candidate: m.Candidate, limit: int = HISTORY_LIMIT) -> list:
    """The newest `limit` historical records, each with `record_label` (what kind of record) and
    `record_text` (the record as it read after the change; empty for the candidate's own rows)."""
    with connection.cursor() as cursor:
        prepared.execute(cursor, _history_sql(connection.vendor), [candidate.pk, limit] * len(HISTORY_MODELS) + [limit])
        rows = cursor.fetchall()
    return [_record(candidate, *row) for row in rows]


@cache
def _history_sql(vendor: str) -> str:
    branches = []
    for kind, model in enumerate(HISTORY_MODELS):
        historical = model.history.model
        related = related_rows(vendor, model, LABEL_RELATIONS.get(model, ()), "h")
        owner = "id" if model is m.Candidate else model._meta.get_field("candidate").column
        # Each table's newest rows only, before they are made JSON.
        newest = (
            f"SELECT * FROM {qn(historical._meta.db_table)} WHERE {qn(owner)} = %s "  # noqa: S608 - model names
            "ORDER BY history_date DESC, history_id DESC LIMIT %s"
        )
        branches.append(
            f"SELECT {kind} AS kind, h.history_id, h.history_date, h.history_user_id, "  # noqa: S608 - model names
            f"{json_object(vendor, columns(historical, 'h'))} AS record, {related} AS related "
            f"FROM ({newest}) h"
        )
    user = get_user_model()
    user_columns = ", ".join(f"u.{qn(name)}" for name in USER_FIELDS)
    union = " UNION ALL ".join(branches)
    return (
        f"SELECT b.kind, b.record, b.related, {user_columns} FROM ({union}) b "  # noqa: S608 - model names
        f"LEFT JOIN {qn(user._meta.db_table)} u ON u.{qn(user._meta.pk.column)} = b.history_user_id "
        "ORDER BY b.history_date DESC, b.kind, b.history_id DESC LIMIT %s"
    )


def _record(candidate, kind, record, related, user_id, *user_values):
    model = HISTORY_MODELS[kind]
    historical = make(model.history.model, decode(record))
    user = None
    if user_id is not None:
        user = get_user_model().from_db(connection.alias, USER_FIELDS, [user_id, *user_values])
    historical._meta.get_field("history_user").set_cached_value(historical, user)
    historical.record_label = model._meta.verbose_name
    historical.record_text = ""
    if model is not m.Candidate:  # the candidate's own rows show only what kind of change it was
        instance = historical.instance  # the record as it read then (a new instance each time it is asked)
        instance._meta.get_field("candidate").set_cached_value(instance, candidate)
        attach(instance, decode(related))
        historical.record_text = str(instance)
    return historical
