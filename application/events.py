"""The event dispatcher: after a unit of work commits, its domain events go to their handlers, in process.

Events are stored in the outbox by the transaction that made the change (``ports.events``), so a
change and its events commit together or not at all. Once that transaction has committed, the
dispatcher claims the events it stored (a lease, so a second dispatcher leaves them alone), runs
every handler registered for each, and marks it handled. A process that dies in between leaves
them pending; ``dispatch_pending`` (run at start-up and every few seconds by the server) claims
them once their lease has run out, so each is handled again, once. Handlers must therefore be
idempotent: a completed session is priced only if it has no cost yet, a posting is unique on its
source. A handler that fails leaves its event pending, retried with backoff; after
``MAX_ATTEMPTS`` it is left ``dead`` for an operator.

A handler is ``async def handler(event, *, uow_factory)``: it is given the dispatcher's own units
of work, so the events it raises (a session priced) are dispatched in turn. Which handlers exist is
decided in one place, ``application.event_handlers``.

A reaction may also run inside the unit of work that stores its event (``in_transaction``), when it is
the event's only one (the webhook fan-out of most events): its writes then commit with the change, and
the event is stored handled, with no claim and no transactions after the commit. Its post-commit
handler stays subscribed for events stored outside the dispatcher's units of work, which the sweep
finds pending.

Listeners (``on_commit``) are told, without a word of which, that events were committed past their
handlers (those no handler waits for, as they are stored; the others once handled, or given up): the
event feed's sequencer (``application.event_feed``) then numbers them.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import timedelta
from types import TracebackType
from typing import Any

from application.ports import Clock, UnitOfWork, UnitOfWorkFactory
from application.ports.events import EventStatus, StoredEvent
from domain.events import DomainEvent

log = logging.getLogger("charge.events")

Handler = Callable[..., Awaitable[None]]
InTransaction = Callable[[DomainEvent, UnitOfWork], Awaitable[None]]   # (event, the storing unit of work)
RawUnitOfWorkFactory = UnitOfWorkFactory   # the adapter's own: its commits dispatch nothing

LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 12
_MAX_BACKOFF = timedelta(hours=1)
BATCH = 100


def backoff(attempts: int) -> timedelta:
    """How long a failed event waits before its next attempt: doubling from 2 s, at most an hour."""
    return min(timedelta(seconds=2 ** min(attempts, 12)), _MAX_BACKOFF)


class EventDispatcher:
    """Hands committed events to the handlers subscribed to their names (``domain.events``)."""

    def __init__(self, uow_factory: RawUnitOfWorkFactory, clock: Clock,
                 handlers: Mapping[type[DomainEvent], Sequence[Handler]] | None = None, *,
                 lease: timedelta = LEASE, on_commit: Sequence[Callable[[], None]] = (),
                 in_transaction: Mapping[type[DomainEvent], InTransaction] | None = None) -> None:
        self._raw = uow_factory
        self._clock = clock
        self._lease = lease
        self._on_commit: list[Callable[[], None]] = []
        for listener in on_commit:
            self.listen(listener)
        self._handlers: dict[str, list[Handler]] = defaultdict(list)
        for event, subscribed in (handlers or {}).items():
            for handler in subscribed:
                self.subscribe(event, handler)
        self._within = {event.name: reaction for event, reaction in (in_transaction or {}).items()}
        self.handled = 0

    def subscribe(self, event: type[DomainEvent], handler: Handler) -> None:
        self._handlers[event.name].append(handler)

    def listen(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` (no arguments) each time a unit of work commits events."""
        self._on_commit.append(listener)

    def committed(self) -> None:
        """A unit of work committed events: tell the listeners (they must not raise, nor block)."""
        for listener in self._on_commit:
            listener()

    def unsubscribed(self, event: DomainEvent) -> bool:
        """No handler here waits for it: the unit of work stores it handled (one write, no claim after)."""
        return not self._handlers.get(event.name)

    def within(self, event: DomainEvent) -> InTransaction | None:
        """The reaction the storing unit of work runs before it commits (the event is then stored handled)."""
        return self._within.get(event.name)

    def unit_of_work(self, *, read_only: bool = False) -> UnitOfWork:
        """A unit of work whose committed events are dispatched as it closes (the one use cases get)."""
        if read_only:
            return self._raw(read_only=True)  # commits nothing, raises nothing
        return _DispatchingUnitOfWork(self._raw(), self)

    async def dispatch(self, event_ids: Sequence[str]) -> None:
        """Handle these just-committed events now; whatever fails here stays pending for the sweep."""
        if not event_ids:
            return
        try:
            await self._run(list(event_ids))
        except Exception:  # the change is committed; its events wait for dispatch_pending
            log.exception("dispatching events failed; they stay pending", extra={"events": len(event_ids)})

    async def dispatch_pending(self, limit: int = BATCH) -> int:
        """Handle events left pending (a crash, a failed handler, a lease run out); returns how many ran."""
        return await self._run(None, limit)

    async def _run(self, ids: list[str] | None, limit: int = BATCH) -> int:
        now = self._clock.now()
        async with self._raw() as uow:
            claimed: list[StoredEvent] = await uow.events.claim(now, now + self._lease, limit if ids is None
                                                                 else len(ids), ids)
            # An event nobody here subscribes to is handled as it is claimed, in the same transaction
            # (most are: a charge point's status changes at every connection, and are kept for readers).
            to_handle = []
            for stored in claimed:
                if self._handlers.get(stored.event.name):
                    to_handle.append(stored)
                else:
                    stored.status, stored.handled_at, stored.next_attempt_at = EventStatus.HANDLED, now, None
                    await uow.events.save(stored)
                    self.handled += 1
            await uow.commit()
        if len(to_handle) < len(claimed):
            self.committed()   # events settled as claimed: past their handlers
        for stored in to_handle:
            await self._handle(stored)
        return len(claimed)

    async def _handle(self, stored: StoredEvent) -> None:
        error: str | None = None
        for handler in self._handlers.get(stored.event.name, ()):
            try:
                await handler(stored.event, uow_factory=self.unit_of_work)
            except Exception as exc:  # a handler's failure is the event's to retry, not the caller's
                log.exception("event handler failed", extra={"event": stored.event.name, "event_id": stored.id,
                                                             "handler": getattr(handler, "__name__", repr(handler))})
                error = f"{type(exc).__name__}: {exc}"[:500]
                break
        now = self._clock.now()
        if error is None:
            stored.status, stored.handled_at, stored.next_attempt_at = EventStatus.HANDLED, now, None
            self.handled += 1
        elif stored.attempts >= MAX_ATTEMPTS:
            stored.status, stored.last_error = EventStatus.DEAD, error
            log.error("event given up after repeated failures", extra={"event": stored.event.name,
                                                                      "event_id": stored.id})
        else:
            stored.next_attempt_at, stored.last_error = now + backoff(stored.attempts), error
        async with self._raw() as uow:
            await uow.events.save(stored)
            await uow.commit()
        if stored.status is not EventStatus.PENDING:
            self.committed()


