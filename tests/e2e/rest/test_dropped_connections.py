"""PostgreSQL drops every connection (a restart, a failover, a proxy's idle timeout): the next requests
still succeed, without a ping before each checkout, because a request that meets a dead connection is
run once more on a new one, and writes that failed on it committed nothing."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy.engine import make_url

LOCATION = {"name": "Depot", "address": "1 Riverside Way", "city": "London", "country": "GB",
            "timezone": "Europe/London"}


async def _drop_every_connection(database_url: str) -> int:
    url = make_url(database_url)
    admin = await asyncpg.connect(user=url.username, host=url.host, port=url.port, database=url.database,
                                  password=url.password)
    try:
        return int(await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    finally:
        await admin.close()


@pytest.mark.postgres_only   # SQLite has no connections to drop
async def test_requests_after_the_database_dropped_every_connection_succeed_once_each(api, rest_database_url):
    assert rest_database_url.startswith("postgresql")
    _, _, admin = await api.user()
    org_id = await api.organization(admin)
    key = (await api.post(f"/organizations/{org_id}/api-keys", admin,
                          json={"name": "ops", "role": "admin"})).json()["key"]
    assert (await api.post("/locations", key, json=LOCATION)).status_code == 201   # a writer in the pool
    assert (await api.get("/locations", key)).status_code == 200                   # and a reader

    assert await _drop_every_connection(rest_database_url) >= 2
    listed = await api.get("/locations", key)
    assert listed.status_code == 200 and len(listed.json()["data"]) == 1

    assert await _drop_every_connection(rest_database_url) >= 1
    created = await api.post("/locations", key, json=LOCATION | {"name": "Second"})
    assert created.status_code == 201
    names = sorted(item["name"] for item in (await api.get("/locations", key)).json()["data"])
    assert names == ["Depot", "Second"]   # written once, though its first attempt met a dead connection
