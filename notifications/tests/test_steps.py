"""The step registry: each step and transition declared once, and every interface reads it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications import rules, services, steps
from notifications.models import Delivery

pytestmark = pytest.mark.django_db


def test_it_declares_each_transition_of_the_state_machine_once_and_no_other():
    machine = {t.name for t in Delivery().get_all_state_transitions()}
    assert set(steps.TRANSITION_BY_METHOD) == machine
    assert len(steps.TRANSITION_BY_METHOD) == len(steps.TRANSITIONS)


def test_it_names_a_service_an_actor_and_an_sop_clause_for_every_step():
    for step in (*steps.PREPARATION_STEPS.values(), *steps.TRANSITIONS.values()):
        assert callable(step.call) and step.sop and step.title
    assert all(step.who(state) in rules.ACTORS for step in steps.TRANSITIONS.values() for state in step.sources)


def test_it_answers_each_declared_step_at_its_api_path():
    names = [s.name for s in steps.PREPARATION_STEPS.values() if s.serializer] + list(steps.TRANSITIONS)
    paths = {reverse(f"api_delivery_{name.replace('-', '_')}", args=[1]) for name in names}
    assert paths == {f"/api/deliveries/1/{name}/" for name in names}


def test_it_refuses_a_step_in_the_registrys_words(cn, le_lead, officer):
    from vip.errors import NotPermitted

    services.add_team_member(cn.pk, user=le_lead, member=officer, role="officer")
    with pytest.raises(NotPermitted) as refused:
        services.record_letter(cn.pk, user=officer, penalties="Up to 10 years.")
    assert refused.value.message == rules.LE_LEAD.refusal
