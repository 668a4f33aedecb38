"""The dashboard's stored figures (reports/snapshots.py): used while fresh, recomputed when stale, missing or
asked for, shared only by the roles that see every unsealed record; and the live lists beside them."""

import datetime as dt
import json
import re
from io import StringIO

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.services import delivery_cancel
from reports import figures as f
from reports import snapshots
from reports.models import FiguresSnapshot
from reports.tasks import refresh_dashboard_figures
from reports.tests.builders import DELIVERED, at_noon, cn, person, small_program
from vip.models import AuditEvent

pytestmark = pytest.mark.django_db

PERIOD = {"start": "2026-01-01", "end": "2026-06-30", "window": "365"}
PERIOD_OBJ = f.Period(dt.date(2026, 1, 1), dt.date(2026, 6, 30))
# Tables only the computation of the figures reads: a request served from a snapshot never touches them.
HEAVY_TABLES = ("candidates_serviceoffer", "candidates_outcomeevent", "notifications_teammember")


@pytest.fixture
def program(le_lead, officer, second_officer):
    return small_program(le_lead, officer, second_officer)


def signed_in(client, user):
    client.force_login(user)
    return client


def snapshot() -> FiguresSnapshot:
    return FiguresSnapshot.objects.get(
        scope=snapshots.SHARED_SCOPE, period_start=PERIOD_OBJ.start, period_end=PERIOD_OBJ.end, window=365
    )


def age(minutes: int) -> None:
    FiguresSnapshot.objects.update(computed_at=timezone.now() - dt.timedelta(minutes=minutes))


def pipeline_count(page, state: str) -> int:
    return {line.state: line.count for line in page.context["pipeline"]}[state]


def shown_count(page, state: str) -> int:
    """The count the page shows for a state in the pipeline."""
    found = re.search(rf'state={state}&amp;[^"]*"><span class="count">(\d+)</span>', page.content.decode())
    return int(found.group(1))


# --- a snapshot is used while fresh, and only then --------------------------------------------------------


def test_the_first_opening_computes_and_stores_the_figures(client, program_manager, program):
    page = signed_in(client, program_manager).get("/reports/dashboard/", PERIOD)
    assert page.context["figures"].contacts == 3
    assert snapshot().data["contacts"] == 3 and snapshot().data["pipeline"]["ecc_advised"] == 1


def test_a_fresh_snapshot_is_shown_without_running_the_computation(
    client, program_manager, program, django_assert_max_num_queries
):
    client = signed_in(client, program_manager)
    client.get("/reports/dashboard/", PERIOD)
    FiguresSnapshot.objects.update(data={**snapshot().data, "contacts": 4242})
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/reports/dashboard/", PERIOD)
    assert page.context["figures"].contacts == 4242  # the stored number, not a recount
    assert not [q["sql"] for q in queries if any(table in q["sql"] for table in HEAVY_TABLES)]
    counted = [q["sql"] for q in queries if "GROUP BY" in q["sql"] or "COUNT(" in q["sql"]]
    assert not [sql for sql in counted if "notifications_delivery" in sql or "notifications_encounter" in sql]
    with django_assert_max_num_queries(12):
        client.get("/reports/dashboard/", PERIOD)


def test_served_from_a_snapshot_the_dashboard_makes_as_many_queries_for_30_cns_as_for_one(
    client, program_manager, le_lead, officer
):
    client = signed_in(client, program_manager)
    today = timezone.localdate()

    def queries() -> int:
        client.get("/reports/dashboard/")  # stores the snapshot if there is none
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/reports/dashboard/").status_code == 200
        return len(captured)

    late = timezone.now() - dt.timedelta(days=9)
    cn(person("Late", "One", dt.date(1990, 1, 1)), "ready", state_entered_at=late, planned_for=today)
    cn(person("Met", "One", dt.date(1990, 1, 1)), DELIVERED, outcome=DELIVERED, on=today)
    one = queries()
    for n in range(1, 30):
        cn(person("Late", f"N{n}", dt.date(1990, 1, 1)), "ready", state_entered_at=late, planned_for=today)
        cn(person("Met", f"N{n}", dt.date(1990, 1, 1)), DELIVERED, outcome=DELIVERED, on=today)
    assert queries() == one


