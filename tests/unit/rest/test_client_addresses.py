"""X-Forwarded-For names the client only when the peer is a trusted proxy (CHARGE_TRUSTED_PROXIES)."""

from __future__ import annotations

import json
import logging

import httpx
import pytest

from entrypoints.config import Settings
from entrypoints.logs import JsonFormatter
from entrypoints.rest.app import create_app
from entrypoints.rest.clients import ClientAddresses, parse_trusted
from tests.e2e.rest.client import PASSWORD
from tests.unit.rest.conftest import build_container

PROXY = "10.0.0.5"
STRANGER = "203.0.113.9"


def _scope(peer: str, *forwarded: str) -> dict:
    return {"type": "http", "client": (peer, 5000), "headers": [(b"x-forwarded-for", f.encode()) for f in forwarded]}


def test_the_header_is_ignored_unless_the_peer_is_trusted():
    assert ClientAddresses().of_scope(_scope(STRANGER, "198.51.100.1")) == STRANGER  # default: trust nobody
    clients = ClientAddresses(parse_trusted("10.0.0.0/8, 192.0.2.1"))
    assert clients.of_scope(_scope(STRANGER, "198.51.100.1")) == STRANGER
    assert clients.of_scope(_scope(PROXY, "198.51.100.1")) == "198.51.100.1"
    assert clients.of_scope(_scope("192.0.2.1", "198.51.100.1")) == "198.51.100.1"


def test_the_client_is_the_first_untrusted_hop_from_the_right():
    clients = ClientAddresses(parse_trusted("10.0.0.0/8"))
    # The client wrote the leftmost entry itself; each trusted proxy appended what it saw.
    assert clients.of_scope(_scope(PROXY, "1.1.1.1, 198.51.100.1, 10.0.0.7")) == "198.51.100.1"
    assert clients.of_scope(_scope(PROXY, "1.1.1.1", "198.51.100.1")) == "198.51.100.1"
    assert clients.of_scope(_scope(PROXY, "10.0.0.8, 10.0.0.7")) == "10.0.0.8"
    assert clients.of_scope(_scope(PROXY)) == PROXY
    assert clients.of_scope(_scope(PROXY, "not-an-address")) == PROXY


def test_a_bad_setting_is_refused():
    with pytest.raises(ValueError, match="CHARGE_TRUSTED_PROXIES"):
        parse_trusted("10.0.0.0/8, proxy.example")
    assert parse_trusted("") == ()
    with pytest.raises(SystemExit, match=r"proxy\.example"):  # at start-up, in one line
        Settings.from_env({"CHARGE_TRUSTED_PROXIES": "10.0.0.0/8, proxy.example"})
    assert Settings.from_env({"CHARGE_TRUSTED_PROXIES": "10.0.0.0/8, ::1"}).trusted_proxies == "10.0.0.0/8, ::1"


async def _sign_in_failures(trusted: str, peer: str, forwarded: list[str]) -> list[int]:
    """Failed sign-ins, each from the next forwarded address, with the per-address throttle at 2."""
    container = build_container(trusted_proxies=trusted, login_max_failures_per_address=2,
                                login_max_failures_per_email=100)
    transport = httpx.ASGITransport(app=create_app(container), client=(peer, 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        statuses = []
        for i, address in enumerate(forwarded):
            response = await client.post("/api/v1/auth/token", headers={"X-Forwarded-For": address},
                                         json={"email": f"nobody{i}@example.com", "password": PASSWORD})
            statuses.append(response.status_code)
    return statuses


async def test_the_login_throttle_counts_the_forwarded_client_behind_a_trusted_proxy():
    # Behind the proxy, three clients fail once each: none of them is throttled.
    assert await _sign_in_failures("10.0.0.0/8", PROXY, ["198.51.100.1", "198.51.100.2", "198.51.100.3"]) == [
        401, 401, 401]


async def test_a_stranger_cannot_escape_the_login_throttle_by_forging_the_header():
    statuses = await _sign_in_failures("10.0.0.0/8", STRANGER, ["198.51.100.1", "198.51.100.2", "198.51.100.3"])
    assert statuses[:2] == [401, 401] and statuses[2] == 429


async def _signup_twice(trusted: str, peer: str) -> httpx.Response:
    container = build_container(trusted_proxies=trusted)
    transport = httpx.ASGITransport(app=create_app(container), client=(peer, 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        body = {"email": "same@example.com", "password": PASSWORD, "name": "Same"}
        first = await client.post("/api/v1/auth/signup", json=body,
                                  headers={"Idempotency-Key": "k1", "X-Forwarded-For": "198.51.100.1"})
        assert first.status_code == 201
        return await client.post("/api/v1/auth/signup", json=body,
                                 headers={"Idempotency-Key": "k1", "X-Forwarded-For": "198.51.100.2"})


async def test_anonymous_idempotency_keys_are_scoped_by_the_resolved_client():
    # Behind a trusted proxy, two clients' keys are apart: the second is a new sign-up (a duplicate email).
    apart = await _signup_twice("10.0.0.0/8", PROXY)
    assert apart.status_code == 409 and "idempotent-replayed" not in apart.headers
    # From an untrusted peer the header means nothing: the same caller repeats its key and gets the replay.
    same = await _signup_twice("10.0.0.0/8", STRANGER)
    assert same.status_code == 201 and same.headers["idempotent-replayed"] == "true"


async def test_each_request_leaves_one_access_line_without_query_or_secrets(caplog):
    container = build_container(trusted_proxies="10.0.0.0/8")
    transport = httpx.ASGITransport(app=create_app(container), client=(PROXY, 5000))
    with caplog.at_level(logging.INFO, logger="charge.access"):
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            await client.post("/api/v1/auth/token", json={"email": "a@example.com", "password": "hunter2-secret"},
                              headers={"X-Forwarded-For": "198.51.100.1"})
            await client.get("/api/v1/me?cursor=c2VjcmV0LXRva2Vu", headers={"Authorization": "Bearer cat_secret"})
    lines = [r for r in caplog.records if r.name == "charge.access"]
    assert [(r.method, r.path, r.status, r.client) for r in lines] == [
        ("POST", "/api/v1/auth/token", 401, "198.51.100.1"), ("GET", "/api/v1/me", 401, PROXY)]
    assert all(isinstance(r.duration_ms, float) and r.duration_ms >= 0 for r in lines)
    for record in lines:
        text = record.getMessage() + repr(vars(record))
        assert "hunter2" not in text and "cat_secret" not in text and "c2VjcmV0" not in text
    line = json.loads(JsonFormatter().format(lines[1]))  # the server's JSON log format: one object per line
    assert {k: line[k] for k in ("logger", "method", "path", "status", "client")} == {
        "logger": "charge.access", "method": "GET", "path": "/api/v1/me", "status": 401, "client": PROXY}


async def test_an_answered_health_probe_leaves_no_access_line_and_a_failed_one_does(caplog):
    container = build_container()
    transport = httpx.ASGITransport(app=create_app(container))
    with caplog.at_level(logging.INFO, logger="charge.access"):
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            assert (await client.get("/healthz")).status_code == 200
            container.adapters.database().up = False
            container.config.health_cache_seconds.from_value(0)
            fresh = httpx.ASGITransport(app=create_app(container))
            async with httpx.AsyncClient(transport=fresh, base_url="http://t") as again:
                assert (await again.get("/healthz")).status_code == 503
            assert (await client.get("/openapi.json")).status_code == 200
    lines = [(r.path, r.status) for r in caplog.records if r.name == "charge.access"]
    assert lines == [("/healthz", 503), ("/openapi.json", 200)]
