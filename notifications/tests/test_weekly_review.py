"""The weekly review (SOP 2-64-3, 2-64-4 A.4): the agenda builds itself, the LE Lead records the meeting and
decides on each person identified; "open a CN" opens it in identified, on the meeting, through every CN rule."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from candidates.models import (
    SEALED_PERSON,
    EligibilityBasis,
    GroupMembership,
    GVISIdentification,
    GVISMeeting,
    ShootingParticipant,
    add_years,
    today,
)
from candidates.tests.factories import make_candidate, make_group, make_shooting
from notifications import services as cn_services
from notifications.models import Delivery, State
from notifications.reminders import _link
from notifications.reminders.models import Reminder
from notifications.review import agenda as a
from notifications.review import services as s
from vip.errors import DomainError, NotPermitted
from vip.models import AuditEvent
from vip.testing import verified_client

pytestmark = pytest.mark.django_db


def meeting_on(days_ago: int) -> GVISMeeting:
    return GVISMeeting.objects.create(held_on=today() - dt.timedelta(days=days_ago))


def named_in(shooting, person, role="involved"):
    return ShootingParticipant.objects.create(shooting=shooting, candidate=person, role=role)


def signed_in(user):
    client = verified_client()
    client.force_login(user)
    return client


# --- the agenda: shootings since the last meeting ------------------------------------------------------------


def test_the_agenda_lists_the_shootings_since_the_last_meeting():
    meeting_on(7)
    before, after = make_shooting(days_ago=8), make_shooting(days_ago=2)
    shootings = a.shootings_since_last_meeting(meeting_on(0))
    assert after in shootings
    assert before not in shootings


def test_a_shooting_on_the_last_meetings_day_is_on_the_agenda_unless_that_meeting_reviewed_it():
    last = meeting_on(7)
    reviewed, not_reviewed = make_shooting(days_ago=7), make_shooting(days_ago=7)
    last.shootings_reviewed.add(reviewed)
    shootings = a.shootings_since_last_meeting(meeting_on(0))
    assert not_reviewed in shootings
    assert reviewed not in shootings


def test_with_no_earlier_meeting_the_agenda_covers_the_week_before():
    in_week, older = make_shooting(days_ago=6), make_shooting(days_ago=9)
    shootings = a.shootings_since_last_meeting(meeting_on(0))
    assert in_week in shootings
    assert older not in shootings


# --- the agenda: people named in two or more shootings within 12 months --------------------------------------


def test_a_person_named_in_two_shootings_within_12_months_is_on_the_agenda(le_lead):
    person = make_candidate()
    named_in(make_shooting(days_ago=300), person)
    named_in(make_shooting(days_ago=5), person, role="victim")
    repeat = a.people_in_repeat_shootings(le_lead, meeting_on(0))
    assert [r.candidate for r in repeat] == [person]
    assert len(repeat[0].shootings) == 2


def test_a_shooting_more_than_12_months_before_the_meeting_does_not_count(le_lead):
    person = make_candidate()
    meeting = meeting_on(0)
    named_in(make_shooting(days_ago=(meeting.held_on - add_years(meeting.held_on, -1)).days + 1), person)
    named_in(make_shooting(days_ago=5), person)
    assert a.people_in_repeat_shootings(le_lead, meeting) == []


def test_a_shooting_exactly_12_months_before_the_meeting_counts(le_lead):
    person = make_candidate()
    meeting = meeting_on(0)
    named_in(make_shooting(days_ago=(meeting.held_on - add_years(meeting.held_on, -1)).days), person)
    named_in(make_shooting(days_ago=5), person)
    assert [r.candidate for r in a.people_in_repeat_shootings(le_lead, meeting)] == [person]


def test_a_sealed_person_is_never_on_the_agenda(le_lead):
    person = make_candidate(sealed_at=timezone.now())
    named_in(make_shooting(days_ago=30), person)
    named_in(make_shooting(days_ago=5), person)
    assert a.people_in_repeat_shootings(le_lead, meeting_on(0)) == []


# --- the agenda: overdue CNs and 5-year reviews --------------------------------------------------------------


def test_a_cn_past_the_rulebooks_due_time_is_on_the_agenda_and_one_within_it_is_not(le_lead, settings):
    late, fresh = (
        Delivery.objects.create(candidate=make_candidate()),
        Delivery.objects.create(candidate=make_candidate()),
    )
    due = settings.VIP_STEP_DUE["identified"]
    Delivery.objects.filter(pk=late.pk).update(state_entered_at=timezone.now() - due - dt.timedelta(hours=1))
    Delivery.objects.filter(pk=fresh.pk).update(state_entered_at=timezone.now())
    overdue, total = a.overdue_cns(le_lead)
    assert [d.pk for d in overdue] == [late.pk]
    assert total == 1


def test_a_membership_whose_5_year_review_is_due_is_on_the_agenda_and_a_later_one_is_not(le_lead):
    group = make_group()
    due = GroupMembership.objects.create(
        candidate=make_candidate(),
        group=group,
        source="link_analysis",
        link_analysis_reference="LA-1",
        identified_on=add_years(today(), -5),
    )
    GroupMembership.objects.create(
        candidate=make_candidate(),
        group=group,
        source="link_analysis",
        link_analysis_reference="LA-2",
        identified_on=add_years(today(), -1),
    )
    assert a.reviews_due(le_lead) == [due]


# --- during the meeting ---------------------------------------------------------------------------------------


def test_the_le_lead_records_staff_and_partners_who_attended(le_lead, program_manager):
    meeting = meeting_on(0)
    s.attendee_add(user=le_lead, meeting=meeting, staff=program_manager)
    s.attendee_add(user=le_lead, meeting=meeting, name="Sgt. Ortiz", agency="Bernalillo County Sheriff")
    assert [str(x) for x in meeting.attendees.all()] == ["Renee Aldana", "Sgt. Ortiz (Bernalillo County Sheriff)"]


def test_a_partner_without_an_agency_is_refused_with_the_field_to_fix(le_lead):
    with pytest.raises(DomainError) as refused:
        s.attendee_add(user=le_lead, meeting=meeting_on(0), name="Sgt. Ortiz")
    assert "agency" in refused.value.reasons


def test_an_attendee_is_followed_by_the_databases_change_trail_naming_the_lead(le_lead):
    attendee = s.attendee_add(user=le_lead, meeting=meeting_on(0), name="Sgt. Ortiz", agency="BCSO")
    row = AuditEvent.objects.get(
        object_type="candidates.GVISAttendee", object_id=str(attendee.pk), note="Record created."
    )
    assert row.actor == le_lead


def test_only_the_le_lead_records_the_meeting(program_manager):
    with pytest.raises(NotPermitted):
        s.attendee_add(user=program_manager, meeting=meeting_on(0), name="Sgt. Ortiz", agency="BCSO")


def test_marking_a_shooting_reviewed_adds_it_to_the_meetings_record(le_lead):
    meeting, shooting = meeting_on(0), make_shooting(days_ago=2)
    s.shooting_mark_reviewed(user=le_lead, meeting=meeting, shooting=shooting)
    assert list(meeting.shootings_reviewed.all()) == [shooting]


def test_a_person_identified_joins_the_meetings_individuals_with_basis_and_evidence(le_lead):
    meeting, person = meeting_on(0), make_candidate()
    found = s.person_identify(user=le_lead, meeting=meeting, candidate=person, kind="driver", evidence="Link chart 12")
    assert (found.kind, found.evidence) == ("driver", "Link chart 12")
    assert list(meeting.individuals_identified.all()) == [person]


def test_a_juvenile_is_not_identified_as_an_influencer(le_lead):
    with pytest.raises(DomainError) as refused:
        s.person_identify(
            user=le_lead, meeting=meeting_on(0), candidate=make_candidate(age=16), kind="influencer", evidence="x"
        )
    assert "2-64-5 A.2" in refused.value.reasons["kind"]


def test_a_person_identified_without_evidence_is_refused(le_lead):
    with pytest.raises(DomainError) as refused:
        s.person_identify(user=le_lead, meeting=meeting_on(0), candidate=make_candidate(), kind="driver", evidence=" ")
    assert "evidence" in refused.value.reasons


def test_a_group_identified_joins_the_meetings_groups_with_its_evidence(le_lead):
    meeting, group = meeting_on(0), make_group()
    s.group_identify(user=le_lead, meeting=meeting, group=group, evidence="Three shootings in the quarter")
    assert list(meeting.groups_identified.all()) == [group]


# --- the decision, and "open a CN" ---------------------------------------------------------------------------


def identified(le_lead, person=None, meeting=None):
    return s.person_identify(
        user=le_lead,
        meeting=meeting or meeting_on(0),
        candidate=person or make_candidate(),
        kind="shooting_victim",
        evidence="Victim in T-1",
    )


def test_open_a_cn_opens_it_in_identified_on_a_gvis_basis_resting_on_the_meeting(le_lead):
    identification = identified(le_lead)
    decided = s.person_decide(user=le_lead, identification=identification, decision="open_cn")
    basis = EligibilityBasis.objects.get(candidate=identification.candidate)
    assert decided.delivery.state == State.IDENTIFIED
    assert (basis.kind, basis.gvis_meeting) == ("gvis", identification.meeting)
    assert "Victim in T-1" in basis.information


def test_the_decision_names_who_took_it_and_when(le_lead):
    decided = s.person_decide(user=le_lead, identification=identified(le_lead), decision="watch")
    assert (decided.decision, decided.decided_by) == ("watch", le_lead)
    assert decided.decided_at is not None


def test_not_eligible_without_a_reason_is_refused_and_nothing_is_decided(le_lead):
    identification = identified(le_lead)
    with pytest.raises(DomainError) as refused:
        s.person_decide(user=le_lead, identification=identification, decision="not_eligible", reason="  ")
    assert "reason" in refused.value.reasons
    assert GVISIdentification.objects.get(pk=identification.pk).decision == ""


def test_open_a_cn_is_refused_while_the_person_has_an_open_cn_and_nothing_is_written(le_lead):
    person = make_candidate()
    cn_services.delivery_create(user=le_lead, candidate=person)
    identification = identified(le_lead, person)
    with pytest.raises(DomainError) as refused:
        s.person_decide(user=le_lead, identification=identification, decision="open_cn")
    assert "already has an open CN" in refused.value.reasons["decision"]
    assert not EligibilityBasis.objects.filter(candidate=person).exists()


def test_the_decision_is_audited(le_lead):
    identification = identified(le_lead)
    s.person_decide(user=le_lead, identification=identification, decision="watch")
    assert AuditEvent.objects.filter(
        object_type="candidates.GVISIdentification", object_id=str(identification.pk), actor=le_lead, action="update"
    ).exists()


# --- the pages ------------------------------------------------------------------------------------------------


def test_the_lead_starts_this_weeks_review_once_a_day(le_lead):
    client = signed_in(le_lead)
    first = client.post("/candidates/gvis/start/")
    second = client.post("/candidates/gvis/start/")
    assert first["Location"] == second["Location"]
    assert GVISMeeting.objects.filter(held_on=today()).count() == 1


def test_not_eligible_without_a_reason_on_the_page_shows_the_error_beside_the_field(le_lead):
    identification = identified(le_lead)
    answer = signed_in(le_lead).post(
        f"/candidates/gvis/{identification.meeting_id}/people/{identification.pk}/decide/",
        {f"decide-{identification.pk}-decision": "not_eligible", f"decide-{identification.pk}-reason": ""},
    )
    assert answer.status_code == 400
    assert "Write why the person is not eligible" in answer.content.decode()


def test_a_refused_identification_keeps_what_was_typed(le_lead):
    meeting = meeting_on(0)
    answer = signed_in(le_lead).post(
        f"/candidates/gvis/{meeting.pk}/people/",
        {"identify-candidate_number": "999999", "identify-kind": "driver", "identify-evidence": "Link chart 12"},
    )
    assert answer.status_code == 400
    assert "Link chart 12" in answer.content.decode()


def test_the_program_manager_reads_the_agenda_but_may_not_record(program_manager):
    meeting = meeting_on(0)
    client = signed_in(program_manager)
    assert client.get(f"/candidates/gvis/{meeting.pk}/").status_code == 200
    assert client.post(f"/candidates/gvis/{meeting.pk}/attendees/", {"attendee-name": "X"}).status_code == 403


def test_the_minutes_name_the_people_decided_on_and_never_a_sealed_one(le_lead, program_manager):
    meeting = meeting_on(0)
    shown = identified(le_lead, make_candidate(first="Avery", last="Minutes"), meeting)
    sealed = identified(le_lead, make_candidate(first="Hidden", last="Sealed"), meeting)
    s.person_decide(user=le_lead, identification=shown, decision="watch")
    type(sealed.candidate).objects.filter(pk=sealed.candidate_id).update(sealed_at=timezone.now())
    page = signed_in(program_manager).get(f"/candidates/gvis/{meeting.pk}/minutes/").content.decode()
    assert "Avery Minutes" in page and "Watch" in page
    assert "Hidden" not in page and SEALED_PERSON in page


def test_the_minutes_show_no_date_of_birth(le_lead):
    meeting = meeting_on(0)
    person = identified(le_lead, meeting=meeting).candidate
    page = signed_in(le_lead).get(f"/candidates/gvis/{meeting.pk}/minutes/").content.decode()
    assert person.date_of_birth.isoformat() not in page


def test_reading_the_meeting_page_is_audited_with_the_people_it_shows(le_lead):
    meeting = meeting_on(0)
    person = identified(le_lead, meeting=meeting).candidate
    signed_in(le_lead).get(f"/candidates/gvis/{meeting.pk}/")
    read = AuditEvent.objects.filter(action="read").latest("at")
    assert str(person.pk) in read.changes["shown"]["candidates.Candidate"]


# --- the weekly reminder --------------------------------------------------------------------------------------


def test_the_weekly_reminder_links_to_the_weekly_review(le_lead):
    reminder = Reminder(kind=Reminder.Kind.GVIS, step="gvis", recipient=le_lead)
    assert _link(reminder).endswith("/candidates/gvis/")


def test_the_meeting_page_never_names_a_person_sealed_since_they_were_identified(le_lead):
    meeting = meeting_on(0)
    sealed = identified(le_lead, make_candidate(first="Hidden", last="Sealed"), meeting)
    type(sealed.candidate).objects.filter(pk=sealed.candidate_id).update(sealed_at=timezone.now())
    page = signed_in(le_lead).get(f"/candidates/gvis/{meeting.pk}/").content.decode()
    assert "Hidden" not in page


def test_a_sealed_persons_overdue_cn_is_not_on_the_agenda_even_for_the_records_custodian(custodian, settings):
    late = Delivery.objects.create(candidate=make_candidate(sealed_at=timezone.now()))
    due = settings.VIP_STEP_DUE["identified"]
    Delivery.objects.filter(pk=late.pk).update(state_entered_at=timezone.now() - due - dt.timedelta(hours=1))
    assert a.overdue_cns(custodian) == ([], 0)


def test_the_weekly_reminder_in_the_inbox_links_to_the_weekly_review(le_lead):
    Reminder.objects.create(
        kind=Reminder.Kind.GVIS,
        step="gvis",
        period="2026-W49",
        recipient=le_lead,
        due_at=timezone.now(),
        message="No weekly shooting review",
        claim=uuid.uuid4(),
    )
    page = signed_in(le_lead).get("/reminders/").content.decode()
    assert '<a href="/candidates/gvis/">No weekly shooting review' in page
