"""The Redis cache: a cache backend on Django's public `BaseCache` API, holding one Redis client.

Why it exists (docs/performance.md): every kept page is read with two or three cache operations, and Django's
own Redis backend makes a `redis.Redis` client for each operation (copying about 170 response callbacks each
time): 60 of the 220 µs a `cache.get` took on an idle machine, and several times that on a busy one. A client
holds no connection of its own (it borrows one from its pool for each command) and is safe to share, so this
backend makes one and keeps it. It is written on the documented custom-backend API (`BaseCache`, `make_key`,
`validate_key`, `get_backend_timeout`) and redis-py's own client, not on the internals of Django's backend.
Values are pickled, as Django's backend pickles them.
"""

from __future__ import annotations

import pickle

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache


class RedisCache(BaseCache):
    def __init__(self, server, params):
        super().__init__(params)
        self.client = redis.Redis.from_url(server if isinstance(server, str) else server[0])

    def _key(self, key, version=None) -> str:
        key = self.make_key(key, version=version)
        self.validate_key(key)
        return key

    def _expiry(self, timeout) -> int | None:
        """Seconds to keep a value: None for ever; 0 or less, expire at once (Django's meaning)."""
        timeout = self.get_backend_timeout(timeout)
        return None if timeout is None else max(0, int(timeout))

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        seconds = self._expiry(timeout)
        if seconds == 0:
            return not self.has_key(key, version)  # as Django's: added and gone at once
        return bool(self.client.set(self._key(key, version), pickle.dumps(value), nx=True, ex=seconds))

    def get(self, key, default=None, version=None):
        value = self.client.get(self._key(key, version))
        return default if value is None else pickle.loads(value)  # noqa: S301 - what this process wrote

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        seconds = self._expiry(timeout)
        if seconds == 0:
            self.client.delete(self._key(key, version))
        else:
            self.client.set(self._key(key, version), pickle.dumps(value), ex=seconds)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        seconds, key = self._expiry(timeout), self._key(key, version)
        if seconds is None:
            return bool(self.client.persist(key))
        return bool(self.client.expire(key, seconds))

    def delete(self, key, version=None) -> bool:
        return bool(self.client.delete(self._key(key, version)))

    def has_key(self, key, version=None) -> bool:
        return bool(self.client.exists(self._key(key, version)))

    def clear(self) -> None:
        self.client.flushdb()
