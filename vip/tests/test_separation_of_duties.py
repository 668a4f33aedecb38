"""Separation of duties (issue 17, CJIS AC-5 and AC-6): no one changes their own roles or privileges, the
superuser flag is not set from the application, and a role that reads records (or the Administrator role) is
granted only when a second person approves it.

The finding it answers: an Administrator made themselves a superuser and a Records Custodian through
/admin/auth/user/<own id>/change/, then read sealed juvenile records.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from candidates.models import Candidate
from candidates.sealing import candidate_seal
from tests.access_matrix import fast_password_hashing
from vip import roles
from vip.models import AuditEvent
from vip.testing import make_user, verified_client

pytestmark = pytest.mark.django_db
REASON = "Started as the unit's records custodian on 2026-12-01 (memo 26-114)."


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    fast_password_hashing(settings)


@pytest.fixture
def second_administrator(db):
    return make_user("admin2", roles.ADMINISTRATOR, first="Bea", last="Lindqvist", staff=True)


@pytest.fixture
def clerk(db):
    """A new member of staff with no role yet."""
    return make_user("clerk", first="Cal", last="Newhire")


@pytest.fixture
def sealed_juvenile(custodian):
    today = dt.date.today()
    person = Candidate.objects.create(
        first_name="Teo", last_name="Sealtest", date_of_birth=today.replace(year=today.year - 16)
    )
    return candidate_seal(person, custodian, "D-202-JR-2026-00042", today - dt.timedelta(days=3))


def group(name: str) -> Group:
    return Group.objects.get(name=name)


def signed_in(user):
    client = verified_client()
    client.force_login(user)
    return client


def change_page_data(client, user) -> dict:
    """What the admin's user change page would post back unchanged: every field of its form, as typed."""
    response = client.get(reverse("admin:auth_user_change", args=[user.pk]))
    form = response.context["adminform"].form
    data: dict = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        widget = field.widget
        if hasattr(widget, "widgets"):  # the date and time of a date-time, posted apart
            for index, part in enumerate(widget.decompress(value)):
                data[f"{name}_{index}"] = "" if part is None else str(part)
        elif isinstance(value, bool) or field.__class__.__name__ == "BooleanField":
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        else:
            data[name] = "" if value is None else str(value)
    return data


def post_change(client, user, **changes):
    data = {**change_page_data(client, user), **changes}
    data = {key: value for key, value in data.items() if value is not None}
    return client.post(reverse("admin:auth_user_change", args=[user.pk]), data)


def fresh(user):
    user.refresh_from_db()
    if hasattr(user, "_vip_role_names"):
        del user._vip_role_names
    return user


def pending_grants(user):
    from vip.models import RoleGrant

    return RoleGrant.objects.filter(user=user, status=RoleGrant.Status.PENDING)


def request_custodian_for(clerk, administrator, client=None):
    """The Administrator ticks Records Custodian on the clerk's page, with a reason."""
    client = client or signed_in(administrator)
    groups = [str(group(roles.RECORDS_CUSTODIAN).pk)]
    return post_change(client, clerk, groups=groups, role_change_reason=REASON)


# --- no one changes their own roles or privileges ----------------------------------------------------------


def test_an_administrator_cannot_give_themselves_a_role(administrator):
    own = [str(group(roles.ADMINISTRATOR).pk), str(group(roles.RECORDS_CUSTODIAN).pk)]
    post_change(signed_in(administrator), administrator, groups=own, role_change_reason=REASON)
    assert roles.role_names(fresh(administrator)) == {roles.ADMINISTRATOR}


def test_an_administrator_cannot_make_themselves_a_superuser(administrator):
    post_change(signed_in(administrator), administrator, is_superuser="on")
    assert fresh(administrator).is_superuser is False


def test_an_administrator_cannot_take_away_their_own_staff_flag(administrator):
    data = change_page_data(signed_in(administrator), administrator)
    data.pop("is_staff", None)
    signed_in(administrator).post(reverse("admin:auth_user_change", args=[administrator.pk]), data)
    assert fresh(administrator).is_staff is True


