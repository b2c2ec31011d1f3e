"""Meter sink throughput: records/s through SqlMeterSink (group commit) against a transaction per record.

Each record is one MeterValues message of 10 samples (register, power, 3 currents, 3 voltages,
SoC, temperature) for its own session; C callers each record their next message as soon as the
previous one is acknowledged (as C charge points would). PostgreSQL on localhost (synchronous
commit on, the default) and SQLite (WAL) in a temp file.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from adapters.sql.database import Database
from adapters.sql.meter_sink import SqlMeterSink
from adapters.sql.migrate import upgrade
from domain.charging import Applied, ChargingSession, MeterSample, TransactionEvent, TransactionEventKind
from domain.ids import PREFIXES, new_id
from tests.integration.sql.builders import a_charge_point, a_location, an_organization
from tests.support.databases import PostgresServer

TITLE = "Meter sink (group commit)"
T0 = datetime(2026, 5, 9, 12, tzinfo=UTC)
SECONDS = float(os.environ.get("BENCH_SECONDS", "3"))


def message(session: ChargingSession, n: int) -> Applied:
    when = T0 + timedelta(seconds=10 * n)
    samples = [MeterSample(when, "Energy.Active.Import.Register", Decimal(1000 + n * 30) + Decimal("0.125"), "Wh"),
               MeterSample(when, "Power.Active.Import", Decimal("11040.5"), "W"),
               MeterSample(when, "SoC", Decimal(40 + n % 60), "Percent"),
               MeterSample(when, "Temperature", Decimal("31.5"), "Celsius", location="Body")]
    samples += [MeterSample(when, "Current.Import", Decimal("16.01"), "A", phase) for phase in ("L1", "L2", "L3")]
    samples += [MeterSample(when, "Voltage", Decimal("230.4"), "V", f"{p}-N") for p in ("L1", "L2", "L3")]
    return session.apply(TransactionEvent(TransactionEventKind.UPDATED, when, samples=tuple(samples)))


async def seed(database: Database, count: int) -> list[ChargingSession]:
    organization = an_organization()
    location = a_location(organization)
    points = [a_charge_point(location) for _ in range(count)]
    sessions = []
    async with database.unit_of_work() as uow:
        await uow.organizations.add(organization)
        await uow.locations.add(location)
        for cp in points:
            await uow.charge_points.add(cp)
            session, _ = ChargingSession.open(
                id=new_id(PREFIXES["session"]), organization_id=organization.id, charge_point_id=cp.id,
                transaction_id=secrets.token_hex(6), connector_id=1,
                first=TransactionEvent(TransactionEventKind.STARTED, T0, meter_wh=Decimal(1000)))
            await uow.sessions.add(session)
            sessions.append(session)
        await uow.commit()
    return sessions


async def per_call(database: Database, session: ChargingSession, applied: Applied) -> None:
    """The baseline: what a sink without grouping does, one transaction per record."""
    async with database.unit_of_work() as uow:
        await uow.sessions.save(session)
        await uow.sessions.add_samples(session, list(applied.samples))
        await uow.commit()


async def measure(url: str, callers: int, grouped: bool) -> dict[str, object]:
    database = Database(url)
    sink = SqlMeterSink(database)
    try:
        sessions = await seed(database, callers)
        done = 0
        deadline = time.perf_counter() + SECONDS
        latencies: list[float] = []

        async def caller(session: ChargingSession) -> None:
            nonlocal done
            n = 0
            while time.perf_counter() < deadline:
                n += 1
                samples = message(session, n)
                started = time.perf_counter()
                if grouped:
                    await sink.record(session, samples)
                else:
                    await per_call(database, session, samples)
                latencies.append(time.perf_counter() - started)
                done += 1

        started = time.perf_counter()
        await asyncio.gather(*(caller(s) for s in sessions))
        elapsed = time.perf_counter() - started
        latencies.sort()
        return {"engine": url.split(":")[0], "sink": "group commit" if grouped else "transaction per record",
                "callers": callers, "records/s": round(done / elapsed),
                "samples/s": round(10 * done / elapsed),
                "records/commit": round(sink.recorded / sink.commits, 1) if grouped and sink.commits else 1,
                "p50 ms": round(1000 * latencies[len(latencies) // 2], 2),
                "p99 ms": round(1000 * latencies[int(len(latencies) * 0.99)], 2)}
    finally:
        await sink.close()
        await database.dispose()


async def fresh_postgres() -> tuple[PostgresServer, str, str]:
    server = PostgresServer(os.environ.get("CHARGE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    name = await server.create_database()
    url = server.url_for(name)
    await upgrade(url)
    return server, name, url


def run() -> list[dict[str, object]]:
    rows = []
    server, name, url = asyncio.run(fresh_postgres())
    try:
        for callers in (1, 10, 100, 500):
            for grouped in (False, True):
                if not grouped and callers > 100:
                    continue
                rows.append(asyncio.run(measure(url, callers, grouped)))
                print(rows[-1], flush=True)
    finally:
        asyncio.run(server.drop_database(name))
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{directory}/charge.db"
        asyncio.run(upgrade(url))
        for callers in (1, 100):
            for grouped in (False, True):
                rows.append(asyncio.run(measure(url, callers, grouped)))
                print(rows[-1], flush=True)
    return rows


if __name__ == "__main__":
    run()
