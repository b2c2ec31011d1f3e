"""gRPC throughput and latency: `charge serve`'s SessionService against a bare grpc.aio server, same run.

Charge runs as operators run it (`charge serve --no-ocpp`, default settings) in a process of its own on
one core, with 60 completed sessions of 10 meter samples each; the load generator
(`tests/benchmarks/grpc_load.py`: grpc.aio stubs over 4 HTTP/2 channels, C calls outstanding) runs on
the other core, with an organization API key in the metadata. Calls: *GetSession* (a session with its
meter summary: the authenticated call, one read of the session and one of its samples) and
*ListSessions* (a page of 50). The floor is `tests/benchmarks/bare_grpc.py`: the same two methods on a
bare grpc.aio server answering prebuilt messages of the same shape, measured at the start and the end
of the run (the mean is shown). *CPU ms/call* is the server process's CPU time divided by the calls it
answered.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from adapters.sql.database import Database
from adapters.sql.migrate import upgrade
from domain.charging import ENERGY_REGISTER, ChargingSession, MeterSample, TransactionEvent, TransactionEventKind
from domain.ids import PREFIXES, new_id
from tests.benchmarks.grpc_load import run_grpc_load
from tests.benchmarks.http_load import Load
from tests.benchmarks.processes import QUICK, Child, cores
from tests.support.databases import PostgresServer

TITLE = "gRPC"
SECONDS = float(os.environ.get("BENCH_SECONDS", "1.5" if QUICK else "3"))
CONNECTIONS = (32,) if QUICK else (1, 32)
SESSIONS = 60
SAMPLES = 10
T0 = datetime(2026, 5, 9, 12, tzinfo=UTC)


def charge_grpc_server(database_url: str, core: int) -> Child:
    argv = [sys.executable, "-m", "entrypoints.cli", "serve", "--no-ocpp", "--http-port", "0", "--grpc-port", "0",
            "--database-url", database_url]
    env = {"CHARGE_ARGON2_TIME_COST": "1", "CHARGE_ARGON2_MEMORY_KIB": "8", "CHARGE_ARGON2_PARALLELISM": "1"}
    return Child(argv, core=core, env=env, ready=r"REST http://[^:]+:(\d+).*gRPC [^:\s]+:(\d+)", timeout=120)


def seed_identity(base: str) -> tuple[str, str, str]:
    """A user, an organization, its admin API key and a charge point, over REST: (key, organization, charge point)."""
    with httpx.Client(base_url=base + "/api/v1", timeout=30) as client:
        email = f"grpc.bench.{os.getpid()}@example.com"
        password = "correct horse battery staple"
        client.post("/auth/signup", json={"email": email, "password": password, "name": "Bench"}).raise_for_status()
        token = client.post("/auth/token", json={"email": email, "password": password}).json()["access_token"]
        user = {"Authorization": f"Bearer {token}"}
        org = client.post("/organizations", headers=user,
                          json={"name": "Bench", "country": "GB", "contact_email": "ops@bench.example"}).json()["id"]
        key = client.post(f"/organizations/{org}/api-keys", headers=user,
                          json={"name": "bench", "role": "admin"}).json()["key"]
        headers = {"Authorization": f"Bearer {key}"}
        location = client.post("/locations", headers=headers, json={
            "name": "Depot", "address": "1 Riverside Way", "city": "London", "country": "GB",
            "timezone": "Europe/London"}).json()["id"]
        client.post("/charge-points", headers=headers, json={"id": "CP-0001", "location_id": location})
    return key, org, "CP-0001"


async def seed_sessions(url: str, organization_id: str, charge_point_id: str) -> list[str]:
    """SESSIONS completed sessions of SAMPLES register readings each, stored as the OCPP door stores them."""
    database = Database(url)
    ids = []
    try:
        async with database.unit_of_work() as uow:
            for n in range(SESSIONS):
                start = T0 + timedelta(hours=n)
                session, applied = ChargingSession.open(
                    id=new_id(PREFIXES["session"]), organization_id=organization_id, charge_point_id=charge_point_id,
                    transaction_id=str(n + 1), connector_id=1,
                    first=TransactionEvent(TransactionEventKind.STARTED, start, meter_wh=Decimal(1000),
                                           id_tag="BENCH-TAG"))
                samples = tuple(MeterSample(start + timedelta(minutes=5 * i), ENERGY_REGISTER,
                                            Decimal(1000 + 1000 * i), "Wh") for i in range(1, SAMPLES + 1))
                more = session.apply(TransactionEvent(TransactionEventKind.UPDATED, samples[-1].timestamp,
                                                      samples=samples))
                session.apply(TransactionEvent(TransactionEventKind.ENDED, start + timedelta(hours=1),
                                               meter_wh=Decimal(11_000), stop_reason="Local"))
                await uow.sessions.add(session)
                await uow.sessions.add_samples(session, list(applied.samples + more.samples))
                ids.append(session.id)
            await uow.commit()
    finally:
        await database.dispose()
    return ids


def _measure(server: Child, target: str, method: str, calls: int, request: dict[str, Any],
             metadata: dict[str, str], load_core: int) -> tuple[Load, float]:
    before = server.cpu()
    load = run_grpc_load(target, method, calls, SECONDS, request, metadata, core=load_core)
    cpu = server.cpu() - before
    return load, 1000 * cpu / load.requests if load.requests else 0.0


def _floors(server_core: int, load_core: int) -> dict[tuple[str, int], tuple[Load, float]]:
    with Child([sys.executable, "-m", "tests.benchmarks.bare_grpc"], core=server_core,
               ready=r"bare grpc (\S+)") as bare:
        assert bare.match is not None
        target = bare.match.group(1)
        run_grpc_load(target, "GetSession", 8, 1, {}, {}, core=load_core)  # warm-up
        return {(method, c): _measure(bare, target, method, c, {}, {}, load_core)
                for method in ("GetSession", "ListSessions") for c in CONNECTIONS}


def _database_urls() -> list[tuple[str, str, Any]]:
    urls: list[tuple[str, str, Any]] = []
    server = PostgresServer(os.environ.get("CHARGE_TEST_POSTGRES_URL",
                                           "postgresql://postgres@127.0.0.1:5432/postgres"))
    try:
        name = asyncio.run(server.create_database())
    except OSError as exc:
        print(f"PostgreSQL not reachable ({exc}); SQLite only", flush=True)
    else:
        url = server.url_for(name)
        asyncio.run(upgrade(url))
        urls.append(("postgresql", url, lambda: asyncio.run(server.drop_database(name))))
    directory = tempfile.TemporaryDirectory()
    sqlite = f"sqlite:///{directory.name}/charge.db"
    asyncio.run(upgrade(sqlite))
    urls.append(("sqlite", sqlite, directory.cleanup))
    return urls


def run() -> list[dict[str, object]]:
    server_core, load_core = cores()
    print(f"server on CPU {server_core}, load on CPU {load_core}", flush=True)
    first = _floors(server_core, load_core)
    measured: list[tuple[str, str, int, Load, float]] = []
    for engine, url, cleanup in _database_urls():
        try:
            server = charge_grpc_server(url, server_core)
            try:
                assert server.match is not None
                key, organization, charge_point = seed_identity(f"http://127.0.0.1:{server.match.group(1)}")
                ids = asyncio.run(seed_sessions(url, organization, charge_point))
                target = f"127.0.0.1:{server.match.group(2)}"
                metadata = {"authorization": f"Bearer {key}"}
                calls = [("GetSession", {"sessionId": ids[7]}),
                         ("ListSessions", {"pageSize": 50, "chargePointId": charge_point})]
                run_grpc_load(target, "GetSession", 8, 1, calls[0][1], metadata, core=load_core)  # warm-up
                for method, request in calls:
                    for connections in CONNECTIONS:
                        load, cpu_ms = _measure(server, target, method, connections, request, metadata, load_core)
                        measured.append((engine, method, connections, load, cpu_ms))
                        print(f"  {engine} {method} c={connections}: {load.per_second:.0f}/s "
                              f"p99 {load.p99_ms:.1f} ms errors {load.errors}", flush=True)
            finally:
                server.stop()
        finally:
            cleanup()
    last = _floors(server_core, load_core)
    rows: list[dict[str, object]] = []
    for method in ("GetSession", "ListSessions"):
        for c in CONNECTIONS:
            floor = (first[method, c][0].per_second + last[method, c][0].per_second) / 2
            rows.append(_row(f"bare grpc.aio {method} (floor)", "-", c, first[method, c][0], first[method, c][1],
                             floor))
    for engine, method, c, load, cpu_ms in measured:
        floor = (first[method, c][0].per_second + last[method, c][0].per_second) / 2
        rows.append(_row(method, engine, c, load, cpu_ms, floor))
    return rows


def _row(call: str, engine: str, connections: int, load: Load, cpu_ms: float, floor: float) -> dict[str, object]:
    return {"call": call, "database": engine, "calls outstanding": connections, "calls/s": round(load.per_second),
            "p50 ms": round(load.p50_ms, 2), "p99 ms": round(load.p99_ms, 2), "errors": load.errors,
            "CPU ms/call": round(cpu_ms, 2), "floor calls/s": round(floor),
            "ratio": f"{load.per_second / floor:.3f}×" if floor else "-"}


def notes(rows: list[dict[str, object]]) -> str:
    return READING.strip()


READING = """
**Reading it.** The floor is grpc.aio itself: a bare server answering prebuilt messages costs about
0.35–0.4 ms of server CPU per call, four to five times the bare Starlette floor of the REST table, and at
32 calls outstanding the Python load generator on the other core is what limits it (about 2,900 calls/s).
Charge's GetSession (authentication from the credential cache, the session and its samples read, the
meter summary, the message built) costs 1.5–2.6 ms of CPU per call, REST's charge point by id (1.0–1.5
ms) plus a second read; ListSessions, a page of 50 sessions, 3.2–5.1 ms, as REST's list of 50 charge
points (3.7–4.9 ms): the cost is the path both doors share (SQLAlchemy's execution of each statement,
rows into domain objects), not gRPC's. With one call outstanding the CPU per call is higher: the
server's idle wake-ups between calls are counted too.
"""
