from django import template

from notifications.tablet.dates import door_date

register = template.Library()


@register.filter(name="door_date")
def door_date_filter(value, with_time=False):
    """{{ d.planned_for|door_date }}, {{ d.due_at|door_date:"time" }}: the year shown when not this year."""
    return door_date(value, with_time=bool(with_time))
