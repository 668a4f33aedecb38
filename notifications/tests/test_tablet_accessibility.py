"""The tablet read by a screen reader (issue #18 item 10): help tied to its field, a blocked choice reachable by
Tab with its reason, and the server refusing what the page shows as blocked."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from notifications.models import State
from notifications.tests.test_tablet_support import ready_delivery
from notifications.tests.test_tablet_views import _advise

pytestmark = pytest.mark.django_db


def tag(page: str, pattern: str) -> str:
    return re.search(pattern, page).group(0)


@pytest.fixture
def juvenile_at_the_door(client, officer, le_lead):
    delivery = ready_delivery(le_lead, [officer], juvenile=True, first="Mateo", last="Chavez")
    client.force_login(officer)
    _advise(client, delivery)
    return delivery


def test_the_cad_field_on_the_after_action_screen_points_at_its_help(client, officer, le_lead):
    delivery = ready_delivery(le_lead, [officer])
    client.force_login(officer)
    _advise(client, delivery)
    client.post(reverse("tablet:not_located", args=[delivery.pk]), {"idempotency_key": "n1", "note": "No answer"})
    page = client.get(reverse("tablet:after_action", args=[delivery.pk])).content.decode()
    cad = tag(page, r'<input[^>]*name="cad_report_number"[^>]*>')
    assert 'aria-describedby="id_cad_report_number_helptext"' in cad
    assert 'id="id_cad_report_number_helptext"' in page


def test_a_juveniles_blocked_delivered_choice_stays_reachable_and_says_why(client, juvenile_at_the_door):
    page = client.get(reverse("tablet:encounter", args=[juvenile_at_the_door.pk])).content.decode()
    button = tag(page, r"<button[^>]*>Delivered to the candidate</button>")
    assert 'aria-disabled="true"' in button and " disabled" not in button
    assert 'aria-describedby="delivered-blocked"' in button and 'id="delivered-blocked"' in page


def test_the_server_still_refuses_a_juveniles_delivery_without_a_guardian(client, juvenile_at_the_door):
    response = client.post(
        reverse("tablet:delivered", args=[juvenile_at_the_door.pk]),
        {
            "idempotency_key": "j1",
            "letter_presented": "on",
            "gvi_message_delivered": "on",
            "social_services_stayed": "yes",
        },
    )
    juvenile_at_the_door.refresh_from_db()
    assert response.status_code >= 400 and juvenile_at_the_door.state == State.ECC_ADVISED


def test_no_tablet_screen_disables_a_button_outright():
    """A blocked step is aria-disabled with its reason tied by aria-describedby, never `disabled` (which Tab
    skips, so the reason is never read): every screen of the tablet, not only the encounter (issue #18 item 10)."""
    from pathlib import Path

    from django.conf import settings

    folder = Path(settings.BASE_DIR) / "templates" / "tablet"
    outright = [p.name for p in folder.glob("*.html") if re.search(r"<button[^>]*\sdisabled[\s>{]", p.read_text())]
    assert outright == []


def test_the_confirm_page_of_a_refusal_tells_why_it_is_blocked_for_a_cn_not_at_the_door(
    client, officer, juvenile_at_the_door
):
    """A refusal once recorded: the confirm page no longer offers it (the CN moved on: sent to its step)."""
    client.post(reverse("tablet:refusal", args=[juvenile_at_the_door.pk]), {"idempotency_key": "r1"})
    response = client.get(reverse("tablet:refusal", args=[juvenile_at_the_door.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("tablet:after_action", args=[juvenile_at_the_door.pk])
