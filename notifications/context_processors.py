from notifications.reminders import unread_count


def unread_reminders(request):
    """The unread count shown on every page."""
    user = getattr(request, "user", None)
    if user is None:
        return {"unread_reminders": 0}
    return {"unread_reminders": unread_count(user)}
