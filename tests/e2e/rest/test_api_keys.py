"""API keys: the secret is shown once, lists never show it, a revoked key stops working at once."""

from __future__ import annotations


async def test_create_use_list_revoke(api):
    _, _, admin = await api.user()
    org_id = await api.organization(admin)
    created = await api.post(f"/organizations/{org_id}/api-keys", admin, json={"name": "billing", "role": "member"})
    assert created.status_code == 201 and created.headers["cache-control"] == "no-store"
    key = created.json()
    assert set(key) == {"id", "name", "role", "key", "created_at"} and key["key"].startswith("ck_")

    assert (await api.get(f"/organizations/{org_id}", key["key"])).status_code == 200
    listed = (await api.get(f"/organizations/{org_id}/api-keys", admin)).json()
    assert len(listed["data"]) == 1
    entry = listed["data"][0]
    assert set(entry) == {"id", "name", "role", "prefix", "created_at", "revoked_at"}
    assert entry["revoked_at"] is None and key["key"].startswith(entry["prefix"])
    assert key["key"] not in str(listed)

    revoked = await api.delete(f"/organizations/{org_id}/api-keys/{key['id']}", admin)
    assert revoked.status_code == 204
    refused = await api.get(f"/organizations/{org_id}", key["key"])
    assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Bearer")
    listed = (await api.get(f"/organizations/{org_id}/api-keys", admin)).json()
    assert listed["data"][0]["revoked_at"] is not None
    assert (await api.delete(f"/organizations/{org_id}/api-keys/{key['id']}", admin)).status_code == 204


async def test_an_admin_key_manages_keys_but_is_bound_to_its_organization(api):
    _, _, admin = await api.user()
    org_id = await api.organization(admin)
    other_org = await api.organization(admin, "Other")
    key = (await api.post(f"/organizations/{org_id}/api-keys", admin, json={"name": "ops", "role": "admin"})).json()
    made = await api.post(f"/organizations/{org_id}/api-keys", key["key"], json={"name": "child", "role": "viewer"})
    assert made.status_code == 201
    assert (await api.get(f"/organizations/{other_org}", key["key"])).status_code == 404
    me = (await api.get("/me", key["key"])).json()
    assert me == {"id": key["id"], "name": "ops", "role": "admin", "organization_id": org_id, "type": "api_key"}
