"""Operator endpoints outside /organizations act in the API key's organization, or in the one a user
names with X-Organization-Id; naming an organization the caller does not belong to is a 404."""

from __future__ import annotations

import pytest

from tests.e2e.rest.network import LOCATION

ORG_HEADER = "X-Organization-Id"


@pytest.mark.parametrize(("method", "path"), [("GET", "/locations"), ("POST", "/locations"),
                                              ("GET", "/sessions"), ("GET", "/charge-points/CP-1")])
async def test_a_user_token_must_name_the_organization(api, method, path):
    _, _, token = await api.user()
    await api.organization(token)
    response = await api.request(method, path, token, json=LOCATION if method == "POST" else None)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [ORG_HEADER]


async def test_a_user_acts_in_each_organization_it_names(api):
    _, _, token = await api.user()
    first, second = await api.organization(token, "First"), await api.organization(token, "Second")
    created = await api.post("/locations", token, headers={ORG_HEADER: first}, json=LOCATION)
    assert created.status_code == 201
    in_first = (await api.get("/locations", token, headers={ORG_HEADER: first})).json()["data"]
    in_second = (await api.get("/locations", token, headers={ORG_HEADER: second})).json()["data"]
    assert [x["id"] for x in in_first] == [created.json()["id"]] and in_second == []
    other = await api.get(f"/locations/{created.json()['id']}", token, headers={ORG_HEADER: second})
    assert other.status_code == 404


@pytest.mark.parametrize("header", ["org_01JD0000000000000000000000", "not-an-org", "usr_01JD0000000000000000000000",
                                    "x" * 5000])
async def test_an_organization_the_user_does_not_belong_to_is_404(api, header):
    _, _, token = await api.user()
    await api.organization(token)
    response = await api.get("/locations", token, headers={ORG_HEADER: header})
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert "xxxxx" not in response.text and "not-an-org" not in response.text


async def test_a_stranger_naming_another_organization_is_404(api):
    _, _, owner = await api.user("Owner")
    theirs = await api.organization(owner, "Theirs")
    _, _, stranger = await api.user("Stranger")
    await api.organization(stranger, "Mine")
    for method in ("GET", "POST"):
        response = await api.request(method, "/locations", stranger, headers={ORG_HEADER: theirs},
                                     json=LOCATION if method == "POST" else None)
        assert response.status_code == 404 and "Theirs" not in response.text


async def test_an_api_key_acts_in_its_own_organization(api):
    _, _, token = await api.user()
    org_id = await api.organization(token)
    other_org = await api.organization(token, "Other")
    key = (await api.post(f"/organizations/{org_id}/api-keys", token, json={"name": "k", "role": "member"})).json()
    created = await api.post("/locations", key["key"], json=LOCATION)
    assert created.status_code == 201
    mine = await api.get("/locations", token, headers={ORG_HEADER: org_id})
    assert [x["id"] for x in mine.json()["data"]] == [created.json()["id"]]
    same = await api.get("/locations", key["key"], headers={ORG_HEADER: org_id})
    assert same.status_code == 200 and len(same.json()["data"]) == 1
    # The key knows no other organization, even one its creator administers.
    elsewhere = await api.get("/locations", key["key"], headers={ORG_HEADER: other_org})
    assert elsewhere.status_code == 404


async def test_idempotency_keys_are_scoped_to_the_organization_too(api):
    _, _, token = await api.user()
    first, second = await api.organization(token, "First"), await api.organization(token, "Second")
    headers = {"Idempotency-Key": "same-key"}
    a = await api.post("/locations", token, headers=headers | {ORG_HEADER: first}, json=LOCATION)
    b = await api.post("/locations", token, headers=headers | {ORG_HEADER: second}, json=LOCATION)
    assert a.status_code == b.status_code == 201 and a.json()["id"] != b.json()["id"]
    assert "idempotent-replayed" not in b.headers
    again = await api.post("/locations", token, headers=headers | {ORG_HEADER: first}, json=LOCATION)
    assert again.headers["idempotent-replayed"] == "true" and again.content == a.content
