"""django-simple-history's `HistoricalRecords`, with the history manager's class made once per model.

`instance.history` (which the library also reads to save every historical row) makes a new manager class on
each access: `HistoryManager.from_queryset(...)` builds a class with `type()` and inspects the queryset's
methods for it. On a CN's transition, which saves two historical rows, that was a millisecond of the
request's CPU (issue #9, docs/performance.md). The class is the same every time, so it is made once.
"""

from __future__ import annotations

from functools import cache

from simple_history import manager, models


class HistoryManager(manager.HistoryManager):
    @classmethod
    def from_queryset(cls, queryset_class, class_name=None):
        return _manager_class(cls, queryset_class, class_name)


@cache
def _manager_class(cls, queryset_class, class_name):
    return super(HistoryManager, cls).from_queryset(queryset_class, class_name)


class HistoricalRecords(models.HistoricalRecords):
    def __init__(self, *args, history_manager=HistoryManager, **kwargs):
        super().__init__(*args, history_manager=history_manager, **kwargs)
