"""Two people move the same CN at the same moment: one wins, the other is told, nothing is lost."""

import threading

import pytest
from django.db import connection

from notifications import services as s
from notifications.models import Delivery, State
from notifications.tests.conftest import make_candidate, transitions_of, walk
from vip.errors import Conflict, DomainError, TransitionRefused

pytestmark = pytest.mark.django_db(transaction=True)


def _race(*calls):
    """Run the calls in threads released together; each thread has its own database connection."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each side got
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_two_officers_recording_different_outcomes_at_once_one_wins(le_lead, officer, second_officer):
    cn = s.delivery_create(user=le_lead, candidate=make_candidate())
    s.add_team_member(cn.pk, user=le_lead, member=second_officer, role="officer")
    walk(cn, "ecc_advised", lead=le_lead, officer=officer)
    results = _race(
        lambda: s.delivery_record_refusal(cn.pk, user=officer),
        lambda: s.delivery_record_not_located(cn.pk, user=second_officer),
    )
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(losers) == 1 and isinstance(losers[0], (Conflict, TransitionRefused))
    assert Delivery.objects.get(pk=cn.pk).state in (State.REFUSED, State.NOT_LOCATED)
    assert transitions_of(cn)[-1][0] == "ecc_advised" and cn.encounters.count() == 1


def test_the_same_transition_twice_at_once_is_applied_once(le_lead):
    cn = s.delivery_create(user=le_lead, candidate=make_candidate())
    results = _race(
        lambda: s.delivery_determine_eligibility(cn.pk, user=le_lead),
        lambda: s.delivery_determine_eligibility(cn.pk, user=le_lead),
    )
    assert sum(isinstance(r, DomainError) for r in results) == 1
    assert transitions_of(cn) == [("identified", "eligible")]


def test_two_le_leads_opening_a_cn_for_one_person_make_one(le_lead):
    person = make_candidate()
    results = _race(
        lambda: s.delivery_create(user=le_lead, candidate=person),
        lambda: s.delivery_create(user=le_lead, candidate=person),
    )
    assert sum(isinstance(r, DomainError) for r in results) == 1
    assert Delivery.objects.filter(candidate=person).count() == 1


def test_two_retries_with_the_same_key_at_once_apply_the_refusal_once(le_lead, officer):
    from rest_framework.test import APIClient

    cn = s.delivery_create(user=le_lead, candidate=make_candidate())
    walk(cn, "ecc_advised", lead=le_lead, officer=officer)

    def tap():
        client = APIClient()
        client.force_authenticate(officer)
        url = f"/api/deliveries/{cn.pk}/record-refusal/"
        return client.post(url, {"note": "Left."}, format="json", headers={"Idempotency-Key": "tap-1"}).status_code

    codes = sorted(_race(tap, tap))
    assert codes in ([200, 200], [200, 409])  # the second waits for the first's key, or finds it in progress
    assert transitions_of(cn).count(("ecc_advised", "refused")) == 1 and cn.encounters.count() == 1