def test_a_stale_snapshot_is_recomputed_on_opening(client, program_manager, program, le_lead):
    client = signed_in(client, program_manager)
    client.get("/reports/dashboard/", PERIOD)
    cn(person("New", "Comer", dt.date(1990, 1, 1)), "ecc_advised")
    age(14)
    assert pipeline_count(client.get("/reports/dashboard/", PERIOD), "ecc_advised") == 1  # still fresh
    age(16)  # older than VIP_FIGURES_MAX_AGE (15 minutes)
    assert pipeline_count(client.get("/reports/dashboard/", PERIOD), "ecc_advised") == 2
    assert timezone.now() - snapshot().computed_at < dt.timedelta(minutes=1)
    assert FiguresSnapshot.objects.count() == 1  # replaced, not added


def test_a_transition_after_the_snapshot_shows_in_the_figures_once_a_drill_down_finds_it(
    client, program_manager, program, le_lead
):
    ready = cn(person("Gus", "Readyman", dt.date(1990, 1, 1)), "ready", le_lead=le_lead)
    client = signed_in(client, program_manager)
    client.get("/reports/dashboard/", PERIOD)
    delivery_cancel(ready.pk, user=le_lead, reason="Moved out of the city.")

    page = client.get("/reports/dashboard/", PERIOD)
    assert (pipeline_count(page, "ready"), pipeline_count(page, "cancelled")) == (1, 0)  # the snapshot's moment
    drill = client.get("/reports/drill/state/", {**PERIOD, "state": "cancelled"})
    assert [d.pk for d in drill.context["rows"]] == [ready.pk]
    assert "It showed 0" in drill.content.decode() and "now been recomputed" in drill.content.decode()

    page = client.get("/reports/dashboard/", PERIOD)
    assert (pipeline_count(page, "ready"), pipeline_count(page, "cancelled")) == (0, 1)
    assert (shown_count(page, "ready"), shown_count(page, "cancelled")) == (0, 1)  # not a cached rendering


def test_a_drill_down_that_finds_its_figure_unchanged_leaves_the_snapshot_alone(client, program_manager, program):
    client = signed_in(client, program_manager)
    client.get("/reports/dashboard/", PERIOD)
    age(6)
    computed_at = snapshot().computed_at
    drill = client.get("/reports/drill/contacts/", PERIOD)
    assert "The dashboard's figure, as of" in drill.content.decode()
    assert snapshot().computed_at == computed_at


def test_each_period_and_window_has_its_own_snapshot(client, program_manager, program):
    client = signed_in(client, program_manager)
    client.get("/reports/dashboard/", PERIOD)
    page = client.get("/reports/dashboard/", {**PERIOD, "window": "30"})
    assert page.context["figures"].reoffended == 1  # Cal only: Ana's arrest is 80 days after
    assert sorted(FiguresSnapshot.objects.values_list("window", flat=True)) == [30, 365]


# --- how fresh: said on the page -------------------------------------------------------------------------


def test_the_page_says_how_old_the_figures_are_and_how_often_they_are_recomputed(client, program_manager, program):
    client = signed_in(client, program_manager)
    client.get("/reports/dashboard/")
    age(6)
    html = client.get("/reports/dashboard/").content.decode()
    as_of = timezone.localtime(FiguresSnapshot.objects.get().computed_at).strftime("%H:%M")
    assert f"Figures as of {as_of} (6 minutes ago), recomputed every 10 minutes." in html
    assert 'action="/reports/dashboard/recompute/"' in html and "Recompute now" in html


def test_a_period_of_ones_own_says_when_it_is_recomputed(client, program_manager, program):
    html = signed_in(client, program_manager).get("/reports/dashboard/", PERIOD).content.decode()
    assert "(just now), recomputed when opened more than 15 minutes later." in html
    assert '<input type="hidden" name="start" value="2026-01-01">' in html  # "Recompute now" keeps the period


