"""Celery tasks of the reports app (scheduled by `manage.py setup_schedules`)."""

from celery import shared_task

from reports.snapshots import refresh_scheduled


@shared_task(name="reports.tasks.refresh_dashboard_figures")
def refresh_dashboard_figures() -> int:
    """Every VIP_FIGURES_REFRESH_MINUTES: recompute the dashboard's figures of the default period (the last
    twelve months) for the roles that see every unsealed record. Returns how long it took, in ms."""
    return refresh_scheduled().duration_ms
