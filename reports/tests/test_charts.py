"""The dashboard's charts (issue 18: "fractional ticks (1.5 CNs) and eleven empty months")."""

import re

import pytest

from reports.charts import Series, bar_chart, integer_ticks
from reports.tests.builders import small_program

MONTHS = ["Jan 2026", "Feb 2026", "Mar 2026", "Apr 2026", "May 2026", "Jun 2026"]


def chart(*values: list[int]):
    return bar_chart(
        id="c",
        title="CNs",
        categories=MONTHS[: len(values[0])],
        series=[Series(f"S{n}", "bar-1", v) for n, v in enumerate(values)],
    )


@pytest.mark.parametrize("largest", [0, 1, 2, 3, 5, 6, 7, 13, 99, 101, 4321])
def test_the_axis_of_a_count_has_whole_numbers_only_and_reaches_the_largest(largest):
    ticks = integer_ticks(largest)
    assert all(isinstance(t, int) for t in ticks) and ticks[0] == 0 and ticks[-1] >= largest
    assert 2 <= len(ticks) <= 6


def test_three_cns_at_most_are_counted_0_1_2_3():
    assert [tick.text for tick in chart([1, 3, 2]).ticks] == ["0", "1", "2", "3"]


def test_the_ticks_are_never_fractions():
    for values in ([1, 2], [5, 1], [7, 0], [11, 4], [150, 3]):
        assert all(re.fullmatch(r"\d+", tick.text) for tick in chart(values).ticks)


def test_only_the_months_with_data_are_drawn():
    drawn = chart([0, 0, 4, 0, 0, 0], [0, 0, 1, 0, 0, 0])
    assert drawn.categories == ["Mar 2026"]
    assert [label.text for label in drawn.x_labels] == ["Mar 2026"]
    assert drawn.rows == [("Mar 2026", [4, 1])]


def test_an_empty_month_between_two_with_data_stays_a_zero():
    assert chart([0, 2, 0, 3, 0, 0]).categories == ["Feb 2026", "Mar 2026", "Apr 2026"]


def test_a_period_with_nothing_draws_no_bars():
    drawn = chart([0, 0, 0])
    assert drawn.categories == [] and drawn.bars == []


@pytest.mark.django_db
def test_the_dashboards_svg_has_whole_number_ticks_and_only_the_months_with_data(
    client, program_manager, le_lead, officer, second_officer
):
    small_program(le_lead, officer, second_officer)
    client.force_login(program_manager)
    html = client.get("/reports/dashboard/", {"start": "2025-07-01", "end": "2026-06-30"}).content.decode()
    contacts = html[
        html.index('id="chart-contacts-title"') : html.index("</svg>", html.index('id="chart-contacts-title"'))
    ]
    ticks = re.findall(r'class="chart-tick"[^>]*>([^<]*)</text>', contacts)
    months = re.findall(r'class="chart-label"[^>]*>([^<]*)</text>', contacts)
    assert ticks and all(re.fullmatch(r"\d+", t) for t in ticks)
    # Eve's contact of 20 Dec 2025 to Dee's refusal of 5 May 2026: not the empty Jul-Nov 2025 nor June 2026
    assert months == ["Dec 2025", "Jan 2026", "Feb 2026", "Mar 2026", "Apr 2026", "May 2026"]
