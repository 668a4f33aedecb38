"""The delivery funnel (issue 19, part 3), counted by hand on a small program: the Program Manager follows the
CNs identified from January to June 2026 to wherever they went, how long each step took, and why those that
stopped stopped."""

import datetime as dt
import re

import pytest
from django.utils.html import escape

from notifications.models import JPOCheck
from reports import funnel
from reports.figures import Period, all_unsealed_scope
from reports.tests.builders import cn_through, encounter, offer, person

pytestmark = pytest.mark.django_db
d = dt.date
PERIOD = Period(d(2026, 1, 1), d(2026, 6, 30))


def adult(name: str, *, sealed: bool = False):
    return person(name, "Funnelperson", d(1998, 1, 1), sealed=sealed)


@pytest.fixture
def program():
    """Eight CNs identified in the period, one before it, one sealed:

    - Ana: identified 5 Jan, eligible 7 Jan, ready 12 Jan, delivered to her 15 Jan; accepted job training 20 Jan.
    - Ben: identified 10 Jan, eligible 11 Jan, ready 20 Jan, delivered to an influencer 30 Jan.
    - Cal: identified 1 Feb, eligible 3 Feb, ready 10 Feb, refused 12 Feb.
    - Dee: identified 5 Feb, eligible 6 Feb, ready 8 Feb, not located 9 Feb (not tried again).
    - Eve: identified 1 Mar, eligible 2 Mar, the JPO said "do not deliver", cancelled 5 Mar.
    - Fay: identified 3 Mar, cancelled 4 Mar.
    - Gus: identified 10 Mar, eligible 12 Mar, ready 14 Mar, not located 15 Mar, tried again (ready 20 Mar),
      delivered to him 25 Mar; accepted a food box 4 Apr.
    - Hal: identified 1 Apr, still identified.
    - Ivy: identified 20 Dec 2025 and delivered: before the period. Sam: sealed, delivered: never counted.
    """
    cns = {}
    ana = adult("Ana")
    cns["ana"] = cn_through(
        ana,
        d(2026, 1, 5),
        ("eligible", d(2026, 1, 7)),
        ("ready", d(2026, 1, 12)),
        ("ecc_advised", d(2026, 1, 15)),
        ("delivered", d(2026, 1, 15)),
        ("after_action", d(2026, 1, 16)),
        ("closed", d(2026, 1, 17)),
    )
    encounter(cns["ana"], "delivered", d(2026, 1, 15))
    offer(ana, "job_training", "accepted", d(2026, 1, 15), status_changed_on=d(2026, 1, 20))
    ben = adult("Ben")
    cns["ben"] = cn_through(
        ben,
        d(2026, 1, 10),
        ("eligible", d(2026, 1, 11)),
        ("ready", d(2026, 1, 20)),
        ("delivered_to_influencer", d(2026, 1, 30)),
    )
    encounter(cns["ben"], "delivered_to_influencer", d(2026, 1, 30))
    offer(ben, "shelter", "declined", d(2026, 1, 30), status_changed_on=d(2026, 2, 1))
    cns["cal"] = cn_through(
        adult("Cal"), d(2026, 2, 1), ("eligible", d(2026, 2, 3)), ("ready", d(2026, 2, 10)), ("refused", d(2026, 2, 12))
    )
    encounter(cns["cal"], "refused", d(2026, 2, 12))
    cns["dee"] = cn_through(
        adult("Dee"),
        d(2026, 2, 5),
        ("eligible", d(2026, 2, 6)),
        ("ready", d(2026, 2, 8)),
        ("not_located", d(2026, 2, 9)),
    )
    encounter(cns["dee"], "not_located", d(2026, 2, 9))
    cns["eve"] = cn_through(adult("Eve"), d(2026, 3, 1), ("eligible", d(2026, 3, 2)), ("cancelled", d(2026, 3, 5)))
    JPOCheck.objects.create(
        delivery=cns["eve"],
        contacted_on=d(2026, 3, 4),
        on_probation=True,
        services_status="-",
        relationship_status="-",
        decision=JPOCheck.Decision.DO_NOT_DELIVER,
        reasons="On probation.",
    )
    cns["fay"] = cn_through(adult("Fay"), d(2026, 3, 3), ("cancelled", d(2026, 3, 4)))
    gus = adult("Gus")
    cns["gus"] = cn_through(
        gus,
        d(2026, 3, 10),
        ("eligible", d(2026, 3, 12)),
        ("ready", d(2026, 3, 14)),
        ("not_located", d(2026, 3, 15)),
        ("ready", d(2026, 3, 20)),
        ("delivered", d(2026, 3, 25)),
        ("after_action", d(2026, 3, 26)),
        attempt=2,
    )
    encounter(cns["gus"], "not_located", d(2026, 3, 15))
    encounter(cns["gus"], "delivered", d(2026, 3, 25), attempt=2)
    offer(gus, "food_box", "completed", d(2026, 3, 25), status_changed_on=d(2026, 4, 4))
    cns["hal"] = cn_through(adult("Hal"), d(2026, 4, 1))
    cns["ivy"] = cn_through(adult("Ivy"), d(2025, 12, 20), ("delivered", d(2025, 12, 28)))
    encounter(cns["ivy"], "delivered", d(2025, 12, 28))
    cns["sam"] = cn_through(adult("Sam", sealed=True), d(2026, 2, 2), ("delivered", d(2026, 2, 9)))
    encounter(cns["sam"], "delivered", d(2026, 2, 9))
    return cns


