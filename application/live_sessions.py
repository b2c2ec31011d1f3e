"""What live streams wait on, in process: meter updates of the sessions charging here, and word of new events.

MeterValues is the hot path of the OCPP door (every few seconds, per charge point, for hours) and
records no domain event: a meter reading moves a session forward but never starts or ends it. Live
streams (gRPC ``WatchSessions``) still want each reading with its energy, so the meter path hands
the session it has just recorded to ``meter_updated``. With nobody watching the organization that
costs one dictionary lookup; with watchers, a small frozen record, kept by each watcher under its
session: a watcher that lags behind keeps only each session's latest update (the next supersedes
the last), so a slow client never slows a charge point, nor makes memory grow beyond one update per
running session. Updates are not stored: a client that reconnects gets the next one.

What must not be missed (a session started, completed; a charge point's status changed) is read
from the event feed (``application.ports.events``), from a position a client can resume from.
Watchers read it when woken here: by ``events_committed`` as soon as this process has numbered the
events it committed (``application.event_feed``), else every few seconds for what other nodes did.
Meter updates of a charge point reach the watchers of the node it is connected to (one node serves
both doors today; several nodes would share them through a broker, as the charge point commands would).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from domain.charging import ChargingSession


class MeterUpdate(NamedTuple):
    """A running session as its last meter values left it (a tuple: made on the hot path, several times
    cheaper than an attrs class)."""

    organization_id: str
    session_id: str
    charge_point_id: str
    connector_id: int | None
    energy_wh: Decimal
    read_at: datetime | None
    priced: bool                 # a tariff prices it (an estimate is worth computing)


class LiveWatch:
    """One watcher: the latest update of each session since it last looked, and whether events committed."""

    def __init__(self, organization_id: str) -> None:
        self.organization_id = organization_id
        self._latest: dict[str, MeterUpdate] = {}
        self._events = True           # read the feed first, whatever happened before the watch began
        self._ready = asyncio.Event()

    def offer(self, update: MeterUpdate) -> None:
        # Moved to the end: updates are taken in the order their sessions last moved.
        self._latest.pop(update.session_id, None)
        self._latest[update.session_id] = update
        self._ready.set()

    def events_committed(self) -> None:
        self._events = True
        self._ready.set()

    def take_events(self) -> bool:
        """Whether events may have committed since the last call (then the feed is worth reading)."""
        events, self._events = self._events, False
        return events

    def take_updates(self) -> list[MeterUpdate]:
        updates = list(self._latest.values())
        self._latest.clear()
        return updates

    async def wait(self, seconds: float) -> None:
        """Until something is offered or events commit, or ``seconds`` have passed (then events may have
        committed on another node: the feed is read again)."""
        if not self._ready.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(seconds):
                    await self._ready.wait()
        if not self._ready.is_set():
            self._events = True
        self._ready.clear()


class LiveSessions:
    """The watchers of this process, by organization."""

    def __init__(self) -> None:
        self._watches: dict[str, set[LiveWatch]] = {}

    def meter_updated(self, session: ChargingSession) -> None:
        """The meter sink recorded this session's readings (the hot path: returns at once if nobody watches)."""
        watches = self._watches.get(session.organization_id)
        if not watches:
            return
        update = MeterUpdate(session.organization_id, session.id, session.charge_point_id, session.connector_id,
                             session.energy_wh, session.last_event_at, session.tariff_id is not None)
        for watch in watches:
            watch.offer(update)

    def events_committed(self) -> None:
        """Some unit of work of this process committed domain events: every watcher reads the feed."""
        for watches in self._watches.values():
            for watch in watches:
                watch.events_committed()

    @contextlib.contextmanager
    def watch(self, organization_id: str) -> Iterator[LiveWatch]:
        watch = LiveWatch(organization_id)
        self._watches.setdefault(organization_id, set()).add(watch)
        try:
            yield watch
        finally:
            watches = self._watches.get(organization_id)
            if watches is not None:
                watches.discard(watch)
                if not watches:
                    del self._watches[organization_id]

    def __len__(self) -> int:
        return sum(len(watches) for watches in self._watches.values())
