"""Celery tasks of the vip app (scheduled by `manage.py setup_schedules`)."""

from celery import shared_task


@shared_task(name="vip.tasks.disable_inactive_accounts")
def disable_inactive_accounts() -> int:
    """Daily: disable accounts unused for 90 days. Idempotent: a second run finds nothing more to do."""
    from vip.accounts import disable_inactive_accounts as disable

    return len(disable())
