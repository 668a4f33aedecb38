"""The CN page as a guided sequence (issue 18): the current step open, done steps folded with what was recorded,
saved values in each form, a changed result asked about and audited, each error once by its field."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from notifications import services as s
from notifications.forms import NoteForm, focus_first_error
from notifications.models import Check, Delivery, Letter
from vip.models import AuditEvent

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def lead_client(client, le_lead):
    client.force_login(le_lead)
    return client


@pytest.fixture
def preparing(walk_to):
    return walk_to("in_preparation")


def _record_threat(client, cn, **fields):
    body = {"threat-assessment-completed_on": TODAY, **{f"threat-assessment-{k}": v for k, v in fields.items()}}
    return client.post(f"/cn/{cn.pk}/step/threat-assessment/", body)


def _concerns(cn, le_lead):
    s.record_check(
        cn.pk,
        user=le_lead,
        kind="threat_assessment",
        completed_on=TODAY,
        result="concerns_noted",
        notes="Large dog in the yard.",
    )


# --- the sequence -------------------------------------------------------------------------------------


def test_the_first_step_to_do_is_open_and_the_done_ones_are_folded(lead_client, preparing):
    html = lead_client.get(f"/cn/{preparing.pk}/").content.decode()
    assert '<li class="sequence-step todo current" id="step-threat-assessment"' in html
    assert html.count("<details open>") == 1  # the current step; the next steps' forms are folded too


def test_before_eligibility_no_step_is_open_the_next_step_is_above(lead_client, cn):
    html = lead_client.get(f"/cn/{cn.pk}/").content.decode()
    assert "sequence-step todo current" not in html
    assert 'data-transition="determine-eligibility"' in html


def test_a_done_step_shows_who_recorded_it(lead_client, preparing, le_lead):
    _concerns(preparing, le_lead)
    html = lead_client.get(f"/cn/{preparing.pk}/").content.decode()
    assert '<li class="sequence-step done" id="step-threat-assessment"' in html
    assert "Dana Okafor" in html


def test_once_the_threat_assessment_is_recorded_the_background_check_is_the_current_step(
    lead_client, preparing, le_lead
):
    _concerns(preparing, le_lead)
    html = lead_client.get(f"/cn/{preparing.pk}/").content.decode()
    assert '<li class="sequence-step todo current" id="step-background-check"' in html


# --- safety information -----------------------------------------------------------------------------------


def test_the_threat_assessments_notes_are_shown_on_the_cn_page(lead_client, preparing, le_lead):
    _concerns(preparing, le_lead)
    html = lead_client.get(f"/cn/{preparing.pk}/").content.decode()
    assert '<p class="recorded-notes"><strong>Notes:</strong> Large dog in the yard.</p>' in html


def test_concerns_noted_without_notes_is_refused_next_to_the_notes(lead_client, preparing):
    response = _record_threat(lead_client, preparing, result="concerns_noted")
    assert response.status_code == 400
    assert response.context["refused_form"].errors["notes"] == [Check.NOTES_REQUIRED]


def test_the_api_refuses_concerns_noted_without_notes_in_words(le_lead, preparing):
    api = APIClient()
    api.force_authenticate(le_lead)
    body = {"completed_on": str(TODAY), "result": "concerns_noted"}
    response = api.post(f"/api/deliveries/{preparing.pk}/threat-assessment/", body, format="json")
    assert response.status_code == 400
    assert Check.NOTES_REQUIRED in str(response.json())


# --- saved values, and a change asked about ---------------------------------------------------------------


def test_a_recorded_check_fills_its_form(lead_client, preparing, le_lead):
    _concerns(preparing, le_lead)
    page = lead_client.get(f"/cn/{preparing.pk}/")
    form = next(entry["form"] for entry in page.context["sequence"] if entry["item"].step == "threat-assessment")
    assert form["result"].value() == "concerns_noted" and form["notes"].value() == "Large dog in the yard."


def test_pressing_record_again_with_another_result_asks_why_and_keeps_the_first(lead_client, preparing, le_lead):
    _concerns(preparing, le_lead)
    response = _record_threat(lead_client, preparing, result="no_concerns")
    assert response.status_code == 400
    assert "reason" in response.context["refused_form"].errors
    assert Check.objects.get(delivery=preparing, kind="threat_assessment").result == "concerns_noted"


def test_a_change_with_a_reason_is_recorded_and_the_reason_is_audited(lead_client, preparing, le_lead):
    _concerns(preparing, le_lead)
    _record_threat(lead_client, preparing, result="no_concerns", reason="The dog was rehomed.")
    event = AuditEvent.objects.filter(object_id=str(preparing.pk), note__contains="The dog was rehomed.").get()
    assert event.changes["result"] == ["concerns_noted", "no_concerns"]


def test_a_refusal_is_shown_once_by_its_field_and_the_cursor_goes_there(lead_client, preparing, le_lead):
    _concerns(preparing, le_lead)
    html = _record_threat(lead_client, preparing, result="no_concerns").content.decode()
    assert html.count("The threat assessment is already on record: say why you change it.") == 1
    assert 'name="threat-assessment-reason" cols="40" rows="2" autofocus' in html


def test_a_refusal_without_a_field_puts_the_cursor_on_its_forms_button(preparing):
    form = NoteForm({}, delivery=preparing, prefix="approve")
    form.is_valid()
    form.add_error(None, "The CN changed meanwhile.")
    focus_first_error(form)
    assert form.focus_on_submit is True


def test_a_refusal_of_a_form_no_longer_on_the_page_is_shown_on_top_with_the_cursor(lead_client, walk_to):
    cn = walk_to("ready")  # the checks' forms are no longer offered
    html = _record_threat(lead_client, cn, result="no_concerns").content.decode()
    assert 'id="refused" tabindex="-1" autofocus' in html


# --- forms the state does not allow -------------------------------------------------------------------


def test_a_ready_cn_offers_no_check_form(lead_client, walk_to):
    cn = walk_to("ready")
    html = lead_client.get(f"/cn/{cn.pk}/").content.decode()
    assert 'data-step="threat-assessment"' not in html


# --- the planned day ----------------------------------------------------------------------------------


def test_a_planned_day_in_the_past_is_asked_about_before_the_cn_is_opened(lead_client, adult):
    response = lead_client.post("/cn/new/", {"candidate": adult.pk, "planned_for": TODAY - dt.timedelta(days=3)})
    assert response.status_code == 400
    assert "past_date_confirmed" in response.context["form"].fields
    assert not Delivery.objects.filter(candidate=adult).exists()


def test_a_confirmed_planned_day_in_the_past_is_kept(lead_client, adult):
    past = TODAY - dt.timedelta(days=3)
    lead_client.post("/cn/new/", {"candidate": adult.pk, "planned_for": past, "past_date_confirmed": "on"})
    assert Delivery.objects.get(candidate=adult).planned_for == past


def test_the_api_refuses_a_planned_day_years_ago_and_says_to_check_the_year(le_lead, adult):
    api = APIClient()
    api.force_authenticate(le_lead)
    body = {"candidate": adult.pk, "planned_for": str(TODAY.replace(year=TODAY.year - 6))}
    response = api.post("/api/deliveries/", body, format="json")
    assert response.status_code == 400
    assert "check the year" in str(response.json())


def test_the_api_keeps_a_planned_day_last_week(le_lead, adult):
    api = APIClient()
    api.force_authenticate(le_lead)
    body = {"candidate": adult.pk, "planned_for": str(TODAY - dt.timedelta(days=7))}
    assert api.post("/api/deliveries/", body, format="json").status_code == 201


# --- the letter ---------------------------------------------------------------------------------------


def test_the_letter_is_signed_by_the_lead_who_drafted_it(lead_client, preparing, le_lead):
    s.record_letter(preparing.pk, user=le_lead, penalties="Up to 10 years federal.")
    body = Letter.objects.get(delivery=preparing).body
    assert "Dana Okafor\nVIP Law Enforcement Lead" in body


def test_the_letters_paragraphs_are_not_broken_mid_sentence(lead_client, preparing, le_lead):
    s.record_letter(preparing.pk, user=le_lead, penalties="Up to 10 years federal.")
    html = lead_client.get(f"/cn/{preparing.pk}/letter/").content.decode()
    assert "in our city are at the highest risk" in html
