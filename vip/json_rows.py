"""Rows of several tables in one query, each row as a JSON object, made back into model instances.

The candidate page shows a person's rows from a dozen tables, a CN's API detail its step records from
ten. The ORM asks each table in turn, and each query costs about a millisecond of Python (cloning,
compiling, reading) before the database even sees it: most of the page's time at a city's scale (issue #9, docs/performance.md). Here the SQL is built once per
database from the models' metadata (columns, joins, ordering), every table's rows come back in one
UNION ALL as JSON objects (the tables differ), and the instances are made with `Model.from_db`, as the
ORM makes them, with the related rows they show already attached (no query per row).

Only reads that involve no access rule go through here: the rules stay in the selectors' querysets.
"""

from __future__ import annotations

import json
from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection, models
from django.db.models.expressions import RawSQL

from vip import prepared

USER_FIELDS = ("id", "username", "first_name", "last_name")  # what a page shows of a user


def qn(name: str) -> str:
    return connection.ops.quote_name(name)


def json_build(pairs: list[tuple[str, str]]) -> str:
    """SQL building a JSON object of (key, SQL expression) pairs."""
    arguments = ", ".join(f"'{key}', {expr}" for key, expr in pairs)
    return f"json_build_object({arguments})"


def columns(model, alias: str) -> list[tuple[str, str]]:
    """(column, SQL expression) of each column a model is made from; a user's only as pages show them."""
    fields = model._meta.concrete_fields
    if model is get_user_model():
        fields = [model._meta.get_field(name) for name in USER_FIELDS]
    return [(field.column, f"{alias}.{qn(field.column)}") for field in fields]


def related_json(model, names, alias: str) -> str:
    """The SQL of a JSON object holding, by name, the row each foreign key in `names` of `model` (aliased
    `alias`) points to (null for a null key).

    Each row is a scalar subquery by primary key rather than a LEFT JOIN: with ten tables in one UNION ALL,
    PostgreSQL plans the joins of every branch (two or three each) in more time than it runs the whole query
    (a CN's detail: 2.4 ms of planning for 1.3 ms of work; 1.2 ms with subqueries)."""
    pairs = []
    for n, name in enumerate(names):
        field = model._meta.get_field(name)
        target, joined = field.related_model, f"{alias}_r{n}"
        row = json_build(columns(target, joined))
        pairs.append(
            (
                name,
                f"(SELECT {row} FROM {qn(target._meta.db_table)} {joined} "  # noqa: S608 - model names
                f"WHERE {joined}.{qn(target._meta.pk.column)} = {alias}.{qn(field.column)})",
            )
        )
    return json_build(pairs)


def _ordering_fields(model, ordering=None) -> list[tuple[models.Field, bool]]:
    """(field, descending) of `ordering` (field names, "-" for descending), else of the model's default
    (Meta.ordering, else its primary key)."""
    terms = []
    for name in ordering or model._meta.ordering or ["pk"]:
        bare = name.lstrip("-")
        terms.append((model._meta.pk if bare == "pk" else model._meta.get_field(bare), name.startswith("-")))
    return terms


def order_by(model, alias: str, ordering=None) -> str:
    """`_ordering_fields` as SQL, as the ORM would write it."""
    terms = _ordering_fields(model, ordering)
    return ", ".join(f"{alias}.{qn(field.column)}{' DESC' if descending else ''}" for field, descending in terms)


def decode(value):
    """A JSON value as the driver gives it: psycopg2 decodes json, and gives json cast to text as text."""
    return json.loads(value) if isinstance(value, str) else value


def _python(field, value):
    if value is None:
        return None
    return field.to_python(value)


def make(model, data: dict):
    """The instance the ORM would have read (fields missing from `data` are deferred)."""
    fields = [f for f in model._meta.concrete_fields if f.column in data]
    return model.from_db(connection.alias, [f.attname for f in fields], [_python(f, data[f.column]) for f in fields])


