"""Every URL pattern of the project is classified in tests/access_matrix.py, and each role gets what it says.

CJIS AC-6 (least privilege) and OWASP ASVS V8: a new page that nobody classified fails here, with the
line to add; a page that answers a role differently from the matrix fails with every difference listed.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access_matrix import MATRIX, ROLES, build_world, fast_password_hashing
from vip.testing import verified_client


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    fast_password_hashing(settings)


def _pattern_kwargs(pattern) -> set[str]:
    inner = pattern.pattern
    if hasattr(inner, "converters"):
        names = set(inner.converters)
        if names:
            return names
    return set(re.compile(str(inner)).groupindex) if hasattr(inner, "regex") else set()


def url_patterns(resolver=None, prefix: str = "", namespace: tuple[str, ...] = ()):
    """(key, name, route) for every URL pattern, recursively through every include (admin and API too)."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace + ((pattern.namespace,) if pattern.namespace else ())
            yield from url_patterns(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            if pattern.name:
                name = ":".join((*namespace, pattern.name))
                key = f"{name}.format" if "format" in _pattern_kwargs(pattern) else name
            else:
                name, key = None, route
            yield key, name, route


def test_every_url_pattern_is_in_the_access_matrix():
    missing = {}
    for key, _name, route in url_patterns():
        if key not in MATRIX:
            missing.setdefault(key, route)
    lines = [f'    "{key}": E("... 8 codes ..."),  # /{route}' for key, route in sorted(missing.items())]
    assert not missing, (
        f"{len(missing)} URL pattern(s) are not classified in tests/access_matrix.py (CJIS AC-6): say what each "
        f"role gets, in the order {' '.join(ROLES)}:\n" + "\n".join(lines)
    )


def test_the_matrix_lists_no_pattern_that_is_gone():
    live = {key for key, _name, _route in url_patterns()}
    stale = sorted(set(MATRIX) - live)
    assert not stale, f"tests/access_matrix.py lists patterns that no longer exist: {stale}"


def _url(key: str, name: str | None, entry, objects: dict) -> str:
    def value(ref):
        ref = str(ref)
        return ref[1:] if ref.startswith("=") else objects[ref]

    if entry.url:
        return entry.url.format(**objects)
    return reverse(name, kwargs={k: value(v) for k, v in entry.kwargs.items()} or None)


@pytest.mark.django_db
def test_each_role_gets_what_the_access_matrix_says(
    le_lead, program_manager, officer, second_officer, social_worker, administrator, custodian
):
    world = build_world(
        le_lead=le_lead,
        officer=officer,
        second_officer=second_officer,
        social_worker=social_worker,
        administrator=administrator,
        program_manager=program_manager,
        custodian=custodian,
    )
    users = {
        "le_lead": le_lead,
        "program_manager": program_manager,
        "officer_on_team": officer,
        "officer_not_on_team": second_officer,
        "social_worker": social_worker,
        "administrator": administrator,
        "custodian": custodian,
        "anonymous": None,
    }
    clients = {}
    for role, user in users.items():
        clients[role] = verified_client()
        if user is not None:
            clients[role].force_login(user)

    names = {}
    for key, name, _route in url_patterns():
        names.setdefault(key, name)
    wrong = []
    for key, entry in MATRIX.items():
        if key not in names:
            continue  # reported by test_the_matrix_lists_no_pattern_that_is_gone
        for kind, expected in entry.per_kind().items():
            url = _url(key, names[key], entry, world[kind])
            for role, code in expected.items():
                if code == "-":
                    continue
                response = getattr(clients[role], entry.method)(url, entry.data)
                if str(response.status_code) != code:
                    wrong.append(f"{key} [{kind}] {role}: expected {code}, got {response.status_code} ({url})")
    assert not wrong, f"{len(wrong)} answer(s) differ from tests/access_matrix.py:\n" + "\n".join(wrong)
