"""Sign up, get a token, ask who I am — through a real server and socket."""

from __future__ import annotations

import re

from tests.e2e.rest.client import PASSWORD

# RFC 3339: an offset or Z (UTC); never a naive time.
OFFSET = re.compile(r"(Z|(\+|-)\d\d:\d\d)$")


async def test_signup_token_me(api):
    signed = await api.post("/auth/signup", json={"email": "Lin@Example.com", "password": PASSWORD, "name": "Lin"})
    assert signed.status_code == 201
    assert signed.headers["content-type"] == "application/json"
    user = signed.json()
    assert set(user) == {"id", "email", "name"} and user["id"].startswith("usr_")
    assert user["email"] == "lin@example.com"

    issued = await api.post("/auth/token", json={"email": "lin@example.com", "password": PASSWORD})
    assert issued.status_code == 200
    token = issued.json()
    assert token["token_type"] == "bearer" and token["expires_in"] > 0 and token["access_token"]

    me = await api.get("/me", token["access_token"])
    assert me.json() == {"id": user["id"], "email": "lin@example.com", "name": "Lin", "type": "user"}


async def test_duplicate_signup_and_wrong_password(api):
    _, email, _ = await api.user()
    again = await api.post("/auth/signup", json={"email": email, "password": PASSWORD, "name": "Again"})
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    wrong = await api.post("/auth/token", json={"email": email, "password": "not the password"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"].startswith("Bearer")
    anonymous = await api.get("/me")
    assert anonymous.status_code == 401 and anonymous.headers["content-type"] == "application/problem+json"


async def test_health_and_openapi(api):
    health = await api.client.get("/healthz")
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    document = await api.client.get("/openapi.json")
    assert document.status_code == 200 and document.json()["openapi"].startswith("3.1")
    assert "/api/v1/organizations/{org_id}/settings" in document.json()["paths"]


async def test_timestamps_carry_an_offset(api):
    _, _, token = await api.user()
    org = (await api.post("/organizations", token,
                          json={"name": "Tz", "country": "DE", "contact_email": "tz@example.com"})).json()
    assert OFFSET.search(org["created_at"]) and OFFSET.search(org["updated_at"])
