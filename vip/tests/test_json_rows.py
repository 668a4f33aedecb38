"""`vip.json_rows.rows_of`: a record's rows of several tables in one query, in the order the ORM gives them."""

from __future__ import annotations

import datetime as dt

import pytest

from candidates import models as m
from candidates.selectors import CANDIDATE_PAGE_SECTIONS
from candidates.tests.factories import make_candidate, make_group
from vip.json_rows import _ordering, rows_of

pytestmark = pytest.mark.django_db


def test_each_relations_rows_come_in_the_order_the_orm_gives_them_nulls_included():
    person = make_candidate()
    for valid_from in (dt.date(2025, 3, 1), None, dt.date(2026, 1, 5), None, dt.date(2025, 3, 1)):
        m.Address.objects.create(candidate=person, line1=f"{valid_from} Central Ave", valid_from=valid_from)
    for name in ("Zed", "Al", "Mo"):
        m.Alias.objects.create(candidate=person, name=name)
    read = rows_of(person, CANDIDATE_PAGE_SECTIONS)
    for relation in ("addresses", "aliases"):
        assert [row.pk for row in read[relation]] == list(getattr(person, relation).values_list("pk", flat=True))
    assert [a.valid_from for a in read["addresses"]].count(None) == 2


def test_a_model_ordered_by_text_is_refused_rather_than_sorted_unlike_the_database():
    make_group("Westside")
    with pytest.raises(ValueError, match="ordered by text"):
        _ordering(m.Group)