def attach(instance, related: dict | None) -> None:
    """Put the related rows read with `instance` in its foreign keys' caches (a null key needs none)."""
    for name, data in (related or {}).items():
        field = instance._meta.get_field(name)
        if getattr(instance, field.attname) is not None:
            field.set_cached_value(instance, make(field.related_model, decode(data)))


def relation_field(model, relation: str):
    """The field `relation` names from `model`: a relation of it, or ("a__b") the relation `b` of the model
    its one-to-one `a` points to (a CN's eligibility's bases)."""
    first, _, rest = relation.partition("__")
    field = model._meta.get_field(first)
    return relation_field(field.related_model, rest) if rest else field


def owner_condition(model, relation: str, alias: str) -> tuple[type[models.Model], str, str]:
    """For `relation` of `model` (`relation_field`: a reverse foreign key or a many-to-many, or one of the
    row a one-to-one names): the related model, the JOIN (for a many-to-many) and the condition tying its
    rows (aliased `alias`) to one row of `model` (a parameter)."""
    return _tie(model, relation, alias, "= %s")


def _tie(model, relation: str, alias: str, owner: str) -> tuple[type[models.Model], str, str]:
    """As `owner_condition`, the owner's key being `owner` (`= %s`, or `= (SELECT ...)` one step away)."""
    first, _, rest = relation.partition("__")
    if rest:
        if not (model._meta.get_field(first).one_to_one and model._meta.get_field(first).auto_created):
            raise ValueError(f"{relation}: {first} must be a reverse one-to-one (one row at most).")
        middle, join, condition = _tie(model, first, f"{alias}_o", owner)
        pk = f"{alias}_o.{qn(middle._meta.pk.column)}"
        key = f"= (SELECT {pk} FROM {qn(middle._meta.db_table)} {alias}_o {join} WHERE {condition})"  # noqa: S608
        return _tie(middle, rest, alias, key)
    rel = model._meta.get_field(relation)
    related = rel.related_model
    if rel.many_to_many:
        if rel.auto_created:  # declared on the related model: its link table's columns from that side
            field, through = rel.field, rel.through
            to_related, to_owner = field.m2m_column_name(), field.m2m_reverse_name()
        else:  # declared on `model`
            field, through = rel, rel.remote_field.through
            to_related, to_owner = field.m2m_reverse_name(), field.m2m_column_name()
        join = (
            f"JOIN {qn(through._meta.db_table)} {alias}_x "
            f"ON {alias}_x.{qn(to_related)} = {alias}.{qn(related._meta.pk.column)}"
        )
        return related, join, f"{alias}_x.{qn(to_owner)} {owner}"
    return related, "", f"{alias}.{qn(rel.field.column)} {owner}"


Sections = tuple[tuple[str, tuple[str, ...]], ...]  # (relation, the foreign keys each of its rows shows)


def rows_of(owner: models.Model, sections: Sections) -> dict[str, list]:
    """The rows of each relation of `owner` in `sections` (`relation_field`), each in its model's default
    ordering and with the rows its foreign keys name attached, all in one query: {relation: [instances]}."""
    with connection.cursor() as cursor:
        prepared.execute(cursor, _rows_sql(type(owner), sections), [owner.pk] * len(sections))
        found = cursor.fetchall()
    result: dict[str, list] = {relation: [] for relation, _names in sections}
    for index, record, related in found:
        relation = sections[index][0]
        rel = relation_field(type(owner), relation)
        instance = make(rel.related_model, decode(record))
        attach(instance, decode(related))
        if rel.one_to_many and "__" not in relation:
            rel.field.set_cached_value(instance, owner)  # as the related manager does: no query to read it back
        result[relation].append(instance)
    for relation, instances in result.items():
        in_order(instances, relation_field(type(owner), relation).related_model)
    return result


