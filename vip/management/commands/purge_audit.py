"""Retention of the audit trail (CJIS AU-11): the months past their keeping period (never younger than a year) are
detached from the trail into the `audit_archive` schema, whole months only (vip/audit/partitions.py). Runs as the
database owner (DATABASE_OWNER_URL): the app role may not (docs/operations.md, "Database roles")."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from vip.audit import MIN_RETENTION_DAYS, AuditMaintenanceRefused, retire_audit_older_than


class Command(BaseCommand):
    help = (
        "Detach the audit trail's months older than VIP_AUDIT_RETENTION_DAYS (at least 365) into the "
        "audit_archive schema, as the database owner (DATABASE_OWNER_URL); this is itself audited."
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
            detached = retire_audit_older_than(days)
        except AuditMaintenanceRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        for table, rows in detached.items():
            self.stdout.write(f"Detached {table}: {rows} audit event(s).")
        self.stdout.write(
            f"{len(detached)} month(s) older than {days} days detached ({sum(detached.values())} event(s)); "
            "archive and drop them as docs/operations.md says."
        )
