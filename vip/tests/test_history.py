"""The change history's manager (vip.history): made once per model, and still records every change."""

from __future__ import annotations

import pytest

from candidates.models import Candidate


@pytest.mark.django_db
def test_reading_a_records_history_twice_uses_one_manager_class():
    person = Candidate.objects.create(first_name="Ana", last_name="Green", date_of_birth="2001-02-03")
    assert type(person.history) is type(person.history)
    assert type(Candidate.history) is type(person.history)


@pytest.mark.django_db
def test_each_change_is_still_recorded_for_its_own_record():
    person = Candidate.objects.create(first_name="Ana", last_name="Green", date_of_birth="2001-02-03")
    other = Candidate.objects.create(first_name="Noah", last_name="Reed", date_of_birth="2002-03-04")
    person.last_name = "Greene"
    person.save()
    assert [h.last_name for h in person.history.all()] == ["Greene", "Green"]
    assert [h.last_name for h in other.history.all()] == ["Reed"]
