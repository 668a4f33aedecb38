"""Cancelling a CN: the LE Lead, with a reason, from any state before the ECC is advised."""

import pytest

from notifications import services as s
from notifications.models import Delivery, State
from notifications.tests.conftest import transitions_of
from vip.errors import DomainError, NotPermitted, TransitionRefused

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("target", [None, "eligible", "in_preparation", "ready"])
def test_the_le_lead_cancels_before_the_ecc_is_advised(le_lead, cn, walk_to, target):
    if target:
        walk_to(target)
    s.delivery_cancel(cn.pk, user=le_lead, reason="Candidate moved out of state.")
    assert Delivery.objects.get(pk=cn.pk).cancellation_reason == "Candidate moved out of state."
    assert transitions_of(cn)[-1][1] == "cancelled"


def test_a_cn_cannot_be_cancelled_once_the_ecc_is_advised(le_lead, walk_to):
    cn = walk_to("ecc_advised")
    with pytest.raises(TransitionRefused):
        s.delivery_cancel(cn.pk, user=le_lead, reason="Too late.")
    assert Delivery.objects.get(pk=cn.pk).state == State.ECC_ADVISED


def test_a_cancellation_needs_a_reason(le_lead, cn):
    with pytest.raises(DomainError) as refused:
        s.delivery_cancel(cn.pk, user=le_lead, reason="  ")
    assert "reason" in refused.value.reasons


def test_an_officer_on_the_team_cannot_cancel(le_lead, officer, cn):
    s.add_team_member(cn.pk, user=le_lead, member=officer, role="officer")
    with pytest.raises(NotPermitted):
        s.delivery_cancel(cn.pk, user=officer, reason="No.")
    assert Delivery.objects.get(pk=cn.pk).state == State.IDENTIFIED


def test_for_an_officer_not_on_the_team_there_is_no_such_cn_to_cancel(officer, cn):
    with pytest.raises(DomainError) as refused:
        s.delivery_cancel(cn.pk, user=officer, reason="No.")
    assert refused.value.code == "not_found"  # as when they read it: the API answers 404
    assert Delivery.objects.get(pk=cn.pk).state == State.IDENTIFIED
