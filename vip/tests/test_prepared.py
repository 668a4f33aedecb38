"""`vip.prepared`: the large hand-written queries prepared once per database connection, with the same answers."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from candidates import models as m
from candidates.selectors import CANDIDATE_PAGE_SECTIONS
from candidates.tests.factories import make_candidate
from vip import prepared
from vip.json_rows import rows_of

pytestmark = pytest.mark.django_db


def _prepared_here() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements WHERE name LIKE 'vip_%%'")
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def nothing_prepared():
    """This connection as a new session: other tests on it may have prepared the statement already."""
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    prepared._prepared.pop(connection.connection, None)


def _read(person) -> dict[str, list]:
    return {relation: [row.pk for row in rows] for relation, rows in rows_of(person, CANDIDATE_PAGE_SECTIONS).items()}


def test_a_query_is_prepared_once_per_connection_and_answers_as_the_plain_one(settings, nothing_prepared):
    person = make_candidate()
    m.Alias.objects.create(candidate=person, name="Slim")
    m.Address.objects.create(candidate=person, line1="1 Central Ave")
    settings.VIP_PREPARED_STATEMENTS = False
    plain = _read(person)
    assert _prepared_here() == []
    settings.VIP_PREPARED_STATEMENTS = True
    assert _read(person) == plain
    assert _read(person) == plain
    assert len(_prepared_here()) == 1


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_it_again(settings, nothing_prepared):
    settings.VIP_PREPARED_STATEMENTS = True
    person = make_candidate()
    _read(person)
    connection.close()  # as CONN_MAX_AGE or a lost connection does: the next query opens another session
    assert _read(person)["aliases"] == []
    assert len(_prepared_here()) == 1


def test_a_transaction_rolled_back_after_the_prepare_leaves_the_statement_usable(settings):
    settings.VIP_PREPARED_STATEMENTS = True
    person = make_candidate()
    with pytest.raises(RuntimeError), transaction.atomic():
        _read(person)
        raise RuntimeError("the request failed after reading")
    m.Alias.objects.create(candidate=person, name="Slim")
    assert [a.name for a in rows_of(person, CANDIDATE_PAGE_SECTIONS)["aliases"]] == ["Slim"]


def test_sql_with_a_percent_sign_other_than_its_placeholders_is_refused():
    with pytest.raises(ValueError, match="placeholders"):
        prepared._statement("SELECT name FROM t WHERE name LIKE '%x' AND id = %s")
    name, numbered = prepared._statement("SELECT %s, %s")
    assert numbered == "SELECT $1, $2" and name.startswith("vip_")
