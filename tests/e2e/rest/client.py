"""A thin REST client for tests (ASGI in unit tests, a real socket end to end): users, organizations, members."""

from __future__ import annotations

import itertools
import re
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Api:
    """Calls under ``/api/v1`` on any httpx client (ASGI in unit tests, a real socket end to end)."""

    def __init__(self, client: httpx.AsyncClient, invitation_token: Callable[[str], Awaitable[str]],
                 prefix: str = "/api/v1") -> None:
        self.client = client
        self.invitation_token = invitation_token  # the token mailed to an email (how depends on the test)
        self.prefix = prefix

    async def request(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if token is not None:
            headers.update(bearer(token))
        return await self.client.request(method, self.prefix + path, headers=headers, **kwargs)

    async def get(self, path: str, token: str | None = None, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", path, token, **kwargs)

    async def post(self, path: str, token: str | None = None, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", path, token, **kwargs)

    async def put(self, path: str, token: str | None = None, **kwargs: Any) -> httpx.Response:
        return await self.request("PUT", path, token, **kwargs)

    async def delete(self, path: str, token: str | None = None, **kwargs: Any) -> httpx.Response:
        return await self.request("DELETE", path, token, **kwargs)

    async def user(self, name: str = "Ada") -> tuple[str, str, str]:
        """A new signed-in user: (user id, email, access token)."""
        email = f"{re.sub(r'[^a-z0-9]+', '.', name.lower())}.{next(_counter)}@example.com"
        signed = await self.post("/auth/signup", json={"email": email, "password": PASSWORD, "name": name})
        assert signed.status_code == 201, signed.text
        issued = await self.post("/auth/token", json={"email": email, "password": PASSWORD})
        assert issued.status_code == 200, issued.text
        return signed.json()["id"], email, issued.json()["access_token"]

    async def organization(self, token: str, name: str = "Volt Fleet") -> str:
        created = await self.post("/organizations", token,
                                  json={"name": name, "country": "GB", "contact_email": "ops@volt.example"})
        assert created.status_code == 201, created.text
        return str(created.json()["id"])

    async def member(self, admin_token: str, org_id: str, role: str, name: str = "Grace") -> tuple[str, str]:
        """A new user who joined ``org_id`` with ``role`` by invitation: (user id, access token)."""
        user_id, email, token = await self.user(name)
        invited = await self.post(f"/organizations/{org_id}/invitations", admin_token,
                                  json={"email": email, "role": role})
        assert invited.status_code == 201, invited.text
        invitation_token = await self.invitation_token(email)
        accepted = await self.post("/organizations/invitations/accept", token, json={"token": invitation_token})
        assert accepted.status_code == 200, accepted.text
        return user_id, token


def invitation_token_in(messages: list[Any], email: str) -> str:
    for message in reversed(messages):
        if message.to == email:
            match = re.search(r"Invitation token: (\S+)", message.text)
            assert match, message.text
            return match.group(1)
    raise AssertionError(f"no invitation mailed to {email}")
