"""The program's roles exist as groups with their permissions, created by a data migration."""

import pytest
from django.contrib.auth.models import Group

from vip import roles


@pytest.mark.django_db
def test_it_creates_a_group_for_every_role():
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ALL_ROLES)


@pytest.mark.django_db
def test_the_le_lead_may_change_deliveries(le_lead):
    assert le_lead.has_perm("notifications.change_delivery")


@pytest.mark.django_db
def test_an_officer_may_not_change_candidates(officer):
    assert not officer.has_perm("candidates.change_candidate")


@pytest.mark.django_db
def test_social_services_may_add_service_offers(social_worker):
    assert social_worker.has_perm("candidates.add_serviceoffer")


@pytest.mark.django_db
def test_the_administrator_manages_accounts_but_not_deliveries(administrator):
    assert administrator.has_perm("auth.change_user")
    assert not administrator.has_perm("notifications.change_delivery")


@pytest.mark.django_db
def test_the_program_manager_views_the_audit_trail(program_manager):
    assert program_manager.has_perm("vip.view_auditevent")
