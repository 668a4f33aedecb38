import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Persona fixtures hash a password each: a cheap hasher keeps these tests quick on a 2-core machine."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
