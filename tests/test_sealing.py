"""NMSA 32A-2-26: the Records Custodian seals a juvenile's record on a court order (its reference and date);
afterwards it behaves as if it never existed, except for the custodian, who alone may unseal it on another
order. Only juveniles; audited. The pages are tested in candidates/tests/test_sealing_pages.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from candidates.models import Candidate
from candidates.sealing import SEALED, UNSEALED, candidate_seal, candidate_unseal
from candidates.selectors import candidates_visible_to
from notifications.models import Delivery, TeamMember
from notifications.selectors import deliveries_visible_to
from tests.access_matrix import fast_password_hashing
from vip.errors import DomainError, NotPermitted
from vip.models import AuditEvent

pytestmark = pytest.mark.django_db
ORDER = "D-202-JR-2026-00042"
ORDERED_ON = dt.date.today() - dt.timedelta(days=3)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    fast_password_hashing(settings)


def _person(age: int, name: str = "Teo") -> Candidate:
    today = dt.date.today()
    return Candidate.objects.create(
        first_name=name, last_name="Sealtest", date_of_birth=today.replace(year=today.year - age)
    )


@pytest.fixture
def juvenile(le_lead, officer):
    person = _person(16)
    delivery = Delivery.objects.create(candidate=person, le_lead=le_lead)
    TeamMember.objects.create(delivery=delivery, user=officer, role=TeamMember.Role.OFFICER)
    return person


def test_the_custodian_seals_a_juveniles_record_on_a_court_order(juvenile, custodian):
    sealed = candidate_seal(juvenile, custodian, ORDER, ORDERED_ON)
    assert sealed.is_sealed and (sealed.sealing_order_reference, sealed.sealing_order_date) == (ORDER, ORDERED_ON)
    assert sealed.sealed_by == custodian


def test_the_sealing_is_audited_with_the_orders_reference_and_date(juvenile, custodian):
    candidate_seal(juvenile, custodian, ORDER, ORDERED_ON)
    event = AuditEvent.objects.get(action=AuditEvent.Action.SEAL)
    assert (event.actor, event.object_id, event.from_state, event.to_state) == (
        custodian, str(juvenile.pk), UNSEALED, SEALED
    )  # fmt: skip
    assert ORDER in event.note and ORDERED_ON.isoformat() in event.note
    assert event.changes["sealing_order_date"] == [None, ORDERED_ON.isoformat()]


def test_an_adults_record_cannot_be_sealed(custodian):
    with pytest.raises(DomainError) as refused:
        candidate_seal(_person(30), custodian, ORDER, ORDERED_ON)
    assert "Only a juvenile's record may be sealed" in refused.value.reasons["candidate"]


def test_a_record_made_while_the_person_was_a_juvenile_can_be_sealed_after_they_turn_18(custodian):
    person = _person(19)
    Candidate.objects.filter(pk=person.pk).update(created_at=timezone.now() - dt.timedelta(days=2 * 365))
    assert candidate_seal(Candidate.objects.get(pk=person.pk), custodian, ORDER, ORDERED_ON).is_sealed


def test_sealing_needs_the_order_reference(juvenile, custodian):
    with pytest.raises(DomainError) as refused:
        candidate_seal(juvenile, custodian, "  ", ORDERED_ON)
    assert "order_reference" in refused.value.reasons


def test_sealing_needs_the_orders_date(juvenile, custodian):
    with pytest.raises(DomainError) as refused:
        candidate_seal(juvenile, custodian, ORDER, None)
    assert "order_date" in refused.value.reasons


def test_an_order_dated_in_the_future_seals_nothing(juvenile, custodian):
    with pytest.raises(DomainError) as refused:
        candidate_seal(juvenile, custodian, ORDER, dt.date.today() + dt.timedelta(days=1))
    assert "cannot be dated after today" in refused.value.reasons["order_date"]
    assert not Candidate.objects.get(pk=juvenile.pk).is_sealed


@pytest.mark.parametrize("persona", ["administrator", "le_lead", "program_manager"])
def test_only_the_records_custodian_seals(juvenile, persona, request):
    with pytest.raises(NotPermitted):
        candidate_seal(juvenile, request.getfixturevalue(persona), ORDER, ORDERED_ON)


def test_a_sealed_record_cannot_be_sealed_twice(juvenile, custodian):
    candidate_seal(juvenile, custodian, ORDER, ORDERED_ON)
    with pytest.raises(DomainError, match="cannot be sealed"):
        candidate_seal(Candidate.objects.get(pk=juvenile.pk), custodian, ORDER, ORDERED_ON)


# --- unsealing, on another order --------------------------------------------------------------------

UNSEAL_ORDER = "D-202-JR-2026-00043"


def test_the_custodian_unseals_on_a_court_order_and_the_record_is_seen_again(juvenile, custodian, le_lead):
    candidate_seal(juvenile, custodian, ORDER, ORDERED_ON)
    candidate_unseal(juvenile, custodian, UNSEAL_ORDER, dt.date.today())
    assert candidates_visible_to(le_lead).filter(pk=juvenile.pk).exists()


def test_the_unsealing_is_audited_with_both_orders(juvenile, custodian):
    candidate_seal(juvenile, custodian, ORDER, ORDERED_ON)
    candidate_unseal(juvenile, custodian, UNSEAL_ORDER, dt.date.today())
    event = AuditEvent.objects.filter(action=AuditEvent.Action.SEAL).latest("at")
    assert (event.from_state, event.to_state) == (SEALED, UNSEALED)
    assert UNSEAL_ORDER in event.note and ORDER in event.note
    assert event.changes["unsealing_order_date"] == [None, dt.date.today().isoformat()]


def test_unsealing_needs_the_order_reference(juvenile, custodian):
    candidate_seal(juvenile, custodian, ORDER, ORDERED_ON)
    with pytest.raises(DomainError) as refused:
        candidate_unseal(juvenile, custodian, "", dt.date.today())
    assert "order_reference" in refused.value.reasons
    assert Candidate.objects.get(pk=juvenile.pk).is_sealed


def test_only_the_records_custodian_unseals(juvenile, custodian, administrator):
    candidate_seal(juvenile, custodian, ORDER, ORDERED_ON)
    with pytest.raises(NotPermitted):
        candidate_unseal(juvenile, administrator, UNSEAL_ORDER, dt.date.today())


def test_an_unsealed_record_cannot_be_unsealed(juvenile, custodian):
    with pytest.raises(DomainError, match="cannot be unsealed"):
        candidate_unseal(juvenile, custodian, UNSEAL_ORDER, dt.date.today())


# --- afterwards, as if it never existed -------------------------------------------------------------


def test_after_sealing_no_list_search_or_count_finds_it(juvenile, custodian, le_lead, program_manager):
    candidate_seal(juvenile, custodian, ORDER, ORDERED_ON)
    assert not candidates_visible_to(le_lead).filter(pk=juvenile.pk).exists()
    assert not candidates_visible_to(program_manager).filter(last_name="Sealtest").exists()


def test_after_sealing_its_cns_are_gone_too(juvenile, custodian, officer, le_lead):
    candidate_seal(juvenile, custodian, ORDER, ORDERED_ON)
    assert not deliveries_visible_to(officer).filter(candidate=juvenile).exists()
    assert not deliveries_visible_to(le_lead).filter(candidate=juvenile).exists()


def test_after_sealing_the_pages_answer_404(client, juvenile, custodian, le_lead):
    candidate_seal(juvenile, custodian, ORDER, ORDERED_ON)
    client.force_login(le_lead)
    assert client.get(f"/candidates/{juvenile.pk}/").status_code == 404
    assert client.get(f"/cn/{juvenile.deliveries.get().pk}/").status_code == 404


def test_the_records_custodian_still_sees_a_sealed_record(client, juvenile, custodian):
    candidate_seal(juvenile, custodian, ORDER, ORDERED_ON)
    client.force_login(custodian)
    assert client.get(f"/candidates/{juvenile.pk}/").status_code == 200


# --- after unsealing, no trace of the sealing outside the custodian's trail -------------------------------


def test_after_unsealing_the_candidates_history_does_not_show_the_sealing(juvenile, custodian):
    from candidates.history import candidate_history

    seen_before = len(candidate_history(juvenile))
    candidate_seal(juvenile, custodian, ORDER, ORDERED_ON)
    candidate_unseal(juvenile, custodian, UNSEAL_ORDER, dt.date.today())
    assert len(candidate_history(juvenile)) == seen_before


def test_after_unsealing_the_program_managers_audit_trail_does_not_show_the_sealing(
    juvenile, custodian, program_manager
):
    from vip.audit import audit_events_visible_to

    candidate_seal(juvenile, custodian, ORDER, ORDERED_ON)
    candidate_unseal(juvenile, custodian, UNSEAL_ORDER, dt.date.today())

    def the_sealing_rows(user):
        return audit_events_visible_to(user).filter(
            object_type="candidates.Candidate", object_id=str(juvenile.pk), changes__has_key="sealed_at"
        )

    assert the_sealing_rows(custodian).filter(action=AuditEvent.Action.UPDATE).count() == 2
    assert not the_sealing_rows(program_manager).exists()
