"""Staff administration (issue 18, item 6): the Administrator adds a member of staff on one page (the person,
their roles through the two-person grant, sworn status and CN training) and sees whether they may deliver.

Personas: the Administrator adds Officer Reyes; a second Administrator approves the role; the LE Lead then puts
her on a CN's team.
"""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import timezone

from notifications.models import Personnel, TeamMember, TrainingRecord
from tests.access_matrix import fast_password_hashing
from vip import roles
from vip.models import AuditEvent, RoleGrant
from vip.testing import make_user

pytestmark = pytest.mark.django_db

TODAY = str(timezone.localdate())
REASON = "Assigned to VIP by memo 26-131."


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    fast_password_hashing(settings)


@pytest.fixture
def second_administrator(db):
    return make_user("admin2", roles.ADMINISTRATOR, first="Bea", last="Lindqvist", staff=True)


def role(name: str) -> Group:
    return Group.objects.get(name=name)


def new_officer(**changes) -> dict:
    """What the Administrator types for Officer Ana Reyes: sworn, trained, asking for the Officer role."""
    data = {
        "username": "areyes",
        "first_name": "Ana",
        "last_name": "Reyes",
        "email": "areyes@apd.test",
        "password1": "lantern orchard gravel 2026",
        "password2": "lantern orchard gravel 2026",
        "roles": [str(role(roles.OFFICER).pk)],
        "reason": REASON,
        "badge_number": "4471",
        "rank": "Officer",
        "is_sworn": "on",
        "training_course": "CN workshop, Albuquerque",
        "training_attended_on": TODAY,
        "training_recognised": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def add(client, administrator, **changes):
    client.force_login(administrator)
    return client.post(reverse("staff:add"), new_officer(**changes))


# --- adding a member of staff -----------------------------------------------------------------------------


def test_it_adds_the_person_with_their_personnel_and_training_records(client, administrator):
    add(client, administrator)
    reyes = User.objects.get(username="areyes")
    assert Personnel.objects.get(user=reyes).is_sworn
    assert TrainingRecord.objects.filter(user=reyes, recorded_by=administrator, department_recognised=True).exists()


def test_the_role_is_asked_for_and_waits_for_a_second_person(client, administrator):
    response = add(client, administrator)
    reyes = User.objects.get(username="areyes")
    assert not reyes.groups.exists()
    assert RoleGrant.objects.filter(user=reyes, group__name=roles.OFFICER, status="pending").exists()
    assert "awaits the approval of" in client.get(response["Location"]).content.decode()


def test_the_new_page_says_what_they_lack_to_deliver(client, administrator):
    response = add(client, administrator)
    page = client.get(response["Location"]).content.decode()
    assert "only as a trainee" in page
    assert "has not yet accompanied the VIP LE Lead" in page
    assert "the Officer role awaits a second person" in page


def test_an_officer_added_and_approved_goes_on_a_cn_team(client, administrator, second_administrator, le_lead, cn):
    """The whole journey through the pages: added, approved by a second Administrator, put on a team."""
    add(client, administrator)
    grant = RoleGrant.objects.get(user__username="areyes")
    client.force_login(second_administrator)
    client.post(reverse("security:grant_decide", args=[grant.pk]), {"decision": "approve", "reason": "Memo seen."})
    reyes = User.objects.get(username="areyes")
    assert reyes.groups.filter(name=roles.OFFICER).exists()
    client.force_login(le_lead)
    client.post(f"/cn/{cn.pk}/step/team-add/", {"team-add-member": reyes.pk, "team-add-role": "trainee"})
    assert TeamMember.objects.filter(delivery=cn, user=reyes, role=TeamMember.Role.TRAINEE).exists()


def test_once_they_accompanied_the_le_lead_the_page_says_they_may_deliver(client, administrator, le_lead):
    from vip.testing import qualify

    add(client, administrator)
    qualify(User.objects.get(username="areyes"), le_lead)
    page = client.get(reverse("staff:detail", args=[User.objects.get(username="areyes").pk])).content.decode()
    assert "May deliver CNs now" in page


def test_the_person_signs_in_with_the_initial_password_and_is_sent_to_enrol_their_app(client, administrator):
    from django.test import Client

    add(client, administrator)
    response = Client().post(
        reverse("login"), {"username": "areyes", "password": "lantern orchard gravel 2026"}, follow=True
    )
    assert response.redirect_chain[-1][0].startswith(reverse("security:mfa_enrol"))


# --- bad input: clear errors beside the fields, nothing typed lost ----------------------------------------


def test_missing_fields_are_refused_beside_each_field(client, administrator):
    response = add(client, administrator, last_name="", email="", training_attended_on="")
    page = response.content.decode()
    assert response.status_code == 400
    assert "Give the last name." in page and "Give a work e-mail address." in page
    assert "Give the date they attended this training." in page


def test_what_was_typed_is_kept_when_refused(client, administrator):
    response = add(client, administrator, email="")
    page = response.content.decode()
    assert 'value="areyes"' in page and 'value="CN workshop, Albuquerque"' in page and REASON in page
    assert not User.objects.filter(username="areyes").exists()


def test_roles_without_a_reason_are_refused_beside_the_reason(client, administrator):
    response = add(client, administrator, reason="")
    assert response.status_code == 400 and "Say why the role changes" in response.content.decode()


def test_a_taken_username_is_refused(client, administrator, officer):
    response = add(client, administrator, username="officer")
    assert "The username officer is taken" in response.content.decode()


def test_two_different_passwords_are_refused(client, administrator):
    response = add(client, administrator, password2="something else entirely")
    assert "The two passwords differ" in response.content.decode()


def test_an_administrator_who_reads_records_is_refused_and_no_account_is_left(client, administrator):
    both = [str(role(roles.ADMINISTRATOR).pk), str(role(roles.OFFICER).pk)]
    response = add(client, administrator, roles=both)
    assert "never reads candidate records" in response.content.decode()
    assert not User.objects.filter(username="areyes").exists()


def test_a_forged_superuser_flag_is_refused_and_recorded(client, administrator):
    response = add(client, administrator, is_superuser="on")
    assert response.status_code == 403
    assert AuditEvent.objects.filter(actor=administrator, action="denied", note__contains="is_superuser").exists()


def test_a_training_date_in_the_future_is_refused(client, administrator):
    response = add(client, administrator, training_attended_on="2999-01-01")
    assert "this date is in the future" in response.content.decode()


# --- the member's page ------------------------------------------------------------------------------------


def edit_data(user, **changes) -> dict:
    personnel = Personnel.objects.get(user=user)
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on" if user.is_active else None,
        "roles": [str(pk) for pk in user.groups.values_list("pk", flat=True)],
        "reason": "",
        "is_sworn": "on" if personnel.is_sworn else None,
        "is_command_level": "on" if personnel.is_command_level else None,
        "training_recognised": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_a_training_record_added_later_makes_the_person_trained(client, administrator, untrained_officer):
    client.force_login(administrator)
    client.post(
        reverse("staff:detail", args=[untrained_officer.pk]),
        edit_data(untrained_officer, training_course="CN workshop", training_attended_on=TODAY),
    )
    assert TrainingRecord.objects.filter(user=untrained_officer).exists()


def test_a_role_added_on_the_members_page_waits_for_approval(client, administrator, social_worker):
    client.force_login(administrator)
    wanted = [str(role(roles.SOCIAL_SERVICES).pk), str(role(roles.OFFICER).pk)]
    client.post(reverse("staff:detail", args=[social_worker.pk]), edit_data(social_worker, roles=wanted, reason=REASON))
    assert RoleGrant.objects.filter(user=social_worker, group__name=roles.OFFICER, status="pending").exists()


def test_a_role_removed_on_the_members_page_goes_at_once(client, administrator, social_worker):
    client.force_login(administrator)
    client.post(reverse("staff:detail", args=[social_worker.pk]), edit_data(social_worker, roles=[], reason=REASON))
    assert not social_worker.groups.exists()


def test_the_administrators_own_roles_are_not_changed_on_their_page(client, administrator):
    client.force_login(administrator)
    data = edit_data(administrator, roles=[str(role(roles.RECORDS_CUSTODIAN).pk)], reason=REASON)
    response = client.post(reverse("staff:detail", args=[administrator.pk]), data)
    assert response.status_code == 403
    assert not RoleGrant.objects.filter(user=administrator).exists()


# --- the list: roles, grants awaiting approval, lockout ---------------------------------------------------


def lock(username: str) -> None:
    AccessAttempt.objects.create(
        username=username,
        ip_address="10.0.0.9",
        user_agent="test",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
        get_data="",
        post_data="",
        http_accept="",
        path_info="/accounts/login/",
    )


def test_the_list_shows_each_persons_roles_and_the_roles_awaiting_approval(client, administrator, officer):
    add(client, administrator)
    page = client.get(reverse("staff:list")).content.decode()
    assert "Officer: awaiting approval" in page
    assert roles.LE_LEAD in page


def test_the_list_shows_a_locked_out_account(client, administrator, officer):
    lock("officer")
    client.force_login(administrator)
    assert "Locked out" in client.get(reverse("staff:list")).content.decode()


def test_the_administrator_releases_a_lockout_from_the_list(client, administrator, officer):
    from vip.security import is_locked_out

    lock("officer")
    client.force_login(administrator)
    client.post(reverse("staff:release_lockout", args=[officer.pk]), {"back": "list"})
    assert not is_locked_out("officer")


# --- no "Groups", no stock user form, for the Administrator -----------------------------------------------


@pytest.mark.parametrize("name", ["staff:list", "staff:add"])
def test_the_staff_pages_never_say_groups(client, administrator, name):
    client.force_login(administrator)
    assert "group" not in client.get(reverse(name)).content.decode().lower()


def test_the_members_page_never_says_groups_nor_lists_permissions(client, administrator, officer):
    client.force_login(administrator)
    page = client.get(reverse("staff:detail", args=[officer.pk])).content.decode().lower()
    assert "group" not in page and "permission" not in page and "last login" not in page


@pytest.mark.parametrize(
    ("admin_url", "staff_url"),
    [("admin:auth_user_changelist", "staff:list"), ("admin:auth_user_add", "staff:add")],
)
def test_the_stock_user_pages_send_the_administrator_to_the_staff_pages(client, administrator, admin_url, staff_url):
    client.force_login(administrator)
    assert client.get(reverse(admin_url))["Location"] == reverse(staff_url)


def test_the_stock_user_change_page_sends_the_administrator_to_the_members_page(client, administrator, officer):
    client.force_login(administrator)
    response = client.get(reverse("admin:auth_user_change", args=[officer.pk]))
    assert response["Location"] == reverse("staff:detail", args=[officer.pk])


@pytest.mark.parametrize("name", ["admin:index", "admin:auth_group_changelist"])
def test_the_admins_menu_calls_the_roles_roles(client, administrator, name):
    """("Groups" stays for the candidates' street groups, which the product does call groups.)"""
    client.force_login(administrator)
    page = client.get(reverse(name)).content.decode()
    assert re.search(r'href="/admin/auth/group/"[^>]*>Roles<', page)
    assert not re.search(r'href="/admin/auth/group/"[^>]*>Groups<', page) and "Authentication and Auth" not in page


def test_the_admins_accounts_section_is_called_accounts_and_roles(client, administrator):
    client.force_login(administrator)
    page = client.get(reverse("admin:app_list", kwargs={"app_label": "auth"})).content.decode()
    assert "Accounts and roles" in page and not re.search(r'href="/admin/auth/group/"[^>]*>Groups<', page)


def test_the_roles_list_never_says_group(client, administrator):
    client.force_login(administrator)
    page = client.get(reverse("admin:auth_group_changelist")).content.decode()
    assert "6 roles" in page and "group to" not in page and "groups" not in page.replace("street groups", "")


def test_a_roles_admin_page_never_says_group(client, administrator):
    client.force_login(administrator)
    page = client.get(reverse("admin:auth_group_change", args=[role(roles.OFFICER).pk])).content.decode()
    assert "Officer | Role |" in page and ">Roles</a>" in page
    crumbs = re.sub(r"<[^>]+>", " ", page.split('class="breadcrumbs"')[1].split("</div>")[0])
    assert "Accounts and roles" in crumbs and "group" not in crumbs.lower()


# --- who may ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["le_lead", "program_manager", "officer", "social_worker", "custodian"])
def test_no_one_but_the_administrator_opens_the_staff_pages(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("staff:add")).status_code == 403


def test_a_refused_person_cannot_add_staff(client, program_manager):
    client.force_login(program_manager)
    client.post(reverse("staff:add"), new_officer())
    assert not User.objects.filter(username="areyes").exists()


def test_for_someone_who_does_not_go_to_the_door_the_page_says_so(client, administrator, social_worker):
    client.force_login(administrator)
    page = client.get(reverse("staff:detail", args=[social_worker.pk])).content.decode()
    assert "does not go to the door" in page and "What they lack" not in page


def test_the_administrator_resets_a_lost_second_factor_and_it_is_recorded(client, administrator, officer):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from vip.testing import ready_device

    ready_device(officer)
    client.force_login(administrator)
    client.post(reverse("staff:reset_second_factor", args=[officer.pk]))
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert AuditEvent.objects.filter(actor=administrator, note="Second factor reset by an administrator.").exists()


def test_the_personnel_page_links_each_person_to_their_staff_page_for_the_administrator(
    client, administrator, untrained_officer
):
    client.force_login(administrator)
    page = client.get(reverse("notifications:personnel")).content.decode()
    assert reverse("staff:detail", args=[untrained_officer.pk]) in page


def test_the_personnel_page_has_no_staff_links_for_the_le_lead(client, le_lead, untrained_officer):
    client.force_login(le_lead)
    assert "/staff/" not in client.get(reverse("notifications:personnel")).content.decode()
