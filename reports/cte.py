"""Reading the rows of a report's set-based query through Django: the one place the reports run a query as a
common table expression.

A report whose rows are folded from several tables at once (the delivery funnel's CNs with the day they reached
each stage, the follow-up's people with the day it starts) computes them set-based, each family of dates one
GROUP BY over the records joined to the period's rows, never a subquery a row: at a city's scale a period holds
hundreds of thousands of rows, and a subquery each is minutes of work (docs/performance.md, "Dashboard figures
at scale 4"). The query's SQL is given as a common table expression named after an unmanaged model of its
columns (reports/models.py), so that the report's counts and drill-downs are Django filters and aggregates over
that model, with the conditions the report declares.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models import Model, QuerySet

T = TypeVar("T")


def read_rows(model: type[Model], db: str, rows: Callable[[], tuple[str, list]], read: Callable[[QuerySet], T]) -> T:
    """`read` (a function of a queryset of `model`, evaluated inside) over the rows of `rows()`'s query (its
    SQL and parameters, the columns of `model`), on database `db`."""
    try:
        sql, params = rows()
    except EmptyResultSet:  # a scope that sees no record at all (its queryset is none())
        return read(model.objects.none())
    table = connections[db].ops.quote_name(model._meta.db_table)

    def with_the_rows(execute, query, query_params, many, context):
        return execute(f"WITH {table} AS MATERIALIZED ({sql}) {query}", (*params, *query_params), many, context)

    # MATERIALIZED: computed once, not folded into the query that reads it (which repeats a column's expression
    # in each condition that reads it).
    with transaction.atomic(using=db), connections[db].cursor() as cursor:
        # Without JIT compilation: PostgreSQL's estimates of the joined families are far above their real rows,
        # and compiling the plan took longer than running it (13 s of the funnel's 21 s at scale 4).
        cursor.execute("SET LOCAL jit = off")
        # Room to hash and sort the period's rows in memory (the default, 4 MB, spills them to disk).
        cursor.execute("SET LOCAL work_mem = '64MB'")
        with connections[db].execute_wrapper(with_the_rows):
            return read(model.objects.using(db).order_by())
