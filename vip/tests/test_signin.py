"""Sign-in, sign-out and the home page that sends each role where it works."""

import pytest
from django.urls import reverse

from vip.testing import PASSWORD

pytestmark = pytest.mark.django_db


def test_it_shows_the_sign_in_page(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"Sign in" in response.content


def test_it_sends_an_anonymous_visitor_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_it_refuses_a_wrong_password(client, officer):
    response = client.post(reverse("login"), {"username": "officer", "password": "wrong-password"})
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated


@pytest.mark.parametrize(
    ("persona", "destination"),
    [
        ("le_lead", "notifications:board"),
        ("program_manager", "notifications:board"),
        ("officer", "tablet:home"),
        ("social_worker", "candidates:list"),
        ("administrator", "admin:index"),
    ],
)
def test_home_sends_each_role_where_it_works(client, request, persona, destination):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.get("/")
    assert response["Location"] == reverse(destination)


def test_a_user_without_a_role_is_told_so(client, outsider):
    client.force_login(outsider)
    response = client.get("/", follow=True)
    assert b"no VIP role" in response.content


def test_sign_out_ends_the_session(client, officer):
    client.post(reverse("login"), {"username": "officer", "password": PASSWORD})
    client.post(reverse("logout"))
    response = client.get("/")
    assert response.status_code == 302 and reverse("login") in response["Location"]
