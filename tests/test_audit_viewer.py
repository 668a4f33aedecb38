"""The audit viewer at /audit/ (Program Manager, administrators), its CSV export for an inspector, and the
audit trail in the admin (read-only, scoped by the same rules)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.http import Http404
from django.test import RequestFactory

from candidates.models import Candidate
from tests.access_matrix import fast_password_hashing
from vip.admin_access import SelectorScopedAdminMixin
from vip.audit import audit
from vip.errors import DomainError
from vip.exports import csv_response, require_export_reason
from vip.models import AuditEvent


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    fast_password_hashing(settings)


pytestmark = pytest.mark.django_db
A = AuditEvent.Action


@pytest.fixture
def events(le_lead, officer):
    audit(actor=le_lead, action=A.READ, object_type="candidates.Candidate", object_id=41, note="lead read")
    audit(actor=officer, action=A.LOGIN_FAILED, note="officer failed")
    return None


def test_the_program_manager_filters_the_trail_by_actor_and_action(client, program_manager, events):
    client.force_login(program_manager)
    page = client.get("/audit/", {"actor": "lead", "action": "read"})
    assert b"lead read" in page.content
    assert b"officer failed" not in page.content


def test_a_date_range_the_wrong_way_round_is_explained(client, program_manager, events):
    client.force_login(program_manager)
    page = client.get("/audit/", {"date_from": "2026-05-02", "date_to": "2026-05-01"})
    assert "The end date is before the start date." in page.content.decode()


def test_the_trail_is_paginated(client, program_manager):
    for n in range(55):
        audit(actor=None, action=A.READ, note=f"n{n}")
    client.force_login(program_manager)
    first = client.get("/audit/", {"action": "read"}).context["page"]
    assert len(first) == 50 and first.has_next()
    second = client.get("/audit/", {"action": "read", "page": 2}).context["page"]
    assert len(second) == 5 and not second.has_next() and second.has_previous()


def test_an_officer_cannot_read_the_trail(client, officer):
    client.force_login(officer)
    assert client.get("/audit/").status_code == 403


def test_the_export_asks_why_and_keeps_the_filters(client, administrator, events):
    client.force_login(administrator)
    page = client.post("/audit/export/?action=read", {"action": "read", "reason": ""})
    assert page.status_code == 400
    assert "Say why you are exporting" in page.content.decode()


def test_the_export_gives_a_csv_and_is_itself_audited_with_the_reason(client, administrator, events):
    client.force_login(administrator)
    response = client.post("/audit/export/", {"action": "read", "reason": "CJIS audit 2026, state CSA request"})
    event = AuditEvent.objects.filter(action=A.EXPORT).get()
    assert response["Content-Type"].startswith("text/csv") and b"lead read" in response.content
    assert "CJIS audit 2026, state CSA request" in event.note
    assert event.changes["filters"] == {"action": "read"}


def test_require_export_reason_refuses_a_reason_too_short_to_mean_anything():
    request = RequestFactory().post("/", {"reason": "x"})
    with pytest.raises(DomainError, match="fuller reason"):
        require_export_reason(request)


def test_a_csv_cell_cannot_smuggle_a_spreadsheet_formula():
    response = csv_response("x.csv", ["a"], [["=HYPERLINK(1)"]])
    assert b"'=HYPERLINK(1)" in response.content


def test_the_events_of_a_sealed_record_are_gone_from_the_viewer(client, program_manager, world):
    client.force_login(program_manager)
    page = client.get("/audit/", {"object_type": "candidates.Candidate", "object_id": world["sealed"]["candidate"]})
    assert len(page.context["page"]) == 0


def test_the_records_custodian_still_sees_them(client, custodian, world):
    client.force_login(custodian)
    page = client.get("/audit/", {"object_type": "candidates.Candidate", "object_id": world["sealed"]["candidate"]})
    assert len(page.context["page"]) > 0


# --- the admin -------------------------------------------------------------------------------------


def test_the_audit_trail_in_the_admin_is_read_only(client, administrator, events):
    client.force_login(administrator)
    event = AuditEvent.objects.first()
    assert client.get(f"/admin/vip/auditevent/{event.pk}/change/").status_code == 200
    assert client.post(f"/admin/vip/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403


def test_the_admin_answers_404_for_an_event_of_a_sealed_record(client, administrator, world):
    client.force_login(administrator)
    sealed_event = world["sealed"]["auditevent"]
    assert client.get(f"/admin/vip/auditevent/{sealed_event}/change/").status_code == 404


class CandidateAdmin(SelectorScopedAdminMixin, admin.ModelAdmin):
    pass


def _admin_request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_the_admin_mixin_shows_an_officer_only_the_candidates_of_their_cns(officer, world):
    model_admin = CandidateAdmin(Candidate, admin.site)
    visible = set(model_admin.get_queryset(_admin_request(officer)).values_list("pk", flat=True))
    assert world["adult"]["candidate"] in visible and world["juvenile"]["candidate"] in visible
    assert world["sealed"]["candidate"] not in visible


def test_the_admin_mixin_shows_an_administrator_no_candidate_record(administrator, world):
    model_admin = CandidateAdmin(Candidate, admin.site)
    assert not model_admin.get_queryset(_admin_request(administrator)).exists()


def test_the_admin_mixin_answers_404_not_a_redirect(administrator, world):
    model_admin = CandidateAdmin(Candidate, admin.site)
    with pytest.raises(Http404):
        model_admin._get_obj_does_not_exist_redirect(_admin_request(administrator), Candidate._meta, "1")


def test_the_admin_mixin_finds_the_candidate_through_a_foreign_key(social_worker, world):
    from candidates.models import GroupMembership

    class MembershipAdmin(SelectorScopedAdminMixin, admin.ModelAdmin):
        pass

    model_admin = MembershipAdmin(GroupMembership, admin.site)
    visible = set(model_admin.get_queryset(_admin_request(social_worker)).values_list("pk", flat=True))
    assert visible == {world["adult"]["membership"]}


def test_the_events_of_a_sealed_persons_other_records_are_gone_too(client, program_manager, world):
    client.force_login(program_manager)
    page = client.get("/audit/", {"object_type": "candidates.GroupMembership"})
    shown = {event.object_id for event in page.context["page"]}
    assert str(world["adult"]["membership"]) in shown
    assert str(world["sealed"]["membership"]) not in shown
