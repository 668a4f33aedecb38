"""Register the periodic Celery tasks in django-celery-beat's database scheduler. Safe to run any number of times.

Each schedule has a unique name; running again updates it in place. To add a schedule, add an entry to
SCHEDULES (name -> task and crontab fields, in settings.TIME_ZONE).
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

SCHEDULES: dict[str, dict] = {
    "Disable accounts unused for 90 days (daily)": {
        "task": "vip.tasks.disable_inactive_accounts",
        "crontab": {"minute": "15", "hour": "2", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"},
    },
}


class Command(BaseCommand):
    help = "Create or update the periodic tasks (django-celery-beat). Idempotent."

    @transaction.atomic
    def handle(self, *args, **options):
        from django_celery_beat.models import CrontabSchedule, PeriodicTask

        for name, spec in SCHEDULES.items():
            crontab, _ = CrontabSchedule.objects.get_or_create(**spec["crontab"], timezone=settings.TIME_ZONE)
            task, created = PeriodicTask.objects.update_or_create(
                name=name,
                defaults={
                    "task": spec["task"],
                    "crontab": crontab,
                    "interval": None,
                    "solar": None,
                    "clocked": None,
                    "enabled": True,
                    "kwargs": spec.get("kwargs", "{}"),
                },
            )
            self.stdout.write(f"{'Created' if created else 'Updated'} schedule: {name} -> {task.task}")
