"""The event outbox: events commit (or roll back) with the change, are claimed with a lease, and read back
exactly; orphan transactions keep their messages. Memory, SQLite and PostgreSQL behave the same."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from application.pagination import PageRequest
from application.ports import UnitOfWorkFactory
from application.ports.events import EventStatus
from application.ports.network import OrphanFilter
from domain.charging import ENERGY_REGISTER, MeterSample, OrphanTransaction, TransactionEvent, TransactionEventKind
from domain.charging.events import SessionCompleted, SessionPriced
from domain.ids import PREFIXES, new_id
from domain.network.events import ReservationCreated
from tests.integration.sql.builders import LATER, NOW, a_charge_point, a_location, a_session, an_organization
from tests.integration.sql.seeding import seed


def completed(organization_id: str, session_id: str = "ses_01JD0000000000000000000000") -> SessionCompleted:
    return SessionCompleted(organization_id=organization_id, occurred_at=NOW, session_id=session_id,
                            charge_point_id="CP-1", started_at=NOW, stopped_at=LATER,
                            energy_wh=Decimal("1234.567"), stop_reason=None)


class TestEventOutbox:
    async def test_events_commit_with_the_change_and_read_back_exactly(self, uow_factory: UnitOfWorkFactory) -> None:
        organization = an_organization()
        await seed(uow_factory, organization)
        events = [completed(organization.id),
                  SessionPriced(organization_id=organization.id, occurred_at=LATER, session_id="ses_x",
                                currency="EUR", total_excl_vat=Decimal("1.23"), vat=Decimal("0.2337"),
                                total=Decimal("1.4637")),
                  ReservationCreated(organization_id=organization.id, occurred_at=NOW, reservation_id="rsv_1",
                                     charge_point_id="CP-1", connector_id=2, id_tag="Straße ✓",
                                     expires_at=LATER)]
        async with uow_factory() as uow:
            await uow.events.add(events)
            await uow.commit()
            assert uow.committed_event_ids == [e.id for e in events]
        async with uow_factory() as uow:
            for event in events:
                stored = await uow.events.get(organization.id, event.id)
                assert stored is not None and stored.event == event and type(stored.event) is type(event)
                assert (stored.status, stored.attempts, stored.handled_at) == (EventStatus.PENDING, 0, None)
            assert await uow.events.get(an_organization().id, events[0].id) is None   # another tenant's: none
            page = await uow.events.list(organization.id, PageRequest(limit=10))
            assert [s.id for s in page.items] == sorted((e.id for e in events), reverse=True)

    async def test_a_rolled_back_change_leaves_no_event(self, uow_factory: UnitOfWorkFactory) -> None:
        organization = an_organization()
        await seed(uow_factory, organization)
        event = completed(organization.id)
        async with uow_factory() as uow:
            await uow.events.add([event])
            await uow.rollback()
            await uow.commit()
            assert uow.committed_event_ids == []
        async with uow_factory() as uow:
            assert await uow.events.get(organization.id, event.id) is None
            assert await uow.events.claim(LATER, LATER + timedelta(minutes=1), 10) == []

    async def test_a_claim_leases_due_events_once_and_counts_the_attempt(self, uow_factory: UnitOfWorkFactory) -> None:
        organization = an_organization()
        await seed(uow_factory, organization)
        first, second = completed(organization.id), completed(organization.id)
        async with uow_factory() as uow:
            await uow.events.add([first, second])
            await uow.commit()
        lease = NOW + timedelta(seconds=60)
        async with uow_factory() as uow:
            claimed = await uow.events.claim(NOW, lease, 10, ids=[second.id])
            await uow.commit()
        assert [(c.id, c.attempts, c.next_attempt_at) for c in claimed] == [(second.id, 1, lease)]
        async with uow_factory() as uow:
            # Leased: not due again until the lease runs out; the other one is.
            assert [c.id for c in await uow.events.claim(NOW, lease, 10)] == [first.id]
            await uow.commit()
        async with uow_factory() as uow:
            again = await uow.events.claim(lease, lease + timedelta(seconds=60), 10)
            assert sorted(c.id for c in again) == sorted([first.id, second.id])
            assert {c.attempts for c in again} == {2}
            handled = again[0]
            handled.status, handled.handled_at, handled.next_attempt_at = EventStatus.HANDLED, LATER, None
            await uow.events.save(handled)
            await uow.commit()
        async with uow_factory() as uow:
            stored = await uow.events.get(organization.id, handled.id)
            assert stored is not None and (stored.status, stored.handled_at) == (EventStatus.HANDLED, LATER)
            far = LATER + timedelta(days=1)
            assert [c.id for c in await uow.events.claim(far, far, 10)] == [again[1].id]

    async def test_saving_an_aggregate_stores_the_events_it_recorded(self, uow_factory: UnitOfWorkFactory) -> None:
        organization = an_organization()
        location = a_location(organization)
        charge_point = a_charge_point(location)
        session = a_session(charge_point)
        await seed(uow_factory, organization, location, charge_point, session)
        session.apply(TransactionEvent(TransactionEventKind.ENDED, LATER, meter_wh=session.end_wh))
        [event] = session.pending_events
        async with uow_factory() as uow:
            await uow.sessions.save(session)
            await uow.commit()
            assert uow.committed_event_ids == [event.id]
        assert session.pending_events == []
        async with uow_factory() as uow:
            stored = await uow.events.get(organization.id, event.id)
            assert stored is not None and stored.event == event


class TestOrphanTransactions:
    async def test_an_orphan_keeps_its_messages_and_is_found_until_adopted(
            self, uow_factory: UnitOfWorkFactory) -> None:
        organization = an_organization()
        location = a_location(organization)
        charge_point = a_charge_point(location)
        await seed(uow_factory, organization, location, charge_point)
        sample = MeterSample(NOW, ENERGY_REGISTER, Decimal("1234567.891"), "Wh", None, "Sample.Periodic", "Outlet")
        ended = TransactionEvent(TransactionEventKind.ENDED, LATER, seq_no=3, meter_wh=Decimal(9000), id_tag="TAG",
                                 samples=(sample,), stop_reason="Local", offline=True, charging=False)
        orphan = OrphanTransaction.record(id=new_id(PREFIXES["orphan"]), organization_id=organization.id,
                                          charge_point_id=charge_point.id, transaction_id="tx-1", first=ended, now=NOW)
        [recorded] = orphan.pending_events
        async with uow_factory() as uow:
            await uow.orphans.add(orphan)
            await uow.commit()
            assert uow.committed_event_ids == [recorded.id]
        async with uow_factory() as uow:
            found = await uow.orphans.find(charge_point.id, "tx-1")
            assert found == orphan and found.messages == [ended]
            assert await uow.orphans.find(charge_point.id, "tx-2") is None
            found.absorb(TransactionEvent(TransactionEventKind.UPDATED, NOW), LATER)
            found.adopted_by = "ses_01JD0000000000000000000000"
            await uow.orphans.save(found)
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.orphans.find(charge_point.id, "tx-1") is None   # adopted: nothing left to adopt
            stored = await uow.orphans.get(organization.id, orphan.id)
            assert stored is not None and (stored.received, len(stored.messages), stored.last_seen_at) == (2, 2, LATER)
            assert await uow.orphans.get(an_organization().id, orphan.id) is None
            adopted = await uow.orphans.list(organization.id, OrphanFilter(adopted=True), PageRequest())
            assert [o.id for o in adopted.items] == [orphan.id]
            assert (await uow.orphans.list(organization.id, OrphanFilter(adopted=False), PageRequest())).items == []


class TestSettledEvents:
    async def test_events_nobody_waits_for_are_stored_handled_and_not_handed_on(
            self, uow_factory: UnitOfWorkFactory) -> None:
        organization = an_organization()
        await seed(uow_factory, organization)
        waited_for, settled = completed(organization.id), completed(organization.id, "ses_01JD0000000000000000000001")
        async with uow_factory() as uow:
            uow.events.settled = lambda event: event.id == settled.id
            await uow.events.add([waited_for, settled])
            await uow.commit()
            assert uow.committed_event_ids == [waited_for.id]
        async with uow_factory() as uow:
            stored = await uow.events.get(organization.id, settled.id)
            assert stored is not None and stored.event == settled
            assert (stored.status, stored.handled_at, stored.attempts) == (EventStatus.HANDLED, stored.recorded_at, 0)
            claimed = await uow.events.claim(LATER, LATER + timedelta(minutes=1), 10)
            assert [c.id for c in claimed] == [waited_for.id]
