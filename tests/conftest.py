"""Fixtures of the project-wide tests: the access matrix's world of records, one for every test that asks."""

from __future__ import annotations

import pytest

from tests.access_matrix import build_world


@pytest.fixture
def world(le_lead, program_manager, officer, second_officer, social_worker, administrator, custodian):
    return build_world(
        le_lead=le_lead,
        officer=officer,
        second_officer=second_officer,
        social_worker=social_worker,
        administrator=administrator,
        program_manager=program_manager,
        custodian=custodian,
    )
