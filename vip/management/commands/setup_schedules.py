"""Register the periodic tasks in django-celery-beat's database schedule. Safe to run again.

The schedule lives in the database so an administrator sees and changes it in the admin; get_or_create
by name never overwrites what they changed.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask


def reminders_sweep_schedule() -> tuple[PeriodicTask, bool]:
    every, _ = IntervalSchedule.objects.get_or_create(every=15, period=IntervalSchedule.MINUTES)
    return PeriodicTask.objects.get_or_create(
        name="Reminders: find overdue CN steps and remind",
        # A start time makes beat run it at once on its first start, so overdue work shows up right away.
        defaults={"task": "notifications.tasks.reminders_sweep_task", "interval": every, "start_time": timezone.now()},
    )


def reminders_digest_schedule() -> tuple[PeriodicTask, bool]:
    daily, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="7", day_of_week="*", day_of_month="*", month_of_year="*", timezone=settings.TIME_ZONE
    )
    return PeriodicTask.objects.get_or_create(
        name="Reminders: daily digest e-mail",
        defaults={"task": "notifications.tasks.reminders_digest_task", "crontab": daily},
    )


def _daily(hour: str, minute: str) -> CrontabSchedule:
    return CrontabSchedule.objects.get_or_create(
        minute=minute, hour=hour, day_of_week="*", day_of_month="*", month_of_year="*", timezone=settings.TIME_ZONE
    )[0]


def disable_inactive_accounts_schedule() -> tuple[PeriodicTask, bool]:
    """CJIS AC-2(3): accounts unused for 90 days are disabled."""
    return PeriodicTask.objects.get_or_create(
        name="Disable accounts unused for 90 days (daily)",
        defaults={"task": "vip.tasks.disable_inactive_accounts", "crontab": _daily("2", "15")},
    )


def purge_expired_audit_events_schedule() -> tuple[PeriodicTask, bool]:
    """CJIS AU-11: audit events are kept VIP_AUDIT_RETENTION_DAYS (at least a year); the months past it are
    detached weekly (vip/audit/partitions.py)."""
    weekly = CrontabSchedule.objects.get_or_create(
        minute="30", hour="3", day_of_week="0", day_of_month="*", month_of_year="*", timezone=settings.TIME_ZONE
    )[0]
    return PeriodicTask.objects.get_or_create(
        name="Purge audit events past their keeping period (weekly)",  # the name registered before: kept
        defaults={"task": "vip.tasks.purge_expired_audit_events", "crontab": weekly},
    )


def create_audit_partitions_schedule() -> tuple[PeriodicTask, bool]:
    """The audit trail's monthly partitions are made months ahead (vip/audit/partitions.py): checked monthly."""
    monthly = CrontabSchedule.objects.get_or_create(
        minute="45", hour="3", day_of_week="*", day_of_month="1", month_of_year="*", timezone=settings.TIME_ZONE
    )[0]
    return PeriodicTask.objects.get_or_create(
        name="Audit trail: make the months ahead (monthly)",
        defaults={"task": "vip.tasks.create_audit_partitions", "crontab": monthly},
    )


def purge_expired_idempotency_records_schedule() -> tuple[PeriodicTask, bool]:
    """A retried POST's kept answer (vip/idempotency.py) is kept VIP_IDEMPOTENCY_KEPT_FOR, then purged hourly."""
    hourly, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.HOURS)
    return PeriodicTask.objects.get_or_create(
        name="Purge the answers kept for retried requests (hourly)",
        defaults={"task": "vip.tasks.purge_expired_idempotency_records", "interval": hourly},
    )


def dashboard_figures_schedule() -> tuple[PeriodicTask, bool]:
    """The Program Manager's dashboard shows stored figures (reports/snapshots.py), recomputed this often."""
    every, _ = IntervalSchedule.objects.get_or_create(
        every=settings.VIP_FIGURES_REFRESH_MINUTES, period=IntervalSchedule.MINUTES
    )
    return PeriodicTask.objects.get_or_create(
        name="Dashboard: recompute the program's figures",
        defaults={"task": "reports.tasks.refresh_dashboard_figures", "interval": every, "start_time": timezone.now()},
    )


def duplicate_pairs_schedule() -> tuple[PeriodicTask, bool]:
    """The nightly list of records likely to be one person, for the LE Lead (candidates/merging/duplicates.py)."""
    return PeriodicTask.objects.get_or_create(
        name="Duplicates: list the records likely to be one person (nightly)",
        defaults={"task": "candidates.tasks.duplicate_pairs_task", "crontab": _daily("1", "30")},
    )


SCHEDULES = [
    duplicate_pairs_schedule,
    reminders_sweep_schedule,
    reminders_digest_schedule,
    disable_inactive_accounts_schedule,
    purge_expired_audit_events_schedule,
    create_audit_partitions_schedule,
    purge_expired_idempotency_records_schedule,
    dashboard_figures_schedule,
]


class Command(BaseCommand):
    help = "Register the periodic Celery tasks in the database schedule (idempotent)."

    def handle(self, *args, **options):
        for schedule in SCHEDULES:
            task, created = schedule()
            self.stdout.write(f"{'Registered' if created else 'Already registered'}: {task.name}")
