"""The door kit on the tablet (issue 18 item 3): the briefing card for the team, the Juvenile badge and the
year on dates, refusal and not-located confirmed, the services offered at the door, and one My deliveries."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from candidates import models as c
from candidates.forms import CandidateForm
from notifications import services as s
from notifications.models import Delivery, State
from notifications.tablet.dates import door_date
from notifications.tests.test_tablet_support import ready_delivery
from vip.models import AuditEvent

pytestmark = pytest.mark.django_db


def _image(kind: str) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (2, 2), "white").save(out, kind)
    return out.getvalue()


@pytest.fixture
def ready(le_lead, officer):
    delivery = ready_delivery(le_lead, [officer])
    person = delivery.candidate
    person.physical_description = "Tall, short black hair, a star tattoo on the left hand."
    person.language = "Spanish"
    person.save()
    # As the LE Lead recorded it in preparation (a ready CN's checks are no longer changed by a step).
    delivery.checks.filter(kind="threat_assessment").update(
        result="concerns_noted", notes="A dog in the yard; two exits at the back."
    )
    return delivery


@pytest.fixture
def juvenile(le_lead, officer):
    delivery = ready_delivery(le_lead, [officer], juvenile=True, first="Mateo", last="Chavez")
    delivery.candidate.influencers.update(phone="505-555-0147")
    return delivery


def _page(client, user, name, delivery=None) -> str:
    client.force_login(user)
    args = [delivery.pk] if delivery else []
    return client.get(reverse(name, args=args)).content.decode()


# --- the briefing card: the team only ------------------------------------------------------------------------


def test_it_briefs_the_team_with_the_description_the_language_and_the_threat_notes(client, officer, ready):
    page = _page(client, officer, "tablet:briefing", ready)
    assert "a star tattoo on the left hand" in page and "Spanish" in page
    assert "Concerns noted (see notes)" in page and "A dog in the yard" in page


def test_it_gives_the_guardians_name_and_phone_for_a_juvenile(client, officer, juvenile):
    page = _page(client, officer, "tablet:briefing", juvenile)
    assert "Maria Chavez" in page and "505-555-0147" in page


def test_it_shows_the_letter_on_the_card(client, officer, ready):
    assert "federal exposure of up to 10 years" in _page(client, officer, "tablet:briefing", ready)


def test_it_hides_the_card_from_an_officer_not_on_the_team(client, second_officer, ready):
    client.force_login(second_officer)
    assert client.get(reverse("tablet:briefing", args=[ready.pk])).status_code == 404


def test_it_never_gives_the_cards_to_social_services(client, social_worker, le_lead, ready):
    s.add_team_member(ready.pk, user=le_lead, member=social_worker, role="social_services")
    client.force_login(social_worker)
    assert client.get(reverse("tablet:briefings")).status_code == 403


def test_the_kept_cards_hold_only_the_teams_cns(client, officer, second_officer, le_lead, ready):
    other = ready_delivery(le_lead, [second_officer], first="Someone", last="Else")
    client.force_login(officer)
    cards = client.get(reverse("tablet:briefings")).json()["cards"]
    assert [card["cn"] for card in cards] == [ready.pk]
    assert other.pk not in [card["cn"] for card in cards]


def test_reading_the_kept_cards_is_audited_with_the_people_shown(client, officer, ready):
    client.force_login(officer)
    client.get(reverse("tablet:briefings"))
    row = AuditEvent.objects.filter(actor=officer, action=AuditEvent.Action.READ).latest("id")
    assert str(ready.candidate_id) in row.changes["shown"]["candidates.Candidate"]


# --- the cards on My deliveries ------------------------------------------------------------------------------


def test_a_juveniles_card_carries_the_juvenile_badge(client, officer, juvenile):
    assert "badge-juvenile" in _page(client, officer, "tablet:home")


def test_an_adults_card_carries_no_juvenile_badge(client, officer, ready):
    assert "badge-juvenile" not in _page(client, officer, "tablet:home")


def test_a_date_not_this_year_shows_its_year():
    this_year = timezone.localdate().year
    assert door_date(dt.date(this_year - 6, 1, 1)).endswith(str(this_year - 6))
    assert str(this_year) not in door_date(dt.date(this_year, 1, 1))


def test_a_planned_day_of_another_year_reads_with_its_year_on_my_deliveries(client, officer, ready):
    Delivery.objects.filter(pk=ready.pk).update(planned_for=dt.date(2020, 1, 1))
    assert "Wed 1 Jan 2020" in _page(client, officer, "tablet:home")


def test_my_deliveries_is_the_tablets_list_and_the_desk_list_is_all_my_cns(client, officer, ready):
    assert "<h1>All my CNs</h1>" in _page(client, officer, "notifications:my_deliveries")
    assert "<h1>My deliveries</h1>" in _page(client, officer, "tablet:home")


# --- refused and not located: asked to confirm ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["tablet:refusal", "tablet:not_located"])
def test_opening_an_ending_outcome_asks_to_confirm_and_records_nothing(client, officer, ready, name):
    s.delivery_advise_ecc(ready.pk, user=officer, ecc_reference="ECC-9")
    page = _page(client, officer, name, ready)
    assert "Yes, record:" in page and "No, go back" in page
    assert Delivery.objects.get(pk=ready.pk).state == State.ECC_ADVISED


def test_confirming_a_refusal_records_it(client, officer, ready):
    s.delivery_advise_ecc(ready.pk, user=officer, ecc_reference="ECC-9")
    client.force_login(officer)
    client.post(reverse("tablet:refusal", args=[ready.pk]), {"idempotency_key": "refuse-1", "note": ""})
    assert Delivery.objects.get(pk=ready.pk).state == State.REFUSED


# --- services offered at the door -----------------------------------------------------------------------------


def _deliver(client, officer, delivery, **extra):
    client.force_login(officer)
    data = {
        "idempotency_key": "deliver-1",
        "letter_presented": "on",
        "gvi_message_delivered": "on",
        "social_services_stayed": "yes",
        **extra,
    }
    return client.post(reverse("tablet:delivered", args=[delivery.pk]), data)


def test_the_services_offered_and_accepted_at_the_door_are_recorded_on_the_cn(client, officer, ready):
    s.delivery_advise_ecc(ready.pk, user=officer, ecc_reference="ECC-9")
    _deliver(client, officer, ready, services_offered=["job_training", "shelter"], services_accepted=["job_training"])
    offers = dict(c.ServiceOffer.objects.filter(delivery=ready).values_list("service_type", "status"))
    assert offers == {"job_training": "accepted", "shelter": "offered"}


def test_a_service_accepted_but_not_offered_is_refused_next_to_the_field(client, officer, ready):
    s.delivery_advise_ecc(ready.pk, user=officer, ecc_reference="ECC-9")
    response = _deliver(client, officer, ready, services_accepted=["shelter"])
    assert "Tick it as offered too" in response.content.decode()
    assert Delivery.objects.get(pk=ready.pk).state == State.ECC_ADVISED


# --- the photo: JPEG or PNG by its bytes, small ----------------------------------------------------------------


def _candidate_form(photo):
    data = {"first_name": "Ana", "last_name": "Ruiz", "date_of_birth": "2000-01-01", "sex": "F"}
    return CandidateForm(data, {"photo": photo})


def test_a_photo_that_is_not_jpeg_or_png_is_refused_whatever_its_name():
    form = _candidate_form(SimpleUploadedFile("face.png", _image("GIF"), content_type="image/png"))
    assert "Only a JPEG or PNG" in " ".join(form.errors.get("photo", []))


def test_a_png_photo_is_kept():
    assert _candidate_form(SimpleUploadedFile("face.png", _image("PNG"), content_type="image/png")).is_valid()


def test_a_photo_over_the_size_limit_is_refused_with_its_size():
    big = SimpleUploadedFile("face.png", _image("PNG") + b"\x00" * (2 * 1024 * 1024), content_type="image/png")
    assert "at most 2048 KB" in " ".join(_candidate_form(big).errors.get("photo", []))
