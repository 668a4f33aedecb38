"""The Records Custodian's sealing pages (NMSA 32A-2-26): the court order's reference and date, a confirmation
before anything changes, the "Sealed" badge and filter, unsealing on another order; and none of it for anyone
else (404, and a "denied" row in the trail)."""

from __future__ import annotations

import datetime as dt

import pytest

from candidates.models import Candidate
from candidates.sealing import SEALED, UNSEALED, candidate_seal
from notifications.models import Delivery, TeamMember
from vip.models import AuditEvent

pytestmark = pytest.mark.django_db
A = AuditEvent.Action
ORDER = "D-202-JR-2026-00042"
ORDERED_ON = dt.date.today() - dt.timedelta(days=3)
UNSEAL_ORDER = "D-202-JR-2026-00043"
ORDER_FORM = {"order_reference": ORDER, "order_date": ORDERED_ON.isoformat()}
NOT_THE_CUSTODIAN = ["le_lead", "program_manager", "administrator"]


def _person(age: int, first: str = "Teo", last: str = "Sealtest") -> Candidate:
    today = dt.date.today()
    return Candidate.objects.create(
        first_name=first, last_name=last, date_of_birth=today.replace(year=today.year - age)
    )


@pytest.fixture
def juvenile(le_lead, officer):
    person = _person(16)
    delivery = Delivery.objects.create(candidate=person, le_lead=le_lead)
    TeamMember.objects.create(delivery=delivery, user=officer, role=TeamMember.Role.OFFICER)
    return person


@pytest.fixture
def sealed(custodian):
    return candidate_seal(_person(15, "Sam", "Sealedperson"), custodian, ORDER, ORDERED_ON)


@pytest.fixture
def as_custodian(client, custodian):
    client.force_login(custodian)
    return client


def _is_sealed(person: Candidate) -> bool:
    return Candidate.objects.get(pk=person.pk).is_sealed


# --- sealing: the order, then a confirmation -------------------------------------------------------------


def test_the_seal_page_shows_whom_it_seals_and_asks_for_the_orders_reference_and_date(as_custodian, juvenile):
    page = as_custodian.get(f"/audit/seal/{juvenile.pk}/").content.decode()
    assert "Teo Sealtest" in page
    assert 'name="order_reference"' in page and 'name="order_date"' in page


def test_opening_the_seal_page_is_a_recorded_read_of_the_person(as_custodian, custodian, juvenile):
    as_custodian.get(f"/audit/seal/{juvenile.pk}/")
    assert AuditEvent.objects.filter(action=A.READ, actor=custodian, object_id=str(juvenile.pk)).exists()


def test_a_post_without_the_confirmation_seals_nothing_and_asks_to_confirm(as_custodian, juvenile):
    page = as_custodian.post(f"/audit/seal/{juvenile.pk}/", ORDER_FORM)
    assert (page.status_code, _is_sealed(juvenile)) == (200, False)
    assert "Seal this record?" in page.content.decode() and "NMSA 32A-2-26" in page.content.decode()


def test_the_confirmation_says_who_will_be_hidden_and_from_whom(as_custodian, juvenile):
    page = as_custodian.post(f"/audit/seal/{juvenile.pk}/", ORDER_FORM).content.decode()
    assert "Teo Sealtest" in page and "No one but the Records Custodian will see them" in page
    assert f'value="{ORDER}"' in page and f'value="{ORDERED_ON:%Y-%m-%d}"' in page  # carried to the next step


def test_the_custodian_seals_once_they_confirm(as_custodian, juvenile):
    response = as_custodian.post(f"/audit/seal/{juvenile.pk}/", {**ORDER_FORM, "confirm": "yes"})
    sealed = Candidate.objects.get(pk=juvenile.pk)
    assert response.url == f"/candidates/{juvenile.pk}/"
    assert (sealed.is_sealed, sealed.sealing_order_reference, sealed.sealing_order_date) == (True, ORDER, ORDERED_ON)


def test_changing_the_order_on_the_confirmation_goes_back_to_the_form_as_typed(as_custodian, juvenile):
    page = as_custodian.post(f"/audit/seal/{juvenile.pk}/", {**ORDER_FORM, "change": "1"}).content.decode()
    assert "Seal this record?" not in page and f'value="{ORDER}"' in page
    assert not _is_sealed(juvenile)


