"""One real server (REST, OCPP and gRPC) per database, SQLite and PostgreSQL, for the package, driven from
outside: partners over gRPC with a client generated here from contracts/charge/v1 (not the server's
checked-in code), operators over REST, charge points over websockets. One organization per server; each
test's identities and tags carry a suffix of their own."""

from __future__ import annotations

import asyncio
import importlib
import secrets
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import grpc
import httpx
import pytest
from attrs import define
from grpc_tools import protoc

from entrypoints.config import Settings
from entrypoints.server import Server
from tests.e2e.ocpp.operator import Operator
from tests.support.databases import SQL_BACKENDS, run_async
from tests.support.servers import ServerThread, migrated_database

CONTRACTS = Path(__file__).resolve().parents[3] / "contracts"
MODULES = ("common", "sessions", "reservations", "invoices", "charge_points", "fleets", "drivers")
CALL_TIMEOUT = 1.0   # seconds a charge point has to answer a command (the DEADLINE_EXCEEDED test waits this long)
WAIT = 10.0


@pytest.fixture(scope="session")
def pb(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """The charge.v1 client, generated from the protos by grpcio-tools as a partner would (``charge.v1.*``)."""
    out = tmp_path_factory.mktemp("charge-v1-client")
    include = Path(protoc.__file__).parent / "_proto"
    protos = [f"charge/v1/{name}.proto" for name in MODULES]
    assert protoc.main(["protoc", f"-I{CONTRACTS}", f"-I{include}", f"--python_out={out}",
                        f"--grpc_python_out={out}", *protos]) == 0
    sys.path.insert(0, str(out))
    modules: dict[str, Any] = {}
    for name in MODULES:
        modules[name] = importlib.import_module(f"charge.v1.{name}_pb2")
        modules[f"{name}_grpc"] = importlib.import_module(f"charge.v1.{name}_pb2_grpc")
    assert Path(modules["sessions"].__file__).is_relative_to(out)
    return SimpleNamespace(**modules)


@pytest.fixture(scope="package", params=SQL_BACKENDS)
def grpc_database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from migrated_database(request, tmp_path_factory, "grpc-e2e")


@pytest.fixture(scope="package")
def server(grpc_database_url: str) -> Iterator[Server]:
    settings = Settings(host="127.0.0.1", http_port=0, ocpp_port=0, grpc_port=0, database_url=grpc_database_url,
                        argon2_time_cost=1, argon2_memory_kib=8, argon2_parallelism=1, mail_poll_seconds=60,
                        login_max_failures_per_address=100_000, ocpp_call_timeout_seconds=CALL_TIMEOUT)
    thread = ServerThread(Server(settings))
    thread.start()
    try:
        yield thread.server
    finally:
        thread.stop()


@define
class Partner:
    """An organization as a partner sees it: keys per role, a user token, and its operator on REST."""

    operator: Operator
    member_key: str
    viewer_key: str
    user_token: str

    def key(self, key: str | None = None) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {key or self.member_key}"),)

    @property
    def organization_id(self) -> str:
        return self.operator.organization_id


async def sign_up(http: httpx.AsyncClient, ocpp_url: str) -> Partner:
    """A user, the organization it administers, a member and a viewer API key, a location and two drivers."""
    email = f"partner-{secrets.token_hex(4)}@voltline.example"
    signed = await http.post("/auth/signup", json={"email": email, "password": "correct horse", "name": "Partner"})
    assert signed.status_code == 201, signed.text
    token = (await http.post("/auth/token", json={"email": email, "password": "correct horse"})).json()
    user = {"Authorization": f"Bearer {token['access_token']}"}
    org = (await http.post("/organizations", headers=user, json={"name": "Partner", "country": "GB",
                                                                   "contact_email": email})).json()["id"]
    keys = {role: (await http.post(f"/organizations/{org}/api-keys", headers=user,
                                   json={"name": role, "role": role})).json()["key"] for role in ("member", "viewer")}
    operator = Operator(http, {"Authorization": f"Bearer {keys['member']}"}, ocpp_url,
                        suffix=secrets.token_hex(3).upper(), organization_id=org)
    location = await operator.post("/locations", {"name": "Depot", "address": "1 Quay Street", "city": "Bristol",
                                                  "country": "GB", "timezone": "Europe/London"})
    operator.location_id = location["id"]
    # The drivers whose tags the tests start sessions and reserve with (a remote start is authorized first).
    for name, tag in (("Dana", "RFID-DANA"), ("Eli", "RFID-ELI")):
        await operator.post("/drivers", {"name": name, "id_tags": [tag]})
    return Partner(operator, keys["member"], keys["viewer"], token["access_token"])


def _base_url(server: Server) -> str:
    return f"http://127.0.0.1:{server.http_port}/api/v1"


@pytest.fixture(scope="package")
def organization(server: Server) -> Partner:
    async def make() -> Partner:
        async with httpx.AsyncClient(base_url=_base_url(server), timeout=20) as http:
            return await sign_up(http, f"ws://127.0.0.1:{server.ocpp_port}/ocpp")
    return run_async(make)


@pytest.fixture
async def partner(server: Server, organization: Partner) -> AsyncIterator[Partner]:
    """The package's organization on a client of this test's loop, with identities of its own."""
    async with httpx.AsyncClient(base_url=_base_url(server), timeout=20) as http:
        o = organization.operator
        yield Partner(Operator(http, o.headers, o.ocpp_url, o.location_id, secrets.token_hex(3).upper(),
                               o.organization_id), organization.member_key, organization.viewer_key,
                      organization.user_token)


@pytest.fixture
async def stranger(server: Server) -> AsyncIterator[Partner]:
    """Another organization on the same server."""
    async with httpx.AsyncClient(base_url=_base_url(server), timeout=20) as http:
        yield await sign_up(http, f"ws://127.0.0.1:{server.ocpp_port}/ocpp")


@pytest.fixture
async def channel(server: Server) -> AsyncIterator[grpc.aio.Channel]:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.grpc_port}") as opened:
        yield opened


class Stream:
    """A server stream read on a task of its own (a pending read cancelled would cancel the call)."""

    def __init__(self, call: Any) -> None:
        self.call = call
        self.items: asyncio.Queue[Any] = asyncio.Queue()
        self.task = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        try:
            async for item in self.call:
                await self.items.put(item)
        except grpc.aio.AioRpcError as exc:
            await self.items.put(exc)

    async def opened(self) -> str:
        """The cursor the stream starts at (its initial metadata): the server has fixed where it starts."""
        metadata = await asyncio.wait_for(self.call.initial_metadata(), WAIT)
        return dict(metadata)["charge-cursor"]

    async def next(self) -> Any:
        item = await asyncio.wait_for(self.items.get(), WAIT)
        if isinstance(item, Exception):
            raise item
        return item

    async def nothing_more(self, seconds: float = 0.3) -> None:
        await asyncio.sleep(seconds)
        assert self.items.empty(), self.items.get_nowait()

    async def close(self) -> None:
        self.call.cancel()
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
