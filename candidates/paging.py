"""Pages of a list counted by the page's own query (issue #9).

Django's Paginator asks the database twice: COUNT(*) of the whole list, then the page. For a search, both
run the whole trigram match over 100,000 people, so half of the work is done twice. Here the page's query
also says how many rows the list has (`COUNT(*) OVER ()`, computed over every matching row before the
LIMIT), and the count is asked separately only for an empty page past the first (Django then answers with
the last page, or an error) or for a list that cannot be counted that way (DISTINCT rows: the window would
count the duplicates the DISTINCT removes).
"""

from __future__ import annotations

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, QuerySet, Window
from rest_framework.pagination import PageNumberPagination

TOTAL = "_paginator_total"


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
        return number


class CountingPageNumberPagination(PageNumberPagination):
    """DRF's page-number pagination with the count read from the page's own query."""

    django_paginator_class = CountingPaginator
