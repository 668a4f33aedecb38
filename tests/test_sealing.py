"""NMSA 32A-2-26: an administrator seals a juvenile's record on a court order; afterwards it behaves as if it
never existed, except for the Records Custodian. Only juveniles; audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from candidates.models import Candidate
from candidates.sealing import candidate_seal
from candidates.selectors import candidates_visible_to
from notifications.models import Delivery, TeamMember
from notifications.selectors import deliveries_visible_to
from tests.access_matrix import fast_password_hashing
from vip.errors import DomainError, NotPermitted
from vip.models import AuditEvent

pytestmark = pytest.mark.django_db
ORDER = "D-202-JR-2026-00042"


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


def test_an_administrator_seals_a_juveniles_record_on_a_court_order(juvenile, administrator):
    sealed = candidate_seal(juvenile, administrator, ORDER)
    assert (sealed.is_sealed, sealed.sealing_order_reference, sealed.sealed_by) == (True, ORDER, administrator)


def test_the_sealing_is_audited_with_the_order(juvenile, administrator):
    candidate_seal(juvenile, administrator, ORDER)
    event = AuditEvent.objects.get(action=AuditEvent.Action.SEAL)
    assert (event.actor, event.object_id) == (administrator, str(juvenile.pk))
    assert ORDER in event.note


def test_an_adults_record_cannot_be_sealed(administrator):
    with pytest.raises(DomainError) as refused:
        candidate_seal(_person(30), administrator, ORDER)
    assert "Only a juvenile's record may be sealed" in refused.value.reasons["candidate"]


def test_a_record_made_while_the_person_was_a_juvenile_can_be_sealed_after_they_turn_18(administrator):
    person = _person(19)
    Candidate.objects.filter(pk=person.pk).update(created_at=timezone.now() - dt.timedelta(days=2 * 365))
    assert candidate_seal(Candidate.objects.get(pk=person.pk), administrator, ORDER).is_sealed


def test_sealing_needs_the_order_reference(juvenile, administrator):
    with pytest.raises(DomainError) as refused:
        candidate_seal(juvenile, administrator, "  ")
    assert "order_reference" in refused.value.reasons


def test_only_an_administrator_seals(juvenile, le_lead):
    with pytest.raises(NotPermitted):
        candidate_seal(juvenile, le_lead, ORDER)


def test_a_sealed_record_cannot_be_sealed_twice(juvenile, administrator):
    candidate_seal(juvenile, administrator, ORDER)
    with pytest.raises(DomainError, match="cannot be sealed"):
        candidate_seal(Candidate.objects.get(pk=juvenile.pk), administrator, ORDER)


# --- afterwards, as if it never existed -------------------------------------------------------------


def test_after_sealing_no_list_search_or_count_finds_it(juvenile, administrator, le_lead, program_manager):
    candidate_seal(juvenile, administrator, ORDER)
    assert not candidates_visible_to(le_lead).filter(pk=juvenile.pk).exists()
    assert not candidates_visible_to(program_manager).filter(last_name="Sealtest").exists()


def test_after_sealing_its_cns_are_gone_too(juvenile, administrator, officer, le_lead):
    candidate_seal(juvenile, administrator, ORDER)
    assert not deliveries_visible_to(officer).filter(candidate=juvenile).exists()
    assert not deliveries_visible_to(le_lead).filter(candidate=juvenile).exists()


def test_after_sealing_the_pages_answer_404(client, juvenile, administrator, le_lead):
    candidate_seal(juvenile, administrator, ORDER)
    client.force_login(le_lead)
    assert client.get(f"/candidates/{juvenile.pk}/").status_code == 404
    assert client.get(f"/cn/{juvenile.deliveries.get().pk}/").status_code == 404


def test_the_records_custodian_still_sees_a_sealed_record(client, juvenile, administrator, custodian):
    candidate_seal(juvenile, administrator, ORDER)
    client.force_login(custodian)
    assert client.get(f"/candidates/{juvenile.pk}/").status_code == 200


# --- the form page ----------------------------------------------------------------------------------


def test_the_seal_page_shows_whom_it_seals_before_sealing(client, juvenile, administrator):
    client.force_login(administrator)
    page = client.get(f"/audit/seal/{juvenile.pk}/")
    assert "Teo Sealtest" in page.content.decode()


def test_the_seal_page_finds_the_record_by_its_number(client, juvenile, administrator):
    client.force_login(administrator)
    assert client.get("/audit/seal/", {"record": juvenile.pk}).url == f"/audit/seal/{juvenile.pk}/"


def test_the_seal_page_seals(client, juvenile, administrator):
    client.force_login(administrator)
    client.post(f"/audit/seal/{juvenile.pk}/", {"order_reference": ORDER})
    assert Candidate.objects.get(pk=juvenile.pk).is_sealed


def test_the_seal_page_explains_a_refusal_and_keeps_what_was_typed(client, administrator):
    adult = _person(40)
    client.force_login(administrator)
    page = client.post(f"/audit/seal/{adult.pk}/", {"order_reference": ORDER})
    assert page.status_code == 400
    assert "Only a juvenile&#x27;s record may be sealed" in page.content.decode() and ORDER in page.content.decode()


def test_the_seal_page_is_for_administrators_only(client, juvenile, le_lead):
    client.force_login(le_lead)
    assert client.get(f"/audit/seal/{juvenile.pk}/").status_code == 403


def test_the_admin_action_opens_the_sealing_form_for_the_one_record(juvenile, administrator):
    from django.contrib import admin
    from django.test import RequestFactory

    from vip.admin_access import SelectorScopedAdminMixin, seal_on_court_order

    class CandidateAdmin(SelectorScopedAdminMixin, admin.ModelAdmin):
        actions = [seal_on_court_order]

    request = RequestFactory().post("/admin/candidates/candidate/")
    request.user = administrator
    response = seal_on_court_order(
        CandidateAdmin(Candidate, admin.site), request, Candidate.objects.filter(pk=juvenile.pk)
    )
    assert response.url == f"/audit/seal/{juvenile.pk}/"
