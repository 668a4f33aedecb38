"""The one change trail: a database trigger on every program record writes each change into vip_auditevent.

Whatever makes a change — a service, the admin, `QuerySet.update()`, `bulk_create`/`bulk_update`, a management
command, SQL typed in psql — PostgreSQL runs `vip_audit_record_change()` for each row it inserts, updates or
deletes, and the function adds one append-only row: create/update/delete, the record (`object_type` is the
model's label, `object_id` its key), the fields that changed as {field: [before, after]} (text, as
`vip.audit.model_changes` writes them), and the record as it read after the change (before it, for a deletion)
in `snapshot`, from which the candidate page's history names it (candidates/history.py).

Who and from where come from the transaction's setting `vip.audit_context` (JSON), which the application sends
with each write (`vip.audit.with_audit_context`). A change made outside the application has no such setting:
its row says `db:<role>` (the database role that made it), the client's address and its application name
(e.g. "psql").

The tables: every concrete model of the audited apps (`AUDITED_APPS`) unless it says `audit_changes = False`,
their many-to-many links (recorded on the owning record, as "added"/"removed"), and the accounts: a user's
details (never the password hash: a new one shows as "(changed)"; a sign-in's `last_login` is no change), a
user's groups and permissions, and a group's permissions, as permission changes. The triggers are (re)installed
after every `migrate` (`install`, connected to post_migrate), so a new model is followed without anyone
remembering it, and `check_triggers` (a system check) names a table that lacks one.
"""

from __future__ import annotations

from django.apps import apps as global_apps
from django.core import checks
from django.db import connections

