"""Thin Celery tasks around the reminder services (notifications/reminders.py).

Acknowledged late and rejected when the worker is lost (also the project-wide settings), so a task a
dying worker held runs again; the services are idempotent, so running again never sends twice.
"""

from __future__ import annotations

from celery import shared_task

from notifications import reminders


@shared_task(acks_late=True, reject_on_worker_lost=True)
def reminders_sweep_task() -> dict[str, int]:
    return reminders.reminders_sweep()


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(reminders.EmailNotSent,),
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=reminders.EMAIL_MAX_RETRIES,
)
def send_reminder_email_task(reminder_id: int) -> str:
    return reminders.send_reminder_email(reminder_id)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OSError,),
    retry_backoff=60,
    retry_backoff_max=1800,
    max_retries=5,
)
def reminders_digest_task() -> dict[str, int]:
    return reminders.reminders_digest()
