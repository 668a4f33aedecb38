from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Custom Notifications"

    def ready(self):
        from notifications import (
            admin_reminders,  # noqa: F401
            receivers,  # noqa: F401
        )
