"""The REST app over in-memory adapters, driven through httpx's ASGI transport (no socket, no database)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from dependency_injector import providers

from adapters.memory import InMemoryIdempotencyStore, InMemoryMeterSink, InMemoryStore
from entrypoints.config import Settings
from entrypoints.containers import Application
from entrypoints.rest.app import create_app
from tests.e2e.rest.client import Api, invitation_token_in
from tests.e2e.rest.conformance import Conformance
from tests.e2e.rest.network import Network, Sessions, build_network
from tests.fakes import CapturingMailer, FakeChargePoints, FakeClock


class FakeDatabase:
    """Answers the health check as told; the store itself lives in ``InMemoryStore``."""

    def __init__(self) -> None:
        self.up = True

    async def ping(self) -> None:
        if not self.up:
            raise ConnectionError("database is down")

    async def dispose(self) -> None:
        pass


def build_container(**settings: object) -> Application:
    config = Settings(argon2_time_cost=1, argon2_memory_kib=8, argon2_parallelism=1, **settings).as_config()
    container = Application(config=config)
    store = InMemoryStore()
    container.adapters.raw_uow_factory.override(providers.Object(store.unit_of_work))
    container.adapters.idempotency.override(providers.Object(InMemoryIdempotencyStore()))
    container.adapters.database.override(providers.Object(FakeDatabase()))
    container.adapters.mailer.override(providers.Object(CapturingMailer()))
    # Charge points answer as scripted (offline unless added to ``online``); meter data lands in the store.
    container.adapters.charge_point_commands.override(providers.Object(FakeChargePoints(online=set())))
    container.adapters.meter_sink.override(providers.Object(InMemoryMeterSink(store)))
    return container


@pytest.fixture
def container() -> Application:
    return build_container()


@pytest.fixture
def charge_points(container: Application) -> FakeChargePoints:
    """The charge points' side of the commands port: put ids in ``online``, script ``answers``."""
    fake: FakeChargePoints = container.adapters.charge_point_commands()
    return fake


@pytest.fixture
def clock(container: Application) -> FakeClock:
    """A clock the test moves; every use case and the door read it (the system clock otherwise)."""
    fake = FakeClock(datetime.now(UTC).replace(microsecond=0))
    container.core.clock.override(providers.Object(fake))
    return fake


@pytest.fixture(scope="session")
def conformance() -> Conformance:
    return Conformance()


@pytest.fixture
async def client(container: Application, conformance: Conformance) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose every answer is checked against the OpenAPI document as it arrives."""
    transport = httpx.ASGITransport(app=create_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://charge.test",
                                 event_hooks={"response": [conformance.hook]}) as client:
        yield client


@pytest.fixture
def api(client: httpx.AsyncClient, container: Application) -> Api:
    async def invitation_token(email: str) -> str:
        await container.use_cases.relay_due_emails()
        return invitation_token_in(container.adapters.mailer().sent, email)

    return Api(client, invitation_token)


@pytest.fixture
def sessions(container: Application) -> Sessions:
    """Opens and closes sessions as the OCPP door would (sessions have no REST creator)."""

    async def run(make: Callable[[], Awaitable[Any]]) -> Any:
        return await make()

    return Sessions(container.use_cases, run)


@pytest.fixture
async def network(api: Api, charge_points: FakeChargePoints) -> Network:
    """An organization with a user and a key per role, a location, an online charge point and a driver."""
    built = await build_network(api)
    charge_points.online.add(built.charge_point_id)
    return built
