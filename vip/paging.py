"""Paging long lists without counting them twice (issue #9, docs/performance.md).

- `CountedPaginator` / `KnownCountPagination`: the list's length is already known (the board's kept counts,
  an officer's team places), and a page is read as its ids first, then those rows.
- `CountingPaginator` / `CountingPageNumberPagination`: the page's own query also says how many rows the
  list has (`COUNT(*) OVER ()`), so a search's trigram match runs once, not once more to count it. Django's
  Paginator otherwise asks the database twice: COUNT(*) of the whole list, then the page. The count is asked
  separately only for an empty page past the first (Django then answers with the last page, or an error) or
  for a list that cannot be counted that way (DISTINCT rows: the window would count the duplicates the
  DISTINCT removes).
"""

from __future__ import annotations

import functools

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, QuerySet, Window
from rest_framework.pagination import PageNumberPagination


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

    The first query has none of the list's joins (PostgreSQL would otherwise join every row of an officer's
    thousands of CNs to its candidate before sorting them to keep fifty); the second reads those ids with the
    list's joins, annotations and prefetches (`in_bulk`, Django's public API; it keeps the list's filters,
    which PostgreSQL checks on the page's rows only)."""
    ids = list(rows.select_related(None).values_list("pk", flat=True)[start:stop])
    found = rows.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


class KnownCountPagination(PageNumberPagination):
    """Page numbers, without counting the list again when the view already knows its length
    (`view.known_count`): on 300,000 CNs the count costs more than the page."""

    def paginate_queryset(self, queryset, request, view=None):
        count = getattr(view, "known_count", None)
        if count is not None:
            self.django_paginator_class = functools.partial(CountedPaginator, count=count)
        return super().paginate_queryset(queryset, request, view)


TOTAL = "_paginator_total"
MAX_PAGE = 10**9


class CountingPaginator(Paginator):
    def page(self, number):
        if not self._counts_itself():
            return super().page(number)
        number = self._page_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list.annotate(**{TOTAL: Window(Count("*"))})[bottom : bottom + self.per_page])
        if not rows and (number > 1 or not self.allow_empty_first_page):
            return super().page(number)  # past the end: Django's answer (the last page or an error), counted
        self.count = getattr(rows[0], TOTAL) if rows else 0  # the cached property, set; an empty first page: none
        return self._get_page(rows, number, self)

    def _counts_itself(self) -> bool:
        return (
            "count" not in self.__dict__
            and isinstance(self.object_list, QuerySet)
            and not self.object_list.query.distinct
            and not self.object_list.query.is_sliced
            and self.orphans == 0
        )

    def _page_number(self, number) -> int:
        """Django's `validate_number` short of the last page's check (which needs the count)."""
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        if number > MAX_PAGE:  # its offset would not fit the database's 64-bit OFFSET: past any list's end
            raise EmptyPage(self.error_messages["no_results"])
        return number


class CountingPageNumberPagination(PageNumberPagination):
    """DRF's page-number pagination with the count read from the page's own query."""

    django_paginator_class = CountingPaginator


def query_without_page(request) -> str:
    """The list's query string (its search and filters) without the page number: what the pager's links and the
    list's export keep."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


class UncountedPaginator:
    """Pages of a list that is never counted: a page reads one row more than it shows, to know whether an older
    page follows. For the audit trail's tens of millions of rows: counting a search's matches costs a scan of all
    of them (seconds for a common user name), where its newest page costs an index's first rows. The page says
    which events it shows and offers the next and previous pages, not their total."""

    def __init__(self, object_list, per_page: int):
        self.object_list = object_list
        self.per_page = per_page

    def get_page(self, number) -> UncountedPage:
        try:
            number = max(int(number), 1)
        except (TypeError, ValueError):
            number = 1
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:  # past the end (a stale link): the first page, as Paginator.get_page would
            return self.get_page(1)
        return UncountedPage(rows[: self.per_page], number, bottom, more=len(rows) > self.per_page)


class UncountedPage:
    """What the templates read of a Django Page, without `paginator.count` and `num_pages`."""

    def __init__(self, object_list: list, number: int, bottom: int, *, more: bool):
        self.object_list = object_list
        self.number = number
        self.bottom = bottom
        self.more = more

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_next(self) -> bool:
        return self.more

    def has_previous(self) -> bool:
        return self.number > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def start_index(self) -> int:
        return self.bottom + 1 if self.object_list else 0

    def end_index(self) -> int:
        return self.bottom + len(self.object_list)
