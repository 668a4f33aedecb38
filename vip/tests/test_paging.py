"""The helpers long lists are read with: `__any_of` and reading a page by its ids first (docs/performance.md)."""

import pytest
from django.contrib.auth.models import User

from vip.paging import CountedPaginator, ids_first

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return [User.objects.create(username=f"person{n:02d}", first_name=f"P{n}") for n in range(12)]


def test_any_of_finds_what_in_finds(people):
    chosen = User.objects.filter(username__in=["person03", "person07"]).values("pk")
    assert list(User.objects.filter(pk__any_of=chosen).order_by("pk")) == list(
        User.objects.filter(pk__in=chosen).order_by("pk")
    )


def test_any_of_asks_postgresql_for_an_array_of_the_subquerys_values(people):
    sql = str(User.objects.filter(pk__any_of=User.objects.values("pk")).query)
    assert "= ANY(ARRAY(SELECT" in sql


def test_a_page_read_ids_first_is_the_slice_in_its_order_with_its_annotations(people):
    from django.db.models import Value

    rows = User.objects.filter(username__startswith="person").annotate(kind=Value("x")).order_by("-username")
    page = ids_first(rows, 2, 5)
    assert [u.username for u in page] == ["person09", "person08", "person07"]
    assert {u.kind for u in page} == {"x"}


def test_the_counted_paginator_trusts_the_count_it_is_given_and_pages_in_order(people, django_assert_num_queries):
    rows = User.objects.filter(username__startswith="person").order_by("username")
    paginator = CountedPaginator(rows, 5, 12)
    with django_assert_num_queries(2):  # the page's ids, then its rows: no COUNT(*)
        page = paginator.page(3)
        assert [u.username for u in page.object_list] == ["person10", "person11"]
    assert paginator.num_pages == 3 and not page.has_next()
