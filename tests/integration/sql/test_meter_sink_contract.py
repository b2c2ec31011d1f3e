"""The meter sink: a record() that returned is durable, replays are ignored, the summary follows.

The contract runs on the in-memory sink, SQLite and PostgreSQL (``meter_sink`` and ``uow_factory``
share one store); what only group commit can get wrong (grouping, a failing batch, closing,
event loops) runs on the two SQL engines.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import timedelta
from decimal import Decimal

from attrs import evolve

from adapters.sql.database import Database
from adapters.sql.meter_sink import SqlMeterSink
from application.ports import UnitOfWorkFactory
from application.ports.meter_sink import MeterSink
from domain.charging import Applied, ChargingSession, SessionStatus, TransactionEvent, TransactionEventKind
from domain.identity import Organization
from domain.ids import PREFIXES, new_id
from domain.network import ChargePoint
from tests.integration.sql.builders import NOW, a_charge_point, a_location, a_session, an_organization, samples_at
from tests.integration.sql.seeding import seed
from tests.support.databases import run_async


async def a_charging_session(uow_factory: UnitOfWorkFactory, count: int = 1
                             ) -> tuple[Organization, ChargePoint, list[ChargingSession]]:
    organization = an_organization()
    location = a_location(organization)
    charge_point = a_charge_point(location)
    sessions = [opened(charge_point) for _ in range(count)]
    await seed(uow_factory, organization, location, charge_point, *sessions)
    return organization, charge_point, sessions


def opened(charge_point: ChargePoint) -> ChargingSession:
    """A session as StartTransaction opens it: no readings yet."""
    session, _ = ChargingSession.open(
        id=new_id(PREFIXES["session"]), organization_id=charge_point.organization_id, charge_point_id=charge_point.id,
        transaction_id=secrets.token_hex(8), connector_id=1, evse_id=1,
        first=TransactionEvent(TransactionEventKind.STARTED, NOW, meter_wh=Decimal("1234500000.5"), id_tag="TAG"))
    return session


def update(session: ChargingSession, minutes: int, wh: str) -> Applied:
    """Fold one MeterValues message into the session, as the use case does; returns what it produced."""
    return session.apply(TransactionEvent(TransactionEventKind.UPDATED, NOW + timedelta(minutes=minutes),
                                          samples=tuple(samples_at(NOW + timedelta(minutes=minutes), wh))))


class TestContract:
    async def test_a_late_summary_never_reopens_a_completed_session(self, meter_sink: MeterSink,
                                                                   uow_factory: UnitOfWorkFactory) -> None:
        organization, _, [session] = await a_charging_session(uow_factory)
        stale = evolve(session, seen_seq_nos=set(session.seen_seq_nos))   # read before the stop was stored
        session.apply(TransactionEvent(TransactionEventKind.ENDED, NOW + timedelta(minutes=30),
                                       meter_wh=Decimal("1234600000.5"), stop_reason="Local"))
        async with uow_factory() as uow:
            await uow.sessions.save(session)
            await uow.commit()
        late = update(stale, 20, "1234590000")
        await meter_sink.record(stale, late)
        async with uow_factory() as uow:
            stored = await uow.sessions.get(organization.id, session.id)
            kept = await uow.sessions.samples(organization.id, session.id)
        assert stored is not None and stored.status is SessionStatus.COMPLETED
        assert stored.energy_wh == Decimal("100000.0")
        assert len(kept) == len(late.samples)   # the late readings are still kept

    async def test_a_returned_record_is_durable(self, meter_sink: MeterSink, uow_factory: UnitOfWorkFactory) -> None:
        organization, _, [session] = await a_charging_session(uow_factory)
        samples = update(session, 5, "1234599999.75")
        await meter_sink.record(session, samples)
        async with uow_factory() as uow:
            assert await uow.sessions.get(organization.id, session.id) == session
            stored = await uow.sessions.samples(organization.id, session.id)
        assert sorted(stored, key=str) == sorted(samples.samples, key=str)
        assert session.last_reading.wh == Decimal("1234599999.75") and session.status is SessionStatus.ACTIVE

    async def test_replayed_samples_are_ignored_and_the_summary_follows(
            self, meter_sink: MeterSink, uow_factory: UnitOfWorkFactory) -> None:
        organization, _, [session] = await a_charging_session(uow_factory)
        first = update(session, 5, "1234590000")
        await meter_sink.record(session, first)
        # A replay, with other values.
        await meter_sink.record(session, Applied(tuple(evolve(s, value=Decimal(1)) for s in first.samples)))
        later = update(session, 6, "1234600000")
        await meter_sink.record(session, later)
        async with uow_factory() as uow:
            assert await uow.sessions.get(organization.id, session.id) == session
            stored = await uow.sessions.samples(organization.id, session.id)
        assert len(stored) == len(first.samples) + len(later.samples)
        assert all(s.value != Decimal(1) for s in stored)

    async def test_concurrent_records_of_many_sessions_all_land(
            self, meter_sink: MeterSink, uow_factory: UnitOfWorkFactory) -> None:
        organization, _, sessions = await a_charging_session(uow_factory, count=10)
        updates = [(s, update(s, 5, f"12345{i:05d}")) for i, s in enumerate(sessions)]
        await asyncio.gather(*(meter_sink.record(s, samples) for s, samples in updates))
        async with uow_factory() as uow:
            for session, samples in updates:
                assert await uow.sessions.get(organization.id, session.id) == session
                assert len(await uow.sessions.samples(organization.id, session.id)) == len(samples.samples)

    async def test_the_last_of_one_sessions_records_wins(
            self, meter_sink: MeterSink, uow_factory: UnitOfWorkFactory) -> None:
        organization, _, [session] = await a_charging_session(uow_factory)
        snapshots = []
        for minute in range(1, 6):
            samples = update(session, minute, f"12346{minute:05d}")
            snapshots.append((evolve(session, seen_seq_nos=set(session.seen_seq_nos)), samples))
        await asyncio.gather(*(meter_sink.record(s, samples) for s, samples in snapshots))
        async with uow_factory() as uow:
            assert await uow.sessions.get(organization.id, session.id) == snapshots[-1][0]
            assert len(await uow.sessions.samples(organization.id, session.id)) == 5 * len(snapshots[0][1].samples)


async def sql_sink_world(database: Database, count: int) -> tuple[Organization, ChargePoint, list[ChargingSession]]:
    return await a_charging_session(database.unit_of_work, count)


class TestGroupCommit:
    async def test_concurrent_calls_share_transactions(self, database: Database) -> None:
        organization, _, sessions = await sql_sink_world(database, 50)
        sink = SqlMeterSink(database)
        try:
            await asyncio.gather(*(sink.record(s, update(s, 5, "2000")) for s in sessions))
        finally:
            await sink.close()
        assert sink.recorded == 50
        assert 1 <= sink.commits < 50
        async with database.unit_of_work() as uow:
            for session in sessions:
                assert await uow.sessions.get(organization.id, session.id) == session

    async def test_batches_respect_their_limit(self, database: Database) -> None:
        _, _, sessions = await sql_sink_world(database, 10)
        sink = SqlMeterSink(database, max_batch=3)
        try:
            await asyncio.gather(*(sink.record(s, update(s, 5, "2000")) for s in sessions))
        finally:
            await sink.close()
        assert sink.recorded == 10 and sink.commits >= 4

    async def test_a_failing_batch_fails_every_caller_and_stores_nothing(self, database: Database) -> None:
        organization, charge_point, sessions = await sql_sink_world(database, 5)
        originals = [evolve(s, seen_seq_nos=set(s.seen_seq_nos)) for s in sessions]
        # A session of a charge point that does not exist: its row breaks a foreign key.
        stray = evolve(a_session(charge_point), charge_point_id="CP-NOT-REGISTERED")
        sink = SqlMeterSink(database)
        try:
            calls = [sink.record(s, update(s, 5, "2000")) for s in sessions]
            calls.insert(2, sink.record(stray, Applied(tuple(samples_at(NOW)))))
            outcomes = await asyncio.gather(*calls, return_exceptions=True)
            assert all(isinstance(o, Exception) for o in outcomes), outcomes
            assert sink.commits == 0 and sink.recorded == 0
            async with database.unit_of_work() as uow:
                for original in originals:
                    assert await uow.sessions.get(organization.id, original.id) == original
                    assert await uow.sessions.samples(organization.id, original.id) == []
            # The sink outlives a failed batch.
            await sink.record(sessions[0], Applied())
            assert sink.commits == 1
        finally:
            await sink.close()

    async def test_an_unreachable_server_fails_every_caller(self) -> None:
        unreachable = Database("postgresql://nobody@127.0.0.1:1/none")
        session = a_session(a_charge_point(a_location(an_organization())))
        sink = SqlMeterSink(unreachable)
        try:
            outcomes = await asyncio.gather(*(sink.record(session, Applied(tuple(samples_at(NOW)))) for _ in range(3)),
                                            return_exceptions=True)
        finally:
            await sink.close()
            await unreachable.dispose()
        assert all(isinstance(o, OSError) for o in outcomes), outcomes
        assert sink.commits == 0

    async def test_close_writes_what_is_queued_and_record_starts_again(self, database: Database) -> None:
        organization, _, sessions = await sql_sink_world(database, 3)
        sink = SqlMeterSink(database)
        pending = [asyncio.create_task(sink.record(s, update(s, 5, "2000"))) for s in sessions]
        await asyncio.sleep(0)   # the calls are queued
        await sink.close()
        assert all(task.done() and task.exception() is None for task in pending)
        await sink.close()       # closing twice is harmless
        await sink.record(sessions[0], update(sessions[0], 6, "3000"))
        await sink.close()
        async with database.unit_of_work() as uow:
            assert await uow.sessions.get(organization.id, sessions[0].id) == sessions[0]

    async def test_a_caller_that_gave_up_before_the_write_is_not_written(self, database: Database) -> None:
        organization, _, [kept, abandoned] = await sql_sink_world(database, 2)
        original = evolve(abandoned, seen_seq_nos=set(abandoned.seen_seq_nos))
        sink = SqlMeterSink(database)
        try:
            gave_up = asyncio.create_task(sink.record(abandoned, update(abandoned, 5, "2000")))
            waited = asyncio.create_task(sink.record(kept, update(kept, 5, "2000")))
            await asyncio.sleep(0)   # both are queued; the flusher has not run yet
            gave_up.cancel()
            await waited
        finally:
            await sink.close()
        assert gave_up.cancelled() and sink.recorded == 1
        async with database.unit_of_work() as uow:
            assert await uow.sessions.get(organization.id, abandoned.id) == original
            assert await uow.sessions.samples(organization.id, abandoned.id) == []
            assert await uow.sessions.get(organization.id, kept.id) == kept

    async def test_linger_gathers_records_arriving_within_it(self, database: Database) -> None:
        _, _, sessions = await sql_sink_world(database, 3)
        sink = SqlMeterSink(database, linger=0.2)

        async def arrive_later(session: ChargingSession, delay: float) -> None:
            await asyncio.sleep(delay)
            await sink.record(session, update(session, 5, "2000"))

        try:
            await asyncio.gather(*(arrive_later(s, 0.02 * i) for i, s in enumerate(sessions)))
        finally:
            await sink.close()
        assert sink.recorded == 3 and sink.commits == 1

    def test_each_event_loop_gets_its_own_flusher(self, database_url: str) -> None:
        # Tests (and embedders) run one loop after another; a queue bound to a closed loop would hang.
        database = Database(database_url)
        sink = SqlMeterSink(database)
        world = run_async(lambda: sql_sink_world(database, 2))
        organization, _, sessions = world

        async def record_then_release(session: ChargingSession) -> None:
            try:
                await sink.record(session, update(session, 5, "2000"))
            finally:
                await database.dispose()   # connections belong to this loop too

        run_async(database.dispose)
        for session in sessions:
            run_async(lambda s=session: record_then_release(s))

        async def read() -> list[ChargingSession | None]:
            try:
                async with database.unit_of_work() as uow:
                    return [await uow.sessions.get(organization.id, s.id) for s in sessions]
            finally:
                await database.dispose()

        assert run_async(read) == sessions
        assert sink.commits == 2