@pytest.mark.parametrize(
    ("typed", "field", "says"),
    [
        ({"order_reference": "", "order_date": ORDERED_ON.isoformat()}, "order_reference", "reference"),
        ({"order_reference": ORDER, "order_date": ""}, "order_date", "Give the date of the court order"),
        ({"order_reference": ORDER, "order_date": "12/31/2026x"}, "order_date", "YYYY-MM-DD"),
        (
            {"order_reference": ORDER, "order_date": (dt.date.today() + dt.timedelta(days=1)).isoformat()},
            "order_date",
            "cannot be dated after today",
        ),
    ],
    ids=["no reference", "no date", "unreadable date", "future date"],
)
def test_a_wrong_order_is_explained_and_what_was_typed_is_kept(as_custodian, juvenile, typed, field, says):
    page = as_custodian.post(f"/audit/seal/{juvenile.pk}/", {**typed, "confirm": "yes"})
    text = page.content.decode()
    assert (page.status_code, _is_sealed(juvenile)) == (400, False)
    assert f'id="{field}-error"' in text and says in text
    assert all(f'value="{value}"' in text for value in typed.values() if value)


def test_an_adults_record_is_refused_with_the_reason_and_the_order_kept(as_custodian):
    adult = _person(40)
    page = as_custodian.post(f"/audit/seal/{adult.pk}/", {**ORDER_FORM, "confirm": "yes"})
    assert page.status_code == 400 and not _is_sealed(adult)
    assert "Only a juvenile&#x27;s record may be sealed" in page.content.decode() and ORDER in page.content.decode()


def test_the_sealing_page_finds_a_record_by_its_number(as_custodian, juvenile, sealed):
    assert as_custodian.get("/audit/seal/", {"record": juvenile.pk}).url == f"/audit/seal/{juvenile.pk}/"
    assert as_custodian.get("/audit/seal/", {"record": sealed.pk}).url == f"/audit/seal/{sealed.pk}/unseal/"


def test_sealing_writes_one_seal_row_naming_the_orders_reference_and_date(as_custodian, custodian, juvenile):
    as_custodian.post(f"/audit/seal/{juvenile.pk}/", {**ORDER_FORM, "confirm": "yes"})
    event = AuditEvent.objects.get(action=A.SEAL)
    assert (event.actor, event.object_id, event.from_state, event.to_state) == (
        custodian, str(juvenile.pk), UNSEALED, SEALED
    )  # fmt: skip
    assert f"{ORDER} of {ORDERED_ON:%Y-%m-%d}" in event.note


# --- the badge and the filter -------------------------------------------------------------------------


def test_the_candidate_page_shows_the_sealed_badge_and_the_order(as_custodian, sealed):
    page = as_custodian.get(f"/candidates/{sealed.pk}/").content.decode()
    assert 'class="badge badge-sealed">Sealed<' in page and f"{ORDER} of {ORDERED_ON:%Y-%m-%d}" in page
    assert f"/audit/seal/{sealed.pk}/unseal/" in page


def test_the_candidate_page_offers_the_custodian_to_seal_a_juveniles_record(as_custodian, juvenile):
    page = as_custodian.get(f"/candidates/{juvenile.pk}/").content.decode()
    assert f'href="/audit/seal/{juvenile.pk}/"' in page and "badge-sealed" not in page


def test_the_custodians_list_marks_the_sealed_records(as_custodian, sealed, juvenile):
    page = as_custodian.get("/candidates/").content.decode()
    row = page[page.index(f'href="/candidates/{sealed.pk}/"') :].split("</tr>")[0]
    other = page[page.index(f'href="/candidates/{juvenile.pk}/"') :].split("</tr>")[0]
    assert "badge-sealed" in row and "badge-sealed" not in other


@pytest.mark.parametrize(
    ("choice", "shown", "left_out"),
    [("sealed", {"Sam"}, {"Teo"}), ("unsealed", {"Teo"}, {"Sam"}), ("", {"Sam", "Teo"}, set())],
)
def test_the_custodian_filters_the_list_by_sealed_or_not(client, custodian, sealed, juvenile, choice, shown, left_out):
    client.force_login(custodian)
    page = client.get("/candidates/", {"sealed": choice})
    names = {c.first_name for c in page.context["page"].object_list}
    assert shown <= names and not left_out & names


# --- unsealing: another order, confirmed --------------------------------------------------------------


def test_unsealing_needs_the_orders_reference(as_custodian, sealed):
    page = as_custodian.post(
        f"/audit/seal/{sealed.pk}/unseal/",
        {"order_reference": "", "order_date": ORDERED_ON.isoformat(), "confirm": "yes"},
    )
    assert page.status_code == 400 and _is_sealed(sealed)
    assert 'id="order_reference-error"' in page.content.decode()


