"""Persona fixtures for tests: the LE Lead, a qualified officer, a trainee, the program manager,
a social worker, an administrator, a records custodian, and an officer with no training.

Imported by the root conftest, so every test module can ask for `le_lead`, `officer`, and so on.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group, User

from vip import roles

PASSWORD = "correct-horse-battery-staple"  # noqa: S105


def ensure_roles() -> None:
    """Re-create the role groups when a transactional test (browser tests) flushed them.

    The groups come from a data migration; `django_db(transaction=True)` empties every table after each test,
    so the next transactional test would find no roles. Re-running the migration's function restores them.
    """
    if Group.objects.filter(name__in=roles.ALL_ROLES).count() == len(roles.ALL_ROLES):
        return
    import importlib

    from django.apps import apps as global_apps

    saved = {config.label: config.models_module for config in global_apps.get_app_configs()}
    try:
        importlib.import_module("vip.migrations.0002_roles").create_roles(global_apps, None)
        importlib.import_module("vip.migrations.0004_security_admin_permissions").grant(global_apps, None)
        importlib.import_module("notifications.migrations.0003_reminders").grant_reminder_permissions(global_apps, None)
    finally:
        for config in global_apps.get_app_configs():
            config.models_module = saved[config.label]


def ensure_reference_rows() -> None:
    """The rows data migrations create (roles, the default letter template), back after a flush."""
    import importlib

    from notifications.models import LetterTemplate

    ensure_roles()
    # The standard letter as the latest migration left it (paragraphs, signed by the LE Lead who drafts it).
    letter = importlib.import_module("notifications.migrations.0011_letter_paragraphs_and_signer")
    LetterTemplate.objects.get_or_create(name="Standard VIP letter", defaults={"body": letter.NEW_BODY, "active": True})


def make_user(
    username: str,
    *role_names: str,
    first: str = "",
    last: str = "",
    sworn: bool = False,
    command: bool = False,
    trained: bool = False,
    staff: bool = False,
) -> User:
    from notifications.models import Personnel, TrainingRecord

    ensure_roles()
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        first_name=first or username.title(),
        last_name=last,
        email=f"{username}@vip.test",
        is_staff=staff,
    )
    ensure_roles()
    user.groups.set(Group.objects.filter(name__in=role_names))
    Personnel.objects.create(user=user, is_sworn=sworn, is_command_level=command)
    if trained:
        TrainingRecord.objects.create(user=user, course="CN workshop", attended_on=dt.date(2026, 1, 15))
    return user


def qualify(officer: User, le_lead: User) -> None:
    """Give the officer a closed CN on which they accompanied the LE Lead (SOP 2-64-6 A.2)."""
    from candidates.models import Candidate
    from notifications.models import Delivery, TeamMember

    candidate = Candidate.objects.create(
        first_name="Past", last_name=f"Delivery{officer.pk}", date_of_birth=dt.date(1998, 5, 5)
    )
    delivery = Delivery.objects.create(candidate=candidate, state="closed", le_lead=le_lead)
    TeamMember.objects.create(delivery=delivery, user=le_lead, role=TeamMember.Role.LE_LEAD)
    TeamMember.objects.create(delivery=delivery, user=officer, role=TeamMember.Role.TRAINEE)


@pytest.fixture
def le_lead(db):
    return make_user("lead", roles.LE_LEAD, first="Dana", last="Okafor", sworn=True, command=True, trained=True)


@pytest.fixture
def officer(db, le_lead):
    """A qualified officer: sworn, trained, and has accompanied the LE Lead."""
    user = make_user("officer", roles.OFFICER, first="Marco", last="Benavidez", sworn=True, trained=True)
    qualify(user, le_lead)
    return user


@pytest.fixture
def second_officer(db, le_lead):
    user = make_user(
        "officer2", roles.OFFICER, first="Priya", last="Castellano", sworn=True, command=True, trained=True
    )
    qualify(user, le_lead)
    return user


@pytest.fixture
def trainee(db):
    """Sworn and trained, but has not yet accompanied the LE Lead."""
    return make_user("trainee", roles.OFFICER, first="Sam", last="Whitehorse", sworn=True, trained=True)


@pytest.fixture
def untrained_officer(db):
    return make_user("untrained", roles.OFFICER, first="Una", last="Trained", sworn=True)


@pytest.fixture
def program_manager(db):
    return make_user("manager", roles.PROGRAM_MANAGER, first="Renee", last="Aldana")


@pytest.fixture
def social_worker(db):
    return make_user("social", roles.SOCIAL_SERVICES, first="Luis", last="Quintana")


@pytest.fixture
def administrator(db):
    return make_user("admin", roles.ADMINISTRATOR, first="Ada", last="Sorensen", staff=True)


@pytest.fixture
def custodian(db):
    return make_user("custodian", roles.RECORDS_CUSTODIAN, first="Ines", last="Marquez")


@pytest.fixture
def outsider(db):
    """Signed in, but with no VIP role."""
    return make_user("outsider")


def ready_device(user):
    """The user's confirmed authenticator (created if they have none), ready to accept a code now."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from vip import mfa

    device = mfa.confirmed_totp(user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=mfa.APP_DEVICE_NAME, confirmed=True)
    # A code is accepted once per 30-second step (replay protection); tests may sign in twice quickly.
    device.last_t = -1
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    return device


