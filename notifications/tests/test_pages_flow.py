"""A whole adult CN driven through the LE Lead's and an officer's page forms, as a person would."""

import pytest
from django.utils import timezone

from notifications import services as s
from notifications.models import Delivery, State
from notifications.tests.conftest import guardian_of, walk

pytestmark = pytest.mark.django_db

TODAY = str(timezone.localdate())
NOW = timezone.localtime().strftime("%Y-%m-%dT%H:%M")


def _ok(response):
    assert response.status_code == 302, response.content.decode()[-3000:]


def test_an_adult_cn_from_the_new_cn_page_to_closed(client, le_lead, officer, adult):
    client.force_login(le_lead)
    _ok(client.post("/cn/new/", {"candidate": adult.pk, "location": "1200 Demo Ln SW", "planned_for": TODAY}))
    cn = Delivery.objects.get(candidate=adult)
    base = f"/cn/{cn.pk}"

    def step(name, data):
        _ok(client.post(f"{base}/step/{name}/", {f"{name}-{k}": v for k, v in data.items()}))

    def move(name, data=None):
        _ok(client.post(f"{base}/transition/{name}/", {f"{name}-{k}": v for k, v in (data or {}).items()}))

    move("determine-eligibility")
    move("start-preparation")
    step("threat-assessment", {"completed_on": TODAY, "result": "no_concerns"})
    step("background-check", {"completed_on": TODAY, "result": "concerns_noted", "notes": "Prior charge."})
    step("letter", {"warranted": "1", "penalties": "Up to 10 years federal."})
    step("team-add", {"member": officer.pk, "role": "officer"})
    step("social-services", {"coordinated_on": TODAY, "plan": "Job training on scene."})
    move("approve")
    client.force_login(officer)
    move("advise-ecc", {"ecc_reference": "ECC-1"})
    move("record-delivery", {"letter_presented": "on", "gvi_message_delivered": "on", "social_services_stayed": "true"})
    move("record-after-action", {"ecc_advised_of_outcome": "on", "cad_report_number": "CAD-2026-000321"})
    client.force_login(le_lead)
    move("close")
    assert Delivery.objects.get(pk=cn.pk).state == State.CLOSED


def test_a_juvenile_cn_page_refuses_delivery_without_the_guardian_and_keeps_the_form(
    client, le_lead, officer, juvenile
):
    guardian = guardian_of(juvenile)
    cn = s.delivery_create(user=le_lead, candidate=juvenile, location="88 Demo Ln")
    walk(cn, "ecc_advised", lead=le_lead, officer=officer, guardian=guardian)
    client.force_login(officer)
    response = client.post(
        f"/cn/{cn.pk}/transition/record-delivery/",
        {
            "record-delivery-letter_presented": "on",
            "record-delivery-gvi_message_delivered": "on",
            "record-delivery-social_services_stayed": "true",
            "record-delivery-note": "Typed note",
        },
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "never delivered without a parent or guardian present" in html and "Typed note" in html
