"""The delivery funnel (issue 19, part 3), counted by hand on a small program: the Program Manager follows the
CNs identified from January to June 2026 to wherever they went, how long each step took, and why those that
stopped stopped. Its last two stages, the referrals, are behind the services wall: the Program Manager reads
their numbers, the LE Lead does not, and no one opens the people they count."""

import datetime as dt
import re

import pytest
from django.utils.html import escape

from reports import funnel
from reports.figures import Period, all_unsealed_scope
from reports.models import FiguresSnapshot, FunnelDay
from reports.tests.builders import cn_through, encounter, funnel_program, on_the_day, person
from vip.audit import audit

pytestmark = pytest.mark.django_db
d = dt.date
PERIOD = Period(d(2026, 1, 1), d(2026, 6, 30))


@pytest.fixture
def program():
    return funnel_program()


@pytest.fixture
def reader(program_manager):
    """The funnel's numbers are read as the Program Manager, whom the services wall lets read the referrals'."""
    return program_manager


def the_funnel(reader):
    scope = all_unsealed_scope()
    return funnel.lines(funnel.numbers(scope.deliveries, *PERIOD.bounds), reader)


def stage(key, reader):
    stages, _ = the_funnel(reader)
    return next(line for line in stages if line.stage.key == key)


def test_it_counts_each_stage_reached_by_the_cns_identified_in_the_period(program, reader):
    stages, _ = the_funnel(reader)
    assert [(line.stage.key, line.count) for line in stages] == [
        ("identified", 8),
        ("eligible", 6),
        ("ready", 5),
        ("attempted", 5),
        ("delivered", 3),
        ("to_person", 2),
        ("to_influencer", 1),
        ("service_accepted", 2),
        ("referral_enrolled", 2),
        ("referral_completed", 1),
    ]


def test_each_conversion_rate_is_a_share_of_the_stage_before(program, reader):
    assert stage("eligible", reader).rate == 75.0 and stage("ready", reader).rate == 83.3
    assert stage("delivered", reader).rate == 60.0 and stage("service_accepted", reader).rate == 66.7
    assert stage("referral_completed", reader).rate == 50.0


def test_a_referral_enrolled_is_a_share_of_the_delivered_as_a_referral_needs_no_accepted_offer(program, reader):
    assert stage("referral_enrolled", reader).rate == 66.7  # 2 of the 3 delivered


def test_the_median_and_90th_percentile_times_are_those_of_a_known_set(program, reader):
    eligible, delivered = stage("eligible", reader), stage("delivered", reader)
    service = stage("service_accepted", reader)
    assert [(t.median, t.p90, t.timed) for t in eligible.times] == [(1.5, 2.0, 6)]  # 1, 1, 1, 2, 2, 2 days
    assert (delivered.times[0].since.key, delivered.times[0].median, delivered.times[0].p90) == (
        "identified",
        15.0,
        19.0,
    )  # 10, 15, 20
    assert (service.times[0].median, service.times[0].p90) == (7.5, 9.5)  # 5 and 10 days


def test_it_counts_the_exits_by_reason(program, reader):
    _, exits = the_funnel(reader)
    assert {line.exit.key: line.count for line in exits} == {
        "jpo_do_not_deliver": 1,
        "cancelled": 1,
        "refused": 1,
        "not_located": 1,
    }


def test_a_retried_cn_is_counted_where_its_next_attempt_took_it_not_as_not_located(program):
    jon = person("Jon", "Funnelperson", d(1998, 1, 1))
    waiting = cn_through(
        jon,
        d(2026, 4, 2),
        ("eligible", d(2026, 4, 3)),
        ("ready", d(2026, 4, 4)),
        ("not_located", d(2026, 4, 5)),
        ("ready", d(2026, 4, 6)),
    )  # tried again, not yet at the door
    encounter(waiting, "not_located", d(2026, 4, 5))
    scope = all_unsealed_scope()
    assert funnel.ids(scope.deliveries, *PERIOD.bounds, "exit__not_located") == [program["dee"].pk]


def test_a_drill_down_lists_the_cns_its_number_counts(program, reader):
    scope = all_unsealed_scope()
    listed = funnel.ids(scope.deliveries, *PERIOD.bounds, "stage__service_accepted")
    assert listed == [program["ana"].pk, program["gus"].pk] and stage("service_accepted", reader).count == len(listed)


# --- the referral stages: counted from the referrals made after the delivery, dated by their result ----------


def reached_on(stage_key) -> dict[int, dt.date]:
    """The day each CN of the period reached a stage (those that did)."""
    scope = all_unsealed_scope()
    day = funnel.STAGE_BY_KEY[stage_key].day
    return funnel.cohort(
        scope.deliveries,
        *PERIOD.bounds,
        lambda cns: dict(cns.filter(**{f"{day}__isnull": False}).values_list("pk", day)),
    )


