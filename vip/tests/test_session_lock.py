"""Session lock (CJIS AC-11/AC-12): 30 minutes without activity, or 12 hours in all, and the user signs in again.

The clock is moved with monkeypatch; nothing sleeps.
"""

import pytest
from django.urls import reverse

from vip import security
from vip.models import AuditEvent

pytestmark = pytest.mark.django_db

MINUTE = 60
HOUR = 60 * MINUTE


@pytest.fixture
def clock(monkeypatch):
    """Seconds to add to the real clock."""
    state = {"offset": 0.0}
    real = security._now
    monkeypatch.setattr(security, "_now", lambda: real() + state["offset"])
    return state


def test_29_idle_minutes_keep_the_session(client, le_lead, clock):
    client.force_login(le_lead)
    clock["offset"] = 29 * MINUTE
    assert client.get(reverse("notifications:board")).status_code == 200


def test_31_idle_minutes_lock_the_session(client, le_lead, clock):
    client.force_login(le_lead)
    clock["offset"] = 31 * MINUTE
    response = client.get(reverse("notifications:board"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_locked_session_tells_why(client, le_lead, clock):
    client.force_login(le_lead)
    clock["offset"] = 31 * MINUTE
    response = client.get(reverse("notifications:board"), follow=True)
    assert b"30 minutes without activity" in response.content


def test_activity_keeps_the_session_alive(client, le_lead, clock):
    client.force_login(le_lead)
    for step in range(1, 5):
        clock["offset"] = step * 20 * MINUTE
        response = client.get(reverse("notifications:board"))
    assert response.status_code == 200


def test_twelve_hours_end_even_an_active_session(client, le_lead, clock):
    client.force_login(le_lead)
    for step in range(1, 50):
        clock["offset"] = step * 15 * MINUTE
        response = client.get(reverse("notifications:board"))
        if response.status_code != 200:
            break
    assert 11.9 * HOUR < clock["offset"] <= 12.25 * HOUR and response.status_code == 302


def test_an_idle_api_session_answers_401(client, le_lead, clock):
    client.force_login(le_lead)
    clock["offset"] = 31 * MINUTE
    response = client.get("/api/")
    assert response.status_code == 401 and response.json()["code"] == "session_expired"


def test_the_session_lock_is_audited_as_a_sign_out(client, le_lead, clock):
    client.force_login(le_lead)
    clock["offset"] = 31 * MINUTE
    client.get("/")
    assert AuditEvent.objects.filter(actor=le_lead, action="logout", note__contains="30 minutes").exists()


def test_the_session_cookie_lasts_twelve_hours_at_most(settings):
    assert settings.SESSION_COOKIE_AGE == 12 * HOUR


def test_an_htmx_request_of_a_locked_session_reloads_the_whole_page(client, le_lead, clock):
    client.force_login(le_lead)
    clock["offset"] = 31 * MINUTE
    response = client.get(reverse("notifications:board"), headers={"HX-Request": "true"})
    assert response.status_code == 204 and response["HX-Redirect"].startswith(reverse("login"))
