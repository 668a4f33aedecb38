"""The admin: CN state read-only, transitions only through the services, templates and personnel editable."""

import pytest
from django.contrib.auth.models import User

from notifications.models import Delivery, LetterTemplate, State
from notifications.tests.conftest import transitions_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "root@vip.test", "x-Password-123")


def _admin_client(client, user):
    client.force_login(user)
    return client


def test_the_cn_change_page_shows_state_and_step_records_read_only(client, le_lead, walk_to):
    cn = walk_to("ready")
    le_lead.is_staff = le_lead.is_superuser = True  # the admin shows a CN to those the selectors show it to
    le_lead.save()
    html = _admin_client(client, le_lead).get(f"/admin/notifications/delivery/{cn.pk}/change/").content.decode()
    assert 'name="state"' not in html and "Ready to deliver" in html
    assert "Threat assessment" in html


def test_a_superuser_without_a_role_finds_no_cn_in_the_admin(client, superuser, cn):
    response = _admin_client(client, superuser).get(f"/admin/notifications/delivery/{cn.pk}/change/")
    assert response.status_code == 404  # superusers get no exception (CJIS AC-6)


def test_an_admin_action_goes_through_the_service_and_its_guards(client, superuser, cn):
    _admin_client(client, superuser).post(
        "/admin/notifications/delivery/",
        {"action": "action_determine_eligibility", "_selected_action": [cn.pk]},
    )
    assert Delivery.objects.get(pk=cn.pk).state == State.IDENTIFIED  # a superuser is not the LE Lead


def test_the_le_lead_in_the_admin_moves_a_cn_with_an_audit_row(client, le_lead, cn):
    le_lead.is_staff = le_lead.is_superuser = True
    le_lead.save()
    _admin_client(client, le_lead).post(
        "/admin/notifications/delivery/",
        {"action": "action_determine_eligibility", "_selected_action": [cn.pk]},
    )
    assert transitions_of(cn) == [("identified", "eligible")]


def test_a_letter_template_without_penalties_is_refused(client, superuser):
    response = _admin_client(client, superuser).post(
        "/admin/notifications/lettertemplate/add/", {"name": "Short", "body": "Dear {{ candidate.full_name }}"}
    )
    assert response.status_code == 200 and not LetterTemplate.objects.filter(name="Short").exists()


def test_a_letter_template_is_editable(client, superuser):
    _admin_client(client, superuser).post(
        "/admin/notifications/lettertemplate/add/",
        {"name": "Short", "body": "Dear {{ candidate.full_name }}: {{ penalties }}", "active": "on"},
    )
    assert LetterTemplate.objects.filter(name="Short").exists()


def test_personnel_and_training_pages_open(client, superuser, officer):
    admin = _admin_client(client, superuser)
    assert admin.get("/admin/notifications/personnel/").status_code == 200
    assert admin.get("/admin/notifications/trainingrecord/").status_code == 200


def test_the_cn_admin_shows_social_services_on_the_team_no_threat_assessment(client, social_worker, le_lead, cn):
    from notifications.models import Check, TeamMember

    TeamMember.objects.create(delivery=cn, user=social_worker, role=TeamMember.Role.SOCIAL_SERVICES)
    Check.objects.create(
        delivery=cn,
        kind="threat_assessment",
        completed_on=cn.created_at.date(),
        completed_by=le_lead,
        result="high_risk",
        notes="Armed, avoid the back door",
    )
    social_worker.is_staff = social_worker.is_superuser = True  # permissions do not widen what a role sees
    social_worker.save()
    html = _admin_client(client, social_worker).get(f"/admin/notifications/delivery/{cn.pk}/change/").content.decode()
    assert "Armed, avoid the back door" not in html