class _DispatchingUnitOfWork:
    """A unit of work that, once closed, hands the events its commits stored to the dispatcher."""

    def __init__(self, inner: Any, dispatcher: EventDispatcher) -> None:
        self._inner = inner
        self._dispatcher = dispatcher
        self._stored = False     # events were added since the last commit or rollback
        self._staged: list[tuple[DomainEvent, InTransaction]] = []   # reactions to run before the commit

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def __aenter__(self) -> Any:
        await self._inner.__aenter__()
        self._inner.events.settled = self._settled
        return self

    def _settled(self, event: DomainEvent) -> bool:
        # The events repository asks this of every event it adds: how this unit of work knows it stored some.
        self._stored = True
        if (reaction := self._dispatcher.within(event)) is not None:
            self._staged.append((event, reaction))
            return True
        return self._dispatcher.unsubscribed(event)

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        # The inner unit of work releases its connection first: handlers need their own.
        await self._inner.__aexit__(exc_type, exc, tb)
        ids, self._inner.committed_event_ids = list(self._inner.committed_event_ids), []
        if ids:
            await self._dispatcher.dispatch(ids)

    async def commit(self) -> None:
        staged, self._staged = self._staged, []
        for event, reaction in staged:   # a failure here fails the commit: the change and its reactions, or neither
            await reaction(event, self._inner)
        await self._inner.commit()
        if self._stored:
            self._stored = False
            self._dispatcher.committed()

    async def rollback(self) -> None:
        self._stored = False
        self._staged = []
        await self._inner.rollback()
