"""Edge-case bodies against a real server and database: what may be stored must never become a 500.

Values at their maximum length and in non-ASCII Unicode reach the database here (a column too
narrow, a driver that mangles text would show), in bodies and in query filters. Everything the edge or the domain
rejects is covered on the in-memory app (tests/unit/rest/test_bad_input.py); a few of those are kept here
to see them through a real socket.
"""

from __future__ import annotations

import pytest

from tests.e2e.rest.bad_inputs import BODY_ENDPOINTS, QUERY_ENDPOINTS, Case, attack, attack_query


class _Everyone(set):
    """Every charge point is online: valid commands get an answer rather than 409 unavailable."""

    def __contains__(self, item: object) -> bool:
        return True


OVER_THE_WIRE = {"truncated JSON", "a JSON array", "oversize body", "form encoded"}


def _selected(case: Case) -> bool:
    return case.may_succeed or case.label in OVER_THE_WIRE


@pytest.mark.parametrize("operation_id", sorted(BODY_ENDPOINTS))
async def test_bad_bodies_are_4xx_problems(api, charge_points, sessions, operation_id):
    charge_points.online = _Everyone()
    try:
        failures = await attack(api, operation_id, _selected, sessions=sessions)
    finally:
        charge_points.online = set()
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("operation_id", sorted(QUERY_ENDPOINTS))
async def test_bad_query_strings_are_422(api, operation_id):
    failures = await attack_query(api, operation_id)
    assert not failures, "\n".join(failures)
