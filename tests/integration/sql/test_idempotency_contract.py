"""The idempotency-store contract, run against the in-memory store, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from application.ports import IdempotencyStore
from application.ports.idempotency import StoredResponse
from domain.errors import Conflict
from tests.integration.sql.builders import NOW

SCOPE = "POST /api/v1/organizations usr_01ARZ3NDEKTSV4RRFFQ69G5FAV"
RESPONSE = StoredResponse(status=201, body=b'{"id": "org_1"}\x00\xff', content_type="application/json")


async def test_the_first_request_proceeds(idempotency_store: IdempotencyStore) -> None:
    assert await idempotency_store.begin(SCOPE, "k1", "fp-a", NOW) is None


async def test_a_completed_request_is_replayed(idempotency_store: IdempotencyStore) -> None:
    await idempotency_store.begin(SCOPE, "k1", "fp-a", NOW)
    await idempotency_store.complete(SCOPE, "k1", RESPONSE)
    assert await idempotency_store.begin(SCOPE, "k1", "fp-a", NOW) == RESPONSE
    assert await idempotency_store.begin(SCOPE, "k1", "fp-a", NOW + timedelta(hours=1)) == RESPONSE


async def test_another_request_with_the_key_is_a_conflict(idempotency_store: IdempotencyStore) -> None:
    await idempotency_store.begin(SCOPE, "k1", "fp-a", NOW)
    with pytest.raises(Conflict, match="different request"):
        await idempotency_store.begin(SCOPE, "k1", "fp-b", NOW)
    await idempotency_store.complete(SCOPE, "k1", RESPONSE)
    with pytest.raises(Conflict, match="different request"):
        await idempotency_store.begin(SCOPE, "k1", "fp-b", NOW)


async def test_a_request_in_flight_is_a_conflict(idempotency_store: IdempotencyStore) -> None:
    await idempotency_store.begin(SCOPE, "k1", "fp-a", NOW)
    with pytest.raises(Conflict, match="in progress"):
        await idempotency_store.begin(SCOPE, "k1", "fp-a", NOW)


async def test_release_lets_the_client_retry(idempotency_store: IdempotencyStore) -> None:
    await idempotency_store.begin(SCOPE, "k1", "fp-a", NOW)
    await idempotency_store.release(SCOPE, "k1")
    assert await idempotency_store.begin(SCOPE, "k1", "fp-b", NOW) is None
    await idempotency_store.release(SCOPE, "never-used")  # nothing to forget: no error


async def test_keys_are_scoped(idempotency_store: IdempotencyStore) -> None:
    await idempotency_store.begin(SCOPE, "k1", "fp-a", NOW)
    assert await idempotency_store.begin("POST /api/v1/other", "k1", "fp-b", NOW) is None
    assert await idempotency_store.begin(SCOPE, "k2", "fp-b", NOW) is None


async def test_completing_an_unknown_key_is_an_error(idempotency_store: IdempotencyStore) -> None:
    with pytest.raises(KeyError):
        await idempotency_store.complete(SCOPE, "never-begun", RESPONSE)
