"""Follow-up outcomes the way evaluations report them (issue 19, part 4), counted by hand: the people
delivered to in 2024, and those identified in 2024 but never reached, followed 6, 12 and 20 months, as the
Program Manager reads them on 10 January 2026."""

import datetime as dt
import re

import pytest
from django.utils.html import escape

from reports import follow_up
from reports.figures import Period, all_unsealed_scope
from reports.tests.builders import cn_through, delivered_to, encounter, follow_up_program

pytestmark = pytest.mark.django_db
d = dt.date
PERIOD = Period(d(2024, 1, 1), d(2024, 12, 31))
TODAY = d(2026, 1, 10)


@pytest.fixture
def program():
    return follow_up_program()


def counts():
    scope = all_unsealed_scope()
    return follow_up.numbers(scope.candidates, scope.deliveries, PERIOD, today=TODAY)["counts"]


def test_it_counts_the_people_delivered_to_whose_window_has_fully_elapsed(program):
    numbers = counts()
    assert [numbers[f"delivered__{m}__cohort"] for m in (6, 12, 20)] == [4, 4, 3]  # Pen's 20 months still run


def test_it_counts_the_re_arrested_at_6_12_and_20_months(program):
    numbers = counts()
    assert [numbers[f"delivered__{m}__arrest__any"] for m in (6, 12, 20)] == [1, 2, 3]


def test_it_counts_each_re_arrest_in_its_category(program):
    numbers = counts()
    assert (numbers["delivered__20__arrest__firearm"], numbers["delivered__20__arrest__violent"]) == (1, 1)
    assert (numbers["delivered__6__arrest__other"], numbers["delivered__12__arrest__other"]) == (0, 1)


def test_a_re_victimisation_without_a_category_is_a_firearm_one(program):
    numbers = counts()
    assert numbers["delivered__6__revictimization__firearm"] == numbers["delivered__6__revictimization__any"] == 1


def test_an_event_in_a_window_not_yet_elapsed_is_not_counted(program):
    scope = all_unsealed_scope()
    assert counts()["delivered__20__revictimization__any"] == 1  # Pia's; Pen's window runs until 10 Feb 2026
    later = follow_up.numbers(scope.candidates, scope.deliveries, PERIOD, today=d(2026, 2, 11))["counts"]
    assert later["delivered__20__revictimization__any"] == 2


def test_the_comparison_group_is_the_people_identified_and_never_reached(program):
    numbers = counts()
    assert [numbers[f"never_reached__{m}__cohort"] for m in (6, 12, 20)] == [2, 2, 2]  # Quin and Quay
    assert numbers["never_reached__6__arrest__firearm"] == 1  # Quin, two months after being identified


def test_a_cohort_smaller_than_10_is_flagged_and_one_of_10_is_not():
    lines = follow_up.lines({"counts": {"delivered__6__cohort": 10, "never_reached__6__cohort": 9}})
    flags = {(line.group, line.months): line.small for line in lines}
    assert flags[("delivered", 6)] is False and flags[("never_reached", 6)] is True


def test_a_cell_s_drill_down_lists_the_people_it_counts(program):
    scope = all_unsealed_scope()
    listed = follow_up.ids(scope.candidates, scope.deliveries, PERIOD, "delivered__12__arrest__any", today=TODAY)
    names = sorted(person.first_name for person in scope.candidates.filter(pk__in=listed))
    assert names == ["Pat", "Pia"]


def test_a_person_s_first_contact_is_the_first_of_all_their_cns(program):
    rae = delivered_to("Rae", d(2023, 12, 1))  # before the period
    encounter(cn_through(rae, d(2024, 2, 1), ("delivered", d(2024, 3, 1))), "delivered", d(2024, 3, 1))
    assert counts()["delivered__6__cohort"] == 4  # not Rae: her first contact was in 2023


# --- the page ------------------------------------------------------------------------------------------------

ASKED = {"start": "2024-01-01", "end": "2024-12-31"}


def test_the_program_manager_reads_the_definitions_and_where_the_comparison_group_s_window_starts(
    client, program_manager, program
):
    client.force_login(program_manager)
    html = client.get("/reports/follow-up/", ASKED).content.decode()
    assert all(escape(text) in html for text in follow_up.DEFINITIONS.values())
    assert "their follow-up starts on the day they were identified" in html.lower()


def test_a_cohort_smaller_than_10_is_flagged_on_the_page(client, program_manager, program):
    client.force_login(program_manager)
    html = client.get("/reports/follow-up/", ASKED).content.decode()
    assert html.count('class="small-cohort"') == 6  # both groups, three windows: 4 or fewer people each


def test_a_cell_opens_the_people_it_counts_and_they_agree(client, program_manager, program):
    client.force_login(program_manager)
    page = client.get("/reports/follow-up/", ASKED).content.decode()
    found = re.search(r'<a id="cell-delivered__12__arrest__any" href="([^"]+)">(\d+)</a>', page)
    drill = client.get(found.group(1).replace("&amp;", "&"))
    assert sorted(c.first_name for c in drill.context["rows"]) == ["Pat", "Pia"] and int(found.group(2)) == 2


def test_the_news_report_s_figures_are_computed_from_the_records(client, program_manager, program):
    client.force_login(program_manager)
    page = client.get("/reports/follow-up/", {**ASKED, "window": "365"})
    news = {key: number for key, _, _, number in page.context["news"]}
    # contacts: Pia, Pat, Pen, Poe; re-offended within a year: Pia (May) and Pat (December); re-victimised: Pia
    assert news == {
        "contacts": ("4", ""),
        "reoffended": ("50.0%", "2 of 4 people contacted"),
        "revictimizations": ("1", ""),
    }
