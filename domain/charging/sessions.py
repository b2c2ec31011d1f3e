"""The charging session: a state machine fed by transaction messages that may repeat or arrive late.

Charge points retry a message whose answer was lost and replay queued messages after being
offline, in any order. So every transition here is idempotent and order-independent:
- energy comes from energy-register readings (first and last by timestamp, or the meter
  start/stop values), never from summing increments, so a repeated reading cannot count twice;
- a message carrying a sequence number already seen is ignored whole;
- ``completed`` is terminal: a late ``Started`` or ``Updated`` fills in facts, never reopens.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from attrs import define, field, frozen

from domain.charging.meter import MeterSample


class SessionStatus(str, enum.Enum):
    STARTED = "started"        # the transaction began; no energy has flowed yet
    ACTIVE = "active"          # energy is flowing (or the charge point says it is charging)
    COMPLETED = "completed"


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
class Reading:
    timestamp: datetime
    wh: Decimal


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
    cost: Any = None                     # domain.pricing.SessionCost once priced, exactly once

    @classmethod
    def open(cls, *, id: str, organization_id: str, charge_point_id: str, transaction_id: str,
             connector_id: int | None = None, evse_id: int | None = None, driver_id: str | None = None,
             first: TransactionEvent) -> tuple[ChargingSession, list[MeterSample]]:
        """A session from the first message seen for a transaction, whichever kind it is."""
        session = cls(id=id, organization_id=organization_id, charge_point_id=charge_point_id,
                      transaction_id=transaction_id, status=SessionStatus.STARTED, connector_id=connector_id,
                      evse_id=evse_id, driver_id=driver_id)
        return session, session.apply(first)

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

    def apply(self, event: TransactionEvent) -> list[MeterSample]:
        """Fold one message into the session; returns the samples it carried, to be stored.

        Applying the same message twice leaves the session as applying it once did.
        """
        if event.seq_no is not None:
            if event.seq_no in self.seen_seq_nos:
                return []
            self.seen_seq_nos.add(event.seq_no)
        self.offline = self.offline or event.offline
        if self.last_event_at is None or event.timestamp > self.last_event_at:
            self.last_event_at = event.timestamp
        if event.id_tag and self.id_tag is None:
            self.id_tag = event.id_tag
        samples = [s.normalised() for s in event.samples]
        for sample in samples:
            if sample.is_energy_register:
                self._observe(Reading(sample.timestamp, sample.value))
        if event.kind is TransactionEventKind.STARTED:
            self._started(event)
        elif event.kind is TransactionEventKind.ENDED:
            self._ended(event)
        if event.meter_wh is not None and event.kind is TransactionEventKind.UPDATED:
            self._observe(Reading(event.timestamp, event.meter_wh))
        if self.started_at is None or (event.timestamp < self.started_at and self.meter_start_wh is None):
            # Until the Started message arrives, the earliest message seen marks the start.
            self.started_at = event.timestamp
        if self.status is SessionStatus.STARTED and (event.charging or self.energy_wh > 0):
            self.status = SessionStatus.ACTIVE
        return samples

    def _observe(self, reading: Reading) -> None:
        if self.first_reading is None or reading.timestamp < self.first_reading.timestamp:
            self.first_reading = reading
        if self.last_reading is None or reading.timestamp >= self.last_reading.timestamp:
            if self.last_reading is None or reading.timestamp > self.last_reading.timestamp \
                    or reading.wh > self.last_reading.wh:
                self.last_reading = reading

    def _started(self, event: TransactionEvent) -> None:
        if self.meter_start_wh is None and event.meter_wh is not None:
            self.meter_start_wh = event.meter_wh
            self.started_at = event.timestamp
        elif self.meter_start_wh is None:
            self.started_at = min(self.started_at or event.timestamp, event.timestamp)

    def _ended(self, event: TransactionEvent) -> None:
        if self.status is SessionStatus.COMPLETED:
            return  # the first Ended wins; a retry or a second report changes nothing
        self.status = SessionStatus.COMPLETED
        self.stopped_at = event.timestamp
        self.stop_reason = event.stop_reason
        if event.meter_wh is not None:
            self.meter_stop_wh = event.meter_wh
