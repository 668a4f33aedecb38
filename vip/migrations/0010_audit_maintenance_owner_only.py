"""The trail's maintenance switch opens for the table's owner alone (issue 17, CJIS AU-9).

Until now the append-only trigger (0003) gave way to `vip.audit_maintenance = 'on'`, a setting any role may set
in its own session: the role the site connected as could delete audit rows. Now the switch is honoured only
when the role making the change owns vip_auditevent or is a superuser, who could disable the trigger anyway;
the app role (docs/operations.md, "Database roles") is refused whatever it sets. The retention purge runs as the
owner (`manage.py purge_audit`).

The function reads the catalogue by its full names with a fixed search_path: a role may create temporary
objects, and a temporary view named pg_roles would otherwise be read in place of the catalogue's.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION vip_audit_refuse_change() RETURNS trigger
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF coalesce(pg_catalog.current_setting('vip.audit_maintenance', true), '') = 'on' AND EXISTS (
        SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_roles r ON r.rolname = current_user
        WHERE c.oid = TG_RELID AND (r.oid = c.relowner OR r.rolsuper)
    ) THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        IF TG_OP = 'UPDATE' THEN RETURN NEW; END IF;
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'The audit trail is append-only: this change is refused.'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
PG_REVERSE = """
CREATE OR REPLACE FUNCTION vip_audit_refuse_change() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('vip.audit_maintenance', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        IF TG_OP = 'UPDATE' THEN RETURN NEW; END IF;
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'The audit trail is append-only: this change is refused.'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
ALTER FUNCTION vip_audit_refuse_change() RESET ALL;
"""


class Migration(migrations.Migration):
    dependencies = [("vip", "0009_role_grant")]
    operations = [migrations.RunSQL(PG_FORWARD, PG_REVERSE)]
