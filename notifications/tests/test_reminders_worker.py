"""A real Celery worker takes the sweep from the real Redis broker, and the reminder lands (and is e-mailed)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.db import connections
from django.utils import timezone

from candidates.models import GVISMeeting
from notifications.reminders.models import Reminder
from notifications.tasks import reminders_sweep_task
from notifications.tests.test_reminders import cn, role_groups  # noqa: F401 - fixture
from vip.celery import app


def _close_worker_connections(**kwargs):
    # The worker thread has its own database connection: close it so the test database can be flushed.
    connections.close_all()


def _wait_for(condition, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    return None


@pytest.fixture
def redis_worker():
    app.conf.broker_url = settings.REDIS_URL
    app.conf.task_always_eager = False
    app.control.purge()  # nothing left over from an earlier run on this Redis database
    task_postrun.connect(_close_worker_connections, weak=False)
    try:
        with start_worker(app, perform_ping_check=False, shutdown_timeout=30) as worker:
            yield worker
    finally:
        task_postrun.disconnect(_close_worker_connections)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sweeps_from_redis_and_the_le_lead_is_reminded(redis_worker, le_lead, mailoutbox):
    GVISMeeting.objects.create(held_on=timezone.localdate())
    delivery = cn("after_action", entered=timezone.now() - dt.timedelta(days=3), le_lead=le_lead)

    reminders_sweep_task.delay()

    sent = _wait_for(lambda: Reminder.objects.filter(delivery=delivery, email_sent_at__isnull=False).first())
    assert sent is not None, "no reminder e-mailed within 30 s: is the worker consuming from Redis?"
    assert sent.recipient == le_lead
    assert [m.to for m in mailoutbox] == [[le_lead.email]]


@pytest.fixture
def redis_queue():
    """The real Redis broker's default queue, emptied before and after; no worker consumes from it."""
    app.conf.broker_url = settings.REDIS_URL
    app.conf.task_always_eager = False
    app.control.purge()
    with app.connection_for_read() as connection:
        queue = connection.SimpleQueue(app.conf.task_default_queue)
        try:
            yield queue
        finally:
            queue.close()
            app.control.purge()


def _queued_tasks(queue) -> list[tuple[str, list]]:
    tasks = []
    while True:
        try:
            message = queue.get(block=False)
        except queue.Empty:
            return tasks
        args, _kwargs, _embed = message.payload
        tasks.append((message.headers["task"], args))
        message.ack()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_sweep_queues_one_e_mail_task_per_chunk_not_one_per_reminder(redis_queue, le_lead, monkeypatch):
    from notifications import reminders

    GVISMeeting.objects.create(held_on=timezone.localdate())
    monkeypatch.setattr(reminders, "EMAIL_CHUNK_SIZE", 4)
    for _ in range(10):
        cn("after_action", entered=timezone.now() - dt.timedelta(days=3), le_lead=le_lead)

    assert reminders.reminders_sweep()["remind"] == 10

    tasks = _queued_tasks(redis_queue)
    assert [name for name, _args in tasks] == ["notifications.tasks.send_reminder_emails_task"] * 3  # ceil(10 / 4)
    queued_ids = sorted(pk for _name, (ids,) in tasks for pk in ids)
    assert queued_ids == sorted(Reminder.objects.values_list("pk", flat=True))
