"""CJIS AC-6, the rules in the selectors: who sees which candidate, which CN, and the checks."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from candidates.models import Candidate, ServiceOffer
from candidates.selectors import candidates_visible_to
from notifications.models import Check, Delivery
from notifications.selectors import checks_visible_to, deliveries_visible_to
from tests.access_matrix import fast_password_hashing

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    fast_password_hashing(settings)


@pytest.fixture
def checks(world, le_lead):
    for kind in ("adult", "juvenile"):
        Check.objects.create(
            delivery_id=world[kind]["delivery"],
            kind=Check.Kind.THREAT_ASSESSMENT,
            completed_on=dt.date(2026, 1, 5),
            completed_by=le_lead,
            result=Check.Result.NO_CONCERNS,
        )


def _pks(qs):
    return set(qs.values_list("pk", flat=True))


def test_an_officer_sees_only_the_cns_they_are_on(world, second_officer):
    mine = _pks(deliveries_visible_to(second_officer))
    assert not mine & {world[k]["delivery"] for k in ("adult", "juvenile", "sealed")}


def test_social_services_never_see_the_threat_assessment_or_background_check(checks, social_worker):
    assert not checks_visible_to(social_worker).exists()


def test_a_team_officer_sees_the_checks_of_their_cns(checks, officer, world):
    assert {c.delivery_id for c in checks_visible_to(officer)} == {
        world["adult"]["delivery"],
        world["juvenile"]["delivery"],
    }


def test_social_services_see_an_adult_they_serve_without_a_cn_team(social_worker):
    person = Candidate.objects.create(first_name="Lu", last_name="Served", date_of_birth=dt.date(1990, 2, 2))
    ServiceOffer.objects.create(
        candidate=person, service_type="food_box", offered_by=social_worker, offered_on=dt.date(2026, 1, 1)
    )
    assert person.pk in _pks(candidates_visible_to(social_worker))


def test_social_services_do_not_see_a_juvenile_they_serve_off_the_team(world, social_worker):
    assert world["juvenile"]["candidate"] not in _pks(candidates_visible_to(social_worker))


def test_an_administrator_sees_no_candidate_and_no_cn(world, administrator):
    assert not candidates_visible_to(administrator).exists()
    assert not deliveries_visible_to(administrator).exists()


def test_a_superuser_without_a_role_sees_nothing(world, administrator):
    administrator.is_superuser = True
    administrator.save()
    administrator.groups.clear()
    administrator.__dict__.pop("_vip_role_names", None)  # the roles are cached on the user object
    assert not candidates_visible_to(administrator).exists()


def test_the_program_manager_sees_every_unsealed_record(world, program_manager):
    visible = _pks(candidates_visible_to(program_manager))
    assert {world["adult"]["candidate"], world["juvenile"]["candidate"]} <= visible
    assert world["sealed"]["candidate"] not in visible


def test_the_custodian_sees_the_sealed_cn(world, custodian):
    assert Delivery.objects.get(pk=world["sealed"]["delivery"]) in deliveries_visible_to(custodian)


# --- the rules stay in one place -------------------------------------------------------------------

INTERFACE_MODULE = re.compile(r"(views?|api\w*|serializers?|tablet\w*|forms?|filters?|exports?|dashboard\w*)\.py$")
AROUND_THE_SELECTORS = re.compile(
    r"\b(Candidate|Delivery)\.(objects|_base_manager|_default_manager)\b(?!\.(unsealed|none)\()"
)
# module -> why it may read people or CNs without the selectors
ALLOWED = {
    "candidates/records_views.py": "sealing: the administrator finds an unsealed record by its court-order number",
    "vip/api.py": "the exception handler and idempotency, no records",
}


def test_no_page_api_or_export_reads_people_or_cns_around_the_selectors():
    root = Path(django_settings.BASE_DIR)
    offenders = []
    for app in ("candidates", "notifications", "reports", "vip"):
        for path in sorted((root / app).rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            if "/migrations/" in relative or "/tests/" in relative or relative in ALLOWED:
                continue
            if not INTERFACE_MODULE.search(path.name):
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if AROUND_THE_SELECTORS.search(line):
                    offenders.append(f"{relative}:{number}: {line.strip()}")
    assert not offenders, (
        "Pages, APIs and exports start from candidates_visible_to / deliveries_visible_to (CJIS AC-6; sealed "
        "records, NMSA 32A-2-26). Use the selectors, or add the module to ALLOWED with the reason:\n"
        + "\n".join(offenders)
    )
