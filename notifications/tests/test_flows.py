"""Whole CNs end to end, read from the audit trail: who moved the CN, from what, to what."""

import pytest
from django.utils import timezone

from notifications import services as s
from notifications.models import Delivery, State
from notifications.tests.conftest import guardian_of, prepare, transitions_of
from vip.models import AuditEvent

pytestmark = pytest.mark.django_db

PREPARED = [("identified", "eligible"), ("eligible", "in_preparation"), ("in_preparation", "ready")]
AFTER = [("after_action", "closed")]


def _to_ready(cn, lead, officer, guardian=None):
    s.delivery_determine_eligibility(cn.pk, user=lead)
    s.delivery_start_preparation(cn.pk, user=lead)
    prepare(cn.pk, lead=lead, officer=officer, juvenile_guardian=guardian)
    s.delivery_approve(cn.pk, user=lead)


def _finish(cn, lead, officer, cad="CAD-2026-000123"):
    s.delivery_record_after_action(cn.pk, user=officer, cad_report_number=cad, ecc_advised_of_outcome=True)
    s.delivery_close(cn.pk, user=lead)


def test_an_adult_cn_from_identification_to_closed(le_lead, officer, cn):
    _to_ready(cn, le_lead, officer)
    s.delivery_advise_ecc(cn.pk, user=officer)
    s.delivery_record_delivery(
        cn.pk, user=officer, letter_presented=True, gvi_message_delivered=True, social_services_stayed=True
    )
    _finish(cn, le_lead, officer)
    assert transitions_of(cn) == [
        *PREPARED,
        ("ready", "ecc_advised"),
        ("ecc_advised", "delivered"),
        ("delivered", "after_action"),
        *AFTER,
    ]


def test_every_transition_is_audited_with_the_person_who_made_it(le_lead, officer, cn):
    _to_ready(cn, le_lead, officer)
    s.delivery_advise_ecc(cn.pk, user=officer)
    actors = list(
        AuditEvent.objects.filter(action="transition", object_id=str(cn.pk))
        .order_by("id")
        .values_list("actor__username", flat=True)
    )
    assert actors == ["lead", "lead", "lead", "officer"]


def test_a_juvenile_cn_with_jpo_guardian_contact_and_guardian_present(le_lead, officer, juvenile):
    cn = s.delivery_create(user=le_lead, candidate=juvenile, location="88 Demo Ln SW")
    guardian = guardian_of(juvenile)
    _to_ready(cn, le_lead, officer, guardian)
    s.delivery_advise_ecc(cn.pk, user=officer)
    s.delivery_record_delivery(
        cn.pk,
        user=officer,
        letter_presented=True,
        gvi_message_delivered=True,
        social_services_stayed=True,
        guardian_present=True,
        guardian_influencer=guardian,
    )
    _finish(cn, le_lead, officer)
    assert Delivery.objects.get(pk=cn.pk).state == State.CLOSED
    assert cn.guardian_contacts.count() == 1 and cn.jpo_check.decision == "deliver"


def test_a_refused_cn_is_closed_with_its_after_action(le_lead, officer, cn):
    _to_ready(cn, le_lead, officer)
    s.delivery_advise_ecc(cn.pk, user=officer)
    s.delivery_record_refusal(cn.pk, user=officer)
    _finish(cn, le_lead, officer)
    assert transitions_of(cn)[-3:] == [("ecc_advised", "refused"), ("refused", "after_action"), *AFTER]


def test_an_influencer_delivery_is_closed_with_its_after_action(le_lead, officer, cn):
    _to_ready(cn, le_lead, officer)
    s.delivery_advise_ecc(cn.pk, user=officer)
    s.delivery_record_influencer_delivery(
        cn.pk,
        user=officer,
        recipient_influencer=guardian_of(cn.candidate),
        recipient_reason="Candidate away; mother agreed.",
        gvi_message_delivered=True,
        letter_presented=True,
    )
    _finish(cn, le_lead, officer)
    assert transitions_of(cn)[-3][1] == "delivered_to_influencer"


def test_not_located_then_found_on_the_second_attempt(le_lead, officer, cn):
    _to_ready(cn, le_lead, officer)
    s.delivery_advise_ecc(cn.pk, user=officer)
    s.delivery_record_not_located(cn.pk, user=officer, note="No answer.")
    s.delivery_retry(cn.pk, user=le_lead)
    s.delivery_advise_ecc(cn.pk, user=officer)
    s.delivery_record_delivery(
        cn.pk, user=officer, letter_presented=True, gvi_message_delivered=True, social_services_stayed=True
    )
    _finish(cn, le_lead, officer)
    assert transitions_of(cn)[3:7] == [
        ("ready", "ecc_advised"),
        ("ecc_advised", "not_located"),
        ("not_located", "ready"),
        ("ready", "ecc_advised"),
    ]
    assert cn.encounters.count() == 2


def test_a_juvenile_cn_cancelled_by_the_jpo_keeps_the_reason_in_the_audit(le_lead, juvenile):
    cn = s.delivery_create(user=le_lead, candidate=juvenile)
    s.delivery_determine_eligibility(cn.pk, user=le_lead)
    s.delivery_start_preparation(cn.pk, user=le_lead)
    s.record_jpo_check(
        cn.pk,
        user=le_lead,
        contacted_on=timezone.localdate(),
        on_probation=True,
        decision="do_not_deliver",
        reasons="Services under way with the PO.",
        services_status="Active.",
        relationship_status="Strong.",
    )
    event = AuditEvent.objects.filter(action="transition", object_id=str(cn.pk)).order_by("-id").first()
    assert (event.from_state, event.to_state) == ("in_preparation", "cancelled")
    assert "Services under way" in event.note
