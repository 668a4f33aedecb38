"""Purge audit events past their keeping period (CJIS AU-11): never younger than a year. Runs as the database
owner (DATABASE_OWNER_URL): the app role may not remove an audit row (docs/operations.md, "Database roles")."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from vip.audit import MIN_RETENTION_DAYS, AuditMaintenanceRefused, purge_audit_older_than


class Command(BaseCommand):
    help = (
        "Delete audit events older than VIP_AUDIT_RETENTION_DAYS (at least 365), as the database owner "
        "(DATABASE_OWNER_URL); the purge itself is audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="Keep this many days (>= 365).")

    def handle(self, *args, days=None, **options):
        days = settings.VIP_AUDIT_RETENTION_DAYS if days is None else days
        if days < MIN_RETENTION_DAYS:
            raise CommandError(
                f"Audit events are kept at least {MIN_RETENTION_DAYS} days (CJIS AU-11): {days} is refused."
            )
        try:
            count = purge_audit_older_than(days)
        except AuditMaintenanceRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        self.stdout.write(f"Purged {count} audit event(s) older than {days} days.")