def in_order(instances: list, model) -> None:
    """Sort `instances` in `model`'s default ordering as the database would (NULL the largest value, as on
    PostgreSQL), in place. Each relation's few rows are ordered here rather than by a
    window in each branch of the UNION, which took a third of a CN detail's query (0.7 of 2 ms). Only for
    orderings by numbers and dates (`_ordering`): text would not follow the database's collation."""
    for field, descending in reversed(_ordering(model)):
        instances.sort(
            key=lambda i, a=field.attname: (0, getattr(i, a)) if getattr(i, a) is not None else (1, 0),
            reverse=descending,
        )


@cache
def _ordering(model) -> tuple[tuple[models.Field, bool], ...]:
    terms = tuple(_ordering_fields(model))
    for field, _descending in terms:
        if isinstance(field, models.CharField | models.TextField):
            raise ValueError(
                f"{model.__name__} is ordered by text ({field.name}): rows_of sorts numbers and dates only."
            )
    return terms


@cache
def _rows_sql(model, sections: Sections) -> str:
    branches = []
    for index, (relation, names) in enumerate(sections):
        related, m2m_join, condition = owner_condition(model, relation, "t")
        _ordering(related)  # sortable in Python, or refused now
        shown = related_json(related, names, "t")
        branches.append(
            f"SELECT {index} AS section, {json_build(columns(related, 't'))} AS record, "  # noqa: S608
            f"{shown} AS related FROM {qn(related._meta.db_table)} t {m2m_join} WHERE {condition}"
        )
    return " UNION ALL ".join(branches)


# --- related rows as a column of a list's own query ---------------------------------------------------------


class _DecodedJSON(models.TextField):
    def from_db_value(self, value, expression, connection):
        return None if value is None else json.loads(value)


def listed_rows(model, relation: str, keys: dict[str, str], *, order=None, only_set: tuple[str, ...] = ()) -> RawSQL:
    """A column for a list of `model`: each row's `relation` (a reverse foreign key) as a JSON array of objects
    {key: value of the field named, or "fk__field" for a field of the row a foreign key points to}, keys in
    the order given, rows in `order` (field names, "-" for descending; else the related model's ordering);
    with `only_set`, only the rows where those fields are set. [] when there are none.

    Read by the list's own query, for the rows of its page only (PostgreSQL computes a column the ORDER BY
    does not need after the LIMIT), in place of a query per relation making a model instance of every row;
    the SQL is written once per shape: built by the ORM, such a subquery cost a millisecond of Python each
    time (issue #9). The array is text: a DISTINCT list compares every column, and json has no equality."""
    sql = _listed_sql(model, relation, tuple(keys.items()), tuple(order) if order else None, tuple(only_set))
    return RawSQL(sql, [], output_field=_DecodedJSON())  # noqa: S611 - names from the models, no input


@cache
def _listed_sql(model, relation, keys, order, only_set) -> str:
    rel = model._meta.get_field(relation)
    related = rel.related_model
    joins, pairs = {}, []
    for key, path in keys:
        name, _, attribute = path.partition("__")
        field = related._meta.get_field(name)
        if not attribute:
            pairs.append((key, f"t.{qn(field.column)}"))
            continue
        target, joined = field.related_model, f"t_{field.column}"
        joins[joined] = (
            f"JOIN {qn(target._meta.db_table)} {joined} ON {joined}.{qn(target._meta.pk.column)} = t.{qn(field.column)}"
        )
        pairs.append((key, f"{joined}.{qn(target._meta.get_field(attribute).column)}"))
    conditions = [f"t.{qn(rel.field.column)} = {qn(model._meta.db_table)}.{qn(model._meta.pk.column)}"]
    conditions += [f"t.{qn(related._meta.get_field(name).column)} IS NOT NULL" for name in only_set]
    ordering = order_by(related, "t", order)
    rows = (
        f"SELECT {json_build(pairs)} AS obj FROM {qn(related._meta.db_table)} t "  # noqa: S608 - names
        f"{' '.join(joins.values())} WHERE {' AND '.join(conditions)} ORDER BY {ordering}"
    )
    return f"array_to_json(ARRAY({rows}))::text"
