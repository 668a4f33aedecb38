"""Django's `migrate`, always as the database owner (DATABASE_OWNER_URL; docs/operations.md, "Database roles").

The site connects as an app role that may not create or alter a table; migrations, their data steps and what
runs after them (the audit triggers, content types, permissions) run as the role that owns the tables, so
nobody has to remember to pass another URL. Without DATABASE_OWNER_URL, DATABASE_URL's role is the owner.
"""

from django.core.management.commands import migrate

from vip.db_roles import as_owner


class Command(migrate.Command):
    help = migrate.Command.help + " Runs as the database owner (DATABASE_OWNER_URL)."

    def handle(self, *args, **options):
        with as_owner(options["database"]):
            super().handle(*args, **options)
