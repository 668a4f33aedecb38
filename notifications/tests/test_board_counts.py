"""The board's counts per state: what each role may see, kept between requests, never out of date.

At a city's scale counting every CN costs more than the rest of the board, so the LE Lead's and the
Program Manager's counts are kept in the cache until a CN or a candidate changes (docs/performance.md).
"""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from candidates.sealing import candidate_seal
from notifications import services as s
from notifications.selectors import count_by_state, count_on_team_of, deliveries_on_team_of, deliveries_visible_to
from notifications.tests.conftest import make_candidate, walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(le_lead, officer, custodian):
    """CNs in three states, one of them of a candidate whose record is then sealed."""
    for last, target in (("Ready", "ready"), ("Eligible", "eligible"), ("Also", "eligible")):
        walk(
            s.delivery_create(user=le_lead, candidate=make_candidate(last=last)), target, lead=le_lead, officer=officer
        )
    s.delivery_create(user=le_lead, candidate=make_candidate(years=16, last="Identified"))
    sealed = make_candidate(years=16, last="Sealed")
    s.delivery_create(user=le_lead, candidate=sealed)
    candidate_seal(sealed, custodian, "D-202-JR-2026-00042", dt.date.today())


def grouped(user) -> dict[str, int]:
    """The count the plain way: group what the user may see."""
    return dict(deliveries_visible_to(user).order_by().values_list("state").annotate(n=Count("pk")))


@pytest.mark.parametrize("persona", ["le_lead", "program_manager", "custodian", "officer", "social_worker"])
def test_each_role_counts_exactly_the_cns_it_may_see(request, program, persona):
    user = request.getfixturevalue(persona)
    assert count_by_state(user) == grouped(user)


def test_the_le_lead_never_counts_a_sealed_record_and_the_custodian_does(program, le_lead, custodian):
    lead, custodians = count_by_state(le_lead), count_by_state(custodian)
    assert (lead["identified"], lead["eligible"], lead["ready"]) == (1, 2, 1)
    assert custodians["identified"] == 2


@pytest.mark.django_db(transaction=True)  # committed, as in production: nothing is kept while a change is pending
def test_a_second_board_reuses_the_count(program, le_lead, django_assert_num_queries):
    count_by_state(le_lead)
    with django_assert_num_queries(0):
        assert count_by_state(le_lead)["ready"] == 1


def test_a_transition_is_counted_on_the_next_board(program, le_lead, client):
    client.force_login(le_lead)
    client.get("/cn/board/")  # the count is now kept
    ready = deliveries_visible_to(le_lead).get(state="ready")
    s.delivery_cancel(ready.pk, user=le_lead, reason="Moved out of state.")
    assert count_by_state(le_lead).get("ready", 0) == 0
    assert count_by_state(le_lead)["cancelled"] == 1
    assert 'aria-label="1 CNs"' in client.get("/cn/board/?state=cancelled").content.decode()


def test_sealing_a_record_takes_its_cn_off_the_next_count(program, le_lead, custodian):
    assert count_by_state(le_lead)["identified"] == 1
    candidate_seal(deliveries_visible_to(le_lead).get(state="identified").candidate, custodian, "D-1", dt.date.today())
    assert "identified" not in count_by_state(le_lead)


@pytest.mark.parametrize("persona", ["le_lead", "program_manager", "custodian", "officer", "social_worker"])
def test_my_deliveries_are_counted_as_the_list_holds_them(request, program, persona):
    user = request.getfixturevalue(persona)
    assert count_on_team_of(user) == deliveries_on_team_of(user).count()


def test_an_officer_is_not_counted_a_sealed_records_cn(le_lead, officer, custodian):
    before = count_on_team_of(officer)
    juvenile = make_candidate(years=16, last="Sealed")
    cn = s.delivery_create(user=le_lead, candidate=juvenile)
    s.add_team_member(cn.pk, user=le_lead, member=officer, role="officer")
    assert count_on_team_of(officer) == before + 1
    candidate_seal(juvenile, custodian, "D-202-JR-2026-00042", dt.date.today())
    assert count_on_team_of(officer) == before == deliveries_on_team_of(officer).count()


@pytest.mark.parametrize("query", ["", "?state=eligible", "?mine=1", "?mine=1&state=eligible"])
def test_the_api_list_gives_the_count_of_what_it_lists(program, le_lead, api_client, query):
    api_client.force_authenticate(le_lead)
    body = api_client.get(f"/api/deliveries/{query}").json()
    assert body["count"] == len(body["results"]) > 0


@pytest.mark.django_db(transaction=True)  # committed, as in production: nothing is kept while a change is pending
def test_a_second_board_is_served_from_what_the_first_kept(program, le_lead, client):
    client.force_login(le_lead)
    first = client.get("/cn/board/").context["columns_html"]
    with CaptureQueriesContext(connection) as queries:
        second = client.get("/cn/board/").context["columns_html"]
    assert second == first and "Jordan Ready" in second
    assert not [q for q in queries.captured_queries if "notifications_delivery" in q["sql"]]


def test_the_kept_board_shows_a_cn_in_its_new_column_right_after_it_moves(program, le_lead, client):
    client.force_login(le_lead)
    client.get("/cn/board/")
    ready = deliveries_visible_to(le_lead).get(state="ready")
    s.delivery_cancel(ready.pk, user=le_lead, reason="Moved out of state.")
    board = client.get("/cn/board/").content.decode()
    cancelled = board.split('data-state="cancelled"')[1].split("</section>")[0]
    assert f"CN #{ready.pk} " in cancelled


def test_the_kept_board_shows_a_candidates_new_name_right_after_it_changes(program, le_lead, client):
    client.force_login(le_lead)
    client.get("/cn/board/")
    person = deliveries_visible_to(le_lead).get(state="ready").candidate
    person.last_name = "Renamed"
    person.save()
    assert "Jordan Renamed" in client.get("/cn/board/").content.decode()


@pytest.mark.django_db(transaction=True)  # committed, as in production: nothing is kept while a change is pending
def test_a_program_manager_is_served_the_board_the_le_lead_kept(program, le_lead, program_manager, client):
    client.force_login(le_lead)
    leads = client.get("/cn/board/").context["columns_html"]
    client.force_login(program_manager)
    with CaptureQueriesContext(connection) as queries:
        managers = client.get("/cn/board/").context["columns_html"]
    assert managers == leads and "Jordan Sealed" not in managers
    assert not [q for q in queries.captured_queries if "notifications_delivery" in q["sql"]]