# --- "Recompute now" ---------------------------------------------------------------------------------------


def test_recompute_now_recomputes_at_once_is_audited_and_comes_back_to_the_period(client, program_manager, program):
    client = signed_in(client, program_manager)
    client.get("/reports/dashboard/", PERIOD)
    cn(person("New", "Comer", dt.date(1990, 1, 1)), "ecc_advised")
    answer = client.post("/reports/dashboard/recompute/", PERIOD)
    assert answer.status_code == 302
    assert answer["Location"] == "/reports/dashboard/?start=2026-01-01&end=2026-06-30&window=365"
    assert snapshot().data["pipeline"]["ecc_advised"] == 2
    event = AuditEvent.objects.get(object_type="reports.FiguresSnapshot", actor=program_manager)
    assert event.changes["period"] == ["2026-01-01", "2026-06-30"]


def test_recompute_now_without_a_period_recomputes_the_default_one(client, le_lead):
    answer = signed_in(client, le_lead).post("/reports/dashboard/recompute/")
    assert answer["Location"] == "/reports/dashboard/"
    stored = FiguresSnapshot.objects.get()
    assert (stored.period_start, stored.period_end) == (f.Period.last_twelve_months().start, timezone.localdate())


@pytest.mark.parametrize("persona", ["officer", "social_worker", "administrator", "custodian"])
def test_recompute_now_is_refused_to_whoever_may_not_open_the_dashboard(client, persona, request):
    user = request.getfixturevalue(persona)
    assert signed_in(client, user).post("/reports/dashboard/recompute/").status_code == 403
    assert not FiguresSnapshot.objects.exists()


def test_recompute_now_is_a_post(client, program_manager):
    assert signed_in(client, program_manager).get("/reports/dashboard/recompute/").status_code == 405


def test_recompute_now_checks_the_csrf_token(program_manager):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(program_manager)
    from vip.testing import mark_session_verified

    mark_session_verified(client, program_manager)
    assert client.post("/reports/dashboard/recompute/").status_code == 403
    assert not FiguresSnapshot.objects.exists()


# --- whose snapshot ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["le_lead", "program_manager", "custodian"])
def test_the_roles_sharing_the_snapshot_see_exactly_every_unsealed_record(persona, request, program):
    user = request.getfixturevalue(persona)
    assert snapshots.shared_scope_key(user) == snapshots.SHARED_SCOPE
    mine, shared = f.scope_for(user), f.all_unsealed_scope()
    assert set(mine.deliveries.values_list("pk", flat=True)) == set(shared.deliveries.values_list("pk", flat=True))
    assert set(mine.candidates.values_list("pk", flat=True)) == set(shared.candidates.values_list("pk", flat=True))
    people, _ = program
    assert people["sam"].pk not in set(shared.candidates.values_list("pk", flat=True))


@pytest.mark.parametrize("persona", ["officer", "social_worker", "administrator"])
def test_a_narrower_scope_never_gets_the_shared_snapshot(persona, request, program, program_manager):
    user = request.getfixturevalue(persona)
    assert snapshots.shared_scope_key(user) is None
    snapshots.dashboard_figures(program_manager, PERIOD_OBJ, 365)
    FiguresSnapshot.objects.update(data={**snapshot().data, "contacts": 4242})

    figures, freshness = snapshots.dashboard_figures(user, PERIOD_OBJ, 365)
    live = f.program_figures(f.scope_for(user), PERIOD_OBJ, 365)
    assert figures.contacts == len(live.contacts) != 4242
    assert not freshness.stored and freshness.text().startswith("Figures computed live at ")
    assert FiguresSnapshot.objects.count() == 1  # nothing stored for them
    assert snapshots.dashboard_figures(program_manager, PERIOD_OBJ, 365)[0].contacts == 4242


