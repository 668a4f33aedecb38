"""One idempotency layer for the REST API and the tablet (vip/idempotency.py): a retried POST is applied once.

A key belongs to the user who sent it; a replay shows its stored answer only while the user may still see
what it shows; a key left by a crashed request is taken over after VIP_IDEMPOTENCY_CLAIM_TIMEOUT; stored
answers are kept VIP_IDEMPOTENCY_KEPT_FOR (24 hours) and then purged by the beat schedule.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from candidates.models import Candidate
from notifications.models import Delivery, State, TeamMember
from notifications.tests.conftest import make_candidate, transitions_of
from notifications.tests.test_tablet_support import ready_delivery
from vip.models import IdempotencyRecord

pytestmark = pytest.mark.django_db

REFUSAL = {"note": "Asked us to leave."}
PERSON = {"first_name": "Jordan", "last_name": "Alvarez", "date_of_birth": "2003-04-05", "sex": "M"}


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def refuse_by_api(user, cn, key: str, body=REFUSAL):
    return api(user).post(
        f"/api/deliveries/{cn.pk}/record-refusal/", body, format="json", headers={"Idempotency-Key": key}
    )


def open_cn_by_api(user, candidate, key: str):
    return api(user).post(
        "/api/deliveries/", {"candidate": candidate.pk}, format="json", headers={"Idempotency-Key": key}
    )


def advise_on_tablet(client, user, cn, key: str, reference: str = "ECC-17", **extra):
    client.force_login(user)
    return client.post(
        reverse("tablet:advise_ecc", args=[cn.pk]),
        {"idempotency_key": key, "ecc_reference": reference, "advised_at": "2026-11-23T09:15", "location": "here"},
        **extra,
    )


def aged(user, key: str, age: dt.timedelta, *, answered: bool = True) -> None:
    """Set-up: the user's record of `key` as if claimed `age` ago (and, unless answered, never answered)."""
    records = IdempotencyRecord.objects.filter(user=user, key=key)
    if not answered:
        records.update(response_status=None, response_body=None)
    records.update(created_at=timezone.now() - age)


def purge() -> int:
    """What the beat schedule runs hourly."""
    from vip.tasks import purge_expired_idempotency_records

    return purge_expired_idempotency_records()


@pytest.fixture
def ready(le_lead, officer):
    return ready_delivery(le_lead, [officer])


@pytest.fixture
def at_the_door(walk_to):
    return walk_to("ecc_advised")


# --- a key belongs to the user who sent it ----------------------------------------------------------------


def test_it_keeps_the_same_key_from_two_users_apart(le_lead, officer, at_the_door):
    refuse_by_api(officer, at_the_door, "tap-1")
    response = open_cn_by_api(le_lead, make_candidate(last="Baca"), "tap-1")
    assert response.status_code == 201


# --- a replay re-checks access now ------------------------------------------------------------------------


def test_it_answers_a_replay_404_once_the_cn_is_off_the_officers_team(officer, at_the_door):
    first = refuse_by_api(officer, at_the_door, "k-team")
    TeamMember.objects.filter(delivery=at_the_door, user=officer).delete()
    again = refuse_by_api(officer, at_the_door, "k-team")
    assert first.status_code == 200
    assert again.status_code == 404 and "state" not in again.json()


def test_it_answers_a_replay_of_a_new_cn_404_once_the_person_is_sealed(le_lead):
    person = make_candidate(last="Sealed")
    first = open_cn_by_api(le_lead, person, "k-open")
    Candidate.objects.filter(pk=person.pk).update(sealed_at=timezone.now())
    again = open_cn_by_api(le_lead, person, "k-open")
    assert first.status_code == 201
    assert again.status_code == 404 and again.json()["code"] == "not_found"


def test_it_answers_a_replayed_intake_404_once_the_person_is_sealed(le_lead):
    client = api(le_lead)
    first = client.post("/api/candidates/", PERSON, format="json", headers={"Idempotency-Key": "k-intake"})
    Candidate.objects.filter(pk=first.json()["id"]).update(sealed_at=timezone.now())
    again = client.post("/api/candidates/", PERSON, format="json", headers={"Idempotency-Key": "k-intake"})
    assert again.status_code == 404 and "first_name" not in again.json()


def test_it_answers_a_tablet_replay_404_once_the_cn_is_off_the_officers_team(client, officer, ready):
    advise_on_tablet(client, officer, ready, "k-tab")
    TeamMember.objects.filter(delivery=ready, user=officer).delete()
    assert advise_on_tablet(client, officer, ready, "k-tab").status_code == 404


# --- a key left by a crashed request ----------------------------------------------------------------------


