"""``Idempotency-Key`` against the SQL store: replays, 409 on another body, and at most one effect under races."""

from __future__ import annotations

import asyncio
import uuid

ORG = {"name": "Idempotent Ltd", "country": "NL", "contact_email": "ops@idem.example"}


async def test_replay_and_conflict_on_every_creating_post(api):
    _, _, token = await api.user()
    org_id = await api.organization(token)
    _, invitee_email, _ = await api.user("Invitee")
    posts = [
        ("/organizations", ORG, {"name": "Other"}),
        (f"/organizations/{org_id}/invitations", {"email": invitee_email, "role": "viewer"}, {"role": "member"}),
    ]
    for path, body, change in posts:
        key = {"Idempotency-Key": str(uuid.uuid4())}
        first = await api.post(path, token, json=body, headers=key)
        again = await api.post(path, token, json=body, headers=key)
        assert first.status_code == 201, first.text
        assert again.status_code == 201 and again.content == first.content, path
        assert again.headers["idempotent-replayed"] == "true"
        other = await api.post(path, token, json=body | change, headers=key)
        assert other.status_code == 409 and other.json()["code"] == "idempotency_conflict", path


async def test_an_api_key_secret_is_never_stored_for_replay(api):
    _, _, token = await api.user()
    org_id = await api.organization(token)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    path, body = f"/organizations/{org_id}/api-keys", {"name": "once", "role": "viewer"}
    first = await api.post(path, token, json=body, headers=key)
    assert first.status_code == 201, first.text
    again = await api.post(path, token, json=body, headers=key)
    assert again.status_code == 409 and again.json()["code"] == "secret_not_replayed"
    assert first.json()["id"] in again.json()["detail"] and first.json()["key"] not in again.text
    other = await api.post(path, token, json=body | {"name": "twice"}, headers=key)
    assert other.status_code == 409 and other.json()["code"] == "idempotency_conflict"
    keys = (await api.get(path, token)).json()["data"]
    assert [k["name"] for k in keys] == ["once"]


async def test_concurrent_duplicates_create_one_organization(api):
    _, _, token = await api.user()
    key = {"Idempotency-Key": str(uuid.uuid4())}
    responses = await asyncio.gather(*(api.post("/organizations", token, json=ORG, headers=key) for _ in range(5)))
    statuses = sorted(r.status_code for r in responses)
    assert set(statuses) <= {201, 409} and statuses[0] == 201, [r.text for r in responses]
    created = {r.json()["id"] for r in responses if r.status_code == 201}
    assert len(created) == 1
    listed = (await api.get("/organizations", token)).json()["data"]
    assert [o["id"] for o in listed] == list(created)
