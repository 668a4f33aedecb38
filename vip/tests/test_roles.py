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


# --- the signed-in user's roles are read with the user ------------------------------------------------


def _group_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if '"auth_group"' in q["sql"] and "vip_role_names" not in q["sql"]]


@pytest.mark.django_db
def test_a_page_reads_the_signed_in_users_roles_with_the_user_not_in_a_query_of_their_own(client, le_lead):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(le_lead)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/cn/board/")
    assert response.status_code == 200  # the board is the LE Lead's: the roles were read
    assert _group_queries(queries) == []


@pytest.mark.django_db
def test_an_api_token_reads_its_users_roles_with_the_user(officer, le_lead):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from vip.models import ApiToken

    as_officer = Client(HTTP_AUTHORIZATION=f"Token {ApiToken.objects.create(user=officer).key}")
    as_lead = Client(HTTP_AUTHORIZATION=f"Token {ApiToken.objects.create(user=le_lead).key}")
    with CaptureQueriesContext(connection) as queries:
        assert as_lead.get("/api/deliveries/").status_code == 200
    assert _group_queries(queries) == []
    assert as_officer.get("/api/personnel/").status_code == 403  # the officer's roles: not the LE Lead's


@pytest.mark.django_db
def test_a_user_with_no_role_has_none_and_a_role_taken_away_is_gone_on_the_next_request(client, le_lead):
    from vip.auth_backends import ModelBackend

    backend = ModelBackend()
    assert roles.role_names(backend.get_user(le_lead.pk)) == {roles.LE_LEAD}
    le_lead.groups.clear()
    assert roles.role_names(backend.get_user(le_lead.pk)) == set()
