"""The tablet pages with the Django test client: who may open them, the steps, and the idempotency key."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Encounter, State
from notifications.tests.test_tablet_support import ready_delivery
from vip.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(le_lead, officer):
    return ready_delivery(le_lead, [officer])


def _signed_in(client, user):
    client.force_login(user)
    return client


def _key(response) -> str:
    return response.context["form"]["idempotency_key"].value()


def _advise(client, delivery, key="key-advise-1", reference="ECC-17"):
    return client.post(
        reverse("tablet:advise_ecc", args=[delivery.pk]),
        {"idempotency_key": key, "ecc_reference": reference, "advised_at": "2026-11-23T09:15", "location": "here"},
    )


def _transitions(delivery, to_state=State.ECC_ADVISED) -> int:
    return AuditEvent.objects.filter(action="transition", object_id=str(delivery.pk), to_state=to_state).count()


# --- who may open the tablet ----------------------------------------------------------------------------


def test_it_lists_the_officers_deliveries(client, officer, ready):
    response = _signed_in(client, officer).get(reverse("tablet:home"))
    assert ready.candidate.full_name in response.content.decode()


def test_it_lists_the_le_leads_deliveries(client, le_lead, ready):
    response = _signed_in(client, le_lead).get(reverse("tablet:home"))
    assert response.status_code == 200
    assert ready.candidate.full_name in response.content.decode()


def test_it_refuses_the_program_manager(client, program_manager, ready):
    response = _signed_in(client, program_manager).get(reverse("tablet:home"))
    assert response.status_code == 403


def test_it_refuses_social_services_even_on_the_team(client, social_worker, le_lead, ready):
    from notifications import services as s

    s.add_team_member(ready.pk, user=le_lead, member=social_worker, role="social_services")
    response = _signed_in(client, social_worker).get(reverse("tablet:step", args=[ready.pk]))
    assert response.status_code == 403


def test_it_sends_a_visitor_to_sign_in(client, ready):
    response = client.get(reverse("tablet:home"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_officer_not_on_the_team_gets_404(client, second_officer, ready):
    response = _signed_in(client, second_officer).get(reverse("tablet:advise_ecc", args=[ready.pk]))
    assert response.status_code == 404


def test_an_officer_not_on_the_team_cannot_post_a_step(client, second_officer, ready):
    response = _advise(_signed_in(client, second_officer), ready)
    ready.refresh_from_db()
    assert response.status_code == 404
    assert ready.state == State.READY


def test_the_officer_does_not_see_deliveries_of_other_teams(client, officer, second_officer, le_lead, ready):
    other = ready_delivery(le_lead, [second_officer], first="Kayla", last="Montoya")
    page = _signed_in(client, officer).get(reverse("tablet:home")).content.decode()
    assert other.candidate.full_name not in page


def test_my_deliveries_takes_the_same_number_of_queries_however_many_cns(client, officer, le_lead, ready):
    _signed_in(client, officer)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("tablet:home"))
    for name in ("Kayla", "Andre", "Noah"):
        ready_delivery(le_lead, [officer], first=name, last="Lucero")
    with CaptureQueriesContext(connection) as four:
        response = client.get(reverse("tablet:home"))
    assert len(response.context["rows"]) == 4
    assert len(four) == len(one)


def test_ready_ones_come_before_those_still_in_preparation(client, officer, le_lead, ready):
    from candidates.models import Candidate
    from notifications import services as s

    person = Candidate.objects.create(first_name="Early", last_name="Prep", date_of_birth="1999-01-01")
    prep = s.delivery_create(user=le_lead, candidate=person)
    s.add_team_member(prep.pk, user=le_lead, member=officer, role="officer")
    rows = _signed_in(client, officer).get(reverse("tablet:home")).context["rows"]
    assert [r["delivery"].pk for r in rows] == [ready.pk, prep.pk]


# --- the step router --------------------------------------------------------------------------------------


def test_a_ready_cn_opens_on_advise_ecc(client, officer, ready):
    response = _signed_in(client, officer).get(reverse("tablet:step", args=[ready.pk]))
    assert response["Location"] == reverse("tablet:advise_ecc", args=[ready.pk])


def test_advising_ecc_moves_the_cn_and_redirects_to_the_encounter(client, officer, ready):
    response = _advise(_signed_in(client, officer), ready)
    ready.refresh_from_db()
    assert response.status_code == 302
    assert ready.state == State.ECC_ADVISED
    assert client.get(response["Location"])["Location"] == reverse("tablet:encounter", args=[ready.pk])


def test_every_form_render_carries_a_fresh_key(client, officer, ready):
    _signed_in(client, officer)
    first = _key(client.get(reverse("tablet:advise_ecc", args=[ready.pk])))
    second = _key(client.get(reverse("tablet:advise_ecc", args=[ready.pk])))
    assert first and first != second


# --- idempotency ------------------------------------------------------------------------------------------


def test_the_same_key_twice_is_recorded_once(client, officer, ready):
    _signed_in(client, officer)
    first = _advise(client, ready)
    again = _advise(client, ready)
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert _transitions(ready) == 1


def test_the_same_key_with_other_answers_is_refused_with_422(client, officer, ready):
    _signed_in(client, officer)
    _advise(client, ready)
    response = _advise(client, ready, reference="ECC-99")
    assert response.status_code == 422
    assert "already sent with different answers" in response.content.decode()


def test_a_queued_replay_gets_json_with_where_to_go(client, officer, ready):
    _signed_in(client, officer)
    _advise(client, ready)
    response = client.post(
        reverse("tablet:advise_ecc", args=[ready.pk]),
        {
            "idempotency_key": "key-advise-1",
            "ecc_reference": "ECC-17",
            "advised_at": "2026-11-23T09:15",
            "location": "here",
        },
        HTTP_X_VIP_QUEUE="1",
    )
    assert response.json() == {"ok": True, "location": reverse("tablet:step", args=[ready.pk]), "replayed": True}


def test_a_queued_step_on_a_cn_that_moved_answers_409_with_the_reason(client, officer, ready):
    _signed_in(client, officer)
    _advise(client, ready, key="first")
    response = client.post(
        reverse("tablet:advise_ecc", args=[ready.pk]),
        {"idempotency_key": "second", "advised_at": "2026-11-23T09:20"},
        HTTP_X_VIP_QUEUE="1",
    )
    assert response.status_code == 409
    assert "ecc advised" in response.json()["detail"]


def test_a_refused_step_frees_its_key_for_the_corrected_form(client, officer, ready):
    _signed_in(client, officer)
    _advise(client, ready)
    url = reverse("tablet:after_action", args=[ready.pk])
    client.post(reverse("tablet:refusal", args=[ready.pk]), {"idempotency_key": "r1"})
    bad = client.post(url, {"idempotency_key": "aa", "cad_report_number": "nope", "ecc_advised_of_outcome": "on"})
    good = client.post(
        url, {"idempotency_key": "aa", "cad_report_number": "CAD-2026-001234", "ecc_advised_of_outcome": "on"}
    )
    assert bad.status_code == 409
    assert good.status_code == 302


# --- the encounter ----------------------------------------------------------------------------------------


def test_a_refusal_is_one_post_with_nothing_but_the_key(client, officer, ready):
    _signed_in(client, officer)
    _advise(client, ready)
    client.post(reverse("tablet:refusal", args=[ready.pk]), {"idempotency_key": "tap"})
    ready.refresh_from_db()
    assert ready.state == State.REFUSED


def test_a_refusal_before_ecc_is_advised_shows_the_reason(client, officer, ready):
    response = _signed_in(client, officer).post(reverse("tablet:refusal", args=[ready.pk]), {"idempotency_key": "t"})
    assert response.status_code == 409
    assert "not possible from here" in response.content.decode()


def test_delivered_without_the_letter_keeps_what_was_typed_and_says_why(client, officer, ready):
    _signed_in(client, officer)
    _advise(client, ready)
    response = client.post(
        reverse("tablet:delivered", args=[ready.pk]),
        {
            "idempotency_key": "d1",
            "gvi_message_delivered": "on",
            "social_services_stayed": "no",
            "social_services_not_feasible_reason": "Crowd gathering",
        },
    )
    assert response.status_code == 409
    assert "must be presented" in response.content.decode()
    assert response.context["form"]["social_services_not_feasible_reason"].value() == "Crowd gathering"


def test_a_juveniles_delivered_choice_is_disabled_without_a_guardian(client, officer, le_lead):
    delivery = ready_delivery(le_lead, [officer], juvenile=True, first="Mateo", last="Chavez")
    _signed_in(client, officer)
    _advise(client, delivery)
    response = client.get(reverse("tablet:encounter", args=[delivery.pk]))
    assert "never delivered without a parent or guardian present" in response.content.decode()
    assert response.context["delivered_blocked"]


def test_a_juveniles_delivery_with_the_guardian_chosen_is_recorded(client, officer, le_lead):
    delivery = ready_delivery(le_lead, [officer], juvenile=True, first="Mateo", last="Chavez")
    guardian = delivery.candidate.influencers.get()
    _signed_in(client, officer)
    _advise(client, delivery)
    page = client.get(reverse("tablet:encounter", args=[delivery.pk]), {"guardian": guardian.pk})
    client.post(
        reverse("tablet:delivered", args=[delivery.pk]),
        {
            "idempotency_key": "j1",
            "letter_presented": "on",
            "gvi_message_delivered": "on",
            "social_services_stayed": "yes",
            "guardian_influencer": str(guardian.pk),
        },
    )
    assert page.context["delivered_blocked"] == []
    assert Encounter.objects.get(delivery=delivery).guardian_influencer == guardian


def test_delivered_to_an_influencer_is_recorded_with_the_person_picked(client, officer, ready):
    guardian = ready.candidate.influencers.get()
    _signed_in(client, officer)
    _advise(client, ready)
    client.post(
        reverse("tablet:influencer", args=[ready.pk]),
        {
            "idempotency_key": "i1",
            "recipient_influencer": str(guardian.pk),
            "recipient_reason": "At work.",
            "gvi_message_delivered": "on",
            "letter_presented": "on",
        },
    )
    ready.refresh_from_db()
    assert ready.state == State.DELIVERED_TO_INFLUENCER


def test_the_after_action_ends_on_the_done_screen(client, officer, ready):
    _signed_in(client, officer)
    _advise(client, ready)
    client.post(reverse("tablet:not_located", args=[ready.pk]), {"idempotency_key": "n1", "note": "No answer"})
    response = client.post(
        reverse("tablet:after_action", args=[ready.pk]),
        {"idempotency_key": "a1", "cad_report_number": "CAD-2026-001234", "ecc_advised_of_outcome": "on"},
        follow=True,
    )
    assert response.context["delivery"].state == State.AFTER_ACTION
    assert "Done on the tablet" in response.content.decode()


def test_the_service_worker_is_served_from_the_tablet_scope(client):
    response = client.get(reverse("tablet:sw"))
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/tablet/"


def test_a_claim_abandoned_by_a_dead_process_is_taken_over_by_the_retry(client, officer, ready):
    import datetime as dt

    from django.utils import timezone

    from vip.models import IdempotencyRecord

    stale = IdempotencyRecord.objects.create(user=officer, key="key-advise-1", method="POST", request_hash="x")
    IdempotencyRecord.objects.filter(pk=stale.pk).update(created_at=timezone.now() - dt.timedelta(minutes=5))
    response = _advise(_signed_in(client, officer), ready)
    assert response.status_code == 302
    assert _transitions(ready) == 1


def test_a_cn_not_yet_approved_says_so_on_the_tablet(client, officer, le_lead):
    from candidates.models import Candidate
    from notifications import services as s

    person = Candidate.objects.create(first_name="Early", last_name="Prep", date_of_birth="1999-01-01")
    prep = s.delivery_create(user=le_lead, candidate=person)
    s.add_team_member(prep.pk, user=le_lead, member=officer, role="officer")
    response = _signed_in(client, officer).get(reverse("tablet:step", args=[prep.pk]), follow=True)
    assert "Not ready for delivery" in response.content.decode()


def test_not_located_can_be_tried_again_from_the_after_action_screen(client, officer, ready):
    _signed_in(client, officer)
    _advise(client, ready)
    client.post(reverse("tablet:not_located", args=[ready.pk]), {"idempotency_key": "n1"})
    assert "Try again later" in client.get(reverse("tablet:after_action", args=[ready.pk])).content.decode()
    client.post(reverse("tablet:retry", args=[ready.pk]), {"idempotency_key": "t1"})
    ready.refresh_from_db()
    assert (ready.state, ready.attempt) == (State.READY, 2)


def test_the_photo_is_served_only_to_the_team(client, officer, second_officer, ready, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    ready.candidate.photo = SimpleUploadedFile("face.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")
    ready.candidate.save()
    mine = _signed_in(client, officer).get(reverse("tablet:photo", args=[ready.pk]))
    theirs = _signed_in(client, second_officer).get(reverse("tablet:photo", args=[ready.pk]))
    assert (mine.status_code, theirs.status_code) == (200, 404)


def test_a_long_list_shows_a_screens_worth_and_links_to_all_of_the_officers_cns(client, le_lead, officer):
    from notifications import services as s
    from notifications.tablet.views import TABLET_LIST_LIMIT
    from notifications.tests.conftest import make_candidate

    for n in range(TABLET_LIST_LIMIT + 1):
        cn = s.delivery_create(user=le_lead, candidate=make_candidate(last=f"Person{n:02d}"))
        s.add_team_member(cn.pk, user=le_lead, member=officer, role="officer")
    response = _signed_in(client, officer).get(reverse("tablet:home"))
    assert len(response.context["rows"]) == TABLET_LIST_LIMIT
    assert reverse("notifications:my_deliveries") in response.content.decode()