AUDITED_APPS = ("candidates", "notifications", "reports")
NOT_DIFFED = ("search_text", "updated_at")  # derived text and a save's time: no one's change
TRIGGER = "vip_audit_change"

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION vip_audit_text(value jsonb) RETURNS jsonb AS $$
    -- A column's value as the trail writes it: text (as Python's str() reads it), or null.
    SELECT CASE jsonb_typeof(value)
        WHEN 'null' THEN 'null'::jsonb
        WHEN 'string' THEN value
        WHEN 'boolean' THEN to_jsonb(CASE WHEN value = 'true'::jsonb THEN 'True' ELSE 'False' END)
        ELSE to_jsonb(value #>> '{}')
    END
$$ LANGUAGE sql IMMUTABLE;

CREATE OR REPLACE FUNCTION vip_audit_insert(
    p_action text, p_type text, p_id text, p_note text, p_changes jsonb, p_snapshot jsonb
) RETURNS void AS $$
DECLARE
    ctx jsonb := nullif(current_setting('vip.audit_context', true), '')::jsonb;
BEGIN
    IF ctx IS NULL THEN  -- not the application: the database role, its address and program say who
        INSERT INTO vip_auditevent (at, actor_id, actor_username, action, object_type, object_id, object_repr,
                                    from_state, to_state, note, changes, snapshot, ip_address, user_agent)
        VALUES (clock_timestamp(), NULL, left('db:' || session_user, 150), p_action, p_type, p_id, '', '', '',
                p_note, p_changes, p_snapshot, inet_client_addr(),
                left(coalesce(current_setting('application_name', true), ''), 300));
    ELSE
        INSERT INTO vip_auditevent (at, actor_id, actor_username, action, object_type, object_id, object_repr,
                                    from_state, to_state, note, changes, snapshot, ip_address, user_agent)
        VALUES (clock_timestamp(), (ctx ->> 'id')::integer, coalesce(ctx ->> 'username', ''), p_action, p_type,
                p_id, '', '', '', p_note, p_changes, p_snapshot, (ctx ->> 'ip')::inet, coalesce(ctx ->> 'ua', ''));
    END IF;
END;
$$ LANGUAGE plpgsql;

-- Arguments: the model's label, its key column, 'record' or 'user', the columns left out of the diff.
CREATE OR REPLACE FUNCTION vip_audit_record_change() RETURNS trigger AS $$
DECLARE
    old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    is_user boolean := TG_ARGV[2] = 'user';
    skipped text[] := string_to_array(TG_ARGV[3], ',');
    diff jsonb := '{}'::jsonb;
    key text;
    action text := CASE TG_OP WHEN 'INSERT' THEN 'create' WHEN 'UPDATE' THEN 'update' ELSE 'delete' END;
    note text := '';
BEGIN
    IF is_user THEN
        skipped := skipped || ARRAY['password', 'last_login'];
    END IF;
    FOR key IN SELECT jsonb_object_keys(coalesce(new_row, old_row)) LOOP
        CONTINUE WHEN key = ANY (skipped);
        IF TG_OP = 'DELETE'
           OR (TG_OP = 'INSERT' AND jsonb_typeof(new_row -> key) <> 'null')
           OR (TG_OP = 'UPDATE' AND old_row -> key IS DISTINCT FROM new_row -> key) THEN
            diff := diff || jsonb_build_object(
                key, jsonb_build_array(vip_audit_text(old_row -> key), vip_audit_text(new_row -> key)));
        END IF;
    END LOOP;
    IF is_user AND TG_OP = 'UPDATE' AND old_row -> 'password' IS DISTINCT FROM new_row -> 'password' THEN
        diff := diff || '{"password": ["(set)", "(changed)"]}'::jsonb;
    END IF;
    IF TG_OP = 'UPDATE' AND diff = '{}'::jsonb THEN
        RETURN NULL;  -- a save that changed nothing (or only what is left out) is no change
    END IF;
    IF is_user THEN
        IF TG_OP = 'INSERT' THEN
            note := 'Account created.';
        ELSIF diff ?| ARRAY['is_staff', 'is_superuser', 'is_active'] THEN
            action := 'permission';
            note := 'Account privileges changed.';
        ELSIF TG_OP = 'UPDATE' THEN
            note := 'Account changed.';
        ELSE
            note := 'Account deleted.';
        END IF;
    ELSIF TG_OP = 'INSERT' THEN
        note := 'Record created.';
    ELSIF TG_OP = 'DELETE' THEN
        note := 'Record deleted.';
    END IF;
    PERFORM vip_audit_insert(
        action, TG_ARGV[0], coalesce(new_row, old_row) ->> TG_ARGV[1], note, diff,
        coalesce(new_row, old_row) - skipped - 'password'
    );
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- A many-to-many link, recorded on the record that owns the field. Arguments: the owner's label, the link
-- table's column naming the owner, the field's name, the column naming the other record, the action, and
-- the SQL naming the other record from its key ($1), or '' to name it by its key.
CREATE OR REPLACE FUNCTION vip_audit_link_change() RETURNS trigger AS $$
DECLARE
    link jsonb := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END);
    other text := link ->> TG_ARGV[3];
    verb text := CASE WHEN TG_OP = 'DELETE' THEN 'removed' ELSE 'added' END;
    name text := other;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RETURN NULL;  -- the ORM never changes a link in place
    END IF;
    IF TG_ARGV[5] <> '' THEN
        EXECUTE TG_ARGV[5] INTO name USING other::bigint;
    END IF;
    PERFORM vip_audit_insert(
        TG_ARGV[4], TG_ARGV[0], link ->> TG_ARGV[1],
        CASE WHEN TG_ARGV[4] = 'permission' THEN upper(left(TG_ARGV[2], 1)) || substr(TG_ARGV[2], 2) || ' ' || verb || ': ' || coalesce(name, other) || '.'
             ELSE TG_ARGV[2] || ': ' || verb || '.' END,
        jsonb_build_object(TG_ARGV[2], jsonb_build_object(verb, jsonb_build_array(coalesce(name, other)))),
        NULL
    );
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""

DROP_FUNCTIONS = """
DROP FUNCTION IF EXISTS vip_audit_link_change();
DROP FUNCTION IF EXISTS vip_audit_record_change();
DROP FUNCTION IF EXISTS vip_audit_insert(text, text, text, text, jsonb, jsonb);
DROP FUNCTION IF EXISTS vip_audit_text(jsonb);
"""

# How the accounts' links name the other record (the receivers wrote names, not keys).
GROUP_NAME = "SELECT name FROM auth_group WHERE id = $1"
PERMISSION_NAME = (
    "SELECT ct.app_label || '.' || p.codename FROM auth_permission p "
    "JOIN django_content_type ct ON ct.id = p.content_type_id WHERE p.id = $1"
)


def audited_models(apps=global_apps) -> list:
    """The program records the trail follows: every concrete model of the audited apps but those opting out."""
    found = []
    for label in AUDITED_APPS:
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        for model in config.get_models():
            meta = model._meta
            # the opt-out is read on the model itself: a migration's copy of it has no such attribute
            real = global_apps.get_model(meta.label) if meta.label_lower in _current_labels() else model
            if meta.managed and not meta.proxy and getattr(real, "audit_changes", True):
                found.append(model)
    return found


def _current_labels() -> set[str]:
    return {model._meta.label_lower for model in global_apps.get_models()}


