"""One change trail (issue 16): every change to a program record, however it is made — a service, a page,
`QuerySet.update()`, a bulk operation, SQL typed in psql — is written by the database into vip_auditevent,
with who made it, when, and the request it came from; a change undone leaves no row."""

from __future__ import annotations

import datetime as dt
import uuid

import psycopg2
import pytest
from django.core import checks
from django.db import connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from candidates.models import Candidate, PartnerOrganization
from notifications import services
from notifications.models import Letter, Reminder
from notifications.tests.conftest import make_candidate, walk
from vip.audit.triggers import TRIGGER, check_triggers, install, missing_triggers
from vip.db_roles import as_owner
from vip.models import AuditEvent

pytestmark = pytest.mark.django_db
A = AuditEvent.Action


def _last(**filters) -> AuditEvent | None:
    return AuditEvent.objects.filter(**filters).order_by("-id").first()


def test_it_records_a_change_written_with_update_in_a_request_with_the_user_and_the_time(le_lead, officer):
    cn = walk(
        services.delivery_create(user=le_lead, candidate=make_candidate()), "ecc_advised", lead=le_lead, officer=officer
    )
    client = APIClient()
    client.force_authenticate(officer)
    before = timezone.now()
    body = {"letter_presented": True, "gvi_message_delivered": True, "social_services_stayed": True}
    client.post(f"/api/deliveries/{cn.pk}/record-delivery/", body, format="json", REMOTE_ADDR="10.4.4.4")
    letter = Letter.objects.get(delivery=cn)  # presented_at is written with QuerySet.update()
    event = _last(action=A.UPDATE, object_type="notifications.Letter", object_id=str(letter.pk))
    assert (event.actor, event.ip_address) == (officer, "10.4.4.4")
    assert before <= event.at <= timezone.now() and event.changes["presented_at"][0] is None


def test_a_reminder_the_sweep_writes_is_not_a_program_record_and_leaves_no_change_row(le_lead):
    rows = AuditEvent.objects.count()
    Reminder.objects.create(
        kind="gvis",
        step="gvis",
        period="2026-W07",
        recipient=le_lead,
        due_at=timezone.now(),
        message="No weekly shooting review (GVIS) meeting on record.",
        claim=uuid.uuid4(),
    )
    assert AuditEvent.objects.count() == rows


@pytest.mark.django_db(transaction=True)
def test_a_table_the_trail_no_longer_follows_loses_its_trigger_at_the_next_install():
    with as_owner() as owner:  # triggers are the owner's (`migrate` installs them): the site's role may not
        with owner.cursor() as cursor:
            cursor.execute(
                f"CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE ON notifications_reminder "
                "FOR EACH ROW EXECUTE FUNCTION vip_audit_record_change('notifications.Reminder', 'id')"
            )
        assert install(owner) == ["notifications_reminder"] and missing_triggers() == []


def test_it_records_the_letter_presented_as_the_officer_who_presented_it(le_lead, officer):
    cn = walk(
        services.delivery_create(user=le_lead, candidate=make_candidate()), "delivered", lead=le_lead, officer=officer
    )
    letter = Letter.objects.get(delivery=cn)
    event = _last(action=A.UPDATE, object_type="notifications.Letter", object_id=str(letter.pk))
    assert event.actor == officer and event.changes["presented_at"][0] is None


def test_it_records_a_bulk_update_row_by_row(le_lead):
    people = [
        Candidate.objects.create(first_name="Ana", last_name=f"Baca{n}", date_of_birth=dt.date(2000, 1, 1))
        for n in range(2)
    ]
    for person in people:
        person.notes = "Moved to the South Valley."
    Candidate.objects.bulk_update(people, ["notes"])
    rows = AuditEvent.objects.filter(
        action=A.UPDATE, object_type="candidates.Candidate", object_id__in=[str(p.pk) for p in people]
    )
    assert sorted(row.changes["notes"][1] for row in rows) == ["Moved to the South Valley."] * 2


def test_it_records_a_bulk_create(le_lead):
    PartnerOrganization.objects.bulk_create(
        [PartnerOrganization(name="Casa Esperanza"), PartnerOrganization(name="Cuidando")]
    )
    names = AuditEvent.objects.filter(action=A.CREATE, object_type="candidates.PartnerOrganization")
    assert sorted(row.changes["name"][1] for row in names) == ["Casa Esperanza", "Cuidando"]


def test_a_rolled_back_change_leaves_no_row(le_lead):
    person = Candidate.objects.create(first_name="Ana", last_name="Baca", date_of_birth=dt.date(2000, 1, 1))
    rows = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        Candidate.objects.filter(pk=person.pk).update(last_name="Baca-Ortiz")
        written = AuditEvent.objects.count() - rows  # the trail holds it while the change may still commit
        raise RuntimeError("the request failed after the write")
    assert (written, AuditEvent.objects.count() - rows) == (1, 0)


def test_the_candidate_page_history_shows_a_change_written_with_update(client, le_lead):
    person = Candidate.objects.create(first_name="Ana", last_name="Baca", date_of_birth=dt.date(2000, 1, 1))
    Candidate.objects.filter(pk=person.pk).update(notes="Moved to the South Valley.")
    client.force_login(le_lead)
    body = client.get(f"/candidates/{person.pk}/").content.decode()
    assert body.count("Changed candidate") == 1


def test_every_table_of_the_audited_apps_has_its_trigger():
    assert missing_triggers() == []


@pytest.mark.django_db(transaction=True)
def test_it_records_a_change_typed_in_psql_with_the_database_role(le_lead):
    person = Candidate.objects.create(first_name="Ana", last_name="Baca", date_of_birth=dt.date(2000, 1, 1))
    settings = connection.settings_dict
    psql = psycopg2.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        password=settings["PASSWORD"] or None,
        application_name="psql",
    )
    try:
        with psql, psql.cursor() as cursor:  # a plain connection, as psql's: no application, no context
            cursor.execute("UPDATE candidates_candidate SET last_name = 'Baca-Ortiz' WHERE id = %s", [person.pk])
    finally:
        psql.close()
    event = _last(action=A.UPDATE, object_type="candidates.Candidate", object_id=str(person.pk))
    assert (event.actor, event.actor_username, event.user_agent) == (None, f"db:{settings['USER']}", "psql")
    assert event.changes["last_name"] == ["Baca", "Baca-Ortiz"]


def test_a_change_to_a_sealed_person_s_alias_is_hidden_from_the_program_manager(program_manager, custodian):
    from candidates.models import Alias, today
    from candidates.sealing import candidate_seal
    from vip.audit import audit_events_visible_to

    person = Candidate.objects.create(
        first_name="Sealed", last_name="Juvenile", date_of_birth=today().replace(year=today().year - 15)
    )
    alias = Alias.objects.create(candidate=person, name="Nana")
    alias.name = "Nene"
    alias.save()  # the change names the alias only: the person is in the record it changed
    candidate_seal(person, custodian, "D-202-JR-2026-00042", dt.date.today())
    shown = audit_events_visible_to(program_manager).filter(object_type="candidates.Alias", object_id=str(alias.pk))
    assert not shown.exists()


@pytest.mark.django_db(transaction=True)
def test_a_table_without_its_trigger_is_a_warning_that_does_not_stop_migrate():
    with as_owner() as owner, owner.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {TRIGGER} ON candidates_phone")
    try:
        (problem,) = check_triggers(databases=["default"])
    finally:
        with as_owner() as owner:
            install(owner)
    assert (problem.id, problem.level, "candidates_phone" in problem.msg) == ("vip.W102", checks.WARNING, True)
