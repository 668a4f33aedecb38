def unread_reminders(request):
    """The unread count shown on every page (filled in by the reminders work)."""
    return {"unread_reminders": 0}
