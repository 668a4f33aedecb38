"""Server-side prepared statements for the large queries written once by hand (issue #9, docs/performance.md).

A CN's detail reads its step records from eleven tables in one UNION ALL (`vip.json_rows.rows_of`): eleven
kilobytes of SQL that PostgreSQL parsed and planned on each request in 1.7 of its 2.1 ms. Such a query is the
same text every time, so each database connection prepares it once (`PREPARE`) and then only runs it
(`EXECUTE`): 0.4 ms.

Prepared statements belong to a database session. Behind a pooler that hands a transaction to any session
(PgBouncer in transaction mode) a statement prepared on one is unknown on the next: set
VIP_PREPARED_STATEMENTS=0 there, and the queries run as plain ones.
"""

from __future__ import annotations

import hashlib
import re
import weakref
from collections.abc import Sequence
from functools import cache

from django.conf import settings
from django.db import connection

# The statements prepared on each open database connection (the driver's connection object: a new one after a
# reconnect knows none).
_prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def execute(cursor, sql: str, params: Sequence) -> None:
    """`cursor.execute(sql, params)`, through a statement this connection prepared the first time it ran `sql`."""
    if not settings.VIP_PREPARED_STATEMENTS:
        cursor.execute(sql, params)
        return
    name, numbered = _statement(sql)
    done = _prepared.setdefault(connection.connection, set())
    if name not in done:
        cursor.execute(f"PREPARE {name} AS {numbered}")  # kept by the session whatever becomes of a transaction
        done.add(name)
    cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {name}", params)


@cache
def _statement(sql: str) -> tuple[str, str]:
    """The statement's name (from its text: changed SQL is another statement) and its text with $1, $2, ..."""
    if sql.count("%") != sql.count("%s"):
        raise ValueError("Only %s placeholders may carry a % in a prepared statement's SQL.")
    numbers = iter(range(1, sql.count("%s") + 1))
    numbered = re.sub(r"%s", lambda _match: f"${next(numbers)}", sql)
    return f"vip_{hashlib.sha256(sql.encode()).hexdigest()[:20]}", numbered
