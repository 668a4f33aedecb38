"""The aftercare pages (issue 19): a navigator's caseload, a person's needs, referrals, consent and notes. A refused
referral shows the API's words next to the form, with what was typed kept; a page that shows substance use carries
the 42 CFR Part 2 notice; the Program Manager sees totals, and details only with the person's consent."""

from __future__ import annotations

import datetime as dt

import pytest

from candidates.aftercare import services
from candidates.aftercare.kinds import REDISCLOSURE_NOTICE
from candidates.aftercare.models import Consent, NavigatorAssignment, Need, PartnerReferral
from candidates.tests.aftercare_builders import TODAY, consent, partner, served_adult
from vip.models import AuditEvent
from vip.testing import verified_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def orla(social_worker):
    return served_adult(social_worker)


@pytest.fixture
def casa(db):
    return partner("Casa Esperanza", "housing", "substance_use")


@pytest.fixture
def luis(social_worker):
    client = verified_client()
    client.force_login(social_worker)
    return client


def test_a_refused_referral_shows_the_same_words_as_the_api_and_keeps_what_was_typed(luis, orla, casa):
    page = luis.post(
        f"/aftercare/people/{orla.pk}/referrals/",
        {"partner": casa.pk, "area": "housing", "detail": "Needs a bed from Friday"},
    )
    assert page.status_code == 409
    words = (
        "Referral refused: Orla Brightwater has given no consent to share with Casa Esperanza for a referral. "
        "Record the person&#x27;s consent first."
    )
    assert words in page.content.decode()
    assert "Needs a bed from Friday" in page.content.decode()


def test_a_referral_under_consent_is_made_and_named_on_the_page(luis, orla, casa):
    consent(orla, to=casa)
    answer = luis.post(f"/aftercare/people/{orla.pk}/referrals/", {"partner": casa.pk, "area": "housing"})
    assert answer.status_code == 302
    assert PartnerReferral.objects.get().made_by.username == "social"


def test_withdrawing_consent_on_the_page_stops_sharing_and_is_audited(luis, social_worker, orla, casa):
    given = consent(orla, to=casa)
    luis.post(f"/aftercare/consents/{given.pk}/withdraw/")
    given.refresh_from_db()
    assert given.withdrawn_on == TODAY and given.withdrawn_by == social_worker
    assert AuditEvent.objects.filter(object_type="candidates.Consent", note__startswith="Consent withdrawn").exists()


def test_a_page_showing_substance_use_carries_the_redisclosure_notice(luis, social_worker, orla):
    services.need_set(user=social_worker, candidate=orla, area="substance_use", status="unmet")
    assert REDISCLOSURE_NOTICE in luis.get(f"/aftercare/people/{orla.pk}/").content.decode()


def test_a_page_without_substance_use_carries_no_notice(luis, social_worker, orla):
    services.need_set(user=social_worker, candidate=orla, area="housing", status="unmet")
    assert REDISCLOSURE_NOTICE not in luis.get(f"/aftercare/people/{orla.pk}/").content.decode()


def test_a_need_changes_with_its_date_and_its_history_is_in_the_trail(luis, social_worker, orla):
    luis.post(
        f"/aftercare/people/{orla.pk}/needs/", {"area": "housing", "status": "unmet", "status_changed_on": "2026-11-02"}
    )
    luis.post(
        f"/aftercare/people/{orla.pk}/needs/", {"area": "housing", "status": "met", "status_changed_on": "2026-11-20"}
    )
    need = Need.objects.get()
    assert (need.status, need.status_changed_on) == ("met", dt.date(2026, 11, 20))
    trail = AuditEvent.objects.filter(
        object_type="candidates.Need", object_id=str(need.pk), action__in=["create", "update"]
    )
    assert [row.changes["status"][1] for row in trail.exclude(changes__status=None).order_by("pk")] == ["unmet", "met"]


def test_a_need_dated_in_the_future_is_refused_next_to_the_field(luis, orla):
    future = (TODAY + dt.timedelta(days=3)).isoformat()
    page = luis.post(
        f"/aftercare/people/{orla.pk}/needs/", {"area": "housing", "status": "met", "status_changed_on": future}
    )
    assert page.status_code == 400
    assert page.context["need_form"].errors["status_changed_on"] == ["The date is in the future: check it."]


def test_the_caseload_lists_the_navigators_people_open_referrals_and_follow_ups_due(luis, social_worker, orla, casa):
    services.navigator_assign(user=social_worker, candidate=orla)
    consent(orla, to=casa, decided_on=TODAY - dt.timedelta(days=30))
    late = services.referral_create(
        user=social_worker, candidate=orla, partner=casa, area="housing", referred_on=TODAY - dt.timedelta(days=20)
    )
    page = luis.get("/aftercare/")
    assert [a.candidate for a in page.context["people"]] == [orla]
    assert [r.pk for r in page.context["follow_ups_due"]] == [late.pk]


def test_a_referral_with_its_result_leaves_the_follow_ups_due(luis, social_worker, orla, casa):
    consent(orla, to=casa, decided_on=TODAY - dt.timedelta(days=30))
    late = services.referral_create(
        user=social_worker, candidate=orla, partner=casa, area="housing", referred_on=TODAY - dt.timedelta(days=20)
    )
    luis.post(f"/aftercare/referrals/{late.pk}/result/", {"result": "enrolled"})
    page = luis.get("/aftercare/")
    assert list(page.context["follow_ups_due"]) == []
    assert [r.pk for r in page.context["open_referrals"]] == [late.pk]


def test_the_program_manager_sees_totals_and_no_person_without_consent(program_manager, social_worker, orla):
    services.need_set(user=social_worker, candidate=orla, area="housing", status="unmet", detail="Sofa surfing")
    client = verified_client()
    client.force_login(program_manager)
    page = client.get("/aftercare/")
    assert page.context["totals"]["needs"] == {"Housing": {"unmet": 1}}
    assert "Sofa surfing" not in page.content.decode()
    assert client.get(f"/aftercare/people/{orla.pk}/").status_code == 404


def test_the_program_manager_reads_the_person_who_consented_to_a_program_review(program_manager, social_worker, orla):
    services.need_set(user=social_worker, candidate=orla, area="housing", status="unmet", detail="Sofa surfing")
    consent(orla, purpose=Consent.Purpose.PROGRAM_REVIEW)
    client = verified_client()
    client.force_login(program_manager)
    assert "Sofa surfing" in client.get(f"/aftercare/people/{orla.pk}/").content.decode()


def test_a_navigator_is_assigned_only_from_social_services(social_worker, le_lead, orla):
    with pytest.raises(Exception, match="is not a Social Services navigator"):
        services.navigator_assign(user=social_worker, candidate=orla, navigator=le_lead)
    assert not NavigatorAssignment.objects.exists()
