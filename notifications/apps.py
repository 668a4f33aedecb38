from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Custom Notifications"

    def ready(self):
        from notifications import candidate_pages, receivers, tasks  # noqa: F401 - tasks: the sweep's e-mail task
        from notifications.models import Check, Delivery
        from notifications.reminders import admin as reminders_admin  # noqa: F401 - registers the reminder admin
        from notifications.reminders import with_unread_count
        from notifications.selectors import checks_visible_to, deliveries_visible_to
        from vip import scopes
        from vip.audit import reads
        from vip.auth_backends import READ_WITH_SIGNED_IN_USER

        def sealed_ids() -> list[str]:  # the CNs of sealed candidates
            sealed = Delivery.objects.filter(candidate__sealed_at__isnull=False)
            return [str(pk) for pk in sealed.values_list("pk", flat=True)]

        # the admin and the audit trail (in vip, below this app) apply the CNs' access rules through it
        scopes.register(Delivery, deliveries_visible_to, link="delivery", sealed_ids=sealed_ids)
        scopes.register(Check, checks_visible_to)
        # a CN names its candidate: a request that loads one names both in its audit row (vip/audit/reads.py)
        reads.register(Delivery, person="candidate")
        candidate_pages.register()  # the candidate page's CNs, the candidate list's latest CN column and filter

        if with_unread_count not in READ_WITH_SIGNED_IN_USER:
            READ_WITH_SIGNED_IN_USER.append(with_unread_count)  # the badge every page shows