def the_funnel():
    scope = all_unsealed_scope()
    return funnel.lines(funnel.numbers(scope.deliveries, *PERIOD.bounds))


def stage(key):
    stages, _ = the_funnel()
    return next(line for line in stages if line.stage.key == key)


def test_it_counts_each_stage_reached_by_the_cns_identified_in_the_period(program):
    stages, _ = the_funnel()
    assert [(line.stage.key, line.count) for line in stages] == [
        ("identified", 8),
        ("eligible", 6),
        ("ready", 5),
        ("attempted", 5),
        ("delivered", 3),
        ("to_person", 2),
        ("to_influencer", 1),
        ("service_accepted", 2),
    ]


def test_each_conversion_rate_is_a_share_of_the_stage_before(program):
    assert stage("eligible").rate == 75.0 and stage("ready").rate == 83.3
    assert stage("delivered").rate == 60.0 and stage("service_accepted").rate == 66.7


def test_the_median_and_90th_percentile_times_are_those_of_a_known_set(program):
    eligible, delivered, service = stage("eligible"), stage("delivered"), stage("service_accepted")
    assert [(t.median, t.p90, t.timed) for t in eligible.times] == [(1.5, 2.0, 6)]  # 1, 1, 1, 2, 2, 2 days
    assert (delivered.times[0].since.key, delivered.times[0].median, delivered.times[0].p90) == (
        "identified",
        15.0,
        19.0,
    )  # 10, 15, 20
    assert (service.times[0].median, service.times[0].p90) == (7.5, 9.5)  # 5 and 10 days


def test_it_counts_the_exits_by_reason(program):
    _, exits = the_funnel()
    assert {line.exit.key: line.count for line in exits} == {
        "jpo_do_not_deliver": 1,
        "cancelled": 1,
        "refused": 1,
        "not_located": 1,
    }


def test_a_retried_cn_is_counted_where_its_next_attempt_took_it_not_as_not_located(program):
    scope = all_unsealed_scope()
    assert funnel.ids(scope.deliveries, *PERIOD.bounds, "exit__not_located") == [program["dee"].pk]


def test_a_drill_down_lists_the_cns_its_number_counts(program):
    scope = all_unsealed_scope()
    listed = funnel.ids(scope.deliveries, *PERIOD.bounds, "stage__service_accepted")
    assert listed == [program["ana"].pk, program["gus"].pk] and stage("service_accepted").count == len(listed)


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
        adult("Kit"), d(2026, 4, 2), ("eligible", d(2026, 4, 3)), ("ready", d(2026, 4, 4)), ("refused", d(2026, 4, 5))
    )
    encounter(late, "refused", d(2026, 4, 5))
    drill = client.get(link)
    number_now, _ = shown(client.get("/reports/funnel/", ASKED), "exit-refused")
    assert (number, len(drill.context["rows"]), number_now) == (1, 2, 2)
    assert "It showed 1 (as of " in drill.content.decode()


def test_a_drill_down_of_a_number_the_funnel_does_not_have_is_refused_with_what_to_do(client, program_manager):
    client.force_login(program_manager)
    answer = client.get("/reports/drill/funnel/", {"cell": "stage__teleported"})
    assert answer.status_code == 400 and "open it from its page" in answer.content.decode()


def test_an_officer_may_not_open_the_funnel(client, officer):
    client.force_login(officer)
    assert client.get("/reports/funnel/").status_code == 403
