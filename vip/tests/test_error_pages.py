"""Errors a person can act on (issue #18 item 7): a refusal or a missing page in the site's layout, with the
menu for a signed-in person and a way back; the API keeps answering JSON."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from vip.models import AuditEvent

pytestmark = pytest.mark.django_db


def without_tokens(response) -> str:
    """The page without its CSRF token (masked afresh on every page)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_a_social_worker_refused_a_page_keeps_the_menu_and_a_way_back(client, social_worker):
    client.force_login(social_worker)
    response = client.get(reverse("audit:list"))
    page = response.content.decode()
    assert response.status_code == 403
    assert '<nav class="nav" aria-label="Main">' in page and f'href="{reverse("home")}"' in page


def test_the_refusal_says_what_is_not_allowed(client, social_worker):
    client.force_login(social_worker)
    page = client.get(reverse("audit:list")).content.decode()
    assert "You may not open this page" in page
    assert "The audit trail is for the Program Manager and administrators." in page


def test_a_signed_in_person_gets_a_branded_not_found_with_the_menu(client, officer):
    client.force_login(officer)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert '<nav class="nav" aria-label="Main">' in response.content.decode()


def test_a_record_not_yours_and_one_that_does_not_exist_read_the_same(client, social_worker, le_lead):
    from candidates.models import Candidate

    hidden = Candidate.objects.create(
        first_name="Hidden", last_name="Person", date_of_birth="1990-01-01", created_by=le_lead
    )
    client.force_login(social_worker)
    not_yours = client.get(reverse("candidates:detail", args=[hidden.pk]))
    missing = client.get(reverse("candidates:detail", args=[hidden.pk + 10_000]))
    assert not_yours.status_code == missing.status_code == 404
    assert without_tokens(not_yours) == without_tokens(missing)


def test_the_refused_read_is_still_recorded(client, social_worker):
    client.force_login(social_worker)
    client.get(reverse("candidates:detail", args=[987654]))
    assert AuditEvent.objects.filter(actor=social_worker, action="denied", object_id="987654").exists()


def test_an_anonymous_visitor_gets_a_not_found_page_with_sign_in(db):
    response = Client().get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in page and f'href="{reverse("login")}"' in page and 'class="nav"' not in page


def test_an_api_path_that_does_not_exist_answers_json(client, officer):
    client.force_login(officer)
    response = client.get("/api/no-such-thing/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_an_api_record_not_found_answers_json(client, officer):
    client.force_login(officer)
    response = client.get("/api/deliveries/987654/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_a_form_sent_without_its_security_token_says_how_to_recover(officer):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(reverse("login"), {"username": "officer", "password": "x"})
    assert response.status_code == 403 and b"Reload the page and send it again" in response.content
