"""The in-memory meter sink: each call is its own commit to the shared store."""

from __future__ import annotations

from adapters.memory.unit_of_work import InMemoryStore
from domain.charging import ChargingSession, MeterSample, SessionStatus


class InMemoryMeterSink:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    async def record(self, session: ChargingSession, samples: list[MeterSample]) -> None:
        async with self._store.unit_of_work() as uow:
            stored = await uow.sessions.get(session.organization_id, session.id)
            # A late summary (a meter record read before the session ended) never reopens a completed one.
            if stored is None or stored.status is not SessionStatus.COMPLETED or session.status is SessionStatus.COMPLETED:
                await uow.sessions.save(session)
            await uow.sessions.add_samples(session, samples)
            await uow.commit()
