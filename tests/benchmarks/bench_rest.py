"""REST throughput and latency: `charge serve` against a bare Starlette app on the same server stack, same run.

Charge runs as operators run it (`charge serve --no-ocpp --no-grpc`, default settings, its access
log on) in a process of its own on one core; the load generator (wrk, else an asyncio client) runs
on the other core with C keep-alive connections, each with one request outstanding (after a second's
warm-up at the same concurrency), authenticated with an organization API key. Endpoints: a charge
point by id, a list of 50 charge points, a location created (POST, no Idempotency-Key), and
`/healthz` (a database ping at most 1 s old). The floor is a bare Starlette route answering a charge
point's worth of fixed JSON on Charge's own uvicorn settings (`entrypoints/http_stack.py`), measured
at the start and the end of the run (the mean is shown). *CPU ms/req* is the server process's CPU
time divided by the requests it answered.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from typing import Any

import httpx

from entrypoints import http_stack
from tests.benchmarks.http_load import Load, run_load
from tests.benchmarks.processes import QUICK, Child, charge_server, cores, raise_open_files
from tests.support.databases import PostgresServer

TITLE = "REST"
SECONDS = float(os.environ.get("BENCH_SECONDS", "1.5" if QUICK else "3"))
CONNECTIONS = (32,) if QUICK else (1, 32, 128)
WARM_UP_SECONDS = 1.0
CHARGE_POINTS = 60
LOCATION = ('{"name":"Depot","address":"1 Riverside Way","city":"London","country":"GB",'
            '"timezone":"Europe/London"}')
GOALS = {"by id": 0.25, "list of 50": 0.12, "/healthz": 0.6}
P99_GOAL_MS = 25.0


def seed(base: str) -> dict[str, str]:
    """A user, an organization, its admin API key, a location and CHARGE_POINTS charge points."""
    with httpx.Client(base_url=base + "/api/v1", timeout=30) as client:
        email = f"bench.{os.getpid()}@example.com"
        password = "correct horse battery staple"
        client.post("/auth/signup", json={"email": email, "password": password, "name": "Bench"}).raise_for_status()
        token = client.post("/auth/token", json={"email": email, "password": password}).json()["access_token"]
        user = {"Authorization": f"Bearer {token}"}
        org = client.post("/organizations", headers=user,
                          json={"name": "Bench", "country": "GB", "contact_email": "ops@bench.example"}).json()["id"]
        key = client.post(f"/organizations/{org}/api-keys", headers=user,
                          json={"name": "bench", "role": "admin"}).json()["key"]
        headers = {"Authorization": f"Bearer {key}"}
        location = client.post("/locations", headers={**headers, "Content-Type": "application/json"},
                               content=LOCATION).json()["id"]
        for n in range(CHARGE_POINTS):
            created = client.post("/charge-points", headers=headers,
                                  json={"id": f"CP-{n:04d}", "location_id": location})
            created.raise_for_status()
    return {"Authorization": f"Bearer {key}"}


def _measure(server: Child, url: str, connections: int, headers: dict[str, str], load_core: int,
             method: str = "GET", body: str | None = None) -> tuple[Load, float]:
    # A second at the same concurrency first: the steady state is measured, not a pool opening its connections
    # to the first burst (each new PostgreSQL connection costs milliseconds).
    run_load(url, connections, WARM_UP_SECONDS, headers, method=method, body=body, core=load_core)
    before = server.cpu()
    load = run_load(url, connections, SECONDS, headers, method=method, body=body, core=load_core)
    cpu = server.cpu() - before
    return load, 1000 * cpu / load.requests if load.requests else 0.0


def _floors(server_core: int, load_core: int) -> dict[int, tuple[Load, float]]:
    with Child([sys.executable, "-m", "tests.benchmarks.bare_rest"], core=server_core,
               ready=r"bare (http://\S+)") as bare:
        assert bare.match is not None
        url = bare.match.group(1) + "/api/v1/charge-points/CP-0001"
        run_load(url, 8, 1, {}, core=load_core)  # warm-up
        return {c: _measure(bare, url, c, {}, load_core) for c in CONNECTIONS}


def _database_urls() -> list[tuple[str, str, Any]]:
    urls: list[tuple[str, str, Any]] = []
    server = PostgresServer(os.environ.get("CHARGE_TEST_POSTGRES_URL",
                                           "postgresql://postgres@127.0.0.1:5432/postgres"))
    try:
        name = asyncio.run(server.create_database())
    except OSError as exc:
        print(f"PostgreSQL not reachable ({exc}); SQLite only", flush=True)
    else:
        from adapters.sql.migrate import upgrade

        url = server.url_for(name)
        asyncio.run(upgrade(url))
        urls.append(("postgresql", url, lambda: asyncio.run(server.drop_database(name))))
    directory = tempfile.TemporaryDirectory()
    urls.append(("sqlite", f"sqlite:///{directory.name}/charge.db", directory.cleanup))
    return urls


def run() -> list[dict[str, object]]:
    raise_open_files()
    server_core, load_core = cores()
    print(f"server stack: {http_stack.describe()}; server on CPU {server_core}, load on CPU {load_core}", flush=True)
    first = _floors(server_core, load_core)
    measured: list[tuple[str, str, int, Load, float]] = []
    for engine, url, cleanup in _database_urls():
        try:
            with_server = charge_server(url, core=server_core)
            try:
                assert with_server.match is not None
                base = f"http://127.0.0.1:{with_server.match.group(1)}"
                headers = seed(base)
                api = base + "/api/v1"
                endpoints = [("by id", api + "/charge-points/CP-0007", "GET", None),
                             ("list of 50", api + "/charge-points?limit=50", "GET", None),
                             ("create", api + "/locations", "POST", LOCATION),
                             ("/healthz", base + "/healthz", "GET", None)]
                run_load(endpoints[0][1], 8, 1, headers, core=load_core)  # warm-up
                for name, target, method, body in endpoints:
                    sent = {**headers, "Content-Type": "application/json"} if body else headers
                    for connections in CONNECTIONS:
                        load, cpu_ms = _measure(with_server, target, connections, sent, load_core, method, body)
                        measured.append((engine, name, connections, load, cpu_ms))
                        print(f"  {engine} {name} c={connections}: {load.per_second:.0f}/s p99 {load.p99_ms:.1f} ms"
                              f" errors {load.errors}", flush=True)
            finally:
                with_server.stop()
        finally:
            cleanup()
    last = _floors(server_core, load_core)
    rows: list[dict[str, object]] = []
    for c in CONNECTIONS:
        floor = (first[c][0].per_second + last[c][0].per_second) / 2
        rows.append(_row("bare Starlette (floor)", "-", c, first[c][0], first[c][1], floor))
    for engine, name, c, load, cpu_ms in measured:
        floor = (first[c][0].per_second + last[c][0].per_second) / 2
        rows.append(_row(name, engine, c, load, cpu_ms, floor))
    return rows


def _row(endpoint: str, engine: str, connections: int, load: Load, cpu_ms: float, floor: float) -> dict[str, object]:
    return {"endpoint": endpoint, "database": engine, "connections": connections,
            "req/s": round(load.per_second), "p50 ms": round(load.p50_ms, 2), "p99 ms": round(load.p99_ms, 2),
            "errors": load.errors, "CPU ms/req": round(cpu_ms, 2), "floor req/s": round(floor),
            "ratio": f"{load.per_second / floor:.3f}×" if floor else "-", "load": load.tool}


def notes(rows: list[dict[str, object]]) -> str:
    lines = ["**Goals** (at 32 connections):", ""]
    for row in rows:
        if row["connections"] != 32 or row["database"] == "-":
            continue
        ratio = float(str(row["ratio"]).rstrip("×"))
        goal = GOALS.get(str(row["endpoint"]))
        if goal is not None:
            lines.append(f"- {row['endpoint']}, {row['database']}: ≥ {goal}× the bare app: "
                         f"{'met' if ratio >= goal else 'missed'} ({ratio:.3f}×).")
        if row["endpoint"] == "by id":
            p99 = float(row["p99 ms"])  # type: ignore[arg-type]
            lines.append(f"- by id, {row['database']}: p99 under {P99_GOAL_MS:.0f} ms: "
                         f"{'met' if p99 < P99_GOAL_MS else 'missed'} ({p99:.1f} ms).")
        if row["errors"]:
            lines.append(f"- {row['endpoint']}, {row['database']}: {row['errors']} failed requests.")
    return "\n".join(lines) + "\n\n" + FINDINGS.strip()


FINDINGS = """
**What the request path does now.** Authentication is served from an in-process credential cache
(`application/credential_cache.py`: a secret's hash to its actor for at most 5 s,
`CHARGE_AUTH_CACHE_SECONDS`; a revocation forgets the key on its node at once, other nodes within the
ttl), so a request with a known key costs no database work before its handler. Read-only units of
work run on a pool of autocommit connections that cannot write (PostgreSQL
`default_transaction_read_only`, SQLite `query_only`): one round trip per read, no BEGIN/ROLLBACK, no
write lock. No pre-ping: a request that meets a dropped connection runs once more on a new one
(`tests/e2e/rest/test_dropped_connections.py`). The charge point reads use prebuilt statements.
`/healthz` probes that arrive while a ping is in flight share it, and a successful ping answers the
probes of the next second (`CHARGE_HEALTH_CACHE_SECONDS`; a failure is never remembered); an answered
probe leaves no access-log line (a failed one does). The stack
is uvicorn on uvloop and httptools (`entrypoints/http_stack.py`); the answer is rendered by msgspec.
`charge serve --no-ocpp --workers N` serves REST from N processes on one port (not used here: the
floor is one process too, and the machine has two cores, one of them the load generator's).

**Reading the ratios.** The floor runs on the same stack as Charge, now uvloop and httptools: it
answers about 2.5 times what it did on asyncio and h11, so the ratios fall by as much as Charge's own
figures rise. Compare CPU ms/req across runs: a charge point by id cost about 3.7 ms of server CPU
on PostgreSQL before this work (the same bench at its first commit), about 0.5 ms now.

**Since the last run** (measured by hand, GET by id at 32 connections on PostgreSQL, wrk for 12 s): a server
that has started freezes its start-up heap (`entrypoints/collector.py`, `gc.freeze`), so full collections
no longer walk SQLAlchemy's, the schemas' and the modules' objects; p99 fell from 130 ms to 23 ms at
about 2,000 requests/s. The access log's JSON line is built by msgspec with the timestamp's second
formatted once, and logging no longer looks up the caller's file and line: 20 µs → 9.6 µs a line.

**Where the time goes** (py-spy on the server, GET by id at 32 connections, PostgreSQL, before these
two changes; share of the server's samples):

| part of the request | share |
|---|---|
| SQLAlchemy Core execution and the driver (statement cache lookup, execution context, result rows) | 48 % |
| Starlette routing and middleware, uvicorn/httptools | 16 % |
| authentication: sha256 of the bearer, the cache, the read once per key and ttl (32 misses at once) | 11 % |
| the access log line (JSON formatter) | 9 % |
| event loop (uvloop) | 8 % |
| row to ChargePoint, view, JSON (msgspec) | 2 % |

In process, on this machine: a pooled connection taken and returned costs 66 µs of CPU, the prebuilt
charge point statement executed through SQLAlchemy on it 300 µs, and the same round trip on a bare
asyncpg connection 65 µs; resolving two use cases through dependency-injector's providers 13 µs.
For the list of 50 (SQLite): SQLAlchemy and aiosqlite 41 % (two queries, 51 rows through the
result machinery, each aiosqlite call a hop to its thread and back), event loop 21 %, building 50
`ChargePoint`s from rows and their views 20 %. What stands between these figures and the goals is
the cost of SQLAlchemy's execution layer per statement (about 0.25–0.3 ms of CPU for a one-row
read, several times the bare app's whole request) and, on SQLite, aiosqlite's thread hops;
the database server's own CPU also competes for the same two cores (PostgreSQL runs beside the
server and the load generator). A query path beside SQLAlchemy (asyncpg's prepared statements
straight from the repositories) would be the next step; it was not taken here: it would be a
second way to read and write every table, beside the one every adapter test covers.
"""
