"""The Program Manager's dashboard and the records behind each figure."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reports.models import FiguresSnapshot
from reports.tests.builders import DELIVERED, OFFICER, arrest, cn, offer, person, shot_again, small_program

pytestmark = pytest.mark.django_db

PERIOD = {"start": "2026-01-01", "end": "2026-06-30", "window": "365"}


@pytest.fixture
def program(le_lead, officer, second_officer):
    return small_program(le_lead, officer, second_officer)


def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_program_manager_sees_the_figures_of_the_period(client, program_manager, program):
    page = signed_in(client, program_manager).get("/reports/dashboard/", PERIOD)
    assert page.status_code == 200
    assert page.context["figures"].reoffence_rate == 66.7


def test_every_figure_links_to_its_records(client, program_manager, program):
    html = signed_in(client, program_manager).get("/reports/dashboard/", PERIOD).content.decode()
    link = 'href="/reports/drill/contacts/?start=2026-01-01&amp;end=2026-06-30&amp;window=365&amp;as_of=2'
    assert link in html  # with the moment the figure was computed (as_of)


def test_an_officer_may_not_open_the_dashboard(client, officer):
    assert signed_in(client, officer).get("/reports/dashboard/").status_code == 403


def test_the_charts_are_server_side_svg_without_inline_style_or_script(client, program_manager, program):
    html = signed_in(client, program_manager).get("/reports/dashboard/", PERIOD).content.decode()
    assert html.count("<svg") >= 2
    inline_script = re.search(r"<script(?![^>]*\bsrc=)", html)
    assert " style=" not in html and inline_script is None


def test_a_bad_period_is_explained_on_the_page(client, program_manager):
    page = signed_in(client, program_manager).get("/reports/dashboard/", {"start": "yesterday"})
    assert "is not a date: use the form YYYY-MM-DD" in page.content.decode()


def _cn_with_everything(n, le_lead, officer, day):
    someone = person(f"P{n}", f"Person{n}", dt.date(2000, 1, 1))
    delivery = cn(someone, "closed", outcome=DELIVERED, on=day, team=[(officer, OFFICER)])
    arrest(someone, day + dt.timedelta(days=3))
    shot_again(someone, day + dt.timedelta(days=5))
    offer(someone, "shelter", "accepted", day)
    return delivery


def _dashboard_queries(client):
    """Queries of a dashboard that computes its figures (no snapshot stored yet: see test_snapshots.py for
    the dashboard served from one)."""
    FiguresSnapshot.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/reports/dashboard/").status_code == 200
    return len(queries)


def test_computing_its_figures_the_dashboard_makes_as_many_queries_for_30_cns_as_for_one(
    client, program_manager, le_lead, officer
):
    client = signed_in(client, program_manager)
    today = timezone.localdate()
    _cn_with_everything(0, le_lead, officer, today - dt.timedelta(days=20))
    late = timezone.now() - dt.timedelta(days=9)
    cn(person("Late", "One", dt.date(1990, 1, 1)), "ready", state_entered_at=late, planned_for=today)
    one = _dashboard_queries(client)
    for n in range(1, 30):
        _cn_with_everything(n, le_lead, officer, today - dt.timedelta(days=20 + n))
        cn(person("Late", f"N{n}", dt.date(1990, 1, 1)), "ready", planned_for=today)
    assert _dashboard_queries(client) == one


def test_the_contacts_figure_lists_the_cns_it_counts(client, program_manager, program):
    _, cns = program
    page = signed_in(client, program_manager).get("/reports/drill/contacts/", PERIOD)
    assert {d.pk for d in page.context["rows"]} == {cns["ana"].pk, cns["ben"].pk, cns["cal"].pk}


def test_the_services_figure_lists_the_offers_of_one_type(client, program_manager, program):
    people, _ = program
    page = signed_in(client, program_manager).get("/reports/drill/services_accepted/", {**PERIOD, "type": "food_box"})
    assert [o.candidate_id for o in page.context["rows"]] == [people["ben"].pk]


def test_the_pipeline_figure_lists_the_cns_in_that_state(client, program_manager, program):
    _, cns = program
    page = signed_in(client, program_manager).get("/reports/drill/state/", {"state": "ecc_advised"})
    assert [d.pk for d in page.context["rows"]] == [cns["fay"].pk]


def test_an_unknown_figure_is_not_found(client, program_manager):
    assert signed_in(client, program_manager).get("/reports/drill/everything/").status_code == 404


def test_opening_the_records_behind_a_figure_is_audited(client, program_manager, program):
    from vip.models import AuditEvent

    signed_in(client, program_manager).get("/reports/drill/juveniles/", PERIOD)
    event = AuditEvent.objects.get(action="read", actor=program_manager)  # one row, naming the one juvenile
    assert (event.changes["asked"]["path"], len(event.changes["shown"]["candidates.Candidate"])) == (
        "/reports/drill/juveniles/",
        1,
    )
