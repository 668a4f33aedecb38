"""The audit trail's monthly partitions (vip/audit/partitions.py): make the months ahead (or a given span), as the
database owner (DATABASE_OWNER_URL), and list them. Idempotent. `migrate` and the monthly beat task make the
months ahead on their own; this is for an operator, and for loading history (the bench's generator)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from vip.audit.partitions import ensure_ahead, ensure_months, partitions
from vip.db_roles import as_owner, may_maintain_audit


def _month(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError as exc:
        raise CommandError(f"{text!r} is not a month (YYYY-MM).") from exc


class Command(BaseCommand):
    help = "Make the audit trail's monthly partitions ahead (or --first..--last, YYYY-MM) as the owner, and list them."

    def add_arguments(self, parser):
        parser.add_argument("--first", type=_month, help="First month to make (YYYY-MM).")
        parser.add_argument("--last", type=_month, help="Last month to make (YYYY-MM), included.")

    def handle(self, *args, first=None, last=None, **options):
        with as_owner() as connection:
            if not may_maintain_audit(connection):
                raise CommandError("Only the owner of the audit trail makes its partitions: set DATABASE_OWNER_URL.")
            if first or last:
                made = ensure_months(first or last, last or first, using=connection.alias)
            else:
                made = ensure_ahead(using=connection.alias)
            for table in made:
                self.stdout.write(f"Made {table}")
            for table, start, end in partitions(using=connection.alias):
                self.stdout.write(f"{table}: {start or 'the beginning'} to {end}")
