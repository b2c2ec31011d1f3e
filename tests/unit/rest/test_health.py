"""``/healthz`` answers 200 while the database answers, 503 problem otherwise."""

from __future__ import annotations


async def test_healthy_then_unhealthy(client, container):
    ok = await client.get("/healthz")
    assert ok.status_code == 200 and ok.json() == {"status": "ok"}
    container.adapters.database().up = False
    down = await client.get("/healthz")
    assert down.status_code == 503
    assert down.headers["content-type"] == "application/problem+json"
    assert down.json()["code"] == "service_unavailable"
