"""How the tablet writes a date: short, and with the year whenever it is not this year (issue 18: a planned
delivery six years back read as "Wed 1 Jan")."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.dateformat import format as date_format


def door_date(value: dt.date | dt.datetime | None, *, with_time: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        day = value.date()
    else:
        day = value
        with_time = False
    pattern = "D j M" if day.year == timezone.localdate().year else "D j M Y"
    return date_format(value, pattern + (" H:i" if with_time else ""))
