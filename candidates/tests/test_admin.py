"""The admin: searchable and filterable, the same rules as the pages and the API, audited."""

import datetime as dt

import pytest

from candidates import models as m
from candidates.models import today
from candidates.tests.factories import make_candidate, make_shooting
from vip.models import AuditEvent

pytestmark = pytest.mark.django_db

ADMIN_PAGES = [
    "candidate",
    "influencer",
    "referral",
    "eligibilitybasis",
    "groupmembership",
    "group",
    "shooting",
    "gvismeeting",
    "partnerorganization",
    "serviceoffer",
    "outcomeevent",
]


@pytest.fixture
def staff_lead(le_lead):
    le_lead.is_staff = True
    le_lead.save()
    return le_lead


@pytest.mark.parametrize("model", ADMIN_PAGES)
def test_every_candidate_record_has_a_searchable_admin_list(client, staff_lead, model):
    make_candidate()
    client.force_login(staff_lead)
    assert client.get(f"/admin/candidates/{model}/?q=a").status_code == 200


def test_the_admin_refuses_a_basis_without_evidence_with_the_reason(client, staff_lead):
    person = make_candidate()
    client.force_login(staff_lead)
    response = client.post("/admin/candidates/eligibilitybasis/add/", {"candidate": person.pk, "kind": "driver"})
    assert "Write the information that identifies a driver of gun violence." in response.content.decode()
    assert not m.EligibilityBasis.objects.exists()


def test_the_admin_refuses_the_influencer_basis_for_a_juvenile(client, staff_lead):
    person = make_candidate(age=16)
    client.force_login(staff_lead)
    data = {"candidate": person.pk, "kind": "influencer", "shooting": make_shooting().pk, "related_person_name": "X"}
    response = client.post("/admin/candidates/eligibilitybasis/add/", data)
    assert "adults only" in response.content.decode()


def test_a_change_in_the_admin_is_audited_with_who_made_it(client, staff_lead):
    client.force_login(staff_lead)
    data = {
        "candidate": make_candidate().pk,
        "source": "department",
        "referred_by": "Det. Ruiz",
        "referred_on": today().isoformat(),
        "reason": "Named in a shooting",
    }
    client.post("/admin/candidates/referral/add/", data)
    referral = m.Referral.objects.get()
    assert AuditEvent.objects.filter(object_id=str(referral.pk), actor=staff_lead, action="create").exists()


def test_the_admin_shows_an_officer_nobody_they_do_not_work_with(client, officer):
    officer.is_staff = True
    officer.save()
    make_candidate(last="Hiddenperson")
    client.force_login(officer)
    assert "Hiddenperson" not in client.get("/admin/candidates/candidate/").content.decode()


def _sealed_juvenile(custodian):
    from candidates.sealing import candidate_seal

    born = today().replace(year=today().year - 15)
    person = m.Candidate.objects.create(first_name="Sealed", last_name="Juvenile", date_of_birth=born)
    candidate_seal(person, custodian, "D-202-JR-2026-00042", dt.date.today())
    return person


def test_a_sealed_record_s_old_versions_are_not_found_in_the_admin(client, staff_lead, custodian):
    person = _sealed_juvenile(custodian)
    version = AuditEvent.objects.filter(object_type="candidates.Candidate", object_id=str(person.pk)).first().pk
    client.force_login(staff_lead)
    assert client.get(f"/admin/candidates/candidate/{person.pk}/history/{version}/", follow=True).status_code == 404


def test_a_sealed_record_s_history_list_is_not_found_in_the_admin(client, staff_lead, custodian):
    person = _sealed_juvenile(custodian)
    client.force_login(staff_lead)
    assert client.get(f"/admin/candidates/candidate/{person.pk}/history/").status_code == 404
