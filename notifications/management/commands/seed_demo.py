"""Demo personas for every role and made-up candidates and CNs in every state. Repeatable.

No real person's data: every name, date, address and number here is invented.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import transaction

from notifications.demo import seed_domain
from notifications.models import Personnel, TrainingRecord
from vip import mfa, roles

PERSONAS = [
    # username, first, last, roles, sworn, command, trained
    ("lead", "Dana", "Okafor", [roles.LE_LEAD], True, True, True),
    ("officer1", "Marco", "Benavidez", [roles.OFFICER], True, False, True),
    ("officer2", "Priya", "Castellano", [roles.OFFICER], True, True, True),
    ("trainee", "Sam", "Whitehorse", [roles.OFFICER], True, False, True),
    ("manager", "Renee", "Aldana", [roles.PROGRAM_MANAGER], False, False, False),
    ("social", "Luis", "Quintana", [roles.SOCIAL_SERVICES], False, False, False),
    ("admin", "Ada", "Sorensen", [roles.ADMINISTRATOR], False, False, False),
    ("custodian", "Ines", "Marquez", [roles.RECORDS_CUSTODIAN], False, False, False),
]

CREDENTIALS_FILE = "demo-credentials.txt"


class Command(BaseCommand):
    help = "Create demo personas (passwords printed once) and demo candidates and CNs. Safe to run twice."

    def handle(self, *args, **options):
        created = self.create_personas()
        summary = seed_domain(self.stdout)
        path = Path(settings.VAR_DIR) / CREDENTIALS_FILE
        if created:
            path.parent.mkdir(parents=True, exist_ok=True)
            lines = [f"{username:10s} {password}" for username, password in created]
            with path.open("a") as handle:
                handle.write("\n".join(lines) + "\n")
            path.chmod(0o600)
            self.stdout.write(self.style.SUCCESS("Demo personas created. Their passwords (shown once):"))
            for line in lines:
                self.stdout.write(f"  {line}")
            self.stdout.write(f"(Also kept, readable only by you, in {path}.)")
        else:
            self.stdout.write(f"Demo personas already exist; passwords unchanged (see {path}).")
        self.stdout.write(summary)
        if settings.VIP_DEMO_MODE:
            self.pre_enrol_demo_mfa()

    def pre_enrol_demo_mfa(self):
        """Demo mode only (production refuses it): the personas share a published demo authenticator secret."""
        device = None
        for username, *_ in PERSONAS:
            device = mfa.ensure_demo_device(User.objects.get(username=username))
        self.stdout.write(
            "Demo mode: every persona is enrolled in MFA with the demo authenticator. After the password, get the "
            "current code with `.venv/bin/python manage.py demo_otp <username>`, or type the demo key "
            f"{mfa.secret_for_typing(device)} into an authenticator app."
        )

    @transaction.atomic
    def create_personas(self) -> list[tuple[str, str]]:
        created = []
        for username, first, last, role_list, sworn, command, trained in PERSONAS:
            user = User.objects.filter(username=username).first()
            if user is None:
                password = f"{username}-{secrets.token_urlsafe(9)}"
                user = User.objects.create_user(
                    username=username,
                    password=password,
                    first_name=first,
                    last_name=last,
                    email=f"{username}@vip.example.org",
                )
                created.append((username, password))
            if roles.ADMINISTRATOR in role_list:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
            user.groups.set(Group.objects.filter(name__in=role_list))
            Personnel.objects.update_or_create(
                user=user,
                defaults={
                    "is_sworn": sworn,
                    "is_command_level": command,
                    "badge_number": f"D{1000 + user.pk}",
                    "rank": "Commander" if command else ("Officer" if sworn else ""),
                },
            )
            if trained and not TrainingRecord.objects.filter(user=user).exists():
                TrainingRecord.objects.create(
                    user=user, course="VIP Custom Notification workshop", attended_on="2026-02-10"
                )
        return created
