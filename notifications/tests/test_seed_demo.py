"""seed_demo: personas for every role, CNs in every state, and a second run adds nothing."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from notifications.models import Delivery, State

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("seed_demo", stdout=StringIO())


def test_it_creates_a_persona_for_every_role(seeded):
    names = set(User.objects.values_list("username", flat=True))
    assert {"lead", "officer1", "officer2", "trainee", "manager", "social", "admin"} <= names


def test_it_puts_demo_cns_in_every_state(seeded):
    assert set(Delivery.objects.values_list("state", flat=True)) == set(State.values)


def test_a_second_run_duplicates_nothing(seeded):
    before = (User.objects.count(), Delivery.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (User.objects.count(), Delivery.objects.count()) == before


def test_the_demo_officers_are_qualified_and_the_trainee_is_not(seeded):
    from notifications.personnel import qualification

    assert qualification(User.objects.get(username="officer1")).qualified
    assert not qualification(User.objects.get(username="trainee")).qualified
