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
    """Put the roles back when a transactional test flushed the rows of the data migration vip 0002."""
    if Group.objects.filter(name__in=roles.ALL_ROLES).count() == len(roles.ALL_ROLES):
        return
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Permission

    grants_by_role = importlib.import_module("vip.migrations.0002_roles").ROLE_PERMISSIONS
    for role, grants in grants_by_role.items():
        group, _ = Group.objects.get_or_create(name=role)
        perms = []
        for target, actions in grants.items():
            app_label, _, model = target.partition(".")
            if app_label not in {c.label for c in apps.get_app_configs()}:
                continue
            models = [model] if model else [m._meta.model_name for m in apps.get_app_config(app_label).get_models()]
            codenames = [f"{action}_{name}" for name in models for action in actions]
            perms += Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        group.permissions.set(perms)


def ensure_reference_rows() -> None:
    """The rows data migrations create (roles, the default letter template), back after a flush."""
    import importlib

    from notifications.models import LetterTemplate

    ensure_roles()
    letter = importlib.import_module("notifications.migrations.0002_default_letter_template")
    LetterTemplate.objects.get_or_create(name="Standard VIP letter", defaults={"body": letter.BODY, "active": True})


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


def browser_sign_in(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Sign in through the real pages in a Playwright browser (every step a person would take).

    Browser tests call this instead of filling the form themselves, so that sign-in steps added later
    (MFA, the system-use notice) are taken in one place.
    """
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
