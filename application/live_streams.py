"""Live streams of an organization: its sessions (started, meter updates, completed) and its charge points'
status changes, each item with the feed position a client resumes from.

What must not be missed comes from the event feed (``application.ports.events``): read after the
client's last position (or from now), in the feed's order (``application.event_feed``), so a client
that reconnects with its last position gets what it missed, once, in order. Meter updates come from
``LiveSessions`` (the meter path records no event); they carry the position the stream has read up
to, are never replayed (the next one supersedes them), and none is delivered for a session after its
completion.

Each stream first yields ``Watching``: where it starts, which a client can keep before any event.

A stream holds no database connection while it waits or while its client reads: each read is a
short read-only unit of work, and each checks again that the caller may read the organization (a
member removed meanwhile is refused).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator, Collection
from decimal import Decimal

from attrs import frozen

from application.authorization import Action, Actor, authorize
from application.live_sessions import LiveSessions, MeterUpdate
from application.ports import Clock, UnitOfWork, UnitOfWorkFactory
from application.ports.events import FeedPosition, FeedRead, StoredEvent
from application.session_pricing import billed_cost, rate_session
from domain.charging import SessionStatus
from domain.charging.events import SessionCompleted, SessionStarted
from domain.network.events import ChargePointStatusChanged
from domain.pricing import SessionCost

BATCH = 200                    # events read from the feed at a time (of any name: the stream keeps its own)
POLL_SECONDS = 1.0             # how often the feed is read without word of a commit here (other nodes')
_REMEMBERED_COMPLETIONS = 10_000


@frozen
class Watching:
    """The stream is open and starts right after ``position`` (a client resuming from it misses nothing)."""

    position: FeedPosition


@frozen
class SessionStartedItem:
    position: FeedPosition
    event: SessionStarted


@frozen
class SessionMeterItem:
    position: FeedPosition
    update: MeterUpdate
    energy_kwh: Decimal
    estimate: SessionCost | None        # the cost so far; None when no tariff prices the session


@frozen
class SessionCompletedItem:
    position: FeedPosition
    event: SessionCompleted
    final_cost: SessionCost | None      # as billed; None when no tariff prices the session


SessionItem = SessionStartedItem | SessionMeterItem | SessionCompletedItem


@frozen
class StatusItem:
    position: FeedPosition
    event: ChargePointStatusChanged


class _Feed:
    """One stream's reading of the feed: from a position, the events it wants, in order."""

    def __init__(self, actor: Actor, organization_id: str, names: Collection[str], uow_factory: UnitOfWorkFactory,
                 position: FeedPosition) -> None:
        self.actor, self.organization_id, self.names = actor, organization_id, tuple(names)
        self.uow_factory = uow_factory
        self.position = position

    async def batch(self, uow: UnitOfWork) -> FeedRead:
        await authorize(uow, self.actor, self.organization_id, Action.READ)
        read = await uow.events.feed(self.organization_id, self.position, self.names, BATCH)
        self.position = read.through
        return read


async def _open(actor: Actor, organization_id: str, after: FeedPosition | None, names: Collection[str],
                uow_factory: UnitOfWorkFactory) -> _Feed:
    """Authorize the caller and fix where the stream starts: after ``after``, or after the latest event now."""
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        start = after if after is not None else await uow.events.feed_head(organization_id)
    return _Feed(actor, organization_id, names, uow_factory, start)


async def watch_sessions(actor: Actor, organization_id: str, after: FeedPosition | None,
                         charge_point_id: str | None = None, *, uow_factory: UnitOfWorkFactory, live: LiveSessions,
                         clock: Clock, poll_seconds: float = POLL_SECONDS) -> AsyncIterator[Watching | SessionItem]:
    """The organization's sessions as they start, meter and complete (only ``charge_point_id``'s if given)."""
    with live.watch(organization_id) as watch:   # before the start is fixed: no update falls in between
        feed = await _open(actor, organization_id, after, (SessionStarted.name, SessionCompleted.name), uow_factory)
        yield Watching(feed.position)
        completed: OrderedDict[str, None] = OrderedDict()
        while True:
            while watch.take_events():
                items: list[SessionItem] = []
                async with uow_factory(read_only=True) as uow:
                    read = await feed.batch(uow)
                    for stored in read.events:
                        found = await _session_item(uow, stored)
                        if found is None or (charge_point_id and found.event.charge_point_id != charge_point_id):
                            continue
                        if isinstance(found, SessionCompletedItem):
                            _remember(completed, found.event.session_id)
                        items.append(found)
                for item in items:   # the connection is back in the pool while the client reads
                    yield item
                if read.full:
                    watch.events_committed()   # more to read
            for update in watch.take_updates():
                if (charge_point_id and update.charge_point_id != charge_point_id) or update.session_id in completed:
                    continue
                meter = await _meter_item(feed, update, uow_factory, clock)
                if meter is not None:
                    yield meter
            await watch.wait(poll_seconds)


async def watch_status(actor: Actor, organization_id: str, after: FeedPosition | None,
                       charge_point_id: str | None = None, *, uow_factory: UnitOfWorkFactory, live: LiveSessions,
                       poll_seconds: float = POLL_SECONDS) -> AsyncIterator[Watching | StatusItem]:
    """The organization's charge points' one-word status changes (only ``charge_point_id``'s if given)."""
    with live.watch(organization_id) as watch:
        feed = await _open(actor, organization_id, after, (ChargePointStatusChanged.name,), uow_factory)
        yield Watching(feed.position)
        while True:
            while watch.take_events():
                async with uow_factory(read_only=True) as uow:
                    read = await feed.batch(uow)
                for stored in read.events:
                    event = stored.event
                    if isinstance(event, ChargePointStatusChanged) and stored.position is not None and (
                            not charge_point_id or event.charge_point_id == charge_point_id):
                        yield StatusItem(stored.position, event)
                if read.full:
                    watch.events_committed()
            watch.take_updates()   # meter updates are not this stream's
            await watch.wait(poll_seconds)


async def _session_item(uow: UnitOfWork, stored: StoredEvent) -> SessionStartedItem | SessionCompletedItem | None:
    event, position = stored.event, stored.position
    if position is None:
        return None
    if isinstance(event, SessionStarted):
        return SessionStartedItem(position, event)
    if isinstance(event, SessionCompleted):
        session = await uow.sessions.get(event.organization_id, event.session_id)
        return SessionCompletedItem(position, event, await billed_cost(uow, session) if session else None)
    return None


async def _meter_item(feed: _Feed, update: MeterUpdate, uow_factory: UnitOfWorkFactory,
                      clock: Clock) -> SessionMeterItem | None:
    """The update with the session's energy and cost so far, as stored (a later reading may be there)."""
    if not update.priced:
        return SessionMeterItem(feed.position, update, update.energy_wh / 1000, None)
    async with uow_factory(read_only=True) as uow:
        session = await uow.sessions.get(update.organization_id, update.session_id)
        if session is None or session.status is SessionStatus.COMPLETED:
            return None   # its completion is the feed's to tell
        breakdown = await rate_session(uow, session, clock.now())
    return SessionMeterItem(feed.position, update, session.energy_kwh,
                            SessionCost.of(breakdown) if breakdown is not None else None)


def _remember(completed: OrderedDict[str, None], session_id: str) -> None:
    completed[session_id] = None
    if len(completed) > _REMEMBERED_COMPLETIONS:
        completed.popitem(last=False)
