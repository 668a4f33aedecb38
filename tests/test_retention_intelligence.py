"""28 CFR Part 23 practice: memberships need the LE Lead's approval before they are facts; every membership
and basis is reviewed within five years (kept with a reason, or removed); no political or religious
affiliation; no risk score anywhere."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError

from candidates import retention
from candidates.models import Candidate, EligibilityBasis, Group, GroupMembership, add_years, today
from candidates.selectors import memberships_visible_to
from notifications.models import Delivery, TeamMember
from tests.access_matrix import fast_password_hashing
from vip.errors import DomainError, NotPermitted
from vip.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    fast_password_hashing(settings)


@pytest.fixture
def membership(le_lead, officer):
    person = Candidate.objects.create(first_name="Rey", last_name="Gallegos", date_of_birth=dt.date(1996, 3, 3))
    delivery = Delivery.objects.create(candidate=person, le_lead=le_lead)
    TeamMember.objects.create(delivery=delivery, user=officer, role=TeamMember.Role.OFFICER)
    return GroupMembership.objects.create(
        candidate=person,
        group=Group.objects.create(name="Southside 12 (test)"),
        source=GroupMembership.Source.LINK_ANALYSIS,
        link_analysis_reference="LA-2026-7",
        identified_on=today() - dt.timedelta(days=5 * 365 + 10),
    )


@pytest.fixture
def basis(membership):
    return EligibilityBasis.objects.create(
        candidate=membership.candidate, kind=EligibilityBasis.Kind.DRIVER, information="Named in three shootings."
    )


def test_an_unapproved_membership_is_not_shown_to_officers_as_a_fact(membership, officer):
    assert not memberships_visible_to(officer).exists()


def test_the_le_lead_approves_a_membership_and_officers_then_see_it(membership, le_lead, officer):
    retention.membership_approve(membership, le_lead)
    assert list(memberships_visible_to(officer)) == [membership]


def test_only_the_le_lead_approves(membership, program_manager):
    with pytest.raises(NotPermitted):
        retention.membership_approve(membership, program_manager)


def test_a_membership_comes_up_for_review_five_years_after_it_was_identified(membership):
    assert membership.review_due_on == add_years(membership.identified_on, 5)
    assert membership in retention.memberships_due_for_review()


def test_keeping_needs_a_reason(membership, le_lead):
    with pytest.raises(DomainError) as refused:
        retention.review_keep(membership, le_lead, reason="")
    assert "reason" in refused.value.reasons


def test_keeping_extends_the_review_by_at_most_five_years(membership, le_lead):
    with pytest.raises(DomainError) as refused:
        retention.review_keep(membership, le_lead, reason="Seen with members in May", until=add_years(today(), 6))
    assert "at most five years" in refused.value.reasons["until"]


def test_keeping_is_audited_with_the_reason(membership, le_lead):
    kept = retention.review_keep(membership, le_lead, reason="Arrested with two members in 2026")
    event = AuditEvent.objects.filter(action=AuditEvent.Action.REVIEW).get()
    assert kept.review_due_on == add_years(today(), 5)
    assert "Arrested with two members in 2026" in event.note


def test_removing_deletes_the_record_and_audits_why(basis, le_lead):
    retention.review_remove(basis, le_lead, reason="No new information in five years")
    assert not EligibilityBasis.objects.filter(pk=basis.pk).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REVIEW, note__contains="No new information").exists()


def test_the_review_queue_lists_what_is_due(client, membership, le_lead):
    client.force_login(le_lead)
    page = client.get("/audit/review/")
    assert list(page.context["memberships"]) == [membership]


def test_the_review_queue_keeps_a_record_from_the_page(client, membership, le_lead):
    client.force_login(le_lead)
    client.post(f"/audit/review/membership/{membership.pk}/", {"decision": "keep", "reason": "Still active, GVIS May"})
    membership.refresh_from_db()
    assert membership.review_due_on == add_years(today(), 5)


def test_the_review_queue_shows_why_a_keep_was_refused(client, membership, le_lead):
    client.force_login(le_lead)
    page = client.post(f"/audit/review/membership/{membership.pk}/", {"decision": "keep", "reason": ""}, follow=True)
    assert "Say why the record is still supported" in page.content.decode()


def test_the_review_queue_is_the_le_leads(client, officer):
    client.force_login(officer)
    assert client.get("/audit/review/").status_code == 403


@pytest.mark.parametrize(
    "name", ["Westside Baptist Youth", "Young Republicans of the Valley", "Mosque Street crew", "Political action crew"]
)
def test_a_political_or_religious_affiliation_is_never_recorded(name):
    with pytest.raises(ValidationError, match="political or religious affiliation"):
        Group(name=name).full_clean()


def test_an_ordinary_gang_name_is_accepted():
    Group(name="Westside 5th Street").full_clean()


RISK = re.compile(r"risk[\s_-]*score|threat[\s_-]*score|gang[\s_-]*score", re.IGNORECASE)


def test_no_model_has_a_risk_score_field():
    fields = [f"{m._meta.label}.{f.name}" for m in apps.get_models() for f in m._meta.get_fields()]
    assert [f for f in fields if RISK.search(f)] == []


def test_no_template_shows_a_risk_score():
    root = Path(django_settings.BASE_DIR) / "templates"
    hits = [str(p) for p in root.rglob("*.html") if RISK.search(p.read_text(encoding="utf-8"))]
    assert hits == []