def test_a_referral_enrolled_is_the_first_made_after_the_delivery_enrolled_or_completed_dated_by_its_result(program):
    # Ana: enrolled 1 Feb (her refused referral does not count); Gus: completed 5 Apr, its enrolment not kept
    # apart; Ben's completed referral was made before his delivery; Hal was never delivered; Sam is sealed.
    assert reached_on("referral_enrolled") == {program["ana"].pk: d(2026, 2, 1), program["gus"].pk: d(2026, 4, 5)}


def test_a_referral_completed_is_dated_by_its_result(program):
    assert reached_on("referral_completed") == {program["gus"].pk: d(2026, 4, 5)}


def test_the_referral_stages_are_timed_from_the_delivery(program, reader):
    enrolled, completed = stage("referral_enrolled", reader), stage("referral_completed", reader)
    assert [(t.since.key, t.median, t.p90, t.timed) for t in enrolled.times] == [("delivered", 14.0, 16.4, 2)]
    assert [(t.since.key, t.median, t.p90, t.timed) for t in completed.times] == [("delivered", 11.0, 11.0, 1)]


# --- the days, computed for the whole cohort at once (set-based): the same days as each stage declares --------


def test_a_transition_row_of_another_record_with_the_cn_s_id_does_not_date_its_stage(program, reader):
    hal = program["hal"]  # still identified
    with on_the_day(d(2026, 4, 2)):
        audit(
            actor=None, action="transition", object_type="candidates.Candidate", object_id=hal.pk, to_state="eligible"
        )
    assert hal.pk not in reached_on("eligible") and stage("eligible", reader).count == 6


def test_a_cn_s_attempt_is_its_first_encounter_and_its_delivery_its_first_delivering_one(program):
    gus = program["gus"].pk  # not located 15 Mar, delivered 25 Mar
    assert (reached_on("attempted")[gus], reached_on("delivered")[gus]) == (d(2026, 3, 15), d(2026, 3, 25))


def test_every_number_s_drill_down_lists_as_many_cns_as_it_counts(program):
    scope = all_unsealed_scope()
    counts = funnel.numbers(scope.deliveries, *PERIOD.bounds)["counts"]
    listed = {cell: len(funnel.ids(scope.deliveries, *PERIOD.bounds, cell)) for cell in funnel.cells()}
    assert listed == {cell: counts[cell] for cell in funnel.cells()} and sum(listed.values()) > 0


def test_the_cohort_s_rows_have_a_column_for_each_stage_s_day():
    columns = {field.name for field in FunnelDay._meta.get_fields()}
    days = {stage.day for stage in funnel.STAGES} | set(funnel.EXIT_DAYS) | {funnel.JPO_DO_NOT_DELIVER}
    assert days <= columns


# --- the page: the Program Manager reads the funnel, and opens the CNs behind a number ----------------------

ASKED = {"start": "2026-01-01", "end": "2026-06-30"}


def shown(page, anchor: str) -> tuple[int, str]:
    """The number the page shows under an id, and where its link goes."""
    found = re.search(rf'<a id="{anchor}" href="([^"]+)">(\d+)</a>', page.content.decode())
    return int(found.group(2)), found.group(1).replace("&amp;", "&")


def test_the_program_manager_reads_each_stage_with_its_definition(client, program_manager, program):
    client.force_login(program_manager)
    page = client.get("/reports/funnel/", ASKED)
    assert shown(page, "stage-eligible")[0] == 6 and shown(page, "exit-jpo_do_not_deliver")[0] == 1
    html = page.content.decode()
    assert all(escape(stage.definition) in html for stage in funnel.STAGES)
    assert all(escape(exit.definition) in html for exit in funnel.EXITS)


def test_the_dashboard_links_to_the_funnel_for_its_period(client, program_manager, program):
    client.force_login(program_manager)
    html = client.get("/reports/dashboard/", ASKED).content.decode()
    assert 'id="link-funnel" href="/reports/funnel/?start=2026-01-01&amp;end=2026-06-30' in html


def test_a_stage_s_number_opens_the_cns_it_counts(client, program_manager, program):
    client.force_login(program_manager)
    number, link = shown(client.get("/reports/funnel/", ASKED), "stage-service_accepted")
    drill = client.get(link)
    assert {d.pk for d in drill.context["rows"]} == {program["ana"].pk, program["gus"].pk} and number == 2
    assert "The dashboard's figure, as of " in drill.content.decode()


