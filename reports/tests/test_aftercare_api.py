"""/api/partner-referrals/, /api/consents/, /api/needs/, /api/case-notes/, /api/partners/ (issue 19): a referral
is shared only under the person's consent (409 in words otherwise), substance use only under a 42 CFR Part 2 one,
and every row about substance use carries the redisclosure notice."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from candidates.aftercare.kinds import REDISCLOSURE_NOTICE
from candidates.aftercare.models import Consent, PartnerReferral
from candidates.tests.aftercare_builders import TODAY, consent, partner, served_adult
from vip.models import AuditEvent

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def orla(social_worker):
    return served_adult(social_worker)


@pytest.fixture
def casa(db):
    return partner("Casa Esperanza", "housing", "substance_use")


def refer(user, person, to, area="housing"):
    return api(user).post("/api/partner-referrals/", {"candidate": person.pk, "partner": to.pk, "area": area})


def test_it_refuses_a_referral_without_consent_with_409_and_the_reason_in_words(social_worker, orla, casa):
    answer = refer(social_worker, orla, casa)
    assert answer.status_code == 409
    assert answer.data["detail"] == (
        "Referral refused: Orla Brightwater has given no consent to share with Casa Esperanza for a referral. "
        "Record the person's consent first."
    )
    assert not PartnerReferral.objects.exists()


def test_it_makes_a_referral_under_a_valid_consent_with_a_follow_up_date(social_worker, orla, casa):
    given = consent(orla, to=casa)
    answer = refer(social_worker, orla, casa)
    assert answer.status_code == 201
    assert (answer.data["consent"], answer.data["result"]) == (given.pk, "pending")
    assert answer.data["follow_up_due"] == (TODAY + dt.timedelta(days=14)).isoformat()


def test_it_refuses_a_referral_to_another_partner_than_the_consent_names(social_worker, orla, casa):
    consent(orla, to=partner("Another Door", "housing"))
    assert refer(social_worker, orla, casa).status_code == 409


def test_it_refuses_substance_use_under_an_ordinary_consent_citing_part_2(social_worker, orla, casa):
    consent(orla, to=casa, part2=False)
    answer = refer(social_worker, orla, casa, area="substance_use")
    assert answer.status_code == 409
    assert "has given no 42 CFR Part 2 consent (substance use) to share with Casa Esperanza" in answer.data["detail"]


def test_it_makes_a_substance_use_referral_under_a_part_2_consent_with_the_notice(social_worker, orla, casa):
    consent(orla, to=casa, part2=True)
    answer = refer(social_worker, orla, casa, area="substance_use")
    assert answer.status_code == 201
    assert answer.data["redisclosure_notice"] == REDISCLOSURE_NOTICE


def test_a_housing_referral_carries_no_part_2_notice(social_worker, orla, casa):
    consent(orla, to=casa)
    assert refer(social_worker, orla, casa).data["redisclosure_notice"] == ""


def test_it_refuses_a_referral_after_the_consent_was_withdrawn(social_worker, orla, casa):
    given = consent(orla, to=casa)
    assert api(social_worker).post(f"/api/consents/{given.pk}/withdraw/").status_code == 200
    answer = refer(social_worker, orla, casa)
    assert answer.status_code == 409
    assert f"withdrew consent to share with Casa Esperanza on {TODAY:%b %d, %Y}" in answer.data["detail"]


def test_the_withdrawal_is_audited_with_who_and_why(social_worker, orla, casa):
    given = consent(orla, to=casa)
    api(social_worker).post(f"/api/consents/{given.pk}/withdraw/")
    row = AuditEvent.objects.filter(object_type="candidates.Consent", object_id=str(given.pk), actor=social_worker)
    assert row.filter(note="Consent withdrawn: no further sharing under it.").exists()


def test_it_refuses_a_referral_under_an_expired_consent(social_worker, orla, casa):
    consent(orla, to=casa, decided_on=TODAY - dt.timedelta(days=30), expires_on=TODAY - dt.timedelta(days=1))
    answer = refer(social_worker, orla, casa)
    assert answer.status_code == 409
    assert "expired on" in answer.data["detail"]


def test_it_refuses_a_referral_the_person_refused_consent_for(social_worker, orla, casa):
    consent(orla, to=casa, decision=Consent.Decision.REFUSED)
    assert "refused consent to share with Casa Esperanza" in refer(social_worker, orla, casa).data["detail"]


def test_a_verbal_consent_without_its_witness_is_a_400_next_to_the_field(social_worker, orla, casa):
    answer = api(social_worker).post(
        "/api/consents/",
        {
            "candidate": orla.pk,
            "partner": casa.pk,
            "purpose": "referral",
            "decision": "given",
            "method": "verbal_witnessed",
        },
    )
    assert answer.status_code == 400
    assert answer.data["witness"] == ["A verbal consent needs its witness: give their name."]


def test_the_navigator_records_the_result_and_its_date(social_worker, orla, casa):
    consent(orla, to=casa)
    made = refer(social_worker, orla, casa).data
    answer = api(social_worker).post(f"/api/partner-referrals/{made['id']}/result/", {"result": "enrolled"})
    assert (answer.data["result"], answer.data["result_on"]) == ("enrolled", TODAY.isoformat())


def test_a_need_is_recorded_with_the_date_it_changed(social_worker, orla):
    answer = api(social_worker).post("/api/needs/", {"candidate": orla.pk, "area": "housing", "status": "unmet"})
    assert (answer.status_code, answer.data["status_changed_on"]) == (201, TODAY.isoformat())


def test_the_program_manager_reads_but_never_writes(program_manager, orla, casa):
    consent(orla, purpose=Consent.Purpose.PROGRAM_REVIEW)
    assert api(program_manager).get("/api/consents/").status_code == 200
    assert refer(program_manager, orla, casa).status_code == 403


def test_the_program_manager_reads_no_detail_without_the_persons_consent(program_manager, social_worker, orla):
    api(social_worker).post("/api/case-notes/", {"candidate": orla.pk, "text": "Sleeping at a cousin's."})
    assert api(program_manager).get("/api/case-notes/").data["count"] == 0
    consent(orla, purpose=Consent.Purpose.PROGRAM_REVIEW)
    assert api(program_manager).get("/api/case-notes/").data["count"] == 1


def test_the_program_manager_reads_substance_use_only_under_a_part_2_program_review(
    program_manager, social_worker, orla
):
    api(social_worker).post("/api/needs/", {"candidate": orla.pk, "area": "substance_use", "status": "unmet"})
    consent(orla, purpose=Consent.Purpose.PROGRAM_REVIEW, part2=False)
    assert api(program_manager).get("/api/needs/").data["count"] == 0
    consent(orla, purpose=Consent.Purpose.PROGRAM_REVIEW, part2=True)
    assert api(program_manager).get("/api/needs/").data["count"] == 1


@pytest.mark.parametrize("persona", ["le_lead", "officer", "administrator", "custodian"])
def test_enforcement_and_the_administrator_are_refused_every_endpoint(request, persona):
    user = request.getfixturevalue(persona)
    for path in ("/api/needs/", "/api/partner-referrals/", "/api/consents/", "/api/case-notes/", "/api/partners/"):
        assert api(user).get(path).status_code == 403, path


def test_a_partner_lists_its_contacts_and_the_service_types_it_takes(social_worker, casa):
    casa.contacts.create(name="Marisol Ortega", role="Intake", phone="505-555-0101")
    answer = api(social_worker).get(f"/api/partners/{casa.pk}/")
    assert answer.data["service_types"] == ["housing", "substance_use"]
    assert answer.data["contacts"][0]["name"] == "Marisol Ortega"


def test_a_partner_that_does_not_take_the_need_is_refused_in_words(social_worker, orla):
    food_bank = partner("Roadrunner Food Bank", "food")
    consent(orla, to=food_bank)
    answer = refer(social_worker, orla, food_bank, area="housing")
    assert answer.status_code == 400
    assert answer.data["detail"] == "Roadrunner Food Bank does not take housing referrals (it takes food)."
