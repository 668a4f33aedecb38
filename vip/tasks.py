"""Celery tasks of the vip app (scheduled by `manage.py setup_schedules`)."""

from celery import shared_task
from django.conf import settings

from vip.accounts import disable_inactive_accounts as disable
from vip.audit import purge_audit_older_than


@shared_task(name="vip.tasks.disable_inactive_accounts")
def disable_inactive_accounts() -> int:
    """Daily: disable accounts unused for 90 days. Idempotent: a second run finds nothing more to do."""
    return len(disable())


@shared_task(name="vip.tasks.purge_expired_audit_events")
def purge_expired_audit_events() -> int:
    """Weekly: delete audit events older than VIP_AUDIT_RETENTION_DAYS (never less than a year, CJIS AU-11)."""
    return purge_audit_older_than(settings.VIP_AUDIT_RETENTION_DAYS)


@shared_task(name="vip.tasks.purge_expired_idempotency_records")
def purge_expired_idempotency_records() -> int:
    """Hourly: delete the idempotency keys and answers older than VIP_IDEMPOTENCY_KEPT_FOR (24 hours)."""
    from vip.idempotency import purge_expired

    return purge_expired()
