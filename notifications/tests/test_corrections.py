"""Audited corrections (issue 17): what the SOP freezes (a closed CN, a presented letter, the after-action and
its CAD number) changes only when the LE Lead proposes it with a reason and a Program Manager, not the proposer,
approves it. The trail keeps the old and the new value."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from notifications.corrections import services as c
from notifications.corrections.models import Correction
from notifications.models import AfterAction, Delivery, Letter
from vip import roles
from vip.errors import Conflict, DomainError, NotPermitted
from vip.models import AuditEvent
from vip.testing import make_user

pytestmark = pytest.mark.django_db

CAD = "after_action.cad_report_number"
WHY = "The ECC gave the wrong CAD number; CAD-2026-000456 is the report of this encounter."


@pytest.fixture
def closed(walk_to):
    return walk_to("closed")


@pytest.fixture
def proposed(closed, le_lead):
    return c.correction_propose(closed.pk, user=le_lead, field=CAD, new_value="CAD-2026-000456", reason=WHY)


def _cad(cn) -> str:
    return AfterAction.objects.get(delivery=cn).cad_report_number


def _corrections(cn, to_state=None):
    rows = AuditEvent.objects.filter(action=AuditEvent.Action.CORRECTION, object_id=str(cn.pk))
    return rows.filter(to_state=to_state) if to_state else rows


# --- the LE Lead proposes, the Program Manager approves ------------------------------------------------------


def test_it_changes_nothing_while_the_correction_awaits_approval(closed, proposed):
    assert _cad(closed) == "CAD-2026-000123"
    assert proposed.status == Correction.Status.PROPOSED


def test_it_keeps_what_was_on_record_and_what_is_proposed(proposed):
    assert (proposed.old_value, proposed.new_value) == ("CAD-2026-000123", "CAD-2026-000456")


def test_the_proposal_is_audited_as_a_correction_proposed(closed, le_lead, proposed):
    row = _corrections(closed, "proposed").get()
    assert row.actor == le_lead and WHY in row.note


def test_the_program_manager_s_approval_changes_the_frozen_field(closed, program_manager, proposed):
    c.correction_approve(closed.pk, proposed.pk, user=program_manager)
    assert _cad(closed) == "CAD-2026-000456"
    assert Correction.objects.get(pk=proposed.pk).decided_by == program_manager


def test_the_approval_keeps_the_old_and_the_new_value_and_the_reason_in_the_trail(closed, program_manager, proposed):
    c.correction_approve(closed.pk, proposed.pk, user=program_manager)
    row = _corrections(closed, "approved").get()
    assert row.changes["cad_report_number"] == ["CAD-2026-000123", "CAD-2026-000456"]
    assert row.note == WHY and row.actor == program_manager


def test_the_database_trail_records_the_change_as_the_approver_s(closed, program_manager, proposed):
    c.correction_approve(closed.pk, proposed.pk, user=program_manager)
    row = AuditEvent.objects.filter(action="update", object_type="notifications.AfterAction").latest("id")
    assert row.actor_id == program_manager.pk and row.changes["cad_report_number"][1] == "CAD-2026-000456"


def test_the_cn_stays_closed_after_a_correction(closed, program_manager, proposed):
    c.correction_approve(closed.pk, proposed.pk, user=program_manager)
    assert Delivery.objects.get(pk=closed.pk).state == "closed"


def test_a_presented_letter_is_corrected_the_same_way(closed, le_lead, program_manager):
    assert Letter.objects.get(delivery=closed).is_frozen
    proposal = c.correction_propose(
        closed.pk, user=le_lead, field="letter.penalties", new_value="State felony: up to 3 years.", reason="Typo."
    )
    c.correction_approve(closed.pk, proposal.pk, user=program_manager)
    assert Letter.objects.get(delivery=closed).penalties == "State felony: up to 3 years."


def test_a_closed_cn_s_own_fields_are_corrected_with_their_type(closed, le_lead, program_manager):
    day = timezone.localdate() - dt.timedelta(days=2)
    proposal = c.correction_propose(
        closed.pk, user=le_lead, field="cn.planned_for", new_value=day.isoformat(), reason="It was planned earlier."
    )
    c.correction_approve(closed.pk, proposal.pk, user=program_manager)
    assert Delivery.objects.get(pk=closed.pk).planned_for == day


# --- two persons ---------------------------------------------------------------------------------------------


@pytest.fixture
def lead_and_manager(db):
    return make_user("both", roles.LE_LEAD, roles.PROGRAM_MANAGER, first="Both", last="Roles", sworn=True)


def test_the_proposer_cannot_approve_even_holding_both_roles(closed, lead_and_manager):
    proposal = c.correction_propose(
        closed.pk, user=lead_and_manager, field=CAD, new_value="CAD-2026-000456", reason=WHY
    )
    with pytest.raises(NotPermitted, match="other than its proposer"):
        c.correction_approve(closed.pk, proposal.pk, user=lead_and_manager)
    assert _cad(closed) == "CAD-2026-000123"


def test_the_database_refuses_a_decision_by_the_proposer(proposed, le_lead):
    with pytest.raises(IntegrityError), transaction.atomic():
        Correction.objects.filter(pk=proposed.pk).update(
            status="approved", decided_by=le_lead, decided_at=timezone.now()
        )


def test_the_le_lead_cannot_approve(closed, le_lead, proposed):
    with pytest.raises(NotPermitted):
        c.correction_approve(closed.pk, proposed.pk, user=le_lead)


def test_an_officer_cannot_propose(closed, officer):
    with pytest.raises(NotPermitted):
        c.correction_propose(closed.pk, user=officer, field=CAD, new_value="CAD-2026-000456", reason=WHY)
    assert not Correction.objects.exists()


def test_a_program_manager_cannot_propose(closed, program_manager):
    with pytest.raises(NotPermitted):
        c.correction_propose(closed.pk, user=program_manager, field=CAD, new_value="CAD-2026-000456", reason=WHY)


# --- refused, not correctable, bad input ----------------------------------------------------------------------


def test_a_refused_proposal_changes_nothing(closed, program_manager, proposed):
    c.correction_refuse(closed.pk, proposed.pk, user=program_manager, reason="The ECC confirmed 000123.")
    assert _cad(closed) == "CAD-2026-000123"
    assert Correction.objects.get(pk=proposed.pk).status == Correction.Status.REFUSED


def test_the_refusal_is_audited_with_its_reason(closed, program_manager, proposed):
    c.correction_refuse(closed.pk, proposed.pk, user=program_manager, reason="The ECC confirmed 000123.")
    assert "The ECC confirmed 000123." in _corrections(closed, "refused").get().note


def test_a_refusal_needs_a_reason(closed, program_manager, proposed):
    with pytest.raises(DomainError, match="Say why"):
        c.correction_refuse(closed.pk, proposed.pk, user=program_manager, reason=" ")
    assert Correction.objects.get(pk=proposed.pk).status == Correction.Status.PROPOSED


def test_a_decided_correction_is_not_decided_again(closed, program_manager, proposed):
    c.correction_refuse(closed.pk, proposed.pk, user=program_manager, reason="No.")
    with pytest.raises(Conflict):
        c.correction_approve(closed.pk, proposed.pk, user=program_manager)


def test_a_field_that_is_not_correctable_is_refused_with_a_clear_message(closed, le_lead):
    with pytest.raises(DomainError, match="not something a correction may change"):
        c.correction_propose(closed.pk, user=le_lead, field="after_action.confirmed_by", new_value="1", reason=WHY)


def test_a_bad_cad_number_is_refused_in_the_guard_s_words(closed, le_lead):
    with pytest.raises(DomainError, match="not in the Department's format"):
        c.correction_propose(closed.pk, user=le_lead, field=CAD, new_value="CAD 456", reason=WHY)
    assert not Correction.objects.exists() and _cad(closed) == "CAD-2026-000123"


def test_a_bad_date_is_refused_with_what_to_fix(closed, le_lead):
    with pytest.raises(DomainError, match="valid date"):
        c.correction_propose(closed.pk, user=le_lead, field="cn.planned_for", new_value="31/31/2026", reason=WHY)


def test_a_proposal_needs_a_reason(closed, le_lead):
    with pytest.raises(DomainError, match="Say why"):
        c.correction_propose(closed.pk, user=le_lead, field=CAD, new_value="CAD-2026-000456", reason="")


def test_a_record_not_yet_frozen_is_changed_by_its_step_not_a_correction(walk_to, le_lead):
    ready = walk_to("ready")  # the letter is drafted, not presented; the CN is open
    with pytest.raises(DomainError, match="not frozen yet"):
        c.correction_propose(ready.pk, user=le_lead, field="letter.penalties", new_value="Other.", reason=WHY)


def test_one_pending_correction_per_field(closed, le_lead, proposed):
    with pytest.raises(DomainError, match="already awaits"):
        c.correction_propose(closed.pk, user=le_lead, field=CAD, new_value="CAD-2026-000789", reason=WHY)


def test_a_correction_of_a_value_changed_since_is_not_applied(closed, program_manager, proposed):
    AfterAction.objects.filter(delivery=closed).update(cad_report_number="CAD-2026-000999")
    with pytest.raises(Conflict, match="has changed since"):
        c.correction_approve(closed.pk, proposed.pk, user=program_manager)
    assert _cad(closed) == "CAD-2026-000999"


# --- the pages --------------------------------------------------------------------------------------------------


def test_the_le_lead_is_offered_propose_a_correction_on_a_closed_cn(client, le_lead, closed):
    client.force_login(le_lead)
    html = client.get(f"/cn/{closed.pk}/").content.decode()
    assert "Propose a correction" in html and f'value="{CAD}"' in html


def test_an_officer_is_not_offered_a_correction(client, officer, closed):
    client.force_login(officer)
    assert "Propose a correction" not in client.get(f"/cn/{closed.pk}/").content.decode()


def test_the_le_lead_proposes_from_the_page(client, le_lead, closed):
    client.force_login(le_lead)
    response = client.post(
        f"/cn/{closed.pk}/corrections/new/", {"field": CAD, "new_value": "CAD-2026-000456", "reason": WHY}
    )
    assert response.status_code == 302 and Correction.objects.get().new_value == "CAD-2026-000456"


def test_a_bad_value_on_the_page_answers_400_and_keeps_what_was_typed(client, le_lead, closed):
    client.force_login(le_lead)
    response = client.post(f"/cn/{closed.pk}/corrections/new/", {"field": CAD, "new_value": "CAD 456", "reason": WHY})
    html = response.content.decode()
    assert response.status_code == 400 and "not in the Department&#x27;s format" in html
    assert 'value="CAD 456"' in html and "The ECC gave the wrong CAD number" in html


def test_a_field_not_correctable_on_the_page_answers_400_with_the_message(client, le_lead, closed):
    client.force_login(le_lead)
    response = client.post(f"/cn/{closed.pk}/corrections/new/", {"field": "cn.state", "new_value": "open"})
    assert response.status_code == 400 and "not something a correction may change" in response.content.decode()


def test_an_officer_on_the_team_is_refused_the_proposal_page_and_it_is_recorded(client, officer, closed):
    client.force_login(officer)
    response = client.post(
        f"/cn/{closed.pk}/corrections/new/", {"field": CAD, "new_value": "CAD-2026-000456", "reason": WHY}
    )
    assert response.status_code == 403 and not Correction.objects.exists()
    assert AuditEvent.objects.filter(action="denied", actor=officer, object_id=str(closed.pk)).exists()


def test_a_social_worker_finds_no_such_cn_and_it_is_recorded(client, social_worker, closed):
    client.force_login(social_worker)
    assert client.get(f"/cn/{closed.pk}/corrections/new/?field={CAD}").status_code == 404
    assert AuditEvent.objects.filter(action="denied", actor=social_worker, object_id=str(closed.pk)).exists()


def test_the_program_manager_sees_what_awaits_approval(client, program_manager, proposed):
    client.force_login(program_manager)
    html = client.get("/cn/corrections/").content.decode()
    assert "CAD-2026-000456" in html and "Approve and apply" in html


def test_an_officer_has_no_corrections_page(client, officer, proposed):
    client.force_login(officer)
    assert client.get("/cn/corrections/").status_code == 403


def test_the_program_manager_approves_from_the_page(client, program_manager, closed, proposed):
    client.force_login(program_manager)
    response = client.post(f"/cn/{closed.pk}/corrections/{proposed.pk}/approve/", {})
    assert response.status_code == 302 and _cad(closed) == "CAD-2026-000456"


def test_a_refusal_without_a_reason_answers_400_on_the_page(client, program_manager, closed, proposed):
    client.force_login(program_manager)
    response = client.post(f"/cn/{closed.pk}/corrections/{proposed.pk}/refuse/", {f"refuse-{proposed.pk}-reason": ""})
    assert response.status_code == 400 and Correction.objects.get(pk=proposed.pk).status == "proposed"


def test_an_officer_cannot_approve_on_the_page(client, officer, closed, proposed):
    client.force_login(officer)
    assert client.post(f"/cn/{closed.pk}/corrections/{proposed.pk}/approve/", {}).status_code == 403
    assert _cad(closed) == "CAD-2026-000123"


def test_the_cn_page_shows_the_correction_who_when_and_why(client, le_lead, program_manager, closed, proposed):
    c.correction_approve(closed.pk, proposed.pk, user=program_manager)
    client.force_login(le_lead)
    html = client.get(f"/cn/{closed.pk}/").content.decode()
    assert 'data-testid="corrected"' in html and "CAD-2026-000123" in html and "CAD-2026-000456" in html
    assert "Dana Okafor" in html and "Renee Aldana" in html and "The ECC gave the wrong CAD number" in html


def test_the_presented_letter_points_to_the_correction_flow(client, le_lead, closed):
    client.force_login(le_lead)
    assert "proposes a correction" in client.get(f"/cn/{closed.pk}/letter/").content.decode()


# --- the admin ------------------------------------------------------------------------------------------------


def test_the_admin_offers_no_revert_and_no_save_on_a_closed_cn(client, le_lead, closed, program_manager, proposed):
    c.correction_approve(closed.pk, proposed.pk, user=program_manager)
    le_lead.is_staff = le_lead.is_superuser = True
    le_lead.save()
    client.force_login(le_lead)
    html = client.get(f"/admin/notifications/delivery/{closed.pk}/change/").content.decode()
    assert "revert" not in html.lower() and 'name="_save"' not in html
    assert "CAD-2026-000456" in html  # the correction, shown read-only


def test_the_admin_has_no_revert_url(client, le_lead, closed):
    le_lead.is_staff = le_lead.is_superuser = True
    le_lead.save()
    client.force_login(le_lead)
    event = AuditEvent.objects.filter(object_id=str(closed.pk)).first()
    response = client.get(f"/admin/notifications/delivery/{closed.pk}/history/{event.pk}/", follow=True)
    assert response.status_code == 404


# --- the API ----------------------------------------------------------------------------------------------------


def test_the_api_takes_a_proposal_and_answers_201(api_client, le_lead, closed):
    api_client.force_authenticate(le_lead)
    response = api_client.post(
        f"/api/deliveries/{closed.pk}/corrections/",
        {"field": CAD, "new_value": "CAD-2026-000456", "reason": WHY},
        format="json",
    )
    assert response.status_code == 201 and response.json()["status"] == "proposed"
    assert _cad(closed) == "CAD-2026-000123"


def test_the_api_refuses_a_bad_value_with_400_and_the_reason(api_client, le_lead, closed):
    api_client.force_authenticate(le_lead)
    response = api_client.post(
        f"/api/deliveries/{closed.pk}/corrections/", {"field": CAD, "new_value": "x", "reason": WHY}, format="json"
    )
    assert response.status_code == 400 and "Department's format" in response.json()["detail"]


def test_the_api_approval_applies_it_and_answers_the_correction(api_client, program_manager, closed, proposed):
    api_client.force_authenticate(program_manager)
    response = api_client.post(f"/api/deliveries/{closed.pk}/corrections/{proposed.pk}/approve/", {}, format="json")
    assert response.status_code == 200 and response.json()["decided_by"] == "Renee Aldana"
    assert _cad(closed) == "CAD-2026-000456"


def test_the_api_refuses_the_proposer_s_own_approval_with_403(api_client, closed, lead_and_manager):
    proposal = c.correction_propose(
        closed.pk, user=lead_and_manager, field=CAD, new_value="CAD-2026-000456", reason=WHY
    )
    api_client.force_authenticate(lead_and_manager)
    response = api_client.post(f"/api/deliveries/{closed.pk}/corrections/{proposal.pk}/approve/", {}, format="json")
    assert response.status_code == 403 and _cad(closed) == "CAD-2026-000123"


def test_the_api_lists_a_cn_s_corrections_to_whoever_sees_the_cn(api_client, officer, closed, proposed):
    api_client.force_authenticate(officer)
    rows = api_client.get(f"/api/deliveries/{closed.pk}/corrections/").json()
    assert [row["new_value"] for row in rows] == ["CAD-2026-000456"]


def test_the_time_a_letter_was_presented_is_corrected_to_the_minute(closed, le_lead, program_manager):
    proposal = c.correction_propose(
        closed.pk, user=le_lead, field="letter.presented_at", new_value="2026-11-30 14:05", reason="Tablet clock."
    )
    c.correction_approve(closed.pk, proposal.pk, user=program_manager)
    presented = timezone.localtime(Letter.objects.get(delivery=closed).presented_at)
    assert (presented.date(), presented.hour, presented.minute) == (dt.date(2026, 11, 30), 14, 5)


def test_it_keeps_which_record_it_corrects(proposed, closed):
    assert (proposed.record, proposed.record_pk) == ("after_action", AfterAction.objects.get(delivery=closed).pk)
