"""The audit trail is append-only, enforced by the database (CJIS AU-9).

A trigger refuses UPDATE, DELETE and TRUNCATE on vip_auditevent, whoever asks, superusers
included. The one way through is a deliberate, per-session maintenance switch
(`SET vip.audit_maintenance = 'on'`) for the retention purge of rows past their keeping period (AU-11),
which the test database also uses so that pytest can empty tables between transactional tests.
"""

from django.db import migrations

PG_FORWARD = """
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
CREATE TRIGGER vip_auditevent_append_only
    BEFORE UPDATE OR DELETE ON vip_auditevent
    FOR EACH ROW EXECUTE FUNCTION vip_audit_refuse_change();
CREATE TRIGGER vip_auditevent_no_truncate
    BEFORE TRUNCATE ON vip_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION vip_audit_refuse_change();
"""
PG_REVERSE = """
DROP TRIGGER IF EXISTS vip_auditevent_append_only ON vip_auditevent;
DROP TRIGGER IF EXISTS vip_auditevent_no_truncate ON vip_auditevent;
DROP FUNCTION IF EXISTS vip_audit_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("vip", "0002_roles")]
    operations = [migrations.RunSQL(PG_FORWARD, PG_REVERSE)]
