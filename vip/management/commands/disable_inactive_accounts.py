from django.core.management.base import BaseCommand

from vip.accounts import disable_inactive_accounts


class Command(BaseCommand):
    help = "Disable accounts with no sign-in for 90 days (CJIS IA-4). Also runs daily as a Celery beat task."

    def handle(self, *args, **options):
        names = disable_inactive_accounts()
        if names:
            self.stdout.write(f"Disabled {len(names)} account(s) unused for 90 days: {', '.join(names)}")
        else:
            self.stdout.write("No account has been unused for 90 days.")
