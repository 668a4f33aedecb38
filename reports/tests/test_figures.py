"""The program's figures against a small data set counted by hand (see builders.small_program)."""

import datetime as dt

import pytest
from django.test import RequestFactory

from reports import figures as f
from reports.tests.builders import small_program

pytestmark = pytest.mark.django_db

PERIOD = f.Period(dt.date(2026, 1, 1), dt.date(2026, 6, 30))


@pytest.fixture
def program(le_lead, officer, second_officer):
    return small_program(le_lead, officer, second_officer)


@pytest.fixture
def figures(program, program_manager):
    return f.program_figures(f.scope_for(program_manager), PERIOD, window=365)


def ids(records):
    return {r.pk for r in records}


def test_it_counts_contacts_to_the_candidate_and_to_influencers_in_the_period(figures, program):
    people, cns = program
    assert {x.delivery_id for x in figures.contacts} == ids([cns["ana"], cns["ben"], cns["cal"]])
    assert (len(figures.to_candidate), len(figures.to_influencer)) == (2, 1)


def test_it_counts_refusals(figures, program):
    assert [x.delivery_id for x in figures.refusals] == [program[1]["dee"].pk]


def test_a_sealed_record_is_never_counted(figures, program):
    people, cns = program
    assert people["sam"].pk not in figures.contacted
    assert figures.offered_total == 3


def test_the_reoffence_rate_counts_arrests_after_the_contact_within_the_window(figures, program):
    people, _ = program
    # Ana 80 days after, Cal 5 days after; Ben's arrest is on the day of the contact, not after it.
    assert figures.reoffended == {people["ana"].pk, people["cal"].pk}
    assert figures.reoffence_rate == 66.7


def test_a_shorter_window_leaves_out_later_arrests(program, program_manager):
    people, _ = program
    figures = f.program_figures(f.scope_for(program_manager), PERIOD, window=30)
    assert figures.reoffended == {people["cal"].pk}


def test_a_revictimisation_counts_only_after_a_contact(figures, program):
    people, _ = program
    (event_id, on), *others = figures.revictimizations
    assert (on, others) == (dt.date(2026, 4, 10), [])


def test_it_takes_ages_on_the_contact_date(figures, program):
    people, _ = program
    assert figures.aged_18_29 == {people["ana"].pk}
    assert figures.juveniles == {people["ben"].pk}
    assert figures.aged_18_29_share == 33.3


def test_it_counts_services_offered_and_accepted_by_type(figures):
    lines = {line.service_type: (line.offered, line.accepted) for line in figures.services}
    assert (lines["job_training"], lines["food_box"], lines["shelter"], lines["mental_health"]) == (
        (1, 1),
        (1, 1),
        (1, 0),
        (0, 0),
    )
    assert (figures.offered_total, figures.accepted_total) == (3, 2)


def test_it_counts_contacts_with_command_level_personnel_on_the_team(figures, program):
    _, cns = program
    assert figures.command_level == {cns["ana"].pk, cns["cal"].pk}
    assert figures.command_level_share == 66.7


def test_it_buckets_the_trends_by_month(figures):
    months = {(m.year, m.month): (m.contacts, m.refusals, m.offered, m.accepted) for m in figures.months}
    assert len(months) == 6
    assert [months[(2026, n)] for n in (2, 3, 4, 5)] == [(1, 0, 1, 1), (1, 0, 1, 1), (1, 0, 1, 0), (0, 1, 0, 0)]


def test_an_officer_counts_only_the_cns_they_may_see(program, officer):
    figures = f.program_figures(f.scope_for(officer), PERIOD)
    assert {x.delivery_id for x in figures.contacts} == {program[1]["ben"].pk}


def test_the_pipeline_counts_cns_by_state(program, program_manager):
    lines = {line.state: line.count for line in f.pipeline(f.scope_for(program_manager))}
    assert (lines["ecc_advised"], lines["refused"], lines["ready"]) == (1, 1, 0)


def test_it_lists_what_is_overdue_and_for_how_long(program, program_manager):
    from django.utils import timezone

    from reports.tests.builders import cn, person

    now = timezone.now()
    late = cn(person("Lat", "Ecomer", dt.date(1990, 1, 1)), "ready", state_entered_at=now - dt.timedelta(days=8))
    cn(person("On", "Time", dt.date(1990, 1, 1)), "ready", state_entered_at=now - dt.timedelta(days=6))
    lines = f.overdue(f.scope_for(program_manager), now=now)
    assert [line.delivery.pk for line in lines] == [late.pk]
    assert lines[0].late_by == dt.timedelta(days=1)


def test_this_weeks_deliveries_are_those_planned_or_met_this_week(program, program_manager):
    from reports.tests.builders import cn, person

    monday, sunday = f.week_bounds(dt.date(2026, 3, 4))
    planned = cn(person("Plan", "Ned", dt.date(1990, 1, 1)), "ready", planned_for=monday)
    cn(person("Can", "Celled", dt.date(1990, 1, 1)), "cancelled", planned_for=monday)
    week = f.this_weeks_deliveries(f.scope_for(program_manager), today=dt.date(2026, 3, 4))
    assert ids(week) == {planned.pk, program[1]["ben"].pk}


def test_the_period_defaults_to_the_last_twelve_months():
    period, window, errors = f.parse_period({}, today=dt.date(2026, 11, 23))
    assert (period.start, period.end, window, errors) == (dt.date(2025, 11, 24), dt.date(2026, 11, 23), 365, {})


def test_a_bad_period_says_what_to_fix():
    _, _, errors = f.parse_period(RequestFactory().get("/", {"start": "2026-13-01", "window": "0"}).GET)
    assert "YYYY-MM-DD" in errors["start"]
    assert "1 to 3650" in errors["window"]


def test_each_figure_drills_down_to_the_records_it_counts(program, program_manager):
    people, _ = program
    ids_ = f.drill_ids("reoffended", f.scope_for(program_manager), PERIOD, 365, {})
    assert set(ids_) == {people["ana"].pk, people["cal"].pk}


def test_a_date_far_out_of_range_is_refused_not_a_crash():
    _, _, errors = f.parse_period({"end": "9999-12-31"})
    assert errors["end"] == "9999 is out of range: pick a year between 1900 and 2100."
