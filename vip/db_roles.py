"""The two database roles (docs/operations.md, "Database roles"; CJIS AU-9, AC-6; issue 17).

- **The owner** owns the tables: it runs `migrate` (and so creates every table), `setup_db_roles`,
  `purge_audit` and `flush`. Those commands switch to it on their own (`as_owner`), from DATABASE_OWNER_URL.
- **The app role** is what the site, the Celery worker and beat connect as (DATABASE_URL). It owns nothing and
  may SELECT, INSERT, UPDATE and DELETE the program's rows, but on the audit trail only SELECT and INSERT: it
  can neither change nor remove an audit row, empty the table, nor switch its append-only trigger off (the
  trigger's maintenance switch opens only for the owner or a superuser, vip migration 0009).

`setup_app_role` grants exactly that, and is safe to run any number of times. Tables a later `migrate` creates
are covered by the owner's default privileges (ALTER DEFAULT PRIVILEGES, set here), so nothing has to be
remembered after a deploy; running `setup_db_roles` again after each `migrate` does no harm and puts back
anything changed by hand.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, connections, transaction

# What of a connection's settings names who connects (and how): the database itself stays the connection's own,
# so the test database is the owner's too.
CREDENTIALS = ("USER", "PASSWORD", "HOST", "PORT", "OPTIONS")
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# The app's rights on every table of the program, on the trail, and on the record of applied migrations.
TABLE_RIGHTS = "SELECT, INSERT, UPDATE, DELETE"
APPEND_ONLY_RIGHTS = "SELECT, INSERT"
READ_ONLY_TABLES = ("django_migrations",)  # only `migrate`, as the owner, writes it
DUPLICATE_OBJECT = "42710"


class RoleSetupError(Exception):
    """`setup_db_roles` cannot give the app role what it needs, or the role is more than an app role."""


def append_only_tables() -> tuple[str, ...]:
    """The tables of the trail: the app may read them and add to them, nothing else (simple_history's tables
    went in issue 16; every change of a program record is a row of this one table)."""
    from vip.models import AuditEvent

    return (AuditEvent._meta.db_table,)


def credentials(settings_dict: dict) -> dict:
    return {key: settings_dict.get(key) or ({} if key == "OPTIONS" else "") for key in CREDENTIALS}


def owner_credentials(alias: str = "default") -> dict:
    """How the owner connects: DATABASE_OWNER_URL's role, or the connection's own when it is unset."""
    owner = getattr(settings, "VIP_DATABASE_OWNER", None)
    return credentials(owner or connections[alias].settings_dict)


@contextmanager
def as_owner(alias: str = "default") -> Iterator:
    """Run the block with this thread's `alias` connection logged in as the owner, then as before.

    The connection is closed and opened again as the owner (and closed again after), so it must not be inside a
    transaction. Only this thread's connection changes: the others (a threaded server's) keep the app role."""
    connection = connections[alias]
    owner = owner_credentials(alias)
    if credentials(connection.settings_dict) == owner:
        yield connection
        return
    if connection.in_atomic_block:
        raise RuntimeError("Switching to the database owner closes the connection: do it outside a transaction.")
    original = connection.settings_dict
    connection.close()
    connection.settings_dict = {**original, **owner}
    try:
        yield connection
    finally:
        connection.close()
        connection.settings_dict = original


def may_maintain_audit(connection) -> bool:
    """Whether this connection's role may use the trail's maintenance switch: its table's owner or a superuser."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.rolsuper OR r.oid = c.relowner FROM pg_catalog.pg_class c, pg_catalog.pg_roles r "
            "WHERE c.oid = %s::regclass AND r.rolname = current_user",
            [append_only_tables()[0]],
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def _role(cursor, name: str) -> tuple | None:
    cursor.execute(
        "SELECT oid, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls, "
        "pg_has_role(rolname, current_user, 'MEMBER') FROM pg_catalog.pg_roles WHERE rolname = %s",
        [name],
    )
    return cursor.fetchone()


def _owned(cursor, oid: int) -> list[str]:
    """What of this database the role owns (a table, a sequence, a view, a function, a schema); a session's
    temporary tables are no one's for long and do not count."""
    cursor.execute(
        "SELECT relname FROM pg_catalog.pg_class WHERE relowner = %(oid)s AND relpersistence <> 't' "
        "UNION ALL SELECT proname FROM pg_catalog.pg_proc WHERE proowner = %(oid)s "
        "UNION ALL SELECT nspname FROM pg_catalog.pg_namespace WHERE nspowner = %(oid)s "
        "UNION ALL SELECT datname FROM pg_catalog.pg_database WHERE datdba = %(oid)s AND datname = current_database() "
        "ORDER BY 1 LIMIT 5",
        {"oid": oid},
    )
    return [row[0] for row in cursor.fetchall()]