def test_the_self_grant_is_refused_with_a_message_and_recorded_as_denied(administrator):
    response = post_change(signed_in(administrator), administrator, is_superuser="on")
    assert "own account" in response.content.decode()
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.DENIED, actor=administrator, object_id=str(administrator.pk)
    ).exists()


def test_the_administrators_own_roles_and_staff_flag_are_read_only_on_their_page(administrator):
    page = signed_in(administrator).get(reverse("admin:auth_user_change", args=[administrator.pk])).content.decode()
    assert 'name="groups"' not in page
    assert 'name="is_staff"' not in page


def test_after_a_refused_self_grant_the_sealed_record_stays_hidden(administrator, sealed_juvenile):
    client = signed_in(administrator)
    post_change(client, administrator, is_superuser="on", groups=[str(group(roles.RECORDS_CUSTODIAN).pk)])
    response = signed_in(fresh(administrator)).get(reverse("candidates:detail", args=[sealed_juvenile.pk]))
    assert response.status_code == 404


# --- the superuser flag and direct permissions are not set from the application ----------------------------


def test_the_superuser_checkbox_is_not_on_the_user_pages(administrator, clerk):
    client = signed_in(administrator)
    change = client.get(reverse("admin:auth_user_change", args=[clerk.pk])).content.decode()
    add = client.get(reverse("admin:auth_user_add")).content.decode()
    assert 'name="is_superuser"' not in change + add


def test_a_forged_superuser_flag_for_another_user_is_refused(administrator, clerk):
    response = post_change(signed_in(administrator), clerk, is_superuser="on", first_name="Calvin")
    assert fresh(clerk).is_superuser is False
    assert "createsuperuser" in response.content.decode()


def test_a_forged_superuser_flag_on_a_new_account_is_refused(administrator):
    client = signed_in(administrator)
    client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "mallory",
            "password1": "x-Very-long-pass-2026",
            "password2": "x-Very-long-pass-2026",
            "usable_password": "true",
            "is_superuser": "on",
        },
    )
    from django.contrib.auth.models import User

    assert not User.objects.filter(username="mallory", is_superuser=True).exists()


def test_direct_permissions_are_not_on_the_user_page(administrator, clerk):
    page = signed_in(administrator).get(reverse("admin:auth_user_change", args=[clerk.pk])).content.decode()
    assert 'name="user_permissions"' not in page


def test_a_forged_direct_permission_is_refused(administrator, clerk):
    from django.contrib.auth.models import Permission

    view = Permission.objects.get(codename="view_candidate")
    post_change(signed_in(administrator), clerk, user_permissions=[str(view.pk)])
    assert not fresh(clerk).user_permissions.exists()


# --- a role that reads records waits for a second person's approval ---------------------------------------


def test_save_and_continue_editing_keeps_the_page(administrator, clerk):
    client = signed_in(administrator)
    groups = [str(group(roles.RECORDS_CUSTODIAN).pk)]
    response = post_change(client, clerk, groups=groups, role_change_reason=REASON, _continue="1")
    assert response.status_code == 302
    assert "awaits the approval" in client.get(response["Location"]).content.decode()


def test_granting_records_custodian_creates_a_pending_grant(administrator, clerk):
    request_custodian_for(clerk, administrator)
    assert (pending_grants(clerk).count(), roles.role_names(fresh(clerk))) == (1, set())


def test_the_page_says_who_must_approve(administrator, second_administrator, clerk):
    client = signed_in(administrator)
    response = request_custodian_for(clerk, administrator, client)
    follow = client.get(response["Location"])
    assert "awaits the approval of another Administrator" in follow.content.decode()


def test_the_grantee_cannot_read_sealed_records_while_the_grant_is_pending(administrator, clerk, sealed_juvenile):
    request_custodian_for(clerk, administrator)
    response = signed_in(fresh(clerk)).get(reverse("candidates:detail", args=[sealed_juvenile.pk]))
    assert response.status_code == 404


