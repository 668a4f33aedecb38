"""`field__any_of=<subquery>`: the field is one of the subquery's values.

The same answer as `__in=<subquery>`, written as `= ANY(ARRAY(<subquery>))`: the subquery
runs first, once, and the planner probes the table's index for each value it returned. With `IN
(<subquery>)` PostgreSQL plans a semi-join and, when the subquery returns a few thousand rows (an officer of
a city's program is on thousands of CNs), hashes it and scans every row of the outer table instead: 50 ms
rather than 10 at 300,000 CNs (docs/performance.md).
"""

from __future__ import annotations

from django.db.models import Field, Lookup


@Field.register_lookup
class AnyOf(Lookup):
    lookup_name = "any_of"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{self._parenthesised(rhs)})", [*lhs_params, *rhs_params]

    @staticmethod
    def _parenthesised(sql: str) -> str:
        return sql if sql.startswith("(") else f"({sql})"
