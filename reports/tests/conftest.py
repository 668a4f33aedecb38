import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The personas' passwords are hashed once per test: a fast hasher keeps the reports tests quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """The dashboard caches what it renders from a snapshot: each test starts without it."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
