from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Custom Notifications"

    def ready(self):
        from notifications import receivers  # noqa: F401
        from notifications.reminders import admin as reminders_admin  # noqa: F401 - registers the reminder admin
        from notifications.reminders import with_unread_count
        from vip.auth_backends import READ_WITH_SIGNED_IN_USER

        if with_unread_count not in READ_WITH_SIGNED_IN_USER:
            READ_WITH_SIGNED_IN_USER.append(with_unread_count)  # the badge every page shows
