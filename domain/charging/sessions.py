"""The charging session: a state machine fed by transaction messages that may repeat or arrive late.

Charge points retry a message whose answer was lost and replay queued messages after being
offline, in any order. So every transition here is idempotent and order-independent:
- energy comes from energy-register readings (first and last by timestamp, or the meter
  start/stop values), never from summing increments, so a repeated reading cannot count twice;
- a reading the register cannot physically have shown (it runs backwards, or gains more than
  any charger delivers in the time) is not counted: the session is flagged and keeps the anomaly;
- a message carrying a sequence number already seen is ignored whole;
- ``completed`` is terminal: a late ``Started`` or ``Updated`` fills in facts, never reopens;
  statuses only move forward (``started`` → ``active`` → ``completed``), here and wherever a
  session's readings are written (the meter sink moves them forward, never back).

A session opens from the start of its transaction. Messages of a transaction whose start was never
seen make an ``OrphanTransaction`` instead (``domain.charging.orphans``), never a billable session.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from attrs import define, field, frozen

from domain.charging.events import SessionCompleted, SessionPriced, SessionStarted, SessionStopRequested
from domain.charging.meter import Anomaly, MeterSample, Reading, implausible_step
from domain.errors import InvalidState
from domain.events import DomainEvent

if TYPE_CHECKING:  # domain.pricing prices sessions, so it imports this module
    from domain.pricing.costs import SessionCost

__all__ = ["Applied", "ChargingSession", "Reading", "SessionStatus", "StopRequest", "TransactionEvent",
           "TransactionEventKind"]


class SessionStatus(str, enum.Enum):
    STARTED = "started"        # the transaction began; no energy has flowed yet
    ACTIVE = "active"          # energy is flowing (or the charge point says it is charging)
    COMPLETED = "completed"

    @property
    def rank(self) -> int:
        """Statuses only move forward: a session's status never takes a lower rank."""
        return _RANK[self]


_RANK = {SessionStatus.STARTED: 0, SessionStatus.ACTIVE: 1, SessionStatus.COMPLETED: 2}


class TransactionEventKind(str, enum.Enum):
    STARTED = "Started"
    UPDATED = "Updated"
    ENDED = "Ended"


@frozen
class TransactionEvent:
    """One transaction message, whatever the OCPP version: StartTransaction, MeterValues,
    StopTransaction (1.6) or TransactionEvent (2.0.1)."""

    kind: TransactionEventKind
    timestamp: datetime
    seq_no: int | None = None
    meter_wh: Decimal | None = None      # the energy register at this instant (meterStart / meterStop)
    id_tag: str | None = None
    samples: tuple[MeterSample, ...] = ()
    stop_reason: str | None = None
    offline: bool = False
    charging: bool | None = None         # 2.0.1 chargingState == Charging


@frozen
class StopRequest:
    """The central system asked the charge point to stop the session (it reached its energy cap)."""

    at: datetime
    reason: str                          # the policy field that capped it: max_kwh_per_session | max_kwh_per_day
    answer: str | None = None            # what the charge point answered (Accepted, Rejected, unavailable, timeout)

    @property
    def accepted(self) -> bool:
        return self.answer == "Accepted"


@frozen
class Applied:
    """What folding one message produced: samples to store, and readings the session refused to count."""

    samples: tuple[MeterSample, ...] = ()
    anomalies: tuple[Anomaly, ...] = ()