def test_it_takes_over_a_key_a_crashed_api_request_left_after_the_timeout(officer, at_the_door):
    IdempotencyRecord.objects.create(user=officer, key="k-crash", method="POST", request_hash="unknown")
    aged(officer, "k-crash", dt.timedelta(seconds=90), answered=False)
    assert refuse_by_api(officer, at_the_door, "k-crash").status_code == 200


def test_it_takes_over_a_key_a_crashed_tablet_request_left_after_the_timeout(client, officer, ready):
    IdempotencyRecord.objects.create(user=officer, key="k-crash", method="POST", request_hash="unknown")
    aged(officer, "k-crash", dt.timedelta(seconds=90), answered=False)
    assert advise_on_tablet(client, officer, ready, "k-crash").status_code == 302
    assert Delivery.objects.get(pk=ready.pk).state == State.ECC_ADVISED


def test_it_answers_409_in_progress_to_a_duplicate_within_the_timeout(settings, officer, at_the_door):
    settings.VIP_IDEMPOTENCY_WAIT = dt.timedelta(0)
    refuse_by_api(officer, at_the_door, "k-busy")
    aged(officer, "k-busy", dt.timedelta(seconds=5), answered=False)  # the first request is still running
    response = refuse_by_api(officer, at_the_door, "k-busy")
    assert (response.status_code, response.json()["code"]) == (409, "in_progress")
    assert transitions_of(at_the_door).count(("ecc_advised", "refused")) == 1


# --- stored answers expire after a day --------------------------------------------------------------------


def test_the_beat_task_purges_answers_older_than_a_day_and_the_key_is_then_new(le_lead):
    open_cn_by_api(le_lead, make_candidate(last="Baca"), "k-day")
    aged(le_lead, "k-day", dt.timedelta(hours=25))
    purged = purge()
    again = open_cn_by_api(le_lead, make_candidate(last="Chavez"), "k-day")
    assert purged == 1
    assert again.status_code == 201 and "Idempotent-Replay" not in again.headers


def test_an_expired_answer_not_yet_purged_is_not_replayed(le_lead):
    open_cn_by_api(le_lead, make_candidate(last="Baca"), "k-old")
    aged(le_lead, "k-old", dt.timedelta(hours=25))
    again = open_cn_by_api(le_lead, make_candidate(last="Chavez"), "k-old")
    assert again.status_code == 201


def test_the_purge_keeps_answers_younger_than_a_day(le_lead):
    open_cn_by_api(le_lead, make_candidate(last="Baca"), "k-young")
    aged(le_lead, "k-young", dt.timedelta(hours=23))
    assert purge() == 0


def test_setup_schedules_registers_the_purge_hourly():
    from io import StringIO

    from django.core.management import call_command
    from django_celery_beat.models import PeriodicTask

    call_command("setup_schedules", stdout=StringIO())
    task = PeriodicTask.objects.get(task="vip.tasks.purge_expired_idempotency_records")
    assert (task.interval.every, task.interval.period) == (1, "hours")


# --- the tablet and the API share one layer ---------------------------------------------------------------


def test_a_tablet_key_is_purged_like_an_api_key_and_is_then_new(client, le_lead, officer, ready):
    advise_on_tablet(client, officer, ready, "k-shared")
    aged(officer, "k-shared", dt.timedelta(hours=25))
    purge()
    other = ready_delivery(le_lead, [officer], last="Baca")
    assert advise_on_tablet(client, officer, other, "k-shared").status_code == 302
    assert Delivery.objects.get(pk=other.pk).state == State.ECC_ADVISED


def test_a_key_the_tablet_answered_is_not_applied_again_through_the_api(client, officer, ready):
    advise_on_tablet(client, officer, ready, "k-both")
    response = api(officer).post(
        f"/api/deliveries/{ready.pk}/advise-ecc/",
        {"ecc_reference": "ECC-17"},
        format="json",
        headers={"Idempotency-Key": "k-both"},
    )
    assert response.status_code == 422
    assert transitions_of(ready).count(("ready", "ecc_advised")) == 1


# --- a key that cannot be stored is refused in words ------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("tap\x01one", "control character"),  # a NUL is refused before: test_bad_input_tablet
        ("k" * 201, "too long (200 characters at most)"),
    ],
)
def test_the_tablet_refuses_a_key_it_cannot_keep_with_a_400(client, officer, ready, key, words):
    response = advise_on_tablet(client, officer, ready, key, HTTP_X_VIP_QUEUE="1")
    assert response.status_code == 400 and words in response.json()["detail"]


def test_the_api_refuses_a_key_with_a_nul_byte_with_a_400(officer, at_the_door):
    response = refuse_by_api(officer, at_the_door, "tap\x00one")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