def mark_session_verified(client, user) -> None:
    """What the MFA step and the system-use notice leave in a session, for the test clients' force_login."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from vip.security import SESSION_MFA_AT, SESSION_NOTICE_AT, iso_now

    device = ready_device(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[SESSION_MFA_AT] = iso_now()
    session[SESSION_NOTICE_AT] = iso_now()
    session.save()


class VerifiedLoginMixin:
    """force_login (and login) give a session that passed every sign-in step: password, MFA, notice.

    Tests that need an unverified session use `django.test.Client` directly (see vip/tests/test_mfa.py).
    """

    def force_login(self, user, backend=None):
        from vip.signals import quiet_login

        token = quiet_login.set(True)
        try:
            super().force_login(user, backend)
        finally:
            quiet_login.reset(token)
        mark_session_verified(self, user)

    def login(self, **credentials):
        from django.contrib.auth import authenticate
        from django.test import RequestFactory

        user = authenticate(RequestFactory().post("/accounts/login/"), **credentials)
        if user is None:
            return False
        self.force_login(user)
        return True


def _client_classes():
    from django.test import Client
    from rest_framework.test import APIClient

    class VerifiedClient(VerifiedLoginMixin, Client):
        pass

    class VerifiedAPIClient(VerifiedLoginMixin, APIClient):
        pass

    return VerifiedClient, VerifiedAPIClient


def verified_client():
    return _client_classes()[0]()


def verified_api_client():
    return _client_classes()[1]()


def browser_sign_in(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Sign in through the real pages in a Playwright browser (every step a person would take):
    the password, the code from the user's authenticator app (a confirmed device is created for a user who
    has none, so tests skip enrolment), and the system-use notice.
    """
    from vip import mfa

    user = User.objects.filter(username=username).first()
    device = ready_device(user) if user is not None else None
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")
    if "/security/mfa/verify/" in page.url and device is not None:
        page.fill("#id_otp", mfa.current_code(device))
        with page.expect_navigation():
            page.click("form button.btn-primary[type=submit]")
    if "/security/notice/" in page.url:
        page.check("#id_accept")
        with page.expect_navigation():
            page.click("form button.btn-primary[type=submit]")
    page.wait_for_load_state()


def age_audit_event(event, at: dt.datetime) -> None:
    """Move an audit row back to `at`, as the owner with the maintenance switch its test sessions hold (conftest.py),
    first making that month's partition of the trail (vip/audit/partitions.py; the test database has only the
    months ahead). A transactional test only: the connection is opened again as the owner."""
    from django.utils import timezone

    from vip.audit.partitions import ensure_months
    from vip.db_roles import as_owner
    from vip.models import AuditEvent

    with as_owner() as connection:
        day = timezone.localtime(at).date()
        ensure_months(day, day, using=connection.alias)
        AuditEvent.objects.filter(pk=event.pk).update(at=at)
