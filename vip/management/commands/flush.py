"""Django's `flush`, as the database owner (DATABASE_OWNER_URL; docs/operations.md, "Database roles").

The app role may not empty a table. The tests' transactional cases flush between tests through here; the owner's
test sessions hold the trail's maintenance switch (conftest.py), so the audit table empties there too. Anywhere
else the trigger still refuses to empty the trail (vip migration 0003), whoever asks without the switch.
"""

from django.core.management.commands import flush

from vip.db_roles import as_owner


class Command(flush.Command):
    help = flush.Command.help + " Runs as the database owner (DATABASE_OWNER_URL)."

    def handle(self, **options):
        with as_owner(options["database"]):
            super().handle(**options)
