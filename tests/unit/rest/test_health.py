"""``/healthz`` answers 200 while the database answers, 503 problem otherwise; a success is remembered for
``health_cache_seconds`` (1 s by default), a failure never."""

from __future__ import annotations

import httpx

from entrypoints.rest.app import create_app


async def test_healthy_then_unhealthy_once_the_remembered_answer_is_too_old(client, container, clock):
    database = container.adapters.database()
    ok = await client.get("/healthz")
    assert ok.status_code == 200 and ok.json() == {"status": "ok"}
    assert ok.headers["cache-control"] == "no-store"
    database.up = False
    clock.advance(seconds=0.5)
    assert (await client.get("/healthz")).status_code == 200   # the ping of half a second ago
    clock.advance(seconds=0.6)
    down = await client.get("/healthz")
    assert down.status_code == 503
    assert down.headers["content-type"] == "application/problem+json"
    assert down.json()["code"] == "service_unavailable"
    database.up = True
    assert (await client.get("/healthz")).status_code == 200   # a failure is not remembered


async def test_with_no_window_every_probe_pings(container):
    container.config.health_cache_seconds.from_value(0)   # read by the door when it is built
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(container)),
                                 base_url="http://charge.test") as fresh:
        assert (await fresh.get("/healthz")).status_code == 200
        container.adapters.database().up = False
        assert (await fresh.get("/healthz")).status_code == 503
