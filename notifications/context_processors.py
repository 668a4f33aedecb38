from notifications.reminders import UNREAD_COUNTED_UP_TO, unread_count


def unread_reminders(request):
    """The unread count shown on every page."""
    user = getattr(request, "user", None)
    if user is None:
        return {"unread_reminders": 0}
    count = unread_count(user)
    shown = f"{UNREAD_COUNTED_UP_TO - 1}+" if count >= UNREAD_COUNTED_UP_TO else str(count)
    return {"unread_reminders": count, "unread_reminders_shown": shown}
