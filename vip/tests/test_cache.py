"""The Redis cache (`vip.cache.RedisCache`): one Redis client for every operation, on Django's public API."""

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


def test_every_operation_shares_one_client_of_the_pool(monkeypatch):
    import redis

    cache, made = _cache(), []
    real_init = redis.Redis.__init__
    monkeypatch.setattr(redis.Redis, "__init__", lambda self, *a, **k: made.append(1) or real_init(self, *a, **k))
    cache.set("a", 1, 30)
    cache.get("b")
    cache.add("c", 2, 30)
    cache.delete("a")
    assert made == []
