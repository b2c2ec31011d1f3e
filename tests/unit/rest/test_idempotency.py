"""``Idempotency-Key`` on creating POSTs: replayed byte for byte, scoped to the caller, bound to the body."""

from __future__ import annotations

import pytest
from dependency_injector import providers

from adapters.memory import InMemoryIdempotencyStore

ORG = {"name": "Volt Fleet", "country": "GB", "contact_email": "ops@volt.example"}


async def test_a_repeated_key_replays_the_first_response(api):
    _, _, token = await api.user()
    headers = {"Idempotency-Key": "create-org-1"}
    first = await api.post("/organizations", token, json=ORG, headers=headers)
    again = await api.post("/organizations", token, json=ORG, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true" and "idempotent-replayed" not in first.headers
    listed = (await api.get("/organizations", token)).json()["data"]
    assert [o["id"] for o in listed] == [first.json()["id"]]


async def test_the_same_key_with_another_body_is_a_409(api):
    _, _, token = await api.user()
    headers = {"Idempotency-Key": "k"}
    await api.post("/organizations", token, json=ORG, headers=headers)
    other = await api.post("/organizations", token, json=ORG | {"name": "Other"}, headers=headers)
    assert other.status_code == 409 and other.json()["code"] == "idempotency_conflict"


async def test_keys_are_scoped_to_the_caller_and_the_path(api):
    _, _, ada = await api.user("Ada")
    _, _, bob = await api.user("Bob")
    headers = {"Idempotency-Key": "shared"}
    first = await api.post("/organizations", ada, json=ORG, headers=headers)
    second = await api.post("/organizations", bob, json=ORG, headers=headers)
    assert second.status_code == 201 and second.json()["id"] != first.json()["id"]
    key = await api.post(f"/organizations/{first.json()['id']}/api-keys", ada, json={"name": "x", "role": "viewer"},
                         headers=headers)
    assert key.status_code == 201


async def test_client_errors_are_kept_and_replayed_too(api):
    _, _, token = await api.user()
    headers = {"Idempotency-Key": "bad-country"}
    body = ORG | {"country": "XX"}
    first = await api.post("/organizations", token, json=body, headers=headers)
    again = await api.post("/organizations", token, json=body, headers=headers)
    assert first.status_code == again.status_code == 422 and again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"


async def test_a_failed_request_releases_its_key(api, container, caplog):
    _, _, token = await api.user()
    store = InMemoryIdempotencyStore()
    container.adapters.idempotency.override(providers.Object(store))
    container.use_cases.create_organization.override(providers.Callable(_crash))
    try:
        failed = await api.post("/organizations", token, json=ORG, headers={"Idempotency-Key": "retry-me"})
    finally:
        container.use_cases.create_organization.reset_override()
    assert failed.status_code == 500
    retried = await api.post("/organizations", token, json=ORG, headers={"Idempotency-Key": "retry-me"})
    assert retried.status_code == 201 and "idempotent-replayed" not in retried.headers


async def _crash(*args: object, **kwargs: object) -> None:
    raise RuntimeError("database went away")


@pytest.mark.parametrize("key", ["", "x" * 256, "na\xefve".encode("latin-1"), "tab\there"])
async def test_bad_keys_are_422(api, key):
    _, _, token = await api.user()
    response = await api.post("/organizations", token, json=ORG, headers={"Idempotency-Key": key})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["Idempotency-Key"]


async def test_signup_is_idempotent_too(api):
    body = {"email": "idem@example.com", "password": "correct horse", "name": "Idem"}
    first = await api.post("/auth/signup", json=body, headers={"Idempotency-Key": "signup-1"})
    again = await api.post("/auth/signup", json=body, headers={"Idempotency-Key": "signup-1"})
    assert first.status_code == again.status_code == 201 and again.content == first.content
    without = await api.post("/auth/signup", json=body)
    assert without.status_code == 409
