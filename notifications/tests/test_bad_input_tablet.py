"""Issue 17, item 7: a NUL character in a tablet form's idempotency key is refused with a message, not a 500."""

import pytest
from django.urls import reverse

from notifications.tests.test_tablet_support import ready_delivery

pytestmark = pytest.mark.django_db


def test_it_refuses_a_nul_in_the_idempotency_key_with_a_message(client, le_lead, officer):
    ready = ready_delivery(le_lead, [officer])
    client.force_login(officer)
    response = client.post(
        reverse("tablet:advise_ecc", args=[ready.pk]),
        {"idempotency_key": "key\x00one", "ecc_reference": "ECC-17", "advised_at": "2026-11-23T09:15"},
    )
    assert response.status_code == 400 and b"NUL" in response.content
