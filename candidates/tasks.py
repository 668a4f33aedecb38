"""Celery tasks of the candidates app (scheduled by `manage.py setup_schedules`)."""

from celery import shared_task

from candidates.merging.duplicates import duplicate_pairs_refresh


@shared_task(name="candidates.tasks.duplicate_pairs_task")
def duplicate_pairs_task() -> int:
    """Nightly: list the records likely to be one person. Returns the pairs awaiting the LE Lead's review."""
    return duplicate_pairs_refresh()
