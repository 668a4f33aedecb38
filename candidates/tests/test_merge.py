"""One record per person: the LE Lead proposes to merge two records of one person, the Program Manager approves,
every record of the merged-away person moves to the survivor, and the same two undo it within 30 days."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from candidates import models as m
from candidates.merging import relations as graph
from candidates.merging import services as merging
from candidates.tests.factories import (
    make_candidate,
    make_delivery,
    make_group,
    make_meeting,
    make_referral,
    make_shooting,
)
from vip.errors import NotPermitted
from vip.models import AuditEvent
from vip.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def twins():
    """Two records of one person: Jordan Reyes, entered twice with a typo in the name."""
    kept = make_candidate(24, first="Jordan", last="Reyes")
    other = make_candidate(24, first="Jordon", last="Reyes")
    return kept, other


def approved_merge(twins, le_lead, program_manager) -> m.CandidateMerge:
    kept, other = twins
    proposal = merging.merge_propose(user=le_lead, survivor_id=kept.pk, merged_id=other.pk, reason="Same person")
    return merging.merge_approve(proposal.pk, user=program_manager)


# --- every relation to a candidate moves ------------------------------------------------------------------
# One way to give a record a row of each relation. A relation added to Candidate fails
# `test_it_knows_how_to_give_a_person_a_row_of_every_relation` until a row of it is made here, so the
# parametrised test below proves that the merge moves it too.


def _membership(person):
    return m.GroupMembership.objects.create(
        candidate=person,
        group=make_group(),
        source="link_analysis",
        link_analysis_reference="LA-1",
        identified_on=timezone.localdate(),
    )


def _basis_about(person):
    subject = make_candidate(first="Other", last="Subject")
    return m.EligibilityBasis.objects.create(
        candidate=subject, kind="associate", shooting=make_shooting(), related_person=person
    )


def _meeting_link(person):
    meeting = make_meeting()
    meeting.individuals_identified.add(person)
    return m.GVISMeeting.individuals_identified.through.objects.get(gvismeeting=meeting, candidate=person)


def _navigator_assignment(person):
    from candidates.aftercare.models import NavigatorAssignment

    return NavigatorAssignment.objects.create(candidate=person, navigator=make_user("navigator-of-merged"))


def _partner(name="Casa Esperanza"):
    return m.PartnerOrganization.objects.get_or_create(name=name)[0]


def _identification(person):
    return m.GVISIdentification.objects.create(
        meeting=make_meeting(), candidate=person, kind="gvis", evidence="Named in the link analysis"
    )


def _aftercare(model_name, **fields):
    from candidates.aftercare import models as a

    return lambda p: getattr(a, model_name).objects.create(candidate=p, **fields)


TODAY = timezone.localdate()


def _consent(person):
    return _aftercare(
        "Consent", partner=_partner(), purpose="referral", decision="given", decided_on=TODAY, method="signed"
    )(person)


ROW_MAKERS = {
    "candidates.Need.candidate": _aftercare("Need", area="housing", status="unmet", status_changed_on=TODAY),
    "candidates.CaseNote.candidate": _aftercare("CaseNote", text="Wants to move out of the area"),
    "candidates.Consent.candidate": lambda p: _consent(p),
    "candidates.PartnerReferral.candidate": lambda p: _aftercare(
        "PartnerReferral",
        partner=_partner(),
        consent=_consent(p),
        area="housing",
        referred_on=TODAY,
        follow_up_due=TODAY,
    )(p),
    "candidates.NavigatorAssignment.candidate": _navigator_assignment,
    "candidates.GVISIdentification.candidate": _identification,
    "candidates.Alias.candidate": lambda p: m.Alias.objects.create(candidate=p, name="Lil J"),
    "candidates.Address.candidate": lambda p: m.Address.objects.create(candidate=p, line1="12 Elm St SW"),
    "candidates.Phone.candidate": lambda p: m.Phone.objects.create(candidate=p, number="505-555-0100"),
    "candidates.ShootingParticipant.candidate": lambda p: m.ShootingParticipant.objects.create(
        shooting=make_shooting(), candidate=p, role="victim"
    ),
    "candidates.GVISMeeting_individuals_identified.candidate": _meeting_link,
    "candidates.GroupMembership.candidate": _membership,
    "candidates.Influencer.candidate": lambda p: m.Influencer.objects.create(
        candidate=p, name="Rosa Reyes", relationship="parent"
    ),
    "candidates.Referral.candidate": make_referral,
    "candidates.EligibilityBasis.candidate": lambda p: m.EligibilityBasis.objects.create(
        candidate=p, kind="driver", information="Named by the DA's office"
    ),
    "candidates.EligibilityBasis.related_person": _basis_about,
    "candidates.ServiceOffer.candidate": lambda p: m.ServiceOffer.objects.create(
        candidate=p, service_type="food_box", offered_on=timezone.localdate()
    ),
    "candidates.OutcomeEvent.candidate": lambda p: m.OutcomeEvent.objects.create(
        candidate=p, kind="arrest", category="drug", occurred_on=timezone.localdate(), source_reference="RMS-1"
    ),
    "notifications.Delivery.candidate": lambda p: make_delivery(p, state="closed"),
}
MOVED = sorted(r.key for r in graph.relations() if r.rule != graph.NOT_MOVED)


def test_it_knows_how_to_give_a_person_a_row_of_every_relation():
    assert sorted(ROW_MAKERS) == MOVED


def test_it_has_a_rule_for_every_relation_that_cannot_be_moved_blindly():
    assert graph.unhandled() == []


def test_a_relation_in_a_unique_constraint_without_a_rule_stops_the_merge(monkeypatch, twins, le_lead):
    monkeypatch.delitem(graph.RULES, "candidates.GroupMembership.candidate")
    kept, other = twins
    with pytest.raises(merging.MergeRefused) as refused:
        merging.merge_propose(user=le_lead, survivor_id=kept.pk, merged_id=other.pk, reason="Same")
    assert "GroupMembership.candidate" in refused.value.reasons["relations"]


@pytest.mark.parametrize("key", MOVED)
def test_it_moves_each_related_record_to_the_surviving_record(key, twins, le_lead, program_manager):
    kept, other = twins
    row = ROW_MAKERS[key](other)
    merge = approved_merge(twins, le_lead, program_manager)
    field = key.rsplit(".", 1)[1]
    row.refresh_from_db()
    assert getattr(row, f"{field}_id") == kept.pk
    assert row.pk in merge.moved[key]


@pytest.mark.parametrize("key", MOVED)
def test_the_undo_puts_each_moved_record_back(key, twins, le_lead, program_manager):
    kept, other = twins
    row = ROW_MAKERS[key](other)
    merge = approved_merge(twins, le_lead, program_manager)
    merging.merge_undo(merge.pk, user=le_lead)
    merging.merge_undo(merge.pk, user=program_manager)
    row.refresh_from_db()
    assert getattr(row, f"{key.rsplit('.', 1)[1]}_id") == other.pk


# --- names, duplicates, the trail --------------------------------------------------------------------------


def test_it_keeps_the_other_records_name_as_an_alias(twins, le_lead, program_manager):
    kept, _ = twins
    approved_merge(twins, le_lead, program_manager)
    assert "Jordon Reyes" in kept.aliases.values_list("name", flat=True)


def test_it_finds_the_survivor_by_the_other_records_name(twins, le_lead, program_manager):
    from candidates.selectors import search_candidates

    kept, _ = twins
    approved_merge(twins, le_lead, program_manager)
    assert list(search_candidates(m.Candidate.objects.filter(pk=kept.pk), "jordon")) == [kept]


def test_an_alias_both_records_have_is_kept_once(twins, le_lead, program_manager):
    kept, other = twins
    m.Alias.objects.create(candidate=kept, name="Lil J")
    m.Alias.objects.create(candidate=other, name="lil j")
    approved_merge(twins, le_lead, program_manager)
    assert [n.lower() for n in kept.aliases.values_list("name", flat=True)].count("lil j") == 1


def test_a_membership_of_a_group_the_survivor_is_in_stays_with_the_other_record(twins, le_lead, program_manager):
    kept, other = twins
    group = make_group()
    for person in twins:
        m.GroupMembership.objects.create(
            candidate=person,
            group=group,
            source="link_analysis",
            link_analysis_reference="LA-7",
            identified_on=timezone.localdate(),
        )
    merge = approved_merge(twins, le_lead, program_manager)
    assert kept.memberships.count() == 1 and other.memberships.count() == 1
    assert "candidates.GroupMembership.candidate" not in merge.moved


def test_the_merge_row_lists_what_moved(twins, le_lead, program_manager):
    kept, other = twins
    address = m.Address.objects.create(candidate=other, line1="12 Elm St SW")
    approved_merge(twins, le_lead, program_manager)
    row = AuditEvent.objects.get(action=AuditEvent.Action.MERGE, to_state="merged")
    assert row.object_id == str(kept.pk) and row.changes["merged"] == other.pk
    assert row.changes["moved"]["candidates.Address.candidate"] == [address.pk]


def test_the_merged_away_record_points_to_the_survivor(twins, le_lead, program_manager):
    kept, other = twins
    approved_merge(twins, le_lead, program_manager)
    other.refresh_from_db()
    assert other.merged_into == kept


# --- who proposes and who decides -------------------------------------------------------------------------


def test_only_the_le_lead_proposes(twins, program_manager):
    kept, other = twins
    with pytest.raises(NotPermitted):
        merging.merge_propose(user=program_manager, survivor_id=kept.pk, merged_id=other.pk, reason="Same")


def test_the_proposer_never_approves_their_own_merge(twins, le_lead):
    kept, other = twins
    le_lead.groups.add(*make_user("pm2", "Program Manager").groups.all())  # a Lead who is also a Program Manager
    proposal = merging.merge_propose(user=le_lead, survivor_id=kept.pk, merged_id=other.pk, reason="Same")
    with pytest.raises(NotPermitted, match="other than its proposer"):
        merging.merge_approve(proposal.pk, user=le_lead)


def test_the_program_manager_refuses_with_a_reason_and_nothing_moves(twins, le_lead, program_manager):
    kept, other = twins
    address = m.Address.objects.create(candidate=other, line1="12 Elm St SW")
    proposal = merging.merge_propose(user=le_lead, survivor_id=kept.pk, merged_id=other.pk, reason="Same")
    merging.merge_refuse(proposal.pk, user=program_manager, reason="Different mothers' names")
    address.refresh_from_db()
    assert address.candidate_id == other.pk
    assert AuditEvent.objects.filter(action="merge", to_state="refused").exists()


# --- refusals -----------------------------------------------------------------------------------------------


def test_it_is_refused_while_either_record_is_sealed(twins, le_lead, program_manager):
    kept, other = twins
    proposal = merging.merge_propose(user=le_lead, survivor_id=kept.pk, merged_id=other.pk, reason="Same")
    m.Candidate.objects.filter(pk=other.pk).update(sealed_at=timezone.now())
    with pytest.raises(merging.MergeRefused) as refused:
        merging.merge_approve(proposal.pk, user=program_manager)
    assert "sealed" in refused.value.reasons and m.Candidate.objects.get(pk=other.pk).merged_into is None


def test_it_is_refused_while_both_have_an_open_cn_and_names_the_cn_to_close(twins, le_lead):
    kept, other = twins
    make_delivery(kept, state="eligible")
    theirs = make_delivery(other, state="identified")
    with pytest.raises(merging.MergeRefused) as refused:
        merging.merge_propose(user=le_lead, survivor_id=kept.pk, merged_id=other.pk, reason="Same")
    assert f"CN #{theirs.pk}" in refused.value.reasons["open_cns"]
    assert refused.value.status_code == 409


def test_one_open_cn_moves_with_its_person(twins, le_lead, program_manager):
    kept, other = twins
    cn = make_delivery(other, state="eligible")
    approved_merge(twins, le_lead, program_manager)
    cn.refresh_from_db()
    assert cn.candidate_id == kept.pk


# --- undo ---------------------------------------------------------------------------------------------------


def test_the_undo_removes_the_aliases_the_merge_added(twins, le_lead, program_manager):
    kept, other = twins
    merge = approved_merge(twins, le_lead, program_manager)
    added = list(kept.aliases.filter(pk__in=merge.aliases_added).values_list("name", flat=True))
    merging.merge_undo(merge.pk, user=program_manager)
    merging.merge_undo(merge.pk, user=le_lead)
    assert added == ["Jordon Reyes"]
    assert not kept.aliases.filter(name="Jordon Reyes").exists()


def test_the_undo_waits_for_the_second_of_the_two(twins, le_lead, program_manager):
    _, other = twins
    merge = approved_merge(twins, le_lead, program_manager)
    merging.merge_undo(merge.pk, user=le_lead)
    other.refresh_from_db()
    assert other.merged_into_id is not None
    with pytest.raises(merging.MergeRefused, match="asked for this undo already"):
        merging.merge_undo(merge.pk, user=le_lead)


def test_the_undo_is_audited(twins, le_lead, program_manager):
    merge = approved_merge(twins, le_lead, program_manager)
    merging.merge_undo(merge.pk, user=le_lead)
    merging.merge_undo(merge.pk, user=program_manager)
    assert AuditEvent.objects.filter(action="merge", to_state="undone", changes__merge=merge.pk).exists()


def test_no_one_else_undoes_a_merge(twins, le_lead, program_manager):
    merge = approved_merge(twins, le_lead, program_manager)
    other_manager = make_user("pm3", "Program Manager")
    with pytest.raises(NotPermitted, match="two people who made this merge"):
        merging.merge_undo(merge.pk, user=other_manager)


def test_the_undo_is_refused_after_30_days(twins, le_lead, program_manager):
    merge = approved_merge(twins, le_lead, program_manager)
    m.CandidateMerge.objects.filter(pk=merge.pk).update(decided_at=timezone.now() - dt.timedelta(days=31))
    with pytest.raises(merging.MergeRefused, match="within 30 days"):
        merging.merge_undo(merge.pk, user=le_lead)
