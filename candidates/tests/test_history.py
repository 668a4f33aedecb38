"""The candidate page's history, read in one query, says what the change trail's own rows say."""

import datetime as dt

import pytest
from django.db.models import Q

from candidates import history, services
from candidates import models as m
from candidates.models import today
from candidates.tests.factories import make_candidate, make_group, make_meeting, make_referral, make_shooting
from vip.models import AuditEvent

pytestmark = pytest.mark.django_db


def as_the_trail_reads_it(candidate, limit=history.HISTORY_LIMIT) -> list[tuple]:
    """The trail asked through the ORM, newest first, each record made from its snapshot and named by its own
    __str__ (reading what it names from the database)."""
    models_by_label = {model._meta.label: model for model in history.HISTORY_MODELS}
    mine = Q(object_type="candidates.Candidate", object_id=str(candidate.pk))
    mine |= Q(object_type__in=list(models_by_label)[1:], snapshot__candidate_id=candidate.pk)
    events = (
        AuditEvent.objects.filter(mine, action__in=history.CHANGES, snapshot__isnull=False)
        .select_related("actor")
        .order_by("-at", "-id")[:limit]
    )
    rows = []
    for event in events:
        model = models_by_label[event.object_type]
        text = ""
        if model is not m.Candidate:
            fields = [f for f in model._meta.concrete_fields if f.column in event.snapshot]
            text = str(model(**{f.attname: f.to_python(event.snapshot[f.column]) for f in fields}))
        rows.append(describe(event.pk, event.at, event.action, event.actor, model._meta.verbose_name, text))
    return rows


def describe(event_id, at, action, user, label, text) -> tuple:
    return (
        label,
        event_id,
        at,
        action,
        text,
        user.pk if user else None,
        (user.get_full_name() or user.username) if user else None,
    )


def as_the_page_reads_it(candidate, limit=history.HISTORY_LIMIT) -> list[tuple]:
    return [
        describe(r.id, r.at, r.action, r.actor, r.record_label, r.record_text)
        for r in history.candidate_history(candidate, limit)
    ]


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


def test_the_history_is_what_the_trail_says_row_for_row(person_with_a_past, le_lead):
    page = as_the_page_reads_it(person_with_a_past)
    assert page == as_the_trail_reads_it(person_with_a_past)
    assert {row[5] for row in page} == {le_lead.pk, None}  # the LE Lead's changes, and the ones made directly
    labels = {row[0] for row in page}
    assert {"candidate", "alias", "phone", "eligibility basis", "group membership", "service offer"} <= labels
    assert "Victim of a shooting: T-" in " ".join(row[4] for row in page)
    assert "Ana Chavez in Westside 9" in [row[4] for row in page]


def test_the_history_keeps_the_newest_rows_only(person_with_a_past):
    assert as_the_page_reads_it(person_with_a_past, limit=5) == as_the_trail_reads_it(person_with_a_past, limit=5)


def test_a_person_s_history_holds_only_their_own_rows(person_with_a_past):
    someone_else = make_candidate()
    rows = as_the_page_reads_it(someone_else)
    assert rows == as_the_trail_reads_it(someone_else)
    assert [(label, kind) for label, _id, _at, kind, *_rest in rows] == [("candidate", "create")]