def setup_app_role(connection, role: str, password: str | None = None) -> list[str]:
    """Create the app role if needed (LOGIN, nothing more) and grant it what the product needs on this database,
    as `connection`'s role (the owner). Returns what was done, one line each. Idempotent: the rights are revoked
    and granted again in one transaction, so a second run leaves them as the first did."""
    if not ROLE_NAME.match(role):
        raise RoleSetupError(f"{role!r} is not a plain role name (lower-case letters, digits and _).")
    quote = connection.ops.quote_name
    app = quote(role)
    done = []
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_schema(), current_database()")
        owner, schema, database = cursor.fetchone()
        if role == owner:
            raise RoleSetupError(
                f"{role!r} is the role running this command, the tables' owner: the app connects as another role."
            )
        found = _role(cursor, role)
        if found is None:
            cursor.execute("SELECT rolsuper OR rolcreaterole FROM pg_catalog.pg_roles WHERE rolname = current_user")
            if not cursor.fetchone()[0]:
                raise RoleSetupError(
                    f"The role {role!r} does not exist and {owner!r} may not create roles. Create it as a superuser "
                    f"(CREATE ROLE {role} LOGIN PASSWORD '...'), then run this command again as {owner!r}."
                )
            try:  # roles belong to the server: another database's setup may be creating it at this moment
                with transaction.atomic(using=connection.alias):
                    cursor.execute(
                        f"CREATE ROLE {app} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
                    )
                done.append(f"created the role {role} (LOGIN, nothing more)")
            except DatabaseError as exc:
                if getattr(exc.__cause__, "pgcode", None) != DUPLICATE_OBJECT:
                    raise
            found = _role(cursor, role)
        if password:
            # on the driver's cursor: Django's would write the password into its query log (DEBUG)
            cursor.cursor.execute(f"ALTER ROLE {app} LOGIN PASSWORD %s", [password])
            done.append(f"set the password of {role}")
        oid, *powers, member_of_owner = found
        if any(powers):
            raise RoleSetupError(
                f"The role {role!r} is a superuser or may create databases, roles or replicate: an app role may not "
                f"(ALTER ROLE {role} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS, as a superuser)."
            )
        if member_of_owner:
            raise RoleSetupError(f"The role {role!r} is a member of the owner {owner!r}, so it has the owner's rights.")
        owned = _owned(cursor, oid)
        if owned:
            raise RoleSetupError(
                f"The role {role!r} owns {', '.join(owned)} in this database: an app role owns nothing "
                f"(REASSIGN OWNED BY {role} TO {owner})."
            )
        nsp, db = quote(schema), quote(database)
        append_only = [quote(table) for table in append_only_tables()]
        read_only = [quote(table) for table in READ_ONLY_TABLES]
        for statement in (
            f"GRANT CONNECT ON DATABASE {db} TO {app}",
            f"GRANT USAGE ON SCHEMA {nsp} TO {app}",
            # from nothing, so that a second run (or a right granted by hand) ends where the first did
            f"REVOKE ALL ON ALL TABLES IN SCHEMA {nsp} FROM {app}",
            f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {nsp} FROM {app}",
            f"GRANT {TABLE_RIGHTS} ON ALL TABLES IN SCHEMA {nsp} TO {app}",
            f"REVOKE UPDATE, DELETE ON {', '.join(append_only + read_only)} FROM {app}",
            f"REVOKE INSERT ON {', '.join(read_only)} FROM {app}",
            # nobody but the owner changes or empties the trail, whatever was granted to everyone
            f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {', '.join(append_only)} FROM PUBLIC",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {nsp} TO {app}",
            # the tables and sequences a later `migrate` (run as this owner) creates
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {nsp} GRANT {TABLE_RIGHTS} ON TABLES TO {app}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {nsp} GRANT USAGE, SELECT ON SEQUENCES TO {app}",
        ):
            cursor.execute(statement)
        from vip.audit.partitions import copy_rights_to_partitions

        copy_rights_to_partitions(cursor)  # each of the trail's monthly partitions: the trail's rights, no more
        done.append(
            f"{role} on {database}: {TABLE_RIGHTS} on the tables of {schema} and those {owner} creates later; "
            f"only {APPEND_ONLY_RIGHTS} on {', '.join(append_only_tables())} and SELECT on "
            f"{', '.join(READ_ONLY_TABLES)}; USAGE, SELECT on the sequences"
        )
    return done
