"""Opening a CN for a candidate: the LE Lead only, one open CN per person, audited."""

import pytest

from notifications import services as s
from notifications.models import Delivery, State, TeamMember
from notifications.tests.conftest import make_candidate
from vip.errors import DomainError, NotPermitted
from vip.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_the_le_lead_opens_a_cn_in_identified_with_themself_on_the_team(le_lead, adult):
    cn = s.delivery_create(user=le_lead, candidate=adult)
    assert cn.state == State.IDENTIFIED
    assert TeamMember.objects.filter(delivery=cn, user=le_lead, role="le_lead").exists()


def test_opening_a_cn_is_audited(le_lead, adult):
    cn = s.delivery_create(user=le_lead, candidate=adult)
    event = AuditEvent.objects.get(action="create", object_id=str(cn.pk))
    assert (event.actor, event.to_state) == (le_lead, "identified")


@pytest.mark.parametrize("persona", ["officer", "program_manager", "social_worker"])
def test_only_the_le_lead_opens_a_cn(request, persona, adult):
    with pytest.raises(NotPermitted):
        s.delivery_create(user=request.getfixturevalue(persona), candidate=adult)
    assert not Delivery.objects.filter(candidate=adult).exists()


def test_a_second_open_cn_for_the_same_person_is_refused(le_lead, cn, adult):
    with pytest.raises(DomainError) as refused:
        s.delivery_create(user=le_lead, candidate=adult)
    assert "candidate" in refused.value.reasons


def test_a_new_cn_may_be_opened_once_the_last_is_cancelled(le_lead, cn, adult):
    s.delivery_cancel(cn.pk, user=le_lead, reason="Moved away.")
    assert s.delivery_create(user=le_lead, candidate=adult).state == State.IDENTIFIED


def test_a_sealed_candidate_gets_no_cn(le_lead):
    from django.utils import timezone

    person = make_candidate()
    person.sealed_at = timezone.now()
    person.save()
    with pytest.raises(DomainError):
        s.delivery_create(user=le_lead, candidate=person)
