"""THE SERVICES WALL (issue 19), interface by interface: what a client told their navigator (the access matrix's
world puts WALL_SECRET in every walled record) is never shown to the LE Lead, officers, the Administrator or the
Records Custodian: not on a page, the API, an export, the admin, the audit viewer or a search. The access matrix
(tests/access_matrix.py) proves the status codes of the aftercare pages and API for every role; this proves that
the pages and the API everyone else uses do not carry the contents around the wall."""

from __future__ import annotations

import pytest

from candidates.models import ServiceOffer
from tests.access_matrix import WALL_SECRET, fast_password_hashing
from vip import scopes
from vip.models import AuditEvent
from vip.testing import verified_client

pytestmark = pytest.mark.django_db

OUTSIDE_THE_WALL = ("le_lead", "officer", "second_officer", "administrator", "custodian")
WALLED_TYPES = ("candidates.Need", "candidates.PartnerReferral", "candidates.CaseNote", "candidates.Consent")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    fast_password_hashing(settings)


def signed_in(user):
    client = verified_client()
    client.force_login(user)
    return client


def body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def everything_they_open(world) -> list[str]:
    """The pages and answers outside the wall that name the world's people, adult and juvenile."""
    urls = ["/candidates/?q=relapse", "/candidates/?q=Matrix", "/api/candidates/", "/api/services/", "/api/deliveries/"]
    urls += ["/reports/services/", "/reminders/", "/admin/notifications/reminder/"]
    urls += ["/reports/funnel/", "/reports/drill/funnel/?cell=stage__referral_enrolled"]
    for kind in ("adult", "juvenile", "sealed"):
        objects = world[kind]
        urls += [
            f"/candidates/{objects['candidate']}/",
            f"/cn/{objects['delivery']}/",
            f"/api/candidates/{objects['candidate']}/",
            f"/api/deliveries/{objects['delivery']}/",
        ]
    return urls


@pytest.mark.parametrize("persona", OUTSIDE_THE_WALL)
def test_no_page_or_api_answer_outside_the_wall_shows_what_the_navigator_was_told(request, persona, world):
    client = signed_in(request.getfixturevalue(persona))
    shown = [url for url in everything_they_open(world) if WALL_SECRET in body(client.get(url))]
    assert shown == []


@pytest.mark.parametrize("persona", OUTSIDE_THE_WALL)
def test_the_delivery_funnel_shows_no_referral_stage_outside_the_wall(request, persona, world):
    page = body(signed_in(request.getfixturevalue(persona)).get("/reports/funnel/"))
    assert "stage-referral" not in page


def test_the_program_manager_reads_the_funnel_s_referral_stages_as_totals(program_manager, world):
    """The control: behind the wall the rows are there (their numbers open no list: reports/tests/test_funnel.py)."""
    page = body(signed_in(program_manager).get("/reports/funnel/"))
    assert '<span id="stage-referral_enrolled">' in page and '<span id="stage-referral_completed">' in page


@pytest.mark.parametrize("persona", ["le_lead", "program_manager", "social_worker"])
@pytest.mark.parametrize("kind", ["candidates", "cns", "services", "outcomes"])
def test_no_export_carries_what_the_navigator_was_told(request, persona, kind, world):
    client = signed_in(request.getfixturevalue(persona))
    answer = client.post(f"/reports/export/{kind}.csv", {"reason": "Quarterly report to the Chief"})
    assert WALL_SECRET not in body(answer)


@pytest.mark.parametrize("persona", ["program_manager", "administrator", "custodian"])
def test_the_audit_viewer_shows_that_a_walled_record_changed_never_what_it_says(request, persona, world):
    client = signed_in(request.getfixturevalue(persona))
    for label in WALLED_TYPES:
        page = client.get("/audit/", {"object_type": label})
        assert len(page.context["page"]) > 0, label
        assert WALL_SECRET not in body(page), label


@pytest.mark.parametrize("persona", ["program_manager", "administrator", "custodian"])
def test_the_audit_export_withholds_the_walled_records_contents(request, persona, world):
    client = signed_in(request.getfixturevalue(persona))
    answer = client.post("/audit/export/", {"object_type": "candidates.CaseNote", "reason": "Inspection of the trail"})
    assert answer.status_code == 200
    assert WALL_SECRET not in body(answer)


def test_the_admin_shows_the_administrator_a_walled_event_without_its_contents(administrator, world):
    event = AuditEvent.objects.filter(object_type="candidates.CaseNote", object_id=world["adult"]["casenote"]).first()
    page = signed_in(administrator).get(f"/admin/vip/auditevent/{event.pk}/change/")
    assert page.status_code == 200
    assert WALL_SECRET not in body(page)
    assert scopes.WITHHELD in body(page)


def test_the_admins_audit_list_names_no_walled_record_by_its_contents(administrator, world):
    page = signed_in(administrator).get("/admin/vip/auditevent/", {"object_type": "candidates.PartnerReferral"})
    assert WALL_SECRET not in body(page)


def test_the_follow_up_reminder_is_not_in_the_administrators_admin(administrator, social_worker, world):
    from notifications.reminders.models import Reminder

    Reminder.objects.create(
        kind=Reminder.Kind.FOLLOW_UP,
        referral_id=world["adult"]["partnerreferral"],
        step="referral_follow_up",
        period="2026-12-01",
        recipient=social_worker,
        due_at="2026-12-01T00:00:00Z",
        message="Referral follow-up due",
        claim="00000000-0000-0000-0000-000000000001",
    )
    page = signed_in(administrator).get("/admin/notifications/reminder/")
    assert "Referral follow-up due" not in body(page)


def test_the_navigator_does_read_it_behind_the_wall(social_worker, world):
    """The control: the secret is what the navigator's own page shows, so its absence elsewhere means something."""
    page = signed_in(social_worker).get(f"/aftercare/people/{world['adult']['candidate']}/")
    assert WALL_SECRET in body(page)


def test_an_officer_sees_only_whether_services_were_offered_and_accepted(officer, world):
    ServiceOffer.objects.filter(candidate_id=world["adult"]["candidate"]).update(status="accepted")
    page = body(signed_in(officer).get(f"/candidates/{world['adult']['candidate']}/"))
    assert "Services offered: yes · accepted: yes" in page
    assert "Shelter" not in page


def test_the_le_lead_still_sees_the_offers_they_record(le_lead, world):
    page = body(signed_in(le_lead).get(f"/candidates/{world['adult']['candidate']}/"))
    assert "Shelter" in page
