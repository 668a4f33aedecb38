"""The Redis cache (`vip.cache.RedisCache`): Django's, with one client per connection pool."""

from __future__ import annotations

import os

import pytest

pytestmark = pytest.mark.redis


def _cache():
    from vip.cache import RedisCache

    return RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": "vip-cache-test"})


def test_it_reads_back_what_it_wrote_and_forgets_what_it_deleted():
    cache = _cache()
    cache.set("kept", {"board": [1, 2, 3]}, 30)
    assert cache.get("kept") == {"board": [1, 2, 3]}
    assert cache.add("kept", "other", 30) is False  # add never overwrites
    cache.delete("kept")
    assert cache.get("kept") is None


def test_every_operation_shares_one_client_of_the_pool():
    client = _cache()._cache
    assert client.get_client("a") is client.get_client("b") is client.get_client("c", write=True)