def test_a_cn_that_reached_a_stage_since_the_page_was_computed_brings_the_figure_to_the_drill_down_s_moment(
    client, program_manager, program
):
    client.force_login(program_manager)
    number, link = shown(client.get("/reports/funnel/", ASKED), "exit-refused")
    late = cn_through(
        person("Kit", "Funnelperson", d(1998, 1, 1)),
        d(2026, 4, 2),
        ("eligible", d(2026, 4, 3)),
        ("ready", d(2026, 4, 4)),
        ("refused", d(2026, 4, 5)),
    )
    encounter(late, "refused", d(2026, 4, 5))
    drill = client.get(link)
    number_now, _ = shown(client.get("/reports/funnel/", ASKED), "exit-refused")
    assert (number, len(drill.context["rows"]), number_now) == (1, 2, 2)
    assert "It showed 1 (as of " in drill.content.decode()


# --- the services wall: the referral stages' numbers for the Program Manager only, and never a list ----------

REFERRAL_STAGES = ("referral_enrolled", "referral_completed")


def test_the_program_manager_reads_the_referral_stages_numbers_which_open_no_list(client, program_manager, program):
    client.force_login(program_manager)
    html = client.get("/reports/funnel/", ASKED).content.decode()
    assert '<span id="stage-referral_enrolled">2</span>' in html
    assert '<span id="stage-referral_completed">1</span>' in html
    assert '<span id="timed__delivered__referral_enrolled">2</span>' in html
    assert "referral_" not in "".join(re.findall(r'href="[^"]*"', html))  # no link opens them
    assert escape(funnel.WALL_DEFINITION) in html


def test_the_le_lead_does_not_see_the_referral_stages_and_is_told_they_are_behind_the_wall(client, le_lead, program):
    client.force_login(le_lead)
    html = client.get("/reports/funnel/", ASKED).content.decode()
    assert "stage-referral" not in html and "referral_" not in html
    assert all(escape(funnel.STAGE_BY_KEY[key].definition) not in html for key in REFERRAL_STAGES)
    assert "are behind the services wall: their numbers are shown to the Program Manager" in html
    assert shown(client.get("/reports/funnel/", ASKED), "stage-service_accepted")[0] == 2  # the rest as before


def test_the_snapshot_the_le_lead_shares_with_the_program_manager_does_not_show_them_the_referrals(
    client, le_lead, program_manager, program
):
    client.force_login(program_manager)
    assert '<span id="stage-referral_enrolled">2</span>' in client.get("/reports/funnel/", ASKED).content.decode()
    client.force_login(le_lead)
    page = client.get("/reports/funnel/", ASKED)
    assert FiguresSnapshot.objects.count() == 1  # read from the Program Manager's very snapshot
    assert "stage-referral" not in page.content.decode()
    assert [line.stage.key for line in page.context["stages"]][-1] == "service_accepted"


@pytest.mark.parametrize("persona", ["program_manager", "le_lead", "officer", "social_worker", "administrator"])
@pytest.mark.parametrize(
    "cell",
    [
        "stage__referral_enrolled",
        "stage__referral_completed",
        "timed__delivered__referral_enrolled",
        "timed__delivered__referral_completed",
    ],
)
def test_no_role_opens_or_exports_the_cns_a_referral_stage_counts(request, client, persona, cell, program):
    client.force_login(request.getfixturevalue(persona))
    drill = client.get("/reports/drill/funnel/", {**ASKED, "cell": cell})
    export = client.get("/reports/export/cns.csv", {**ASKED, "figure": "funnel", "cell": cell})
    assert (drill.status_code, export.status_code) == (403, 403)
    assert str(program["gus"].pk) not in drill.content.decode()


def test_a_referral_stage_s_drill_down_says_why_it_is_refused(client, program_manager, program):
    client.force_login(program_manager)
    answer = client.get("/reports/drill/funnel/", {**ASKED, "cell": "stage__referral_enrolled"})
    assert "“A referral enrolled” is behind the services wall" in answer.content.decode()


def test_a_drill_down_of_a_number_the_funnel_does_not_have_is_refused_with_what_to_do(client, program_manager):
    client.force_login(program_manager)
    answer = client.get("/reports/drill/funnel/", {"cell": "stage__teleported"})
    assert answer.status_code == 400 and "open it from its page" in answer.content.decode()


def test_an_officer_may_not_open_the_funnel(client, officer):
    client.force_login(officer)
    assert client.get("/reports/funnel/").status_code == 403


def test_a_time_opens_the_cns_it_is_measured_over(client, program_manager, program):
    client.force_login(program_manager)
    number, link = shown(client.get("/reports/funnel/", ASKED), "timed__identified__delivered")
    drill = client.get(link)
    assert number == 3 and {d.pk for d in drill.context["rows"]} == {program[k].pk for k in ("ana", "ben", "gus")}


def test_a_stage_s_cns_export_as_the_drill_down_lists_them(client, program_manager, program):
    client.force_login(program_manager)
    page = client.get("/reports/export/cns.csv", {**ASKED, "figure": "funnel", "cell": "stage__delivered"})
    assert page.status_code == 200 and page.context["count"] == 3
