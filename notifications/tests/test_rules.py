"""One rulebook: the next steps and the checklist read the guards; the sweep and the dashboard read one due time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import dateformat, timezone

from notifications import services as s
from notifications.models import StepDueTime, TeamMember

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead_client(client, le_lead):
    client.force_login(le_lead)
    return client


# --- the CN page reads the guards ------------------------------------------------------------------------


def test_it_never_lists_a_valid_cad_number_as_missing_under_a_possible_close(lead_client, walk_to):
    cn = walk_to("after_action")
    html = lead_client.get(f"/cn/{cn.pk}/").content.decode()
    assert 'data-transition="close"' in html
    assert "The CAD report number is missing" not in html


def test_it_blocks_close_while_the_cad_number_is_not_in_the_departments_format(lead_client, walk_to):
    cn = walk_to("after_action")
    cn.after_action.__class__.objects.filter(delivery=cn).update(cad_report_number="CAD-12")
    option = {o.name: o for o in s.transition_options(cn, cn.le_lead)}["close"]
    assert not option.allowed and "cad_report_number_valid" in option.reasons


def test_it_marks_the_team_done_only_when_an_officer_on_it_is_qualified(lead_client, cn, le_lead, untrained_officer):
    s.delivery_determine_eligibility(cn.pk, user=le_lead)
    s.delivery_start_preparation(cn.pk, user=le_lead)
    TeamMember.objects.filter(delivery=cn, user=le_lead).delete()  # a team of one unqualified officer
    TeamMember.objects.create(delivery=cn, user=untrained_officer, role=TeamMember.Role.OFFICER)
    page = lead_client.get(f"/cn/{cn.pk}/")
    team = next(item for item in page.context["checklist"] if item.label == "Delivering personnel coordinated")
    assert not team.done


# --- one due time: the sweep and the dashboard agree -------------------------------------------------------


def test_it_shows_on_the_board_when_a_cn_is_due_under_the_admins_override(lead_client, cn):
    StepDueTime.objects.create(state="identified", due_hours=1)
    due = dateformat.format(timezone.localtime(cn.state_entered_at + dt.timedelta(hours=1)), "D j M Y, H:i")
    assert f"due {due}" in lead_client.get("/cn/board/").content.decode()
