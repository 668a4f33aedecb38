"""The candidate page's history, read in one query, says what django-simple-history's own rows say."""

import datetime as dt
from itertools import chain

import pytest

from candidates import history, services
from candidates import models as m
from candidates.models import today
from candidates.tests.factories import make_candidate, make_group, make_meeting, make_referral, make_shooting

pytestmark = pytest.mark.django_db


def as_simple_history_reads_it(candidate, limit=history.HISTORY_LIMIT) -> list[tuple]:
    """Each table asked through simple_history's manager, newest first: what the page showed before."""
    rows = [candidate.history.select_related("history_user")[:limit]]
    for model in history.HISTORY_MODELS[1:]:
        rows.append(model.history.filter(candidate_id=candidate.pk).select_related("history_user")[:limit])
    records = sorted(chain.from_iterable(rows), key=lambda r: r.history_date, reverse=True)[:limit]
    return [
        describe(r, r.instance_type._meta.verbose_name, str(r.instance) if r.instance_type is not m.Candidate else "")
        for r in records
    ]


def describe(record, label, text) -> tuple:
    user = record.history_user
    return (
        label,
        record.history_id,
        record.history_date,
        record.history_type,
        text,
        user.pk if user else None,
        (user.get_full_name() or user.username) if user else None,
    )


def as_the_page_reads_it(candidate, limit=history.HISTORY_LIMIT) -> list[tuple]:
    return [describe(r, r.record_label, r.record_text) for r in history.candidate_history(candidate, limit)]


@pytest.fixture
def person_with_a_past(le_lead):
    person = services.candidate_create(
        user=le_lead,
        first_name="Ana",
        last_name="Chavez",
        date_of_birth=dt.date(2001, 2, 3),
        aliases=["Nana"],
        addresses=[{"line1": "1200 Demo Ln SW", "valid_from": dt.date(2025, 1, 1)}],
        phones=[{"number": "505-555-0100", "label": "mobile"}],
    )
    services.candidate_update(user=le_lead, candidate=person, notes="Moved in with her aunt.", aliases=["Nana", "A"])
    services.influencer_add(user=le_lead, candidate=person, name="Rosa Baca", relationship="grandparent")
    referral = make_referral(person)
    shooting, meeting = make_shooting(), make_meeting()
    services.basis_add(user=le_lead, candidate=person, kind="shooting_victim", shooting=shooting)
    services.basis_add(
        user=le_lead, candidate=person, kind="associate", shooting=shooting, related_person=make_candidate(last="Ortiz")
    )
    services.basis_add(user=le_lead, candidate=person, kind="gvis", gvis_meeting=meeting)
    services.basis_add(user=le_lead, candidate=person, kind="referral", referral=referral)
    services.basis_add(user=le_lead, candidate=person, kind="gvis", link_analysis_reference="LA-9")
    membership = services.membership_add(
        user=le_lead,
        candidate=person,
        group=make_group("Westside 9"),
        source="gvis",
        gvis_meeting=meeting,
        identified_on=meeting.held_on,
    )
    services.membership_update(user=le_lead, membership=membership, link_analysis_reference="LA-10")
    m.ServiceOffer.objects.create(candidate=person, service_type="job_training", offered_on=today())
    m.OutcomeEvent.objects.create(
        candidate=person, kind="arrest", category="drug", occurred_on=today(), source_reference="R"
    )
    m.Phone.objects.filter(candidate=person).delete()  # a removal is history too
    return person


def test_the_history_is_what_simple_history_says_row_for_row(person_with_a_past, le_lead):
    page = as_the_page_reads_it(person_with_a_past)
    assert page == as_simple_history_reads_it(person_with_a_past)
    assert {row[5] for row in page} == {le_lead.pk, None}  # the LE Lead's changes, and the ones made directly
    labels = {row[0] for row in page}
    assert {"candidate", "alias", "phone", "eligibility basis", "group membership", "service offer"} <= labels
    assert "Victim of a shooting: T-" in " ".join(row[4] for row in page)
    assert "Ana Chavez in Westside 9" in [row[4] for row in page]


def test_the_history_keeps_the_newest_rows_only(person_with_a_past):
    assert as_the_page_reads_it(person_with_a_past, limit=5) == as_simple_history_reads_it(person_with_a_past, limit=5)


def test_a_person_s_history_holds_only_their_own_rows(person_with_a_past):
    someone_else = make_candidate()
    rows = as_the_page_reads_it(someone_else)
    assert rows == as_simple_history_reads_it(someone_else)
    assert [(label, kind) for label, _id, _at, kind, *_rest in rows] == [("candidate", "+")]
