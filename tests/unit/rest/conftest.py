"""The REST app over in-memory adapters, driven through httpx's ASGI transport (no socket, no database)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from dependency_injector import providers

from adapters.memory import InMemoryIdempotencyStore, InMemoryStore
from entrypoints.config import Settings
from entrypoints.containers import Application
from entrypoints.rest.app import create_app
from tests.fakes import CapturingMailer
from tests.e2e.rest.client import Api, invitation_token_in
from tests.e2e.rest.conformance import Conformance


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
    container.adapters.uow_factory.override(providers.Object(store.unit_of_work))
    container.adapters.idempotency.override(providers.Object(InMemoryIdempotencyStore()))
    container.adapters.database.override(providers.Object(FakeDatabase()))
    container.adapters.mailer.override(providers.Object(CapturingMailer()))
    return container


@pytest.fixture
def container() -> Application:
    return build_container()


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
