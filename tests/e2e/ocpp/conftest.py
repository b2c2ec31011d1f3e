"""One real server (REST + OCPP) per database, SQLite and PostgreSQL, for the package, driven over HTTP and
websockets like any client. One organization per server; each test's identities and tags carry a suffix
of their own, so tests never see each other's charge points, drivers or sessions."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from entrypoints.config import Settings
from entrypoints.server import Server
from tests.e2e.ocpp.operator import Operator
from tests.support.databases import SQL_BACKENDS, run_async
from tests.support.servers import ServerThread, migrated_database

CALL_TIMEOUT = 1.0   # seconds a charge point has to answer a command; the 504 test waits this long


def settings_for(database_url: str, **overrides) -> Settings:
    return Settings(**{"host": "127.0.0.1", "http_port": 0, "ocpp_port": 0, "database_url": database_url,
                       "argon2_time_cost": 1, "argon2_memory_kib": 8, "argon2_parallelism": 1,
                       "mail_poll_seconds": 60, "login_max_failures_per_address": 100_000,
                       "ocpp_call_timeout_seconds": CALL_TIMEOUT, **overrides})


@pytest.fixture(scope="package", params=SQL_BACKENDS)
def ocpp_database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from migrated_database(request, tmp_path_factory, "ocpp-e2e")


@pytest.fixture(scope="package")
def server(ocpp_database_url: str) -> Iterator[Server]:
    thread = ServerThread(Server(settings_for(ocpp_database_url), grpc=False))
    thread.start()
    try:
        yield thread.server
    finally:
        thread.stop()


def _base_url(server: Server) -> str:
    return f"http://127.0.0.1:{server.http_port}/api/v1"


@pytest.fixture(scope="package")
def organization(server: Server) -> Operator:
    """One organization (user, API key, location) per server; tests keep apart by unique identities."""
    async def sign_up() -> Operator:
        async with httpx.AsyncClient(base_url=_base_url(server), timeout=20) as http:
            return await Operator.sign_up(http, f"ws://127.0.0.1:{server.ocpp_port}/ocpp")
    return run_async(sign_up)


@pytest.fixture
async def operator(server: Server, organization: Operator) -> AsyncIterator[Operator]:
    async with httpx.AsyncClient(base_url=_base_url(server), timeout=20) as http:
        yield organization.for_test(http)


@pytest.fixture
async def admin(server: Server) -> AsyncIterator[Operator]:
    """An organization of its own (its ledger and number series start empty), with an admin API key."""
    async with httpx.AsyncClient(base_url=_base_url(server), timeout=20) as http:
        yield await Operator.sign_up(http, f"ws://127.0.0.1:{server.ocpp_port}/ocpp", role="admin")
