"""CJIS AU-2/AU-3: every change (who, when, from where, before, after), every read of a sensitive record
and every refused one, every permission change is in the audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group as AuthGroup
from django.test import RequestFactory

from candidates.models import Alias, Candidate, GVISMeeting, Shooting
from tests.access_matrix import fast_password_hashing
from vip import roles
from vip.audit.middleware import sensitive_target
from vip.models import AuditEvent
from vip.requestlocal import _request


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    fast_password_hashing(settings)


pytestmark = pytest.mark.django_db
A = AuditEvent.Action


@pytest.fixture
def as_request_of():
    """Run code as if inside a request of `user` from 10.1.2.3 (what the middleware provides)."""
    tokens = []

    def start(user):
        request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="pytest")
        request.user = user
        tokens.append(_request.set(request))

    yield start
    for token in reversed(tokens):
        _request.reset(token)


def _last(**filters) -> AuditEvent:
    return AuditEvent.objects.filter(**filters).order_by("-id").first()


def test_it_records_who_changed_what_from_where_with_before_and_after(le_lead, as_request_of):
    person = Candidate.objects.create(first_name="Ana", last_name="Baca", date_of_birth=dt.date(2000, 1, 1))
    as_request_of(le_lead)
    person.last_name = "Baca-Ortiz"
    person.save()
    event = _last(action=A.UPDATE, object_type="candidates.Candidate", object_id=str(person.pk))
    assert (event.actor, event.ip_address) == (le_lead, "10.1.2.3")
    assert event.changes["last_name"] == ["Baca", "Baca-Ortiz"]


def test_it_records_a_creation_and_a_deletion_with_the_values(le_lead, as_request_of):
    as_request_of(le_lead)
    person = Candidate.objects.create(first_name="Ana", last_name="Baca", date_of_birth=dt.date(2000, 1, 1))
    alias = Alias.objects.create(candidate=person, name="Nana")
    alias_pk = alias.pk
    alias.delete()
    created = _last(action=A.CREATE, object_type="candidates.Alias", object_id=str(alias_pk))
    deleted = _last(action=A.DELETE, object_type="candidates.Alias", object_id=str(alias_pk))
    assert created.changes["name"] == [None, "Nana"]
    assert deleted.changes["name"] == ["Nana", None]


def test_a_save_that_changes_nothing_writes_no_row(le_lead):
    person = Candidate.objects.create(first_name="Ana", last_name="Baca", date_of_birth=dt.date(2000, 1, 1))
    before = AuditEvent.objects.count()
    Candidate.objects.get(pk=person.pk).save()
    assert AuditEvent.objects.count() == before


def test_it_records_a_change_of_links_between_records(le_lead):
    shooting = Shooting.objects.create(incident_number="S-1", occurred_on=dt.date(2026, 1, 1), location="Central")
    meeting = GVISMeeting.objects.create(held_on=dt.date(2026, 1, 8))
    meeting.shootings_reviewed.add(shooting)
    event = _last(action=A.UPDATE, object_type="candidates.GVISMeeting", object_id=str(meeting.pk))
    assert event.changes == {"shootings_reviewed": {"added": [str(shooting.pk)]}}


def test_it_records_a_role_given_to_a_user(administrator, officer, as_request_of):
    as_request_of(administrator)
    officer.groups.add(AuthGroup.objects.get(name=roles.LE_LEAD))
    event = _last(action=A.PERMISSION, object_type="auth.User", object_id=str(officer.pk))
    assert event.actor == administrator
    assert event.changes == {"groups": {"added": [roles.LE_LEAD]}}


def test_it_records_staff_and_superuser_changes_as_permission_changes(officer):
    officer.is_superuser = True
    officer.save()
    event = _last(object_type="auth.User", object_id=str(officer.pk))
    assert (event.action, event.changes["is_superuser"]) == (A.PERMISSION, ["False", "True"])


def test_a_password_change_is_recorded_without_the_hash(officer):
    officer.set_password("another-long-passphrase")
    officer.save()
    event = _last(object_type="auth.User", object_id=str(officer.pk))
    assert event.changes == {"password": ["(set)", "(changed)"]}


# --- reads ------------------------------------------------------------------------------------------


def test_a_read_of_a_candidate_page_is_logged_with_the_ip(client, le_lead, world):
    client.force_login(le_lead)
    client.get(f"/candidates/{world['juvenile']['candidate']}/", REMOTE_ADDR="10.9.8.7")
    event = _last(action=A.READ, object_type="candidates.Candidate")
    assert (event.actor, event.object_id, event.ip_address) == (
        le_lead,
        str(world["juvenile"]["candidate"]),
        "10.9.8.7",
    )


def test_a_read_of_a_cn_page_is_logged(client, officer, world):
    client.force_login(officer)
    client.get(f"/cn/{world['adult']['delivery']}/")
    assert _last(action=A.READ, object_type="notifications.Delivery").object_id == str(world["adult"]["delivery"])


def test_a_read_of_a_juvenile_record_outside_the_rules_is_refused_and_logged(client, second_officer, world):
    client.force_login(second_officer)
    response = client.get(f"/candidates/{world['juvenile']['candidate']}/")
    event = _last(action=A.DENIED)
    assert response.status_code == 404
    assert (event.actor, event.object_id) == (second_officer, str(world["juvenile"]["candidate"]))


def test_a_list_page_is_logged_as_one_read_naming_the_people_it_showed(client, le_lead, world):
    """Issue 17: a list shows names and dates of birth as a record's page does (tests/test_read_audit.py)."""
    client.force_login(le_lead)
    before = AuditEvent.objects.filter(action=A.READ).count()
    response = client.get("/candidates/")
    event = _last(action=A.READ)
    assert AuditEvent.objects.filter(action=A.READ).count() == before + 1
    assert sorted(event.changes["shown"]["candidates.Candidate"]) == sorted(
        str(c.pk) for c in response.context["page"].object_list
    )


