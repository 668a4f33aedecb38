from django.core.management.base import BaseCommand, CommandError

from vip import grants
from vip.errors import DomainError


class Command(BaseCommand):
    help = (
        "Give USERNAME the role ROLE at once, on the server, with a reason (audited). For the first Administrator "
        "and Program Manager, whom no one could approve yet; in the application a second person approves grants."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", help="the role's name, e.g. 'Administrator'")
        parser.add_argument("--reason", required=True, help="why: kept in the audit trail")

    def handle(self, *args, username, role, reason, **options):
        try:
            grants.grant_on_the_server(username=username, role=role, reason=reason)
        except DomainError as refused:
            raise CommandError(f"{refused.message} {' '.join(refused.reasons.values())}".strip()) from None
        self.stdout.write(f"{username} now has the role {role}.")