def test_a_role_change_without_a_reason_is_refused_and_the_form_kept(administrator, clerk):
    client = signed_in(administrator)
    response = post_change(
        client, clerk, groups=[str(group(roles.RECORDS_CUSTODIAN).pk)], first_name="Calvin", role_change_reason=""
    )
    assert response.status_code == 200  # the form again, with what was typed
    assert "Calvin" in response.content.decode()
    assert not pending_grants(clerk).exists()


def test_a_second_administrator_approves_and_the_role_takes_effect(
    administrator, second_administrator, clerk, sealed_juvenile
):
    from vip import grants

    request_custodian_for(clerk, administrator)
    grants.decide_grant(pending_grants(clerk).get(), actor=second_administrator, approve=True, reason="Memo seen.")
    response = signed_in(fresh(clerk)).get(reverse("candidates:detail", args=[sealed_juvenile.pk]))
    assert response.status_code == 200


def test_the_requester_cannot_approve_their_own_request(administrator, second_administrator, clerk):
    from vip import grants
    from vip.errors import NotPermitted

    request_custodian_for(clerk, administrator)
    with pytest.raises(NotPermitted, match="asked for this grant"):
        grants.decide_grant(pending_grants(clerk).get(), actor=administrator, approve=True, reason="Mine.")
    assert roles.role_names(fresh(clerk)) == set()


def test_the_grantee_cannot_approve_their_own_grant(administrator, program_manager):
    from vip import grants
    from vip.errors import NotPermitted

    post_change(
        signed_in(administrator),
        program_manager,
        groups=[str(group(roles.PROGRAM_MANAGER).pk), str(group(roles.SOCIAL_SERVICES).pk)],
        role_change_reason="Covers the social services desk.",
    )
    with pytest.raises(NotPermitted, match="receives"):
        grants.decide_grant(pending_grants(program_manager).get(), actor=program_manager, approve=True, reason="Mine.")
    assert roles.SOCIAL_SERVICES not in roles.role_names(fresh(program_manager))


def test_no_one_is_both_an_administrator_and_a_records_custodian(administrator, second_administrator):
    both = [str(group(roles.ADMINISTRATOR).pk), str(group(roles.RECORDS_CUSTODIAN).pk)]
    response = post_change(signed_in(administrator), second_administrator, groups=both, role_change_reason=REASON)
    assert "never reads candidate records" in response.content.decode()
    assert not pending_grants(second_administrator).exists()


def test_the_program_manager_approves_when_there_is_a_single_administrator(administrator, program_manager, clerk):
    request_custodian_for(clerk, administrator)
    grant = pending_grants(clerk).get()
    signed_in(program_manager).post(
        reverse("security:grant_decide", args=[grant.pk]), {"decision": "approve", "reason": "Memo 26-114 seen."}
    )
    assert roles.role_names(fresh(clerk)) == {roles.RECORDS_CUSTODIAN}


def test_the_program_manager_is_refused_when_there_are_two_administrators(
    administrator, second_administrator, program_manager, clerk
):
    request_custodian_for(clerk, administrator)
    grant = pending_grants(clerk).get()
    response = signed_in(program_manager).post(
        reverse("security:grant_decide", args=[grant.pk]), {"decision": "approve", "reason": "Memo 26-114 seen."}
    )
    assert (response.status_code, roles.role_names(fresh(clerk))) == (403, set())


def test_the_program_manager_sees_the_grants_awaiting_approval(administrator, program_manager, clerk):
    request_custodian_for(clerk, administrator)
    page = signed_in(program_manager).get(reverse("security:grants")).content.decode()
    assert "Records Custodian" in page and "(memo 26-114)" in page


def test_a_decision_without_a_reason_is_refused_and_what_was_typed_kept(administrator, program_manager, clerk):
    request_custodian_for(clerk, administrator)
    grant = pending_grants(clerk).get()
    response = signed_in(program_manager).post(
        reverse("security:grant_decide", args=[grant.pk]), {"reason": "Memo 26-114 seen."}
    )
    assert response.status_code == 400
    assert "Pick approve or refuse." in response.content.decode() and "Memo 26-114 seen." in response.content.decode()


