"""Paging a list whose length is already known."""

from __future__ import annotations

from django.core.paginator import Paginator


class CountedPaginator(Paginator):
    """A Paginator told the number of items, so it does not run COUNT(*) over the list again (on a list of
    hundreds of thousands of rows the count costs more than the page)."""

    def __init__(self, object_list, per_page, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.__dict__["count"] = count  # `count` is a cached_property: this is its cached value