def test_the_snapshot_holds_numbers_only(client, program_manager, program):
    signed_in(client, program_manager).get("/reports/dashboard/", PERIOD)
    stored = json.dumps(snapshot().data)
    people, cns = program
    for candidate in people.values():
        assert candidate.last_name not in stored

    def leaves(value):
        if isinstance(value, dict):
            assert all(isinstance(key, str) and key.isidentifier() for key in value)
            for item in value.values():
                yield from leaves(item)
        elif isinstance(value, list):
            for item in value:
                yield from leaves(item)
        else:
            yield value

    strings = {leaf for leaf in leaves(snapshot().data) if isinstance(leaf, str)}
    assert strings <= {value for value, _ in f.ServiceOffer.Type.choices}  # service type codes, nothing else
    # counts; the funnel's times are fractions of a day, null when no CN has both dates
    numbers = [leaf for leaf in leaves(snapshot().data) if not isinstance(leaf, str)]
    assert all(leaf is None or isinstance(leaf, int | float) for leaf in numbers)


def test_the_stored_figures_read_back_as_computed(program, program_manager):
    computed = f.dashboard_counts(f.all_unsealed_scope(), PERIOD_OBJ, 365)
    read = f.FigureCounts.from_data(PERIOD_OBJ, 365, computed.as_data())
    assert read == computed
    assert (read.reoffence_rate, read.aged_18_29_share, read.command_level_share) == (66.7, 33.3, 66.7)


# --- the Celery task -----------------------------------------------------------------------------------------


def test_the_task_stores_the_default_periods_figures_and_forgets_old_periods(program):
    FiguresSnapshot.objects.create(
        scope=snapshots.SHARED_SCOPE,
        period_start=dt.date(2020, 1, 1),
        period_end=dt.date(2020, 12, 31),
        window=365,
        computed_at=timezone.now() - dt.timedelta(days=2),
        duration_ms=1,
        data={},
    )
    refresh_dashboard_figures.apply().get()
    stored = FiguresSnapshot.objects.get()
    default = f.Period.last_twelve_months()
    assert (stored.period_start, stored.period_end, stored.window) == (default.start, default.end, 365)
    assert stored.data["pipeline"]["ecc_advised"] == 1
    assert stored.data == f.dashboard_counts(f.all_unsealed_scope(), default, 365).as_data()


def test_setup_schedules_registers_the_figures_task_every_ten_minutes():
    from django.core.management import call_command
    from django_celery_beat.models import PeriodicTask

    from vip.celery import app

    call_command("setup_schedules", stdout=StringIO())
    call_command("setup_schedules", stdout=StringIO())
    task = PeriodicTask.objects.get(task="reports.tasks.refresh_dashboard_figures")
    assert (task.interval.every, task.interval.period) == (10, "minutes")
    assert task.task in app.tasks


# --- the live lists: the longest late, this week -------------------------------------------------------------


def _old_overdue(scope, now):
    """The full computation the dashboard used to make: every late CN, sorted by how late."""
    lines = []
    for delivery in scope.deliveries.filter(f.overdue_filter(now)).order_by("state_entered_at", "pk"):
        due_at = delivery.state_entered_at + settings.VIP_STEP_DUE[delivery.state]
        lines.append((delivery.pk, now - due_at))
    lines.sort(key=lambda line: line[1], reverse=True)
    return lines