def test_the_refusal_of_a_decider_is_recorded_as_denied(administrator, second_administrator, program_manager, clerk):
    request_custodian_for(clerk, administrator)
    grant = pending_grants(clerk).get()
    signed_in(program_manager).post(
        reverse("security:grant_decide", args=[grant.pk]), {"decision": "approve", "reason": "Seen."}
    )
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DENIED, actor=program_manager).exists()


def test_the_requester_is_refused_in_the_admin_with_the_reason(administrator, second_administrator, clerk):
    request_custodian_for(clerk, administrator)
    grant = pending_grants(clerk).get()
    response = signed_in(administrator).post(
        reverse("admin:vip_rolegrant_change", args=[grant.pk]),
        {"decision": "approve", "decision_reason": "Mine."},
    )
    assert "You asked for this grant" in response.content.decode()
    assert roles.role_names(fresh(clerk)) == set()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DENIED, actor=administrator).exists()


def test_an_administrator_approves_in_the_admin(administrator, second_administrator, clerk):
    request_custodian_for(clerk, administrator)
    grant = pending_grants(clerk).get()
    signed_in(second_administrator).post(
        reverse("admin:vip_rolegrant_change", args=[grant.pk]),
        {"decision": "approve", "decision_reason": "Memo 26-114 seen."},
    )
    assert roles.role_names(fresh(clerk)) == {roles.RECORDS_CUSTODIAN}


def test_a_refusal_leaves_the_role_off(administrator, second_administrator, clerk):
    from vip import grants

    request_custodian_for(clerk, administrator)
    grants.decide_grant(pending_grants(clerk).get(), actor=second_administrator, approve=False, reason="No memo.")
    assert (pending_grants(clerk).exists(), roles.role_names(fresh(clerk))) == (False, set())


def test_request_and_decision_are_audited_with_their_reasons(administrator, second_administrator, clerk):
    from vip import grants

    request_custodian_for(clerk, administrator)
    grants.decide_grant(pending_grants(clerk).get(), actor=second_administrator, approve=True, reason="Memo seen.")
    rows = AuditEvent.objects.filter(
        action=AuditEvent.Action.PERMISSION, object_id=str(clerk.pk), note__contains="Records Custodian"
    )
    notes = {row.actor_username: row.note for row in rows if row.actor_username in ("admin", "admin2")}
    assert REASON in notes["admin"] and "Memo seen." in notes["admin2"]


def test_removing_a_role_takes_effect_at_once_and_is_audited(administrator, officer):
    client = signed_in(administrator)
    post_change(client, officer, groups=[], role_change_reason="Transferred to another division.")
    assert roles.role_names(fresh(officer)) == set()
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.PERMISSION, actor=administrator, note__contains="Transferred to another division."
    ).exists()


def test_every_role_that_reads_records_and_the_administrator_need_approval():
    assert set(roles.ROLES_NEEDING_APPROVAL) == {
        roles.LE_LEAD,
        roles.PROGRAM_MANAGER,
        roles.RECORDS_CUSTODIAN,
        roles.SOCIAL_SERVICES,
        roles.OFFICER,
        roles.ADMINISTRATOR,
    }


# --- the first Administrator, on the server -----------------------------------------------------------------


def test_the_first_administrator_is_given_the_role_on_the_server_with_a_reason(clerk):
    from django.core.management import call_command

    call_command("grant_role", "clerk", roles.ADMINISTRATOR, reason="First administrator of the program.")
    assert roles.role_names(fresh(clerk)) == {roles.ADMINISTRATOR}
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.PERMISSION, actor=None, note__contains="First administrator of the program."
    ).exists()


def test_the_server_command_also_refuses_an_administrator_who_reads_records(administrator):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="never reads candidate records"):
        call_command("grant_role", "admin", roles.RECORDS_CUSTODIAN, reason="Both.")
