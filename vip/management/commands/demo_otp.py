"""Demo mode only: print the one-time code a demo persona's authenticator app would show now."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from vip import mfa


class Command(BaseCommand):
    help = "Print the current one-time code of a demo persona (VIP_DEMO_MODE only)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if not settings.VIP_DEMO_MODE:
            raise CommandError("demo_otp works only in demo mode (VIP_DEMO_MODE=1, as `make run` sets).")
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        device = mfa.confirmed_totp(user)
        if device is None or device.key != mfa.DEMO_TOTP_KEY:
            raise CommandError(f"{username} is not pre-enrolled with the demo authenticator; they enrol at sign-in.")
        self.stdout.write(mfa.current_code(device))
