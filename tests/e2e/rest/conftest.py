"""One real server per database (SQLite, PostgreSQL) for the whole REST e2e package, driven over HTTP.

The server runs in its own thread and event loop, so it outlives each test's loop; tests talk
to it only through a socket, as any client would. Its mailer keeps what it sends, which is how
these tests read invitation tokens (the SMTP path has its own e2e test).
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from dependency_injector import providers

from entrypoints.config import Settings
from entrypoints.containers import Application
from entrypoints.server import Server
from tests.e2e.rest.client import Api, invitation_token_in
from tests.e2e.rest.conformance import Conformance
from tests.e2e.rest.network import Network, Sessions, build_network
from tests.fakes import CapturingMailer, FakeChargePoints
from tests.support.databases import SQL_BACKENDS
from tests.support.localstripe_process import LocalStripe
from tests.support.servers import ServerThread, migrated_database

MAIL_WAIT_SECONDS = 10.0


@pytest.fixture(scope="package", params=SQL_BACKENDS)
def rest_database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database shared by the package's tests (each test makes its own users and organizations)."""
    yield from migrated_database(request, tmp_path_factory, "rest-e2e")


STRIPE_WEBHOOK_SECRET = "whsec_rest_e2e"


@pytest.fixture(scope="package")
def rest_thread(rest_database_url: str, tmp_path_factory: pytest.TempPathFactory,
                localstripe: LocalStripe) -> Iterator[ServerThread]:
    # Stripe is configured (localstripe): organizations whose payment_provider is "stripe" collect through it;
    # the others, by default, by bank transfer as before.
    settings = Settings(host="127.0.0.1", http_port=0, database_url=rest_database_url, mail_poll_seconds=0.05,
                        stripe_secret_key=localstripe.secret_key, stripe_webhook_secret=STRIPE_WEBHOOK_SECRET,
                        stripe_api_base=localstripe.url,
                        argon2_time_cost=1, argon2_memory_kib=8, argon2_parallelism=1,
                        # Many tests sign in from 127.0.0.1; per-address throttling is covered by unit tests.
                        login_max_failures_per_address=100_000,
                        mail_dir=str(Path(tmp_path_factory.mktemp("mail"))))
    container = Application(config=settings.as_config())
    container.adapters.mailer.override(providers.Object(CapturingMailer()))
    # No OCPP door here: charge points answer as scripted (the OCPP e2e tests drive real websockets).
    container.adapters.charge_point_commands.override(providers.Object(FakeChargePoints(online=set())))
    server = Server(settings, container, ocpp=False, grpc=False)
    thread = ServerThread(server)
    thread.start()
    try:
        yield thread
    finally:
        thread.stop()


@pytest.fixture(scope="package")
def rest_server(rest_thread: ServerThread) -> Server:
    return rest_thread.server


@pytest.fixture
def charge_points(rest_server: Server) -> Iterator[FakeChargePoints]:
    """The server's charge points: put ids in ``online``, script ``answers`` (reset after each test)."""
    fake: FakeChargePoints = rest_server.container.adapters.charge_point_commands()
    yield fake
    fake.answers.clear()


@pytest.fixture
def in_server(rest_thread: ServerThread) -> Callable[[Callable[[], Awaitable[Any]]], Awaitable[Any]]:
    """Runs a use case of the server's container on the server's loop (to seed what only OCPP creates)."""
    return rest_thread.run


@pytest.fixture
def base_url(rest_server: Server) -> str:
    return f"http://127.0.0.1:{rest_server.http_port}"


@pytest.fixture(scope="session")
def tls_context() -> ssl.SSLContext:
    # httpx loads the CA bundle for every client it makes (~75 ms); these clients speak plain HTTP.
    return ssl.create_default_context()


@pytest.fixture(scope="session")
def conformance() -> Conformance:
    return Conformance()


@pytest.fixture
async def api(rest_server: Server, base_url: str, tls_context: ssl.SSLContext,
              conformance: Conformance) -> AsyncIterator[Api]:
    """A client of the real server whose every answer is checked against the OpenAPI document."""
    mailer: CapturingMailer = rest_server.container.adapters.mailer()

    async def invitation_token(email: str) -> str:
        deadline = time.monotonic() + MAIL_WAIT_SECONDS
        while True:  # the server's mail relay delivers from the outbox on its own schedule
            try:
                return invitation_token_in(list(mailer.sent), email)
            except AssertionError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.02)

    async with httpx.AsyncClient(base_url=base_url, timeout=20, verify=tls_context,
                                 event_hooks={"response": [conformance.hook]}) as client:
        yield Api(client, invitation_token)


@pytest.fixture
def sessions(rest_thread: ServerThread) -> Sessions:
    """Opens and closes sessions as the OCPP door would, on the server's loop and database."""
    return Sessions(rest_thread.server.container.use_cases, rest_thread.run)


@pytest.fixture
async def network(api: Api, charge_points: FakeChargePoints) -> Network:
    """An organization with a user and a key per role, a location, an online charge point and a driver."""
    built = await build_network(api)
    charge_points.online.add(built.charge_point_id)
    return built
