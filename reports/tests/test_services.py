"""Service offers (the social services component) and outcome events: the services and their pages."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from candidates.models import OutcomeEvent, PartnerOrganization, ServiceOffer
from reports import services as s
from reports.tests.builders import OFFICER, cn, offer, person
from vip.errors import NotPermitted
from vip.models import AuditEvent

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


@pytest.fixture
def adult():
    return person("Orla", "Brightwater", dt.date(1998, 4, 4))


@pytest.fixture
def juvenile():
    return person("Kit", "Younger", TODAY.replace(year=TODAY.year - 15))


@pytest.fixture
def partner():
    return PartnerOrganization.objects.create(name="Casa Test")


def test_the_program_manager_records_an_offer_and_it_is_audited(program_manager, adult, partner):
    made = s.service_offer_create(user=program_manager, candidate=adult, service_type="shelter", partner=partner)
    assert (made.offered_by, made.offered_on, made.status) == (program_manager, TODAY, "offered")
    assert AuditEvent.objects.filter(action="create", object_type="candidates.ServiceOffer", object_id=made.pk).exists()


def test_an_officer_may_not_record_services(officer, adult):
    with pytest.raises(NotPermitted):
        s.service_offer_create(user=officer, candidate=adult, service_type="shelter")


def test_social_services_may_not_record_for_a_juvenile_they_do_not_serve(social_worker, juvenile):
    with pytest.raises(NotPermitted):
        s.service_offer_create(user=social_worker, candidate=juvenile, service_type="food_box")


def test_social_services_record_for_a_juvenile_on_their_team(social_worker, juvenile):
    cn(juvenile, "ready", team=[(social_worker, "social_services")])
    made = s.service_offer_create(user=social_worker, candidate=juvenile, service_type="food_box")
    assert made.candidate == juvenile


def test_a_status_change_is_dated_today_when_no_date_is_given(le_lead, adult):
    made = offer(adult, "job_training", "offered", TODAY - dt.timedelta(days=3))
    changed = s.service_offer_update(user=le_lead, offer_id=made.pk, status="accepted")
    assert changed.status_changed_on == TODAY
    assert AuditEvent.objects.get(action="update", object_id=made.pk, actor=le_lead).changes["status"] == [
        "offered",
        "accepted",
    ]


def test_a_status_dated_before_the_offer_is_refused_with_the_reason(le_lead, adult):
    made = offer(adult, "job_training", "offered", TODAY)
    with pytest.raises(ValidationError) as refused:
        s.service_offer_update(
            user=le_lead, offer_id=made.pk, status="declined", status_changed_on=TODAY - dt.timedelta(days=1)
        )
    assert "before the service was offered" in str(refused.value)


def test_an_offer_cannot_hang_on_another_persons_cn(le_lead, adult):
    other = cn(person("Not", "Them", dt.date(1990, 1, 1)), "ready")
    with pytest.raises(ValidationError) as refused:
        s.service_offer_create(user=le_lead, candidate=adult, service_type="shelter", delivery=other)
    assert "another person" in str(refused.value)


def test_an_outcome_needs_its_category_when_it_is_an_arrest(le_lead, adult):
    with pytest.raises(ValidationError) as refused:
        s.outcome_event_create(user=le_lead, candidate=adult, kind="arrest", occurred_on=TODAY, source_reference="R1")
    assert "category" in refused.value.message_dict


def test_social_services_may_not_record_outcomes(social_worker, adult):
    with pytest.raises(NotPermitted):
        s.outcome_event_create(
            user=social_worker, candidate=adult, kind="revictimization", occurred_on=TODAY, source_reference="C1"
        )


# --- the pages -----------------------------------------------------------------------------------------------


def test_the_services_page_lists_only_offers_on_candidates_the_user_may_see(client, social_worker, adult, juvenile):
    offer(adult, "shelter", "offered", TODAY, offered_by=social_worker)
    offer(juvenile, "food_box", "offered", TODAY)
    client.force_login(social_worker)
    page = client.get("/reports/services/")
    assert [o.candidate for o in page.context["page"]] == [adult]


def test_the_services_page_filters_by_status(client, program_manager, adult):
    offer(adult, "shelter", "offered", TODAY)
    offer(adult, "food_box", "accepted", TODAY)
    client.force_login(program_manager)
    page = client.get("/reports/services/", {"status": "accepted"})
    assert [o.service_type for o in page.context["page"]] == ["food_box"]


def test_a_social_worker_records_an_offer_through_the_form(client, social_worker, adult, partner):
    cn(adult, "ready", team=[(social_worker, "social_services")])
    client.force_login(social_worker)
    answer = client.post(
        f"/reports/services/new/?candidate={adult.pk}",
        {"service_type": "rental_assistance", "partner": partner.pk, "offered_by": social_worker.pk,
         "offered_on": TODAY.isoformat(), "status": "referred"},
    )  # fmt: skip
    assert answer.status_code == 302
    assert ServiceOffer.objects.get(candidate=adult).status_changed_on == TODAY


def test_a_new_offer_is_dated_today_until_changed_and_an_offer_keeps_its_date(client, social_worker, adult):
    cn(adult, "ready", team=[(social_worker, "social_services")])
    made = offer(adult, "shelter", "offered", TODAY - dt.timedelta(days=2), offered_by=social_worker)
    client.force_login(social_worker)
    new = client.get(f"/reports/services/new/?candidate={adult.pk}").context["form"]
    kept = client.get(f"/reports/services/{made.pk}/edit/").context["form"]
    assert new["offered_on"].value() == TODAY
    assert kept["offered_on"].value() == TODAY - dt.timedelta(days=2)


def test_the_form_keeps_what_was_typed_and_says_what_to_fix(client, program_manager, adult):
    client.force_login(program_manager)
    page = client.post(
        f"/reports/services/new/?candidate={adult.pk}",
        {"service_type": "shelter", "detail": "Two nights", "offered_by": program_manager.pk,
         "offered_on": (TODAY + dt.timedelta(days=3)).isoformat(), "status": "offered"},
    )  # fmt: skip
    html = page.content.decode()
    assert "The offer is dated in the future: check the date." in html
    assert 'value="Two nights"' in html


def test_a_candidate_the_user_may_not_see_is_not_found(client, social_worker, juvenile):
    client.force_login(social_worker)
    assert client.get(f"/reports/services/new/?candidate={juvenile.pk}").status_code == 404


def test_the_edit_page_records_a_new_status(client, program_manager, adult):
    made = offer(adult, "shelter", "offered", TODAY - dt.timedelta(days=2), offered_by=program_manager)
    client.force_login(program_manager)
    client.post(
        f"/reports/services/{made.pk}/edit/",
        {"service_type": "shelter", "offered_by": program_manager.pk,
         "offered_on": made.offered_on.isoformat(), "status": "completed"},
    )  # fmt: skip
    made.refresh_from_db()
    assert (made.status, made.status_changed_on) == ("completed", TODAY)


def test_the_le_lead_adds_an_outcome_on_the_outcomes_page(client, le_lead, adult):
    cn(adult, "closed", team=[(le_lead, OFFICER)])
    client.force_login(le_lead)
    answer = client.post(
        "/reports/outcomes/",
        {"candidate": adult.pk, "kind": "arrest", "category": "drug", "occurred_on": TODAY.isoformat(),
         "source_reference": "RMS-26-0042"},
    )  # fmt: skip
    assert answer.status_code == 302
    assert OutcomeEvent.objects.get(candidate=adult).source_reference == "RMS-26-0042"


def test_social_services_may_not_open_the_outcomes_page(client, social_worker):
    client.force_login(social_worker)
    assert client.get("/reports/outcomes/").status_code == 403


def test_recording_an_offer_without_a_person_asks_to_pick_one_first(client, program_manager):
    client.force_login(program_manager)
    assert client.get("/reports/services/new/").url == "/reports/services/"
