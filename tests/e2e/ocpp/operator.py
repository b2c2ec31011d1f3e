"""An operator on the REST API: an organization, an API key, a location, charge points and drivers."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from attrs import define


@define
class Operator:
    http: httpx.AsyncClient
    headers: dict[str, str]
    ocpp_url: str
    location_id: str = ""
    suffix: str = ""            # the server is shared: identities and tags carry the organization's suffix
    organization_id: str = ""

    @classmethod
    async def sign_up(cls, http: httpx.AsyncClient, ocpp_url: str, role: str = "member") -> Operator:
        """A new user, organization, API key of ``role`` and location (done once per server: see conftest)."""
        email = f"ops-{secrets.token_hex(4)}@voltline.example"
        signed = await http.post("/auth/signup", json={"email": email, "password": "correct horse", "name": "Ops"})
        assert signed.status_code == 201, signed.text
        token = (await http.post("/auth/token", json={"email": email, "password": "correct horse"})).json()
        user = {"Authorization": f"Bearer {token['access_token']}"}
        org = await http.post("/organizations", headers=user,
                              json={"name": "Voltline", "country": "GB", "contact_email": email})
        key = await http.post(f"/organizations/{org.json()['id']}/api-keys", headers=user,
                              json={"name": "ocpp-e2e", "role": role})
        operator = cls(http, {"Authorization": f"Bearer {key.json()['key']}"}, ocpp_url,
                       suffix=secrets.token_hex(3).upper(), organization_id=org.json()["id"])
        location = await operator.post("/locations", {"name": "Depot", "address": "1 Quay Street", "city": "Bristol",
                                                      "country": "GB", "timezone": "Europe/London"})
        operator.location_id = location["id"]
        return operator

    async def request(self, method: str, path: str, body: Any = None, expect: int | None = None) -> httpx.Response:
        response = await self.http.request(method, path, headers=self.headers, json=body)
        if expect is not None:
            assert response.status_code == expect, (method, path, response.status_code, response.text)
        return response

    async def post(self, path: str, body: Any) -> Any:
        response = await self.request("POST", path, body)
        assert response.status_code in (200, 201), (path, response.status_code, response.text)
        return response.json() if response.content else None

    async def get(self, path: str, **params: Any) -> Any:
        response = await self.http.get(path, headers=self.headers, params=params)
        assert response.status_code == 200, (path, response.status_code, response.text)
        return response.json()

    def id(self, name: str) -> str:
        """A charge point identity or id tag unique to this test (``CP`` → ``CP-3FA9C2``)."""
        return f"{name}-{self.suffix}"

    def for_test(self, http: httpx.AsyncClient) -> Operator:
        """The same organization on another client (of the test's event loop), with a suffix of its own."""
        return Operator(http, self.headers, self.ocpp_url, self.location_id, secrets.token_hex(3).upper(),
                        self.organization_id)

    async def charge_point(self, name: str, password: str | None = None, **extra: Any) -> dict[str, Any]:
        body = {"id": self.id(name), "location_id": self.location_id, **extra}
        if password is not None:
            body["ocpp_password"] = password
        return await self.post("/charge-points", body)

    async def driver(self, name: str, *id_tags: str) -> dict[str, Any]:
        """A driver whose tags are made unique to this test (``operator.id(tag)``)."""
        return await self.post("/drivers", {"name": name, "id_tags": [self.id(t) for t in id_tags]})

    async def eventually(self, read: Callable[[], Awaitable[Any]], holds: Callable[[Any], bool],
                         seconds: float = 5.0) -> Any:
        """What ``read`` returns once ``holds`` (the server records a disconnection after the socket closes)."""
        deadline = time.monotonic() + seconds
        while True:
            value = await read()
            if holds(value) or time.monotonic() > deadline:
                assert holds(value), value
                return value
            await asyncio.sleep(0.02)
