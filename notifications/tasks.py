"""Thin Celery tasks around the reminder services (notifications/reminders.py).

Acknowledged late and rejected when the worker is lost (also the project-wide settings), so a task a
dying worker held runs again; the services are idempotent, so running again never sends twice.
"""

from __future__ import annotations

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from notifications import reminders


@shared_task(acks_late=True, reject_on_worker_lost=True)
def reminders_sweep_task() -> dict[str, int]:
    return reminders.reminders_sweep()


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=reminders.EMAIL_MAX_RETRIES)
def send_reminder_emails_task(self, reminder_ids: list[int]) -> dict[str, int]:
    """A chunk of a sweep's e-mails. Only the failed ones are retried, with the same backoff as one e-mail's task
    below; each reminder counts its own attempts, and one that has used them all fails the task (logged)."""
    chunk = reminders.send_reminder_emails(reminder_ids)
    if chunk.retry:
        backoff = get_exponential_backoff_interval(
            factor=30, retries=self.request.retries, maximum=600, full_jitter=True
        )
        raise self.retry(args=[chunk.retry], countdown=backoff)
    if chunk.gave_up:
        raise reminders.EmailNotSent(f"{len(chunk.gave_up)} reminder e-mails not sent: {chunk.gave_up}")
    return dict(chunk.counts)


reminders.register_email_task(send_reminder_emails_task)  # what the sweep queues its e-mails with


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
    """One reminder's e-mail: what sweeps queued before e-mails went in chunks (messages may still wait in a
    broker), and a way to send one by hand."""
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
