"""A referral's follow-up (issue 19): when its date comes and no result is recorded, the reminder sweep reminds its
navigator once, in the inbox and by e-mail, naming no person, partner or need."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from candidates.aftercare import services
from candidates.models import GVISMeeting
from candidates.tests.aftercare_builders import TODAY, consent, partner, served_adult
from notifications import reminders
from notifications.reminders.models import Reminder

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def recent_gvis(db):
    """A GVIS meeting past every moved clock, so the weekly review reminder stays out of these tests."""
    return GVISMeeting.objects.create(held_on=TODAY + dt.timedelta(days=30))


@pytest.fixture
def sweep(settings, django_capture_on_commit_callbacks):
    from vip.celery import app

    app.conf.task_always_eager = True

    def run(on: dt.date) -> dict[str, int]:
        noon = dt.datetime.combine(on, dt.time(12), tzinfo=timezone.get_current_timezone())
        with django_capture_on_commit_callbacks(execute=True):
            return reminders.reminders_sweep(now=noon)

    yield run
    app.conf.task_always_eager = False


@pytest.fixture
def referral(social_worker):
    social_worker.email = "luis@example.org"
    social_worker.save()
    orla = served_adult(social_worker)
    casa = partner("Casa Esperanza", "housing")
    consent(orla, to=casa)
    return services.referral_create(
        user=social_worker, candidate=orla, partner=casa, area="housing", follow_up_due=TODAY + 3 * DAY
    )


def test_it_reminds_the_navigator_once_when_the_follow_up_is_due_with_no_result(sweep, referral, social_worker):
    sweep(TODAY + 3 * DAY)
    sweep(TODAY + 4 * DAY)
    sent = Reminder.objects.get(kind=Reminder.Kind.FOLLOW_UP)
    assert (sent.recipient, sent.referral) == (social_worker, referral)
    assert len(mail.outbox) == 1


def test_it_does_not_remind_before_the_follow_up_date(sweep, referral):
    assert sweep(TODAY + 2 * DAY)["follow_up"] == 0


def test_it_does_not_remind_once_a_result_is_recorded(sweep, referral, social_worker):
    services.referral_record_result(user=social_worker, referral_id=referral.pk, result="enrolled")
    assert sweep(TODAY + 5 * DAY)["follow_up"] == 0


def test_a_new_follow_up_date_reminds_again_when_it_comes(sweep, referral, social_worker):
    sweep(TODAY + 3 * DAY)
    services.referral_record_result(
        user=social_worker, referral_id=referral.pk, result="pending", follow_up_due=TODAY + 10 * DAY
    )
    assert sweep(TODAY + 10 * DAY)["follow_up"] == 1


def test_the_reminder_names_no_person_partner_or_need(sweep, referral):
    sweep(TODAY + 3 * DAY)
    message = Reminder.objects.get(kind=Reminder.Kind.FOLLOW_UP).message + mail.outbox[0].body
    assert not any(word in message for word in ("Orla", "Brightwater", "Casa", "housing", "Housing"))


def test_the_inbox_shows_it_done_once_the_result_is_recorded(sweep, referral, social_worker):
    sweep(TODAY + 3 * DAY)
    services.referral_record_result(user=social_worker, referral_id=referral.pk, result="completed")
    assert Reminder.objects.get(kind=Reminder.Kind.FOLLOW_UP).moved_on
