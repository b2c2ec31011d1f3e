"""Bearer authentication at the door: a missing or bad credential is a 401 with a Bearer challenge."""

from __future__ import annotations

import pytest

from tests.e2e.rest.client import PASSWORD


@pytest.mark.parametrize(("headers", "error"), [
    ({}, None),
    ({"Authorization": "Basic YTpi"}, "invalid_request"),
    ({"Authorization": "Bearer"}, "invalid_request"),
    ({"Authorization": "Bearer cat_unknown"}, "invalid_token"),
    ({"Authorization": "Bearer ck_unknown"}, "invalid_token"),
    ({"Authorization": "Bearer " + "x" * 5000}, "invalid_token"),
])
async def test_missing_or_bad_credentials_are_401_with_a_challenge(client, headers, error):
    response = await client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith('Bearer realm="charge"')
    assert (f'error="{error}"' in challenge) if error else ("error=" not in challenge)


async def test_the_scheme_is_case_insensitive(api):
    _, _, token = await api.user()
    response = await api.client.get("/api/v1/me", headers={"Authorization": f"bearer {token}"})
    assert response.status_code == 200


async def test_sign_in_failures_are_401_then_throttled_with_retry_after(api):
    _, email, _ = await api.user()
    for _ in range(5):
        wrong = await api.post("/auth/token", json={"email": email, "password": "wrong password"})
        assert wrong.status_code == 401
    throttled = await api.post("/auth/token", json={"email": email, "password": PASSWORD})
    assert throttled.status_code == 429 and throttled.json()["code"] == "rate_limited"
    assert int(throttled.headers["retry-after"]) > 0


async def test_tokens_are_not_cached(api):
    _, email, _ = await api.user()
    issued = await api.post("/auth/token", json={"email": email, "password": PASSWORD})
    assert issued.headers["cache-control"] == "no-store"
    assert issued.json()["token_type"] == "bearer" and issued.json()["expires_in"] > 0


async def test_me_for_a_user_and_for_an_api_key(api):
    user_id, email, token = await api.user("Ada")
    me = await api.get("/me", token)
    assert me.json() == {"id": user_id, "email": email, "name": "Ada", "type": "user"}
    org_id = await api.organization(token)
    key = (await api.post(f"/organizations/{org_id}/api-keys", token, json={"name": "ci", "role": "viewer"})).json()
    me = await api.get("/me", key["key"])
    assert me.json() == {"id": key["id"], "name": "ci", "role": "viewer", "organization_id": org_id,
                         "type": "api_key"}
