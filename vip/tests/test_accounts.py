"""Passwords (CJIS IA-5), accounts unused for 90 days (IA-4), the daily schedule, and demo-mode MFA."""

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from vip import mfa
from vip.models import AuditEvent
from vip.tasks import disable_inactive_accounts

pytestmark = pytest.mark.django_db


def idle_for(user, days: int):
    user.last_login = timezone.now() - dt.timedelta(days=days)
    user.save(update_fields=["last_login"])


def test_a_password_of_seven_characters_is_refused():
    with pytest.raises(ValidationError, match="at least 8"):
        password_validation.validate_password("tr0ub4d")


def test_a_long_passphrase_of_64_characters_is_accepted_without_composition_rules():
    password_validation.validate_password("the quick brown fox jumps over the lazy dog near albuquerque nm x")


def test_a_common_password_is_refused():
    with pytest.raises(ValidationError, match="too common"):
        password_validation.validate_password("password123")


def test_the_help_text_suggests_15_characters():
    assert "15 or more" in " ".join(password_validation.password_validators_help_texts())


def test_an_account_unused_for_91_days_is_disabled(officer):
    idle_for(officer, 91)
    disable_inactive_accounts()
    officer.refresh_from_db()
    assert not officer.is_active


def test_an_account_used_89_days_ago_stays_active(officer):
    idle_for(officer, 89)
    disable_inactive_accounts()
    officer.refresh_from_db()
    assert officer.is_active


def test_an_account_never_used_in_90_days_is_disabled(trainee):
    trainee.date_joined = timezone.now() - dt.timedelta(days=100)
    trainee.save(update_fields=["date_joined"])
    disable_inactive_accounts()
    trainee.refresh_from_db()
    assert not trainee.is_active


def test_disabling_is_audited(officer):
    idle_for(officer, 120)
    call_command("disable_inactive_accounts", stdout=StringIO())
    assert AuditEvent.objects.filter(object_id=str(officer.pk), note__contains="90 days").count() == 1


def test_setup_schedules_registers_the_daily_task_once():
    call_command("setup_schedules", stdout=StringIO())
    call_command("setup_schedules", stdout=StringIO())
    tasks = PeriodicTask.objects.filter(task="vip.tasks.disable_inactive_accounts")
    assert tasks.count() == 1 and tasks.get().crontab.hour == "2"


def test_demo_mode_pre_enrols_the_personas_and_demo_otp_prints_their_code(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.VIP_DEMO_MODE = True
    call_command("seed_demo", stdout=StringIO())
    out = StringIO()
    call_command("demo_otp", "lead", stdout=out)
    from django.contrib.auth.models import User

    device = mfa.confirmed_totp(User.objects.get(username="lead"))
    assert out.getvalue().strip() == mfa.current_code(device)


def test_demo_otp_refuses_outside_demo_mode(settings, le_lead):
    settings.VIP_DEMO_MODE = False
    with pytest.raises(CommandError, match="demo mode"):
        call_command("demo_otp", "lead", stdout=StringIO())


def test_without_demo_mode_seed_demo_enrols_nobody(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.VIP_DEMO_MODE = False
    call_command("seed_demo", stdout=StringIO())
    from django_otp.plugins.otp_totp.models import TOTPDevice

    assert not TOTPDevice.objects.exists()
