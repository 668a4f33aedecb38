"""The LE Lead's pages: board, CN page with checklist, forms and transitions, letter, new CN, personnel."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from candidates.models import ServiceOffer
from notifications import services as s
from notifications.models import Check, Delivery, State
from notifications.tests.conftest import make_candidate

pytestmark = pytest.mark.django_db

TODAY = str(timezone.localdate())


@pytest.fixture
def lead_client(client, le_lead):
    client.force_login(le_lead)
    return client


# --- board -----------------------------------------------------------------------------------------


def test_the_board_groups_cns_by_state_with_counts(lead_client, cn, walk_to):
    walk_to("eligible")
    s.delivery_create(user=cn.le_lead, candidate=make_candidate(last="Second"))
    html = lead_client.get("/cn/board/").content.decode()
    assert 'aria-label="1 CNs"' in html and "Jordan Second" in html


def test_the_board_shows_a_juvenile_badge(lead_client, le_lead, juvenile):
    s.delivery_create(user=le_lead, candidate=juvenile)
    assert "badge-juvenile" in lead_client.get("/cn/board/").content.decode()


def test_the_board_filters_by_state(lead_client, le_lead, cn, walk_to):
    walk_to("eligible")
    s.delivery_create(user=le_lead, candidate=make_candidate(last="Second"))
    html = lead_client.get("/cn/board/?state=eligible").content.decode()
    assert "Jordan Alvarez" in html and "Jordan Second" not in html


def test_the_board_query_count_does_not_grow_with_the_rows(lead_client, le_lead):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert lead_client.get("/cn/board/").status_code == 200
        return len(captured)

    s.delivery_create(user=le_lead, candidate=make_candidate(last="One"))
    few = queries()
    for n in range(6):
        s.delivery_create(user=le_lead, candidate=make_candidate(last=f"More{n}"))
    assert queries() == few


def test_an_officer_may_not_see_the_board(client, officer):
    client.force_login(officer)
    assert client.get("/cn/board/").status_code == 403


# --- new CN ----------------------------------------------------------------------------------------------


def test_the_le_lead_opens_a_cn_from_a_candidate(lead_client, adult):
    assert lead_client.get(f"/cn/new/?candidate={adult.pk}").status_code == 200
    response = lead_client.post("/cn/new/", {"candidate": adult.pk, "location": "12 Demo Ln"})
    delivery = Delivery.objects.get(candidate=adult)
    assert response.url == f"/cn/{delivery.pk}/"


def test_the_le_lead_finds_open_a_cn_and_services_on_the_candidates_page(lead_client, adult):
    page = lead_client.get(f"/candidates/{adult.pk}/").content.decode()
    assert f'href="/cn/new/?candidate={adult.pk}"' in page and "Services for this person" in page


def test_social_services_find_services_but_not_open_a_cn_on_the_candidates_page(client, social_worker, adult):
    ServiceOffer.objects.create(  # social services see the people they serve
        candidate=adult, service_type="job_training", offered_by=social_worker, offered_on=timezone.localdate()
    )
    client.force_login(social_worker)
    page = client.get(f"/candidates/{adult.pk}/").content.decode()
    assert "Services for this person" in page and "Open a CN for this person" not in page


def test_a_second_cn_keeps_what_was_typed_and_says_why(lead_client, cn, adult):
    response = lead_client.post("/cn/new/", {"candidate": adult.pk, "location": "Typed place"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "already has an open CN" in html and "Typed place" in html


# --- CN page ---------------------------------------------------------------------------------------------


def test_the_cn_page_shows_the_checklist_with_who_and_when(lead_client, walk_to):
    cn = walk_to("eligible")
    html = lead_client.get(f"/cn/{cn.pk}/").content.decode()
    assert "Eligibility determined" in html and "Dana Okafor" in html
    assert "sequence-step todo" in html


def test_a_blocked_transition_shows_its_reasons_in_words(lead_client, walk_to):
    cn = walk_to("in_preparation")
    html = lead_client.get(f"/cn/{cn.pk}/").content.decode()
    assert 'data-condition="threat_assessment_done"' in html
    assert "The threat assessment has not been completed" in html


def test_a_step_form_records_through_the_service(lead_client, walk_to):
    cn = walk_to("in_preparation")
    response = lead_client.post(
        f"/cn/{cn.pk}/step/threat-assessment/",
        {"threat-assessment-completed_on": TODAY, "threat-assessment-result": "no_concerns"},
    )
    assert response.status_code == 302
    assert Check.objects.filter(delivery=cn, kind="threat_assessment").exists()


def test_a_refused_step_keeps_what_was_typed_and_shows_the_reason(lead_client, walk_to):
    cn = walk_to("in_preparation")
    response = lead_client.post(
        f"/cn/{cn.pk}/step/letter/",
        {"letter-warranted": "0", "letter-penalties": "Typed penalties", "letter-not_warranted_reason": ""},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Say why a letter is not warranted" in html and "Typed penalties" in html


def test_a_refused_transition_answers_409_with_the_reasons(lead_client, walk_to):
    cn = walk_to("in_preparation")
    response = lead_client.post(f"/cn/{cn.pk}/transition/approve/", {"approve-note": "go"})
    assert response.status_code == 409
    assert "background check has not been completed" in response.content.decode()
    assert Delivery.objects.get(pk=cn.pk).state == State.IN_PREPARATION


def test_a_transition_button_moves_the_cn(lead_client, cn):
    response = lead_client.post(f"/cn/{cn.pk}/transition/determine-eligibility/", {})
    assert response.status_code == 302 and Delivery.objects.get(pk=cn.pk).state == State.ELIGIBLE


def test_the_team_form_shows_each_persons_qualification(lead_client, cn, officer, trainee, untrained_officer):
    html = lead_client.get(f"/cn/{cn.pk}/").content.decode()
    assert "Marco Benavidez: qualified" in html
    assert "Sam Whitehorse: trainee only" in html
    assert "Una Trained: not qualified" in html


def test_the_le_lead_removes_a_team_member(lead_client, cn, officer, le_lead):
    s.add_team_member(cn.pk, user=le_lead, member=officer, role="officer")
    lead_client.post(f"/cn/{cn.pk}/step/team-remove/", {"team-remove-member": officer.pk})
    assert not cn.team_members.filter(user=officer).exists()


def test_a_closed_cn_page_offers_no_forms(lead_client, walk_to):
    cn = walk_to("closed")
    html = lead_client.get(f"/cn/{cn.pk}/").content.decode()
    assert "read-only" in html and "data-step=" not in html and "data-transition=" not in html


def test_an_officer_not_on_the_team_gets_404(client, second_officer, cn):
    client.force_login(second_officer)
    assert client.get(f"/cn/{cn.pk}/").status_code == 404


def test_a_social_worker_on_the_team_does_not_see_check_results(client, le_lead, social_worker, cn):
    s.add_team_member(cn.pk, user=le_lead, member=social_worker, role="social_services")
    s.record_check(
        cn.pk,
        user=le_lead,
        kind="background_check",
        completed_on=timezone.localdate(),
        result="high_risk",
        notes="Armed",
    )
    client.force_login(social_worker)
    html = client.get(f"/cn/{cn.pk}/").content.decode()
    assert "High risk" not in html


# --- letter and personnel ---------------------------------------------------------------------------------


def test_the_printable_letter_shows_the_penalties(lead_client, walk_to):
    cn = walk_to("ready")
    html = lead_client.get(f"/cn/{cn.pk}/letter/").content.decode()
    assert "Federal felon-in-possession" in html and "Jordan Alvarez" in html


def test_there_is_no_letter_page_when_no_letter_was_drafted(lead_client, cn):
    assert lead_client.get(f"/cn/{cn.pk}/letter/").status_code == 404


def test_personnel_lists_qualified_and_what_others_lack(lead_client, officer, trainee, untrained_officer):
    html = lead_client.get("/cn/personnel/").content.decode()
    assert "Marco Benavidez" in html and "May go as trainee" in html
    assert "no Department-recognised CN training" in html


def test_a_juvenile_cn_page_offers_the_jpo_and_guardian_contact_forms(lead_client, le_lead, juvenile):
    cn = s.delivery_create(user=le_lead, candidate=juvenile)
    html = lead_client.get(f"/cn/{cn.pk}/").content.decode()
    assert 'data-step="jpo-check"' in html and 'data-step="guardian-contact"' in html


def test_an_adult_cn_page_has_no_jpo_form(lead_client, cn):
    assert 'data-step="jpo-check"' not in lead_client.get(f"/cn/{cn.pk}/").content.decode()


def test_a_wrong_cad_number_keeps_what_was_typed_and_names_the_format(client, officer, walk_to):
    cn = walk_to("delivered")
    client.force_login(officer)
    response = client.post(
        f"/cn/{cn.pk}/transition/record-after-action/",
        {"record-after-action-ecc_advised_of_outcome": "on", "record-after-action-cad_report_number": "CAD-12"},
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert 'value="CAD-12"' in html and "CAD-2026-001234" in html