def _q(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def wanted_triggers(apps=global_apps) -> dict[str, tuple[str, tuple[str, ...]]]:
    """{table: (function, arguments)} of every trigger the trail needs."""
    wanted: dict[str, tuple[str, tuple[str, ...]]] = {}
    for model in audited_models(apps):
        meta = model._meta
        label = f"{meta.app_label}.{meta.object_name}"
        wanted[meta.db_table] = ("vip_audit_record_change", (label, meta.pk.column, "record", ",".join(NOT_DIFFED)))
        for field in meta.local_many_to_many:
            through = field.remote_field.through._meta
            if not through.auto_created:
                continue  # a model of its own: followed as a record
            wanted[through.db_table] = (
                "vip_audit_link_change",
                (label, field.m2m_column_name(), field.name, field.m2m_reverse_name(), "update", ""),
            )
    try:
        user = apps.get_model("auth", "User")
        group = apps.get_model("auth", "Group")
    except LookupError:
        return wanted
    wanted[user._meta.db_table] = ("vip_audit_record_change", ("auth.User", "id", "user", ""))
    for owner, field, label, name_sql in (
        (user, "groups", "auth.User", GROUP_NAME),
        (user, "user_permissions", "auth.User", PERMISSION_NAME),
        (group, "permissions", "auth.Group", PERMISSION_NAME),
    ):
        m2m = owner._meta.get_field(field)
        what = str(m2m.related_model._meta.verbose_name_plural)
        wanted[m2m.remote_field.through._meta.db_table] = (
            "vip_audit_link_change",
            (label, m2m.m2m_column_name(), what, m2m.m2m_reverse_name(), "permission", name_sql),
        )
    return wanted


def _installed(connection) -> dict[str, tuple[str, tuple[str, ...]]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, p.proname, encode(t.tgargs, 'escape') FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE t.tgname = %s AND pg_table_is_visible(c.oid)",
            [TRIGGER],
        )
        rows = cursor.fetchall()
    # tgargs holds each argument followed by a NUL byte (shown as \000 by encode(..., 'escape'))
    return {table: (function, tuple(args.split("\\000")[:-1])) for table, function, args in rows}


def install(connection=None, apps=global_apps) -> list[str]:
    """Create or replace the trigger on each table that lacks it or has it with other arguments, and drop it
    from a table the trail no longer follows (a model that now says `audit_changes = False`). Returns the
    tables changed. Safe to run any number of times."""
    connection = connection or connections["default"]
    with connection.cursor() as cursor:
        cursor.execute(FUNCTIONS)
    present = _installed(connection)
    wanted = wanted_triggers(apps)
    changed = []
    with connection.cursor() as cursor:
        for table in sorted(set(present) - set(wanted)):
            cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {connection.ops.quote_name(table)}")
            changed.append(table)
        for table, (function, args) in wanted.items():
            if present.get(table) == (function, args):
                continue
            arguments = ", ".join(_q(arg) for arg in args)
            cursor.execute(
                f"CREATE OR REPLACE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE ON {connection.ops.quote_name(table)} "
                f"FOR EACH ROW EXECUTE FUNCTION {function}({arguments})"
            )
            changed.append(table)
    return changed


def install_after_migrate(sender, using="default", apps=global_apps, **kwargs) -> None:
    """post_migrate: a model added since (or a table re-created) gets its trigger at once."""
    if sender.label != "vip":  # once per migrate, after every app's tables exist
        return
    install(connections[using])


def missing_triggers(connection=None) -> list[str]:
    """The followed tables that exist and lack their trigger (a table `migrate` has yet to create is not one)."""
    connection = connection or connections["default"]
    present = _installed(connection)
    existing = set(connection.introspection.table_names())
    return sorted(
        table for table, wanted in wanted_triggers().items() if table in existing and present.get(table) != wanted
    )


def check_triggers(app_configs=None, databases=None, **kwargs):
    """System check (database): every followed table has its change trigger (run `migrate` to add it).

    A warning, not an error: `migrate` runs the database checks before it migrates, and an error would stop the
    very command that installs the triggers (a database whose last migrate failed half-way)."""
    if not databases or "default" not in databases:
        return []
    try:
        missing = missing_triggers()
    except Exception:  # noqa: BLE001 - no database yet (a fresh clone before its first migrate)
        return []
    if not missing:
        return []
    return [
        checks.Warning(
            f"These tables have no change trigger, so their changes reach no audit trail: {', '.join(missing)}.",
            hint="Run `python manage.py migrate`: it installs the trigger on every table of the audited apps.",
            id="vip.W102",
        )
    ]
