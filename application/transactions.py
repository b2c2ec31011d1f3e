"""Charging sessions from OCPP transaction messages (1.6 Start/Stop/MeterValues, 2.0.1 TransactionEvent).

Every message may be a retry (its answer was lost) or an offline replay: a retried start finds
the session it opened (by a key made of the start message's own fields), a retried stop or
event folds into the session without effect (see ``domain.charging.sessions``). Plain meter
updates go through the ``MeterSink`` (group commit); anything that opens or closes a session
goes through a unit of work. A stop or an event of a transaction whose start was never seen is
answered but opens no session: it is kept as an orphan (``domain.charging.orphans``), which a
2.0.1 ``Started`` arriving later adopts. Completed sessions are priced by the handler of
``SessionCompleted`` (``session_pricing``), after the commit.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from attrs import frozen

from application.authorization_log import record_decision
from application.energy_caps import EnergyCaps
from application.id_tags import Authorization, KnownTags, authorize_id_tag
from application.live_sessions import LiveSessions
from application.open_sessions import OpenSessions
from application.pagination import PageRequest
from application.ports import Clock, UnitOfWork, UnitOfWorkFactory
from application.ports.meter_sink import MeterSink
from application.ports.network import SessionFilter
from application.session_pricing import freeze_pricing
from domain.charging import (
    Applied,
    ChargingSession,
    MeterSample,
    OrphanTransaction,
    SessionStatus,
    TransactionEvent,
    TransactionEventKind,
)
from domain.errors import NotFound
from domain.fleets import Trigger
from domain.ids import PREFIXES, new_id
from domain.network import ChargePoint


@frozen
class StartTransaction:
    """OCPP 1.6 StartTransaction: the central system hands out the transaction id."""

    charge_point_id: str
    connector_id: int
    id_tag: str
    meter_start_wh: Decimal
    timestamp: datetime
    reservation_id: int | None = None


@frozen
class Started:
    transaction_id: int
    session_id: str
    authorization: Authorization


@frozen
class StopTransaction:
    charge_point_id: str
    transaction_id: str
    meter_stop_wh: Decimal
    timestamp: datetime
    reason: str | None = None
    id_tag: str | None = None
    samples: tuple[MeterSample, ...] = ()


@frozen
class MeterValues:
    charge_point_id: str
    samples: tuple[MeterSample, ...]
    transaction_id: str | None = None
    connector_id: int | None = None
    evse_id: int | None = None


@frozen
class TransactionEventReport:
    """OCPP 2.0.1 TransactionEvent: the charge point names the transaction; seqNo orders its messages."""

    charge_point_id: str
    kind: TransactionEventKind
    timestamp: datetime
    transaction_id: str
    seq_no: int
    trigger_reason: str
    id_tag: str | None = None
    evse_id: int | None = None
    connector_id: int | None = None
    samples: tuple[MeterSample, ...] = ()
    stopped_reason: str | None = None
    offline: bool = False
    charging_state: str | None = None
    reservation_id: int | None = None


async def _charge_point(uow: UnitOfWork, charge_point_id: str, *, lock: bool = False) -> ChargePoint:
    found = await (uow.charge_points.find_for_update if lock else uow.charge_points.find)(charge_point_id)
    if found is None:
        raise NotFound("charge_point", charge_point_id)
    return found


async def _use_reservation(uow: UnitOfWork, charge_point: ChargePoint, session: ChargingSession,
                           reservation_id: int | None, connector_id: int | None, now: datetime) -> None:
    """A start by the reserved tag on the reserved connector marks the reservation used."""
    candidates = []
    if reservation_id is not None:
        found = await uow.reservations.find_by_ocpp_id(charge_point.id, reservation_id)
        candidates = [found] if found else []
    elif connector_id is not None:
        candidates = [r for r in await uow.reservations.active_on(charge_point.id, now)
                      if r.holds(connector_id, now)]
    for reservation in candidates:
        if session.id_tag and reservation.admits(session.id_tag) and reservation.holds(reservation.connector_id, now):
            reservation.use(session.id, now)
            await uow.reservations.save(reservation)
            return


async def _store_applied(uow: UnitOfWork, session: ChargingSession, applied: Applied) -> None:
    if applied.samples:
        await uow.sessions.add_samples(session, list(applied.samples))
    if applied.anomalies:
        await uow.sessions.add_anomalies(session, list(applied.anomalies))


@frozen
class _Starter:
    """What a new session records of who starts it: the driver, its fleet and vehicle, and (when the start is
    accepted) the energy cap of its policy."""

    driver_id: str | None = None
    fleet_id: str | None = None
    vehicle_id: str | None = None
    energy_cap_wh: Decimal | None = None
    energy_cap_reason: str | None = None

    @classmethod
    def of(cls, authorization: Authorization | None) -> _Starter:
        if authorization is None:
            return cls()
        cap = authorization.energy_cap if authorization.accepted else None
        return cls(authorization.driver_id, authorization.fleet_id, authorization.vehicle_id,
                   cap.wh if cap else None, cap.reason if cap else None)

    def open(self, **fields: Any) -> tuple[ChargingSession, Applied]:
        return ChargingSession.open(driver_id=self.driver_id, fleet_id=self.fleet_id, vehicle_id=self.vehicle_id,
                                    energy_cap_wh=self.energy_cap_wh, energy_cap_reason=self.energy_cap_reason,
                                    **fields)

    def fill_in(self, session: ChargingSession) -> None:
        """A session authorized after it started (2.0.1: plugged in first, tag presented later)."""
        if session.driver_id is not None or self.driver_id is None:
            return
        session.driver_id, session.fleet_id, session.vehicle_id = self.driver_id, self.fleet_id, self.vehicle_id
        if session.energy_cap_wh is None:
            session.energy_cap_wh, session.energy_cap_reason = self.energy_cap_wh, self.energy_cap_reason


async def start_transaction(cmd: StartTransaction, *, uow_factory: UnitOfWorkFactory, clock: Clock,
                            known: KnownTags | None = None) -> Started:
    start_key = f"{cmd.connector_id}|{cmd.id_tag}|{cmd.meter_start_wh}|{cmd.timestamp.isoformat()}"
    now = clock.now()
    async with uow_factory() as uow:
        charge_point = await _charge_point(uow, cmd.charge_point_id, lock=True)
        existing = await uow.sessions.find_by_start_key(charge_point.id, start_key)
        if existing is not None:  # a retry: answer as the first time, open nothing
            authorization = await authorize_id_tag(uow, charge_point, cmd.id_tag, now, known=known)
            await record_decision(uow, charge_point, cmd.id_tag, authorization, Trigger.START_TRANSACTION, now,
                                  cmd.connector_id)
            await uow.commit()
            return Started(int(existing.transaction_id), existing.id, authorization)
        authorization = await authorize_id_tag(uow, charge_point, cmd.id_tag, now, cmd.connector_id, known=known)
        transaction_id = charge_point.allocate_transaction_id()
        await uow.charge_points.save(charge_point)
        session, applied = _Starter.of(authorization).open(
            id=new_id(PREFIXES["session"]), organization_id=charge_point.organization_id,
            charge_point_id=charge_point.id, transaction_id=str(transaction_id), connector_id=cmd.connector_id,
            first=TransactionEvent(TransactionEventKind.STARTED, cmd.timestamp, meter_wh=cmd.meter_start_wh,
                                   id_tag=cmd.id_tag))
        await freeze_pricing(uow, charge_point, session)
        await uow.sessions.add(session, start_key=start_key)
        await _store_applied(uow, session, applied)
        if authorization.accepted:
            await _use_reservation(uow, charge_point, session, cmd.reservation_id, cmd.connector_id, now)
        await record_decision(uow, charge_point, cmd.id_tag, authorization, Trigger.START_TRANSACTION, now,
                              cmd.connector_id)
        await uow.commit()
    return Started(transaction_id, session.id, authorization)


async def stop_transaction(cmd: StopTransaction, *, uow_factory: UnitOfWorkFactory,
                           clock: Clock, open_sessions: OpenSessions | None = None) -> Authorization | None:
    event = TransactionEvent(TransactionEventKind.ENDED, cmd.timestamp, meter_wh=cmd.meter_stop_wh,
                             id_tag=cmd.id_tag, samples=cmd.samples, stop_reason=cmd.reason)
    if open_sessions is not None:
        open_sessions.forget(cmd.charge_point_id, cmd.transaction_id)
    now = clock.now()
    async with uow_factory() as uow:
        charge_point = await _charge_point(uow, cmd.charge_point_id)
        # 1.6 transaction ids are ours: a stop for one we never handed out cannot be adopted later.
        await _fold(uow, charge_point, cmd.transaction_id, event, now, adoptable=False)
        authorization = None
        if cmd.id_tag:   # the tag that ended it: told whether it is valid, but the stop stands whatever the policy
            authorization = await authorize_id_tag(uow, charge_point, cmd.id_tag, now, policy=False)
            await record_decision(uow, charge_point, cmd.id_tag, authorization, Trigger.STOP_TRANSACTION, now)
        await uow.commit()
    return authorization


async def _fold(uow: UnitOfWork, charge_point: ChargePoint, transaction_id: str, event: TransactionEvent,
                now: datetime, *, adoptable: bool, connector_id: int | None = None, evse_id: int | None = None,
                authorization: Authorization | None = None) -> ChargingSession | None:
    """Apply a message to its session. The start of a transaction opens its session (adopting what an
    orphan kept of it); any other message of a transaction without a session is kept as an orphan."""
    session = await uow.sessions.find_by_transaction(charge_point.id, transaction_id, for_update=True)
    if session is not None:
        applied = session.apply(event)
        if session.connector_id is None and connector_id is not None:
            session.connector_id, session.evse_id = connector_id, evse_id
        _Starter.of(authorization).fill_in(session)
        await uow.sessions.save(session)
        await _store_applied(uow, session, applied)
        return session
    if event.kind is not TransactionEventKind.STARTED:
        await _keep_orphan(uow, charge_point, transaction_id, event, now)
        return None
    session, applied = _Starter.of(authorization).open(
        id=new_id(PREFIXES["session"]), organization_id=charge_point.organization_id,
        charge_point_id=charge_point.id, transaction_id=transaction_id, connector_id=connector_id,
        evse_id=evse_id, first=event)
    await freeze_pricing(uow, charge_point, session)
    adopted = []
    orphan = await uow.orphans.find(charge_point.id, transaction_id) if adoptable else None
    if orphan is not None:
        adopted = orphan.adopt_into(session)
        await uow.orphans.save(orphan)
    await uow.sessions.add(session)
    for result in (applied, *adopted):
        await _store_applied(uow, session, result)
    return session


async def _keep_orphan(uow: UnitOfWork, charge_point: ChargePoint, transaction_id: str, event: TransactionEvent,
                       now: datetime) -> None:
    orphan = await uow.orphans.find(charge_point.id, transaction_id)
    if orphan is None:
        await uow.orphans.add(OrphanTransaction.record(
            id=new_id(PREFIXES["orphan"]), organization_id=charge_point.organization_id,
            charge_point_id=charge_point.id, transaction_id=transaction_id, first=event, now=now))
    else:
        orphan.absorb(event, now)
        await uow.orphans.save(orphan)


async def meter_values(cmd: MeterValues, *, uow_factory: UnitOfWorkFactory, sink: MeterSink,
                       open_sessions: OpenSessions | None = None, live: LiveSessions | None = None,
                       caps: EnergyCaps | None = None) -> None:
    """Samples of a transaction (or, without one, of the session running on that connector or EVSE;
    EVSE 0 and connector 0 are the charge point as a whole, which runs no session).

    With ``open_sessions``, a transaction's session is read once and then folded in memory (see there);
    with ``live``, the session goes to its live watchers once recorded (see ``live_sessions``)."""
    session = (open_sessions.get(cmd.charge_point_id, cmd.transaction_id)
               if open_sessions is not None and cmd.transaction_id is not None else None)
    if session is None:
        async with uow_factory(read_only=True) as uow:
            if cmd.transaction_id is not None:
                session = await uow.sessions.find_by_transaction(cmd.charge_point_id, cmd.transaction_id)
                if session is not None and open_sessions is not None:
                    open_sessions.keep(session)
            if session is None and (cmd.connector_id or cmd.evse_id):
                session = await _running_on(uow, cmd.charge_point_id, cmd.connector_id, cmd.evse_id)
    if session is None or not cmd.samples:
        return  # readings outside any session carry nothing to bill; they are acknowledged and dropped
    event = TransactionEvent(TransactionEventKind.UPDATED, max(s.timestamp for s in cmd.samples), samples=cmd.samples)
    await _record(session, event, sink, open_sessions, live, caps)


async def _record(session: ChargingSession, event: TransactionEvent, sink: MeterSink,
                  open_sessions: OpenSessions | None, live: LiveSessions | None,
                  caps: EnergyCaps | None = None) -> None:
    try:
        await sink.record(session, session.apply(event))
    except BaseException:
        if open_sessions is not None:   # the kept copy ran ahead of what is stored: read it again next time
            open_sessions.forget(session.charge_point_id, session.transaction_id)
        raise
    if caps is not None:   # the reading is stored: a session over its cap is stopped (see energy_caps)
        caps.check(session)
    if live is not None:
        live.meter_updated(session)


async def _running_on(uow: UnitOfWork, charge_point_id: str, connector_id: int | None,
                      evse_id: int | None) -> ChargingSession | None:
    """The session running on a connector (1.6 names the connector) or an EVSE (2.0.1 names the EVSE)."""
    charge_point = await uow.charge_points.find(charge_point_id)
    if charge_point is None:
        return None
    for status in (SessionStatus.ACTIVE, SessionStatus.STARTED):
        page = await uow.sessions.list(charge_point.organization_id,
                                       SessionFilter(charge_point_id=charge_point_id, status=status),
                                       PageRequest(limit=20))
        for session in page.items:
            if (session.evse_id == evse_id) if evse_id else (session.connector_id == connector_id):
                return session
    return None


async def transaction_event(cmd: TransactionEventReport, *, uow_factory: UnitOfWorkFactory, sink: MeterSink,
                            clock: Clock, open_sessions: OpenSessions | None = None,
                            live: LiveSessions | None = None, caps: EnergyCaps | None = None,
                            known: KnownTags | None = None) -> Authorization | None:
    event = TransactionEvent(cmd.kind, cmd.timestamp, seq_no=cmd.seq_no, id_tag=cmd.id_tag, samples=cmd.samples,
                             stop_reason=cmd.stopped_reason, offline=cmd.offline,
                             charging=cmd.charging_state == "Charging" if cmd.charging_state else None)
    if cmd.kind is TransactionEventKind.UPDATED and cmd.id_tag is None:
        session = open_sessions.get(cmd.charge_point_id, cmd.transaction_id) if open_sessions is not None else None
        if session is None:
            async with uow_factory(read_only=True) as uow:
                session = await uow.sessions.find_by_transaction(cmd.charge_point_id, cmd.transaction_id)
            if session is not None and open_sessions is not None:
                open_sessions.keep(session)
        if session is not None:
            # The hot path: no connection is held while the sink groups this with other charge points' samples.
            await _record(session, event, sink, open_sessions, live, caps)
            return None
    if open_sessions is not None:   # what follows changes sessions of this charge point outside the sink
        open_sessions.forget_charge_point(cmd.charge_point_id)
    now = clock.now()
    async with uow_factory() as uow:
        charge_point = await _charge_point(uow, cmd.charge_point_id)
        authorization = None
        if cmd.id_tag:
            started = cmd.kind is TransactionEventKind.STARTED
            # A tag that starts or authorizes a transaction is judged by its policy; one that ends it is not.
            judged = cmd.kind is not TransactionEventKind.ENDED and cmd.trigger_reason != "StopAuthorized"
            authorization = await authorize_id_tag(uow, charge_point, cmd.id_tag, now,
                                                   cmd.connector_id if started else None, known,
                                                   evse_id=cmd.evse_id if judged else None, policy=judged)
            await record_decision(uow, charge_point, cmd.id_tag, authorization, Trigger.TRANSACTION_EVENT, now,
                                  cmd.connector_id)
        session = await _fold(uow, charge_point, cmd.transaction_id, event, now, adoptable=True,
                              connector_id=cmd.connector_id, evse_id=cmd.evse_id, authorization=authorization)
        if session is not None and cmd.kind is TransactionEventKind.STARTED and authorization \
                and authorization.accepted:
            await _use_reservation(uow, charge_point, session, cmd.reservation_id, cmd.connector_id, now)
        await uow.commit()
    return authorization