@define
class ChargingSession:
    id: str
    organization_id: str
    charge_point_id: str
    transaction_id: str
    status: SessionStatus
    connector_id: int | None = None
    evse_id: int | None = None
    id_tag: str | None = None
    driver_id: str | None = None
    started_at: datetime | None = None
    stopped_at: datetime | None = None
    meter_start_wh: Decimal | None = None
    meter_stop_wh: Decimal | None = None
    first_reading: Reading | None = None
    last_reading: Reading | None = None
    stop_reason: str | None = None
    offline: bool = False
    seen_seq_nos: set[int] = field(factory=set)
    last_event_at: datetime | None = None
    # Pricing, frozen when the session opens: the tariff version (and membership plan) in force then.
    tariff_id: str | None = None
    tariff_version: int | None = None
    plan_id: str | None = None
    cost: SessionCost | None = None      # set once, by ``priced``, after the session completes
    flagged: bool = False                # some reading was not counted (see the session's anomalies)
    # Who charged, as they were when it started: the fleet (and so who pays) and the vehicle driven.
    fleet_id: str | None = None
    vehicle_id: str | None = None
    # The most it may deliver (its driver's policy, when it started), and the request to stop it there.
    energy_cap_wh: Decimal | None = None
    energy_cap_reason: str | None = None
    stop_request: StopRequest | None = None
    pending_events: list[DomainEvent] = field(factory=list, eq=False, repr=False)

    @classmethod
    def open(cls, *, id: str, organization_id: str, charge_point_id: str, transaction_id: str,
             connector_id: int | None = None, evse_id: int | None = None, driver_id: str | None = None,
             fleet_id: str | None = None, vehicle_id: str | None = None, energy_cap_wh: Decimal | None = None,
             energy_cap_reason: str | None = None, first: TransactionEvent) -> tuple[ChargingSession, Applied]:
        """A session from the start of its transaction (StartTransaction, or TransactionEvent Started)."""
        session = cls(id=id, organization_id=organization_id, charge_point_id=charge_point_id,
                      transaction_id=transaction_id, status=SessionStatus.STARTED, connector_id=connector_id,
                      evse_id=evse_id, driver_id=driver_id, fleet_id=fleet_id, vehicle_id=vehicle_id,
                      energy_cap_wh=energy_cap_wh, energy_cap_reason=energy_cap_reason)
        applied = session.apply(first)
        session.pending_events.append(SessionStarted(
            organization_id=organization_id, occurred_at=session.started_at or first.timestamp, session_id=id,
            charge_point_id=charge_point_id, transaction_id=transaction_id, connector_id=connector_id,
            evse_id=evse_id, id_tag=session.id_tag, driver_id=driver_id, fleet_id=fleet_id, vehicle_id=vehicle_id))
        return session, applied

    @property
    def start_wh(self) -> Decimal | None:
        if self.meter_start_wh is not None:
            return self.meter_start_wh
        return self.first_reading.wh if self.first_reading else None

    @property
    def end_wh(self) -> Decimal | None:
        if self.meter_stop_wh is not None:
            return self.meter_stop_wh
        return self.last_reading.wh if self.last_reading else None

    @property
    def energy_wh(self) -> Decimal:
        start, end = self.start_wh, self.end_wh
        if start is None or end is None or end < start:
            return Decimal(0)
        return end - start

    @property
    def energy_kwh(self) -> Decimal:
        return self.energy_wh / 1000

    def apply(self, event: TransactionEvent) -> Applied:
        """Fold one message into the session; returns the samples it carried (to be stored) and the
        readings it refused to count. Applying the same message twice leaves the session as once did."""
        if event.seq_no is not None:
            if event.seq_no in self.seen_seq_nos:
                return Applied()
            self.seen_seq_nos.add(event.seq_no)
        self.offline = self.offline or event.offline
        if self.last_event_at is None or event.timestamp > self.last_event_at:
            self.last_event_at = event.timestamp
        if event.id_tag and self.id_tag is None:
            self.id_tag = event.id_tag
        samples = tuple(s.normalised() for s in event.samples)
        anomalies: list[Anomaly] = []
        if event.kind is TransactionEventKind.STARTED:
            self._started(event)
        for sample in samples:
            if sample.is_energy_register:
                self._observe(Reading(sample.timestamp, sample.value), anomalies)
        if event.kind is TransactionEventKind.ENDED:
            self._ended(event, anomalies)
        if event.meter_wh is not None and event.kind is TransactionEventKind.UPDATED:
            self._observe(Reading(event.timestamp, event.meter_wh), anomalies)
        if self.started_at is None or (event.timestamp < self.started_at and self.meter_start_wh is None):
            # Until the Started message arrives, the earliest message seen marks the start.
            self.started_at = event.timestamp
        if self.status is SessionStatus.STARTED and (event.charging or self.energy_wh > 0):
            self.status = SessionStatus.ACTIVE
        if anomalies:
            self.flagged = True
        return Applied(samples, tuple(anomalies))

    def advance_to(self, newer: ChargingSession) -> None:
        """Take what a copy of this session learned from meter readings (``newer``, read before and
        folded since), moving readings and status forward only: a stale copy never undoes a stop.

        This is the meter sink's write; the SQL sink expresses the same rule in its upsert.
        """
        if newer.first_reading is not None and (self.first_reading is None
                                                or newer.first_reading.timestamp < self.first_reading.timestamp):
            self.first_reading = newer.first_reading
        if newer.last_reading is not None and _later(newer.last_reading, self.last_reading):
            self.last_reading = newer.last_reading
        if newer.status.rank > self.status.rank and newer.status is not SessionStatus.COMPLETED:
            self.status = newer.status
        if newer.last_event_at is not None and (self.last_event_at is None or newer.last_event_at > self.last_event_at):
            self.last_event_at = newer.last_event_at
        self.offline = self.offline or newer.offline
        self.flagged = self.flagged or newer.flagged

    @property
    def over_cap(self) -> bool:
        """Whether a running session has delivered its energy cap (the meter path asks at every reading)."""
        return self.energy_cap_wh is not None and self.status is not SessionStatus.COMPLETED \
            and self.energy_wh >= self.energy_cap_wh

    def needs_stop(self, now: datetime, retry_after: timedelta) -> bool:
        """Over its cap and not asked to stop yet, or asked in vain ``retry_after`` ago or more."""
        if not self.over_cap:
            return False
        request = self.stop_request
        return request is None or (not request.accepted and now - request.at >= retry_after)

    def request_stop(self, at: datetime) -> None:
        """Record that the central system asks the charge point to stop the session at its cap."""
        if not self.over_cap:
            raise InvalidState(f"session {self.id} is not over an energy cap")
        reason = self.energy_cap_reason or "energy_cap"
        self.stop_request = StopRequest(at, reason)
        self.pending_events.append(SessionStopRequested(
            organization_id=self.organization_id, occurred_at=at, session_id=self.id,
            charge_point_id=self.charge_point_id, transaction_id=self.transaction_id, reason=reason,
            energy_wh=self.energy_wh, energy_cap_wh=self.energy_cap_wh or Decimal(0)))

    def stop_answered(self, answer: str) -> None:
        if self.stop_request is not None:
            self.stop_request = StopRequest(self.stop_request.at, self.stop_request.reason, answer)

    def priced(self, cost: SessionCost, at: datetime) -> None:
        """Record the billed cost: once, and only of a completed session."""
        if self.status is not SessionStatus.COMPLETED:
            raise InvalidState(f"session {self.id} is {self.status.value}: only a completed session is priced")
        if self.cost is not None:
            raise InvalidState(f"session {self.id} is priced already")
        self.cost = cost
        self.pending_events.append(SessionPriced(
            organization_id=self.organization_id, occurred_at=at, session_id=self.id, currency=cost.currency,
            total_excl_vat=cost.total_excl_vat, vat=cost.vat, total=cost.total))

    def pull_events(self) -> list[DomainEvent]:
        """The events recorded since the last pull (the repository storing this session takes them)."""
        events, self.pending_events = self.pending_events, []
        return events

    def _start_point(self) -> Reading | None:
        if self.meter_start_wh is not None and self.started_at is not None:
            return Reading(self.started_at, self.meter_start_wh)
        return None

    def _observe(self, reading: Reading, anomalies: list[Anomaly]) -> None:
        latest = self.last_reading or self._start_point()
        if latest is not None and reading.timestamp > latest.timestamp:
            anomaly = implausible_step(latest, reading)
            if anomaly is not None:
                anomalies.append(anomaly)
                return
        earliest = self.first_reading or self._start_point()
        if earliest is not None and reading.timestamp < earliest.timestamp:
            anomaly = implausible_step(reading, earliest)
            if anomaly is not None:
                anomalies.append(anomaly)
                return
        if self.first_reading is None or reading.timestamp < self.first_reading.timestamp:
            self.first_reading = reading
        if _later(reading, self.last_reading):
            self.last_reading = reading

    def _started(self, event: TransactionEvent) -> None:
        if self.meter_start_wh is None and event.meter_wh is not None:
            self.meter_start_wh = event.meter_wh
            self.started_at = event.timestamp
        elif self.meter_start_wh is None:
            self.started_at = min(self.started_at or event.timestamp, event.timestamp)

    def _ended(self, event: TransactionEvent, anomalies: list[Anomaly]) -> None:
        if self.status is SessionStatus.COMPLETED:
            return  # the first Ended wins; a retry or a second report changes nothing
        self.status = SessionStatus.COMPLETED
        self.stopped_at = event.timestamp
        self.stop_reason = event.stop_reason
        if event.meter_wh is not None:
            before = self.last_reading or self._start_point()
            anomaly = implausible_step(before, Reading(event.timestamp, event.meter_wh)) \
                if before is not None and event.timestamp >= before.timestamp else None
            if anomaly is None:
                self.meter_stop_wh = event.meter_wh
            else:
                anomalies.append(anomaly)
        self.pending_events.append(SessionCompleted(
            organization_id=self.organization_id, occurred_at=event.timestamp, session_id=self.id,
            charge_point_id=self.charge_point_id, started_at=self.started_at, stopped_at=self.stopped_at,
            energy_wh=self.energy_wh, stop_reason=self.stop_reason))


def _later(reading: Reading, than: Reading | None) -> bool:
    """Whether ``reading`` replaces ``than`` as the latest: a later instant, or the same one reading higher."""
    if than is None:
        return True
    return reading.timestamp > than.timestamp or (reading.timestamp == than.timestamp and reading.wh > than.wh)
