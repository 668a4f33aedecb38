"""The nightly list of records likely to be one person, and the LE Lead's review of it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from candidates import models as m
from candidates.merging.duplicates import duplicate_pair_dismiss, duplicate_pairs_refresh, pairs_for_review
from candidates.tasks import duplicate_pairs_task
from candidates.tests.factories import make_candidate

pytestmark = pytest.mark.django_db


def test_it_lists_a_similar_name_with_the_same_date_of_birth():
    a, b = make_candidate(24, first="Jordan", last="Reyes"), make_candidate(24, first="Jordon", last="Reyes")
    duplicate_pairs_task()
    pair = m.DuplicatePair.objects.get()
    assert (pair.first, pair.second) == (a, b) and pair.matched_on == ["name", "date_of_birth"]


def test_it_lists_a_shared_alias_at_the_same_address():
    a, b = make_candidate(24, first="Mario", last="Sena"), make_candidate(31, first="Luis", last="Baca")
    for person in (a, b):
        m.Alias.objects.create(candidate=person, name="Flaco")
        m.Address.objects.create(candidate=person, line1="400 Coal Ave SE", postal_code="87102")
    duplicate_pairs_refresh()
    assert m.DuplicatePair.objects.get().matched_on == ["alias", "address"]


def test_one_sign_alone_is_not_a_likely_pair():
    make_candidate(24, first="Mario", last="Sena"), make_candidate(24, first="Luis", last="Baca")  # a birthday shared
    duplicate_pairs_refresh()
    assert not m.DuplicatePair.objects.exists()


def test_a_sealed_record_is_never_paired():
    make_candidate(24, first="Jordan", last="Reyes")
    make_candidate(24, first="Jordon", last="Reyes", sealed_at=timezone.now())
    duplicate_pairs_refresh()
    assert not m.DuplicatePair.objects.exists()


def test_a_dismissed_pair_is_never_listed_again(le_lead):
    make_candidate(24, first="Jordan", last="Reyes"), make_candidate(24, first="Jordon", last="Reyes")
    duplicate_pairs_refresh()
    duplicate_pair_dismiss(m.DuplicatePair.objects.get().pk, user=le_lead)
    duplicate_pairs_refresh()
    assert not pairs_for_review(le_lead).exists()


def test_the_lead_reviews_the_pairs_on_their_page(client, le_lead):
    make_candidate(24, first="Jordan", last="Reyes"), make_candidate(24, first="Jordon", last="Reyes")
    duplicate_pairs_refresh()
    client.force_login(le_lead)
    html = client.get("/candidates/duplicates/").content.decode()
    assert "Jordon Reyes" in html and "Same date of birth" in html


def test_the_lead_dismisses_a_pair_on_the_page(client, le_lead):
    make_candidate(24, first="Jordan", last="Reyes"), make_candidate(24, first="Jordon", last="Reyes")
    duplicate_pairs_refresh()
    client.force_login(le_lead)
    client.post(f"/candidates/duplicates/{m.DuplicatePair.objects.get().pk}/dismiss/")
    assert m.DuplicatePair.objects.get().dismissed_by == le_lead


def test_the_nightly_job_is_scheduled():
    from io import StringIO

    from django.core.management import call_command
    from django_celery_beat.models import PeriodicTask

    call_command("setup_schedules", stdout=StringIO())
    assert PeriodicTask.objects.filter(task="candidates.tasks.duplicate_pairs_task", crontab__hour="1").exists()
