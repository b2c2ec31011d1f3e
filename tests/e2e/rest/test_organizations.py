"""Organizations: create, get, replace, list mine (with my role)."""

from __future__ import annotations

ORG = {"name": "Volt Fleet", "country": "GB", "contact_email": "Ops@Volt.example"}


async def test_create_get_replace_list(api):
    _, _, token = await api.user()
    created = await api.post("/organizations", token, json=ORG)
    assert created.status_code == 201
    org = created.json()
    assert org["id"].startswith("org_") and org["name"] == "Volt Fleet" and org["country"] == "GB"
    assert org["contact_email"] == "ops@volt.example"

    fetched = await api.get(f"/organizations/{org['id']}", token)
    assert fetched.status_code == 200 and fetched.json() == org

    replaced = await api.put(f"/organizations/{org['id']}", token,
                             json={"name": "Volt Flöte 🚗 名前", "country": "DE", "contact_email": "de@volt.example"})
    assert replaced.status_code == 200
    assert replaced.json()["name"] == "Volt Flöte 🚗 名前" and replaced.json()["country"] == "DE"
    assert replaced.json()["updated_at"] >= org["updated_at"] and replaced.json()["created_at"] == org["created_at"]
    assert (await api.get(f"/organizations/{org['id']}", token)).json() == replaced.json()

    listed = await api.get("/organizations", token)
    assert listed.status_code == 200
    assert listed.json() == {"data": [replaced.json() | {"role": "admin"}], "has_more": False, "next_cursor": None}


async def test_put_replaces_every_field(api):
    _, _, token = await api.user()
    org_id = await api.organization(token)
    partial = await api.put(f"/organizations/{org_id}", token, json={"name": "Only the name"})
    assert partial.status_code == 422
    # The edge names the first missing field (msgspec stops there); the next one is named once it is sent.
    assert {e["field"] for e in partial.json()["errors"]} == {"country"}
    partial = await api.put(f"/organizations/{org_id}", token, json={"name": "Only the name", "country": "GB"})
    assert partial.status_code == 422 and {e["field"] for e in partial.json()["errors"]} == {"contact_email"}


async def test_an_api_key_lists_its_own_organization_and_cannot_create_one(api):
    _, _, token = await api.user()
    org_id = await api.organization(token)
    key = (await api.post(f"/organizations/{org_id}/api-keys", token, json={"name": "b", "role": "member"})).json()
    listed = (await api.get("/organizations", key["key"])).json()
    assert [(o["id"], o["role"]) for o in listed["data"]] == [(org_id, "member")]
    refused = await api.post("/organizations", key["key"], json=ORG)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