class _Match:
    def __init__(self, view_name, kwargs):
        self.view_name = view_name
        self.namespace, _, self.url_name = view_name.rpartition(":")
        self.kwargs = kwargs


@pytest.mark.parametrize(
    ("view_name", "expected"),
    [
        ("candidate-detail", ("candidates.Candidate", "7")),
        ("api_delivery", ("notifications.Delivery", "7")),
        ("api_delivery_advise_ecc", ("notifications.Delivery", "7")),
        ("influencer-detail", ("candidates.Influencer", "7")),
        ("membership-detail", ("candidates.GroupMembership", "7")),
        ("eligibility-basis-detail", ("candidates.EligibilityBasis", "7")),
        ("tablet:encounter", ("notifications.Delivery", "7")),
        ("reports:dashboard", None),
    ],
)
def test_the_api_and_tablet_detail_routes_count_as_sensitive_reads(view_name, expected):
    assert sensitive_target(_Match(view_name, {"pk": 7})) == expected


def test_the_admin_change_page_of_a_candidate_counts_too():
    match = _Match("admin:candidates_candidate_change", {"object_id": "5"})
    assert sensitive_target(match) == ("candidates.Candidate", "5")


def test_a_page_naming_the_cn_delivery_pk_counts_too():
    assert sensitive_target(_Match("tablet:encounter", {"delivery_pk": 9})) == ("notifications.Delivery", "9")


def test_a_transition_writes_its_rows_in_one_statement_in_the_order_they_happened(le_lead, officer, as_request_of):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notifications import services
    from notifications.tests.conftest import make_candidate, walk

    cn = walk(
        services.delivery_create(user=le_lead, candidate=make_candidate()), "ecc_advised", lead=le_lead, officer=officer
    )
    as_request_of(officer)
    before = AuditEvent.objects.order_by("-id").first().pk
    with CaptureQueriesContext(connection) as queries:
        services.delivery_record_refusal(cn.pk, user=officer, note="Asked us to leave.")
    inserts = [q for q in queries if q["sql"].startswith('INSERT INTO "vip_auditevent"')]
    assert len(inserts) == 1
    rows = list(AuditEvent.objects.filter(pk__gt=before).order_by("id"))
    assert [(r.action, r.object_type) for r in rows] == [
        (A.CREATE, "notifications.Encounter"),  # the encounter the refusal records
        (A.UPDATE, "notifications.Delivery"),  # the CN's changed fields
        (A.TRANSITION, "notifications.Delivery"),  # and why
    ]
    assert {(r.actor, r.ip_address) for r in rows} == {(officer, "10.1.2.3")}
    assert rows[2].from_state == "ecc_advised" and rows[2].to_state == "refused"


def test_a_refused_transition_leaves_no_row_of_what_it_had_begun(le_lead, officer):
    from notifications import services
    from notifications.tests.conftest import make_candidate, walk
    from vip.errors import TransitionRefused

    cn = walk(
        services.delivery_create(user=le_lead, candidate=make_candidate()), "delivered", lead=le_lead, officer=officer
    )
    rows = AuditEvent.objects.count()
    with pytest.raises(TransitionRefused):  # no CAD report number: the after-action's guard refuses it
        services.delivery_record_after_action(cn.pk, user=le_lead, cad_report_number="", ecc_advised_of_outcome=True)
    assert AuditEvent.objects.count() == rows


def test_rows_written_in_a_block_that_fails_are_not_kept(le_lead):
    from django.db import transaction

    from vip.audit import audit

    rows = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        audit(actor=le_lead, action=A.READ, object_type="candidates.Candidate", object_id=1)
        raise RuntimeError("what the row records did not happen")
    assert AuditEvent.objects.count() == rows
