"""Create the database role the product connects as and grant it only what it needs (issue 17, CJIS AU-9).

Run by the owner after `migrate` (docs/operations.md, "Database roles"); safe to run any number of times:

    DATABASE_OWNER_URL=postgresql://vip_owner:...@db/vip python manage.py setup_db_roles vip_app --password ...

Then run the site, the worker and beat with DATABASE_URL=postgresql://vip_app:...@db/vip.
"""

from urllib.parse import quote, urlunsplit

from django.core.management.base import BaseCommand, CommandError

from vip.db_roles import RoleSetupError, as_owner, setup_app_role


class Command(BaseCommand):
    help = (
        "As the database owner (DATABASE_OWNER_URL, else DATABASE_URL): create the LOGIN role the site, the worker "
        "and beat connect as, and grant it SELECT/INSERT/UPDATE/DELETE on the program's tables but only "
        "SELECT/INSERT on the audit trail. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "role",
            nargs="?",
            help="The app role (default: DATABASE_URL's role when DATABASE_OWNER_URL names another one).",
        )
        parser.add_argument("--password", help="Set (or change) the app role's password; kept as it is if omitted.")
        parser.add_argument(
            "--print-url",
            action="store_true",
            help="Print only the app's DATABASE_URL (the owner's URL with the app role and its password).",
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args, role=None, password=None, print_url=False, database="default", **options):
        if role is None:
            app_settings = self._app_settings(database)
            if app_settings is None:
                raise CommandError(
                    "Name the app role (setup_db_roles vip_app), or set DATABASE_OWNER_URL to the owner and "
                    "DATABASE_URL to the app role."
                )
            role, password = app_settings["USER"], password or app_settings["PASSWORD"] or None
        with as_owner(database) as connection:
            owner = connection.settings_dict
            try:
                done = setup_app_role(connection, role, password)
            except RoleSetupError as refusal:
                raise CommandError(str(refusal)) from refusal
        if print_url:
            self.stdout.write(_url(owner, role, password))
            return
        for line in done:
            self.stdout.write(line)

    @staticmethod
    def _app_settings(database: str) -> dict | None:
        """DATABASE_URL's role when it is not the owner's."""
        from django.db import connections

        from vip.db_roles import owner_credentials

        current = connections[database].settings_dict
        if current.get("USER") and current.get("USER") != owner_credentials(database)["USER"]:
            return current
        return None


def _url(owner: dict, role: str, password: str | None) -> str:
    """The URL the app connects with: the owner's server and database, the app's role."""
    host = quote(str(owner.get("HOST") or ""), safe="")
    port = f":{owner['PORT']}" if owner.get("PORT") else ""
    login = quote(role, safe="") + (f":{quote(password, safe='')}" if password else "")
    query = "&".join(f"{key}={quote(str(value), safe='')}" for key, value in (owner.get("OPTIONS") or {}).items())
    return urlunsplit(("postgresql", f"{login}@{host}{port}", f"/{quote(owner['NAME'], safe='')}", query, ""))