def test_the_longest_late_across_states_are_those_of_the_full_computation(program_manager):
    now = timezone.now()
    hours = dt.timedelta(hours=1)
    # Due times: ready 7 days, identified 2 days, delivered 24 hours. Late by 1..40 hours in each state,
    # interleaved so that the longest late mix states, with ties across states.
    for n in range(1, 41):
        for state, due in (("ready", 7 * 24), ("identified", 48), ("delivered", 24)):
            late_by = (n * 3 + {"ready": 0, "identified": 1, "delivered": 2}[state]) % 40 + 1
            cn(
                person(f"{state}{n}", "Late", dt.date(1990, 1, 1)),
                state,
                state_entered_at=now - (due + late_by) * hours,
            )
    cn(person("On", "Time", dt.date(1990, 1, 1)), "ready", state_entered_at=now - 6 * 24 * hours)
    sealed = person("Sealed", "Late", dt.date(1990, 1, 1), sealed=True)
    cn(sealed, "ready", state_entered_at=now - 30 * 24 * hours)
    scope = f.scope_for(program_manager)

    old = _old_overdue(scope, now)
    top = f.overdue(scope, now=now, limit=25)
    assert [(line.delivery.pk, line.late_by) for line in top] == old[:25]
    assert {line.delivery.state for line in top} == {"ready", "identified", "delivered"}
    assert f.overdue_ids(scope, now=now) == [pk for pk, _ in old]
    assert f.overdue_count(scope, now=now) == len(old) == 120
    assert [line.delivery.pk for line in f.overdue(scope, now=now)] == [pk for pk, _ in old]


def test_the_dashboard_shows_the_25_longest_late_and_how_many_are(client, program_manager):
    now = timezone.now()
    for n in range(30):
        cn(person(f"P{n}", "Late", dt.date(1990, 1, 1)), "ready", state_entered_at=now - dt.timedelta(days=8 + n))
    page = signed_in(client, program_manager).get("/reports/dashboard/")
    assert len(page.context["overdue"]) == 25
    assert page.context["overdue"][0].late_by > dt.timedelta(days=29)
    assert '<span id="overdue-total">30</span> CNs overdue' in page.content.decode()


def test_the_overdue_drill_down_lists_every_late_cn_longest_late_first(client, program_manager):
    now = timezone.now()
    older = cn(person("Old", "Late", dt.date(1990, 1, 1)), "ready", state_entered_at=now - dt.timedelta(days=20))
    newer = cn(person("New", "Late", dt.date(1990, 1, 1)), DELIVERED, state_entered_at=now - dt.timedelta(days=3))
    page = signed_in(client, program_manager).get("/reports/drill/overdue/")
    assert {d.pk for d in page.context["rows"]} == {older.pk, newer.pk}
    assert f.overdue_ids(f.scope_for(program_manager)) == [older.pk, newer.pk]


def test_the_dashboard_lists_the_cns_planned_this_week_and_the_drill_down_those_met_too(
    client, program_manager, le_lead
):
    today = timezone.localdate()
    monday, sunday = f.week_bounds(today)
    someone = lambda n: person(f"W{n}", "Week", dt.date(1990, 1, 1))  # noqa: E731
    planned = [cn(someone(n), "ready", planned_for=monday + dt.timedelta(days=n)) for n in (3, 0, 6)]
    cn(someone(10), "cancelled", planned_for=monday)
    met = cn(someone(11), DELIVERED, planned_for=monday - dt.timedelta(days=3))
    met.encounters.create(outcome=DELIVERED, occurred_at=at_noon(monday))
    cn(someone(13), "ready", planned_for=monday - dt.timedelta(days=1))  # last week
    cn(someone(14), "ready", planned_for=sunday + dt.timedelta(days=1))  # next week
    client = signed_in(client, program_manager)

    rows = client.get("/reports/dashboard/").context["this_week"]
    assert [row.pk for row in rows] == [planned[1].pk, planned[0].pk, planned[2].pk]
    assert (rows[0].candidate, rows[0].get_state_display()) == ("W0 Week", "Ready to deliver")
    drill = client.get("/reports/drill/this_week/")
    assert [d.pk for d in drill.context["rows"]] == sorted([*(d.pk for d in planned), met.pk])


def test_the_dashboard_lists_the_first_25_planned_this_week_and_links_to_all(client, program_manager):
    today = timezone.localdate()
    for n in range(27):
        cn(person(f"W{n}", "Week", dt.date(1990, 1, 1)), "ready", planned_for=today)
    page = signed_in(client, program_manager).get("/reports/dashboard/")
    assert len(page.context["this_week"]) == 25
    assert "(the first 25)" in page.content.decode()
    assert 'href="/reports/drill/this_week/">All of this week\'s CNs</a>' in page.content.decode()
