"""Paging a long list whose length is already known."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.db.models.sql.where import WhereNode


class CountedPaginator(Paginator):
    """A Paginator told the number of items, so it does not run COUNT(*) over the list again (on a list of
    hundreds of thousands of rows the count costs more than the page), and which reads a page in two
    steps: the page's ids in the list's order, with none of its joins, then those rows with their joins
    and prefetches. PostgreSQL would otherwise join every row of an officer's thousands of CNs to its
    candidate before sorting them to keep fifty."""

    def __init__(self, object_list, per_page, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.__dict__["count"] = count  # `count` is a cached_property: this is its cached value

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(ids_first(self.object_list, bottom, bottom + self.per_page), number, self)


def ids_first(rows: QuerySet, start: int, stop: int) -> list:
    """`list(rows[start:stop])`, read as the ids of that slice first and then those rows.

    The second query keeps the list's joins, annotations and prefetches but not its filters: the ids were
    chosen by them a moment ago, and with them PostgreSQL may probe the index for every id an access rule
    allows (thousands) rather than for the page's fifty."""
    ids = list(rows.select_related(None).values_list("pk", flat=True)[start:stop])
    by_id = rows._chain()
    by_id.query.where = WhereNode()
    found = {row.pk: row for row in by_id.filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]
