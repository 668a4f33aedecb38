"""A figure and the records behind it agree (issue 18, the Program Manager: "Refusals showed 2 while the
drill-down listed 4"): the dashboard's figures are a snapshot of a moment, and the drill-down that lists
their records now either finds the same number or brings the figures to its own moment."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from reports.tests.builders import REFUSED, cn, person

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.force_login(user)
    return client


def refusal(n: int):
    today = timezone.localdate()
    return cn(person(f"R{n}", "Refuser", dt.date(1990, 1, 1)), REFUSED, outcome=REFUSED, on=today)


def shown(page, figure: str) -> tuple[int, str]:
    """The number the dashboard shows for a figure, and where its link goes."""
    found = re.search(rf'<a id="figure-{figure}" href="([^"]+)">(\d+)</a>', page.content.decode())
    return int(found.group(2)), found.group(1).replace("&amp;", "&")


def test_refusals_recorded_after_the_figures_were_computed_the_figure_and_its_drill_down_agree(client, program_manager):
    client = signed_in(client, program_manager)
    refusal(1), refusal(2)
    number, link = shown(client.get("/reports/dashboard/"), "refusals")
    assert number == 2
    refusal(3), refusal(4)  # recorded after the dashboard's figures were computed

    drill = client.get(link)
    number_now, _ = shown(client.get("/reports/dashboard/"), "refusals")
    assert len(drill.context["rows"]) == number_now == 4


def test_the_drill_down_says_the_figure_it_lists_and_as_of_when(client, program_manager):
    client = signed_in(client, program_manager)
    refusal(1)
    _, link = shown(client.get("/reports/dashboard/"), "refusals")
    html = client.get(link).content.decode()
    assert "The dashboard's figure, as of " in html and "<strong>1</strong>, the records listed here." in html


def test_a_refusal_recorded_after_the_figures_is_explained_on_the_drill_down(client, program_manager):
    client = signed_in(client, program_manager)
    refusal(1)
    _, link = shown(client.get("/reports/dashboard/"), "refusals")
    refusal(2)
    html = client.get(link).content.decode()
    assert "It showed 1 (as of " in html and "now been recomputed to this moment and show 2" in html


def test_every_number_on_the_dashboard_says_as_of_when(client, program_manager):
    client = signed_in(client, program_manager)
    refusal(1)
    html = client.get("/reports/dashboard/").content.decode()
    figures = html.count('<div class="figure">')
    assert figures == 9 and html.count('<span class="as-of">as of ') >= figures + 12  # + each state's count


def test_a_drill_down_moment_that_is_not_a_moment_is_refused_with_what_to_write(client, program_manager):
    answer = signed_in(client, program_manager).get("/reports/drill/refusals/", {"as_of": "yesterday"})
    assert answer.status_code == 400
    assert "as_of is a date and time such as" in answer.content.decode()


def test_an_officer_may_not_open_a_drill_down(client, officer):
    assert signed_in(client, officer).get("/reports/drill/refusals/").status_code == 403


def test_a_drill_down_of_the_pipeline_recounts_the_pipeline_alone(client, program_manager):
    from reports.models import FiguresSnapshot

    client = signed_in(client, program_manager)
    refusal(1)
    client.get("/reports/dashboard/")
    cn(person("New", "Ready", dt.date(1990, 1, 1)), "ready")
    FiguresSnapshot.objects.update(data={**FiguresSnapshot.objects.get().data, "contacts": 4242})
    drill = client.get("/reports/drill/state/", {"state": "ready"})
    stored = FiguresSnapshot.objects.get()
    assert "It showed 0" in drill.content.decode() and stored.data["pipeline"]["ready"] == 1
    assert stored.data["contacts"] == 4242 and stored.counted_at > stored.computed_at  # the period's untouched
    page = client.get("/reports/dashboard/")
    assert "state=ready&amp;" in page.content.decode()
    assert {line.state: line.count for line in page.context["pipeline"]}["ready"] == 1


def test_the_overdue_count_and_its_drill_down_agree_as_time_passes(client, program_manager):
    now = timezone.now()
    cn(person("Late", "One", dt.date(1990, 1, 1)), "ready", state_entered_at=now - dt.timedelta(days=8))
    client = signed_in(client, program_manager)
    assert 'id="overdue-total">1<' in client.get("/reports/dashboard/").content.decode()
    cn(person("Late", "Two", dt.date(1990, 1, 1)), "ready", state_entered_at=now - dt.timedelta(days=9))
    drill = client.get("/reports/drill/overdue/")
    assert len(drill.context["rows"]) == 2
    assert 'id="overdue-total">2<' in client.get("/reports/dashboard/").content.decode()