def test_unsealing_asks_to_confirm_first(as_custodian, sealed):
    form = {"order_reference": UNSEAL_ORDER, "order_date": dt.date.today().isoformat()}
    page = as_custodian.post(f"/audit/seal/{sealed.pk}/unseal/", form)
    assert "Unseal this record?" in page.content.decode() and _is_sealed(sealed)


def test_the_custodian_unseals_once_they_confirm_and_the_trail_keeps_both_orders(as_custodian, custodian, sealed):
    form = {"order_reference": UNSEAL_ORDER, "order_date": dt.date.today().isoformat(), "confirm": "yes"}
    as_custodian.post(f"/audit/seal/{sealed.pk}/unseal/", form)
    event = AuditEvent.objects.filter(action=A.SEAL).latest("at")
    assert not _is_sealed(sealed)
    assert (event.actor, event.from_state, event.to_state) == (custodian, SEALED, UNSEALED)
    assert UNSEAL_ORDER in event.note and ORDER in event.note


def test_an_unsealed_record_is_seen_again_without_the_badge(client, as_custodian, le_lead, sealed):
    form = {"order_reference": UNSEAL_ORDER, "order_date": dt.date.today().isoformat(), "confirm": "yes"}
    as_custodian.post(f"/audit/seal/{sealed.pk}/unseal/", form)
    client.force_login(le_lead)
    page = client.get(f"/candidates/{sealed.pk}/")
    assert page.status_code == 200 and "badge-sealed" not in page.content.decode()


# --- nobody else sees or uses any of it ---------------------------------------------------------------


def _denied(user, object_id: str = "") -> bool:
    return AuditEvent.objects.filter(action=A.DENIED, actor=user, object_id=object_id).exists()


@pytest.mark.parametrize("persona", NOT_THE_CUSTODIAN)
def test_the_sealing_page_does_not_exist_for_anyone_else_and_the_refusal_is_logged(client, persona, request):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assert client.get("/audit/seal/").status_code == 404
    assert _denied(user)


@pytest.mark.parametrize("persona", NOT_THE_CUSTODIAN)
def test_no_one_else_can_seal_and_the_refusal_is_logged(client, juvenile, persona, request):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.post(f"/audit/seal/{juvenile.pk}/", {**ORDER_FORM, "confirm": "yes"})
    assert (response.status_code, _is_sealed(juvenile)) == (404, False)
    assert _denied(user, str(juvenile.pk))


@pytest.mark.parametrize("persona", NOT_THE_CUSTODIAN)
def test_no_one_else_can_unseal_and_the_refusal_is_logged(client, sealed, persona, request):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    form = {"order_reference": UNSEAL_ORDER, "order_date": dt.date.today().isoformat(), "confirm": "yes"}
    assert client.post(f"/audit/seal/{sealed.pk}/unseal/", form).status_code == 404
    assert _is_sealed(sealed) and _denied(user, str(sealed.pk))


@pytest.mark.parametrize("persona", ["le_lead", "program_manager"])
def test_no_one_else_is_offered_the_sealed_filter_or_the_seal_button(client, juvenile, persona, request):
    client.force_login(request.getfixturevalue(persona))
    listed = client.get("/candidates/", {"sealed": "sealed"})  # a parameter that means nothing to them
    assert 'name="sealed"' not in listed.content.decode()
    assert listed.context["page"].paginator.count == client.get("/candidates/").context["page"].paginator.count
    assert "/audit/seal/" not in client.get(f"/candidates/{juvenile.pk}/").content.decode()


@pytest.mark.parametrize("persona", ["program_manager", "administrator"])
def test_the_trails_seal_rows_are_the_custodians_alone_even_after_unsealing(client, custodian, persona, request):
    from candidates.sealing import candidate_unseal
    from vip.audit import audit_events_visible_to

    person = candidate_seal(_person(15), custodian, ORDER, ORDERED_ON)
    candidate_unseal(person, custodian, UNSEAL_ORDER, dt.date.today())
    assert not audit_events_visible_to(request.getfixturevalue(persona)).filter(action=A.SEAL).exists()
    assert audit_events_visible_to(custodian).filter(action=A.SEAL).count() == 2


def test_the_list_shows_no_template_comment_as_text(as_custodian, sealed):
    """The pager's two-line comment was written with {# #}, which Django reads on one line only."""
    assert "Previous / next for a paged list" not in as_custodian.get("/candidates/").content.decode()
