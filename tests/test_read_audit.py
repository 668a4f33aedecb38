"""Every read of a person's record is recorded, and every refusal (CJIS AU-2, AU-3; issue 17, item 2).

Each answer that shows people writes ONE audit row (one INSERT) naming every record it showed, by type and id
(`changes["shown"]`), with what was asked (`changes["asked"]`): the search page and the API's search, the
board, the tablet's list, intelligence, possible duplicates, exports and drill-downs. Each refused read or
write by a signed-in user (403 or 404) writes a "denied" row. An anonymous request writes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from candidates.models import Candidate, ShootingParticipant
from notifications.models import Delivery
from notifications.selectors import deliveries_visible_to
from tests.access_matrix import fast_password_hashing
from vip.audit import audit_events_visible_to
from vip.models import AuditEvent

pytestmark = pytest.mark.django_db
A = AuditEvent.Action
CANDIDATE, CN = "candidates.Candidate", "notifications.Delivery"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    fast_password_hashing(settings)


class Rows:
    """The audit rows one request wrote, and the INSERTs it sent."""

    def __init__(self, client, method, url, **kwargs):
        before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        with CaptureQueriesContext(connection) as queries:
            self.response = getattr(client, method)(url, **kwargs)
            if getattr(self.response, "streaming", False):
                self.body = b"".join(self.response.streaming_content).decode()
        self.rows = list(AuditEvent.objects.filter(id__gt=before, actor__isnull=False).order_by("id"))
        self.queries = queries.captured_queries
        self.inserts = [q for q in queries if q["sql"].startswith('INSERT INTO "vip_auditevent"')]

    @property
    def row(self) -> AuditEvent:
        assert len(self.rows) == 1, [(r.action, r.object_type, r.note) for r in self.rows]
        return self.rows[0]

    def shown(self, label: str) -> list[int]:
        return sorted(int(pk) for pk in self.row.changes["shown"].get(label, []))


def get(client, url, **kwargs) -> Rows:
    return Rows(client, "get", url, **kwargs)


# --- the search page and the API's search -----------------------------------------------------------------


def test_it_records_a_search_page_as_one_row_naming_everyone_it_showed(client, le_lead, world):
    client.force_login(le_lead)
    read = get(client, "/candidates/?q=matrix")
    shown = sorted(c.pk for c in read.response.context["page"].object_list)
    assert shown and read.shown(CANDIDATE) == shown
    assert (read.row.action, read.row.changes["asked"]["query"], len(read.inserts)) == (A.READ, {"q": "matrix"}, 1)


def test_it_records_an_officers_search_with_only_the_people_they_may_see(client, officer, second_officer, world):
    client.force_login(second_officer)  # on no CN of the world: sees nobody
    read = get(client, "/candidates/?q=matrix")
    assert read.row.changes["shown"] == {}
    assert read.row.changes["asked"] == {"method": "GET", "path": "/candidates/", "query": {"q": "matrix"}}


def test_it_records_an_api_search_with_a_large_page_as_one_row_naming_each_result(api_client, le_lead, world):
    api_client.force_login(le_lead)
    read = get(api_client, "/api/candidates/?q=matrix&page_size=1000")
    assert read.shown(CANDIDATE) == sorted(row["id"] for row in read.response.json()["results"])
    assert len(read.inserts) == 1


def test_it_records_the_api_list_of_influencers_naming_them_and_their_people(api_client, program_manager, world):
    api_client.force_login(program_manager)
    read = get(api_client, "/api/influencers/")
    results = read.response.json()["results"]
    assert read.shown("candidates.Influencer") == sorted(row["id"] for row in results)
    assert read.shown(CANDIDATE) == sorted({row["candidate"] for row in results})


def test_it_records_a_detail_page_and_the_people_it_lists_in_one_row(client, le_lead, world):
    client.force_login(le_lead)
    adult = world["adult"]["candidate"]
    read = get(client, f"/candidates/{adult}/")
    assert (read.row.object_type, read.row.object_id, len(read.inserts)) == (CANDIDATE, str(adult), 1)
    assert read.shown("candidates.Influencer") == [world["adult"]["influencer"]]


# --- the board, the tablet, intelligence, duplicates ---------------------------------------------------------


def test_it_records_the_board_as_one_row_naming_each_cn_and_person_even_when_served_kept(
    client, le_lead, world, monkeypatch
):
    monkeypatch.setattr("vip.kept._pending_change", lambda: None)  # the test's open transaction keeps nothing
    client.force_login(le_lead)
    first = get(client, "/cn/board/")
    kept = get(client, "/cn/board/")  # served from the cache: the rows are not read again
    assert len(kept.queries) < len(first.queries)  # the board's rows were not read the second time
    cns = deliveries_visible_to(le_lead)  # a few, each on the board
    assert first.shown(CN) == kept.shown(CN) == sorted(cn.pk for cn in cns)
    assert kept.shown(CANDIDATE) == sorted({cn.candidate_id for cn in cns})


def test_it_records_the_tablets_list_of_an_officers_cns(client, officer, world):
    client.force_login(officer)
    read = get(client, "/tablet/")
    assert read.response.status_code == 200
    assert read.shown(CN) == sorted(world[k]["delivery"] for k in ("adult", "juvenile"))


def test_it_records_the_intelligence_page_naming_the_people_of_its_shootings(client, le_lead, world):
    ShootingParticipant.objects.create(
        shooting_id=world["adult"]["shooting"], candidate_id=world["adult"]["candidate"], role="victim"
    )
    client.force_login(le_lead)
    read = get(client, "/candidates/intelligence/")
    assert read.shown(CANDIDATE) == [world["adult"]["candidate"]]


def test_it_records_a_possible_duplicates_check_naming_who_it_found(api_client, le_lead, world):
    adult = Candidate.objects.get(pk=world["adult"]["candidate"])
    api_client.force_login(le_lead)
    url = f"/api/candidates/possible-duplicates/?first_name=Adult&last_name=Matrix&date_of_birth={adult.date_of_birth}"
    read = get(api_client, url)
    assert [row["id"] for row in read.response.json()] == read.shown(CANDIDATE) == [adult.pk]


# --- reports: drill-downs, lists, exports ---------------------------------------------------------------------


def test_it_records_a_drill_down_naming_each_cn_it_lists(client, program_manager, world):
    client.force_login(program_manager)
    read = get(client, "/reports/drill/state/?state=identified")
    assert read.shown(CN) == sorted(world[k]["delivery"] for k in ("adult", "juvenile"))
    assert read.row.changes["asked"]["query"] == {"state": "identified"}


def test_it_records_the_services_list_of_a_social_worker(client, social_worker, world):
    client.force_login(social_worker)
    read = get(client, "/reports/services/")
    assert world["adult"]["serviceoffer"] in read.shown("candidates.ServiceOffer")


def test_an_export_writes_one_row_naming_every_record_it_let_out(client, le_lead, world):
    client.force_login(le_lead)
    read = Rows(client, "post", "/reports/export/cns.csv", data={"reason": "Inspection of 2026-11 by the auditor"})
    exported = sorted(int(row["id"]) for row in csv.DictReader(io.StringIO(read.body)))
    assert (read.row.action, len(read.inserts)) == (A.EXPORT, 1)
    assert read.shown(CN) == exported == sorted(cn.pk for cn in deliveries_visible_to(le_lead))


# --- refusals ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "label", "key"),
    [
        ("/api/influencers/{}/", "candidates.Influencer", "influencer"),
        ("/api/eligibility-bases/{}/", "candidates.EligibilityBasis", "basis"),
        ("/api/memberships/{}/", "candidates.GroupMembership", "membership"),
    ],
)
def test_a_refused_read_of_a_persons_record_over_the_api_is_logged(api_client, second_officer, world, url, label, key):
    api_client.force_login(second_officer)
    read = get(api_client, url.format(world["juvenile"][key]))
    assert read.response.status_code == 404
    assert (read.row.action, read.row.object_type, read.row.object_id) == (A.DENIED, label, str(world["juvenile"][key]))


def test_a_post_to_a_cn_the_user_may_not_see_is_logged_as_refused(client, second_officer, world):
    client.force_login(second_officer)
    pk = world["adult"]["delivery"]
    read = Rows(client, "post", f"/cn/{pk}/step/threat-assessment/", data={})
    assert read.response.status_code == 404
    assert (read.row.action, read.row.object_type, read.row.object_id) == (A.DENIED, CN, str(pk))


def test_a_post_to_a_cn_the_user_may_not_see_over_the_api_is_logged_as_refused(api_client, second_officer, world):
    api_client.force_login(second_officer)
    pk = world["adult"]["delivery"]
    read = Rows(api_client, "post", f"/api/deliveries/{pk}/advise-ecc/", data={}, format="json")
    assert read.response.status_code == 404
    assert (read.row.action, read.row.object_id, len(read.inserts)) == (A.DENIED, str(pk), 1)


def test_a_page_forbidden_to_a_role_is_logged_as_refused(client, officer, world):
    client.force_login(officer)
    read = get(client, "/cn/board/")
    assert (read.response.status_code, read.row.action, read.row.note) == (
        403,
        A.DENIED,
        "GET /cn/board/ answered 403.",
    )


def test_an_address_that_leads_nowhere_refuses_no_record_and_writes_nothing(client, le_lead, world):
    client.force_login(le_lead)
    read = get(client, "/favicon.ico")
    assert (read.response.status_code, read.rows) == (404, [])


def test_an_anonymous_request_writes_nothing(client, api_client, world):
    assert get(client, "/candidates/?q=matrix").rows == []
    assert get(api_client, "/api/candidates/?q=matrix").rows == []
    assert get(client, f"/candidates/{world['adult']['candidate']}/").inserts == []


# --- who reads these rows --------------------------------------------------------------------------------------


def test_a_custodians_search_naming_a_sealed_person_is_hidden_from_the_program_manager(
    client, custodian, program_manager, world
):
    client.force_login(custodian)
    row = get(client, "/candidates/?q=matrix").row
    assert str(world["sealed"]["candidate"]) in row.changes["shown"][CANDIDATE]
    assert not audit_events_visible_to(program_manager).filter(pk=row.pk).exists()
    assert audit_events_visible_to(custodian).filter(pk=row.pk).exists()


def test_a_search_naming_no_sealed_person_stays_visible_to_the_program_manager(client, le_lead, program_manager, world):
    client.force_login(le_lead)
    row = get(client, "/candidates/?q=matrix").row
    assert audit_events_visible_to(program_manager).filter(pk=row.pk).exists()


def test_the_audit_viewer_says_how_many_were_shown_and_for_what(client, le_lead, program_manager, world):
    client.force_login(le_lead)
    get(client, "/candidates/?q=matrix")
    client.force_login(program_manager)
    page = client.get("/audit/?action=read").content.decode()
    assert "2 candidates shown for q=matrix" in page


def test_a_cn_rows_candidate_is_named_without_reading_the_candidate(client, le_lead, world):
    """The person of a CN listed as values (the dashboard's lists) is named from the row it read."""
    client.force_login(le_lead)
    Delivery.objects.filter(pk=world["adult"]["delivery"]).update(planned_for=dt.date.today())
    read = get(client, "/reports/dashboard/")
    assert world["adult"]["candidate"] in read.shown(CANDIDATE)


# --- every URL of the access matrix: one row at most, and each refusal exactly one ----------------------------


def test_every_declared_list_is_a_live_url_name():
    from tests.test_access_matrix import url_patterns
    from vip.audit.middleware import PEOPLE_LISTS, SENSITIVE_READS

    live = {name for _key, name, _route in url_patterns() if name}
    assert not (PEOPLE_LISTS | set(SENSITIVE_READS)) - live - {n for n in SENSITIVE_READS if n.startswith("admin:")}


@pytest.mark.parametrize("role", ["le_lead", "officer_not_on_team", "social_worker", "custodian"])
def test_each_request_of_the_access_matrix_writes_one_audit_row_at_most_and_each_refusal_one(request, world, role):
    from tests.access_matrix import MATRIX
    from tests.test_access_matrix import _url, url_patterns
    from vip.testing import verified_client

    persona = {"officer_not_on_team": "second_officer", "custodian": "custodian"}.get(role, role)
    user = request.getfixturevalue(persona)
    client = verified_client()
    client.force_login(user)
    names = {key: name for key, name, _route in url_patterns()}
    wrong = []
    for key, entry in MATRIX.items():
        if key not in names or key.startswith("otpadmin:") or key == "logout":
            continue
        for kind, expected in entry.per_kind().items():
            if expected.get(role, "-") == "-":
                continue
            url = _url(key, names[key], entry, world[kind])
            read = Rows(client, entry.method, url, data=entry.data)
            ours = [r for r in read.rows if r.action in (A.READ, A.EXPORT, A.DENIED)]
            status = read.response.status_code
            if len(ours) > 1 or len(read.inserts) > 1 + len(read.rows) - len(ours):
                wrong.append(f"{url}: {len(ours)} read/refusal rows, {len(read.inserts)} INSERTs")
            if status in (403, 404) and [r.action for r in ours] != [A.DENIED]:
                wrong.append(f"{url} answered {status}: rows {[r.action for r in ours]}")
            if 200 <= status < 300 and ours and ours[0].action == A.DENIED:
                wrong.append(f"{url} answered {status} with a denied row")
    assert not wrong, "\n".join(wrong)


def test_a_list_whose_row_cannot_be_written_is_not_served(client, le_lead, world, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the audit table refused the row")

    monkeypatch.setattr("vip.audit.middleware.audit", broken)
    client.force_login(le_lead)
    with pytest.raises(RuntimeError):
        client.get("/candidates/?q=matrix")  # AU-5: fail closed (the test client re-raises what would be a 500)


def test_a_refusal_whose_row_cannot_be_written_is_still_answered(client, second_officer, world, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the audit table refused the row")

    monkeypatch.setattr("vip.audit.middleware.audit_denied", broken)
    client.force_login(second_officer)
    assert client.get(f"/candidates/{world['adult']['candidate']}/").status_code == 404


def test_a_value_kept_outside_any_request_still_names_what_it_showed_when_served(world, monkeypatch):
    from vip.audit import reads
    from vip.kept import keep_until_changed

    monkeypatch.setattr("vip.kept._pending_change", lambda: None)
    adult = world["adult"]["candidate"]
    keep_until_changed("reads-test", lambda: list(Candidate.objects.filter(pk=adult)))  # a task warming it
    with reads.collecting() as frame:
        keep_until_changed("reads-test", lambda: [])  # served kept: `make` is not called
    assert frame.shown == {CANDIDATE: {str(adult)}}
