"""Eligibility bases, referral sources and intake dates, over adults and juveniles (SOP 2-64-4 A, 2-64-5 A)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from candidates import services
from candidates.history import candidate_history
from candidates.models import (
    ADULT_REFERRAL_SOURCES,
    EligibilityBasis,
    Referral,
    add_years,
    today,
)
from candidates.tests.factories import make_candidate, make_meeting, make_referral, make_shooting

pytestmark = pytest.mark.django_db

ADULT_AGE, JUVENILE_AGE = 24, 16
Kind = EligibilityBasis.Kind


def evidence_for(kind, candidate):
    """The evidence each kind of basis rests on."""
    if kind == Kind.SHOOTING_VICTIM:
        return {"shooting": make_shooting()}
    if kind in (Kind.ASSOCIATE, Kind.INFLUENCER):
        return {"shooting": make_shooting(), "related_person_name": "Ray Otero"}
    if kind == Kind.DRIVER:
        return {"information": "Named by two witnesses as the shooter's supplier of firearms."}
    if kind == Kind.GVIS_OR_LINK_ANALYSIS:
        return {"gvis_meeting": make_meeting()}
    if kind == Kind.REFERRAL:
        return {"referral": make_referral(candidate, source=Referral.Source.DEPARTMENT)}
    raise AssertionError(kind)


def applies(kind, age) -> bool:
    return not (kind == Kind.INFLUENCER and age <= 17)


@pytest.mark.parametrize("age", [ADULT_AGE, JUVENILE_AGE], ids=["adult", "juvenile"])
@pytest.mark.parametrize("kind", Kind.values)
def test_a_basis_with_its_evidence_is_accepted_where_it_applies_at_the_persons_age(le_lead, kind, age):
    person = make_candidate(age=age)
    evidence = evidence_for(kind, person)
    if applies(kind, age):
        basis = services.basis_add(user=le_lead, candidate=person, kind=kind, **evidence)
        assert basis.is_valid_on(today())
    else:
        with pytest.raises(ValidationError) as refused:
            services.basis_add(user=le_lead, candidate=person, kind=kind, **evidence)
        assert "adults only" in refused.value.message_dict["kind"][0]
        assert not person.bases.exists()


@pytest.mark.parametrize("age", [ADULT_AGE, JUVENILE_AGE], ids=["adult", "juvenile"])
@pytest.mark.parametrize("kind", Kind.values)
def test_a_basis_without_its_evidence_is_refused_saying_what_to_add(le_lead, kind, age):
    person = make_candidate(age=age)
    with pytest.raises(ValidationError) as refused:
        services.basis_add(user=le_lead, candidate=person, kind=kind)
    messages = " ".join(m for ms in refused.value.message_dict.values() for m in ms)
    assert any(word in messages for word in ("Pick", "Name", "Write"))
    assert not person.bases.exists()


@pytest.mark.parametrize("age", [ADULT_AGE, JUVENILE_AGE], ids=["adult", "juvenile"])
@pytest.mark.parametrize("source", Referral.Source.values)
def test_a_referral_is_accepted_only_from_the_sources_the_sop_lists_for_the_persons_age(le_lead, source, age):
    person = make_candidate(age=age)
    allowed = age <= 17 or source in ADULT_REFERRAL_SOURCES
    fields = {"source": source, "referred_by": "Someone", "referred_on": today(), "reason": "Named in a shooting"}
    if allowed:
        referral = services.referral_add(user=le_lead, candidate=person, add_basis=True, **fields)
        assert person.bases.get().referral == referral
    else:
        with pytest.raises(ValidationError) as refused:
            services.referral_add(user=le_lead, candidate=person, add_basis=True, **fields)
        assert "SOP 2-64-4 A.5" in refused.value.message_dict["source"][0]
        assert not person.referrals.exists()


@pytest.mark.parametrize("source", sorted(set(Referral.Source.values) - ADULT_REFERRAL_SOURCES))
def test_a_referral_taken_at_seventeen_from_outside_the_department_is_no_basis_once_the_person_is_adult(
    le_lead, source
):
    person = make_candidate(age=18)
    person.date_of_birth = add_years(today(), -18) - dt.timedelta(days=10)
    person.save()
    referral = services.referral_add(
        user=le_lead,
        candidate=person,
        source=source,
        referred_by="x",
        reason="x",
        referred_on=today() - dt.timedelta(days=20),
    )
    with pytest.raises(ValidationError) as refused:
        services.basis_add(user=le_lead, candidate=person, kind=Kind.REFERRAL, referral=referral)
    assert "not accepted for an adult" in refused.value.message_dict["referral"][0]


def test_a_person_is_a_juvenile_until_the_day_they_turn_eighteen():
    person = make_candidate(age=18)
    person.date_of_birth = add_years(today(), -18)
    assert not person.is_juvenile()
    assert person.is_juvenile(today() - dt.timedelta(days=1))


def test_a_date_of_birth_in_the_future_is_refused_with_what_to_fix(le_lead):
    with pytest.raises(ValidationError) as refused:
        services.candidate_create(
            user=le_lead, first_name="Ana", last_name="Future", date_of_birth=today() + dt.timedelta(days=3)
        )
    assert "in the future" in refused.value.message_dict["date_of_birth"][0]


def test_an_impossible_age_is_refused(le_lead):
    with pytest.raises(ValidationError) as refused:
        services.candidate_create(user=le_lead, first_name="Ana", last_name="Old", date_of_birth=dt.date(1890, 1, 1))
    assert "years old" in refused.value.message_dict["date_of_birth"][0]


def test_a_shooting_dated_in_the_future_is_refused(le_lead):
    with pytest.raises(ValidationError) as refused:
        services.shooting_create(
            user=le_lead, incident_number="S-1", occurred_on=today() + dt.timedelta(days=1), location="Here"
        )
    assert "future" in refused.value.message_dict["occurred_on"][0]


def test_intake_with_a_bad_address_row_saves_nothing(le_lead):
    from candidates.models import Candidate

    with pytest.raises(ValidationError):
        services.candidate_create(
            user=le_lead,
            first_name="Half",
            last_name="Saved",
            date_of_birth=dt.date(2000, 1, 1),
            aliases=["Halfy"],
            addresses=[{"line1": "1 Main", "valid_from": dt.date(2024, 5, 1), "valid_to": dt.date(2024, 1, 1)}],
        )
    assert not Candidate.objects.filter(last_name="Saved").exists()


def test_intake_records_aliases_addresses_phones_and_the_audit_row(le_lead):
    from vip.models import AuditEvent

    person = services.candidate_create(
        user=le_lead,
        first_name="Kayla",
        last_name="Montoya",
        date_of_birth=dt.date(2001, 2, 3),
        aliases=["Kay"],
        addresses=[{"line1": "12 Demo Ln SW", "valid_from": dt.date(2024, 1, 1)}],
        phones=[{"number": "505-555-0101", "label": "mobile"}],
    )
    assert person.search_text == "kayla montoya kay"
    assert (person.addresses.count(), person.phones.count()) == (1, 1)
    assert AuditEvent.objects.filter(object_id=str(person.pk), action="create", actor=le_lead).exists()


def test_every_change_is_in_the_history_with_who_made_it(le_lead):
    person = make_candidate()
    services.candidate_update(user=le_lead, candidate=person, notes="Moved to the South Valley.")
    assert candidate_history(person)[0].actor == le_lead


@pytest.mark.parametrize("persona", ["officer", "program_manager", "social_worker", "custodian", "outsider"])
def test_only_the_le_lead_records_intake(request, persona):
    from vip.errors import NotPermitted

    user = request.getfixturevalue(persona)
    with pytest.raises(NotPermitted):
        services.candidate_create(user=user, first_name="A", last_name="B", date_of_birth=dt.date(2000, 1, 1))


def test_a_membership_from_gvis_needs_its_meeting(le_lead):
    from candidates.tests.factories import make_group

    with pytest.raises(ValidationError) as refused:
        services.membership_add(
            user=le_lead, candidate=make_candidate(), group=make_group(), source="gvis", identified_on=today()
        )
    assert "meeting" in refused.value.message_dict["gvis_meeting"][0]


def test_a_membership_records_who_added_it_and_its_review_date(le_lead):
    from candidates.tests.factories import make_group

    meeting = make_meeting()
    membership = services.membership_add(
        user=le_lead,
        candidate=make_candidate(),
        group=make_group(),
        source="gvis",
        gvis_meeting=meeting,
        identified_on=meeting.held_on,
    )
    assert membership.added_by == le_lead
    assert membership.review_due_on == add_years(meeting.held_on, 5)


def test_the_same_group_twice_is_refused_with_a_message(le_lead):
    from candidates.tests.factories import make_group

    person, group, meeting = make_candidate(), make_group(), make_meeting()
    fields = {"group": group, "source": "gvis", "gvis_meeting": meeting, "identified_on": meeting.held_on}
    services.membership_add(user=le_lead, candidate=person, **fields)
    with pytest.raises(ValidationError) as refused:
        services.membership_add(user=le_lead, candidate=person, **fields)
    assert "already" in " ".join(refused.value.messages)


def test_an_update_cannot_take_over_another_persons_alias_row(le_lead):
    other = services.candidate_create(
        user=le_lead, first_name="A", last_name="Other", date_of_birth=dt.date(2000, 1, 1), aliases=["Theirs"]
    )
    person = make_candidate()
    foreign = other.aliases.get()
    with pytest.raises(ValidationError) as refused:
        services.candidate_update(user=le_lead, candidate=person, aliases=[{"id": foreign.pk, "name": "Mine"}])
    assert "another record" in refused.value.message_dict["aliases"][0]
    foreign.refresh_from_db()
    assert foreign.name == "Theirs"
