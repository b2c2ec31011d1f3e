"""The in-memory meter sink: each call is its own commit to the shared store."""

from __future__ import annotations

from adapters.memory.unit_of_work import InMemoryStore
from domain.charging import Applied, ChargingSession


class InMemoryMeterSink:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    async def record(self, session: ChargingSession, applied: Applied) -> None:
        async with self._store.unit_of_work() as uow:
            stored = await uow.sessions.get(session.organization_id, session.id)
            if stored is not None:
                stored.advance_to(session)      # forward only: a late copy never reopens a completed one
                await uow.sessions.save(stored)
            await uow.sessions.add_samples(session, list(applied.samples))
            await uow.sessions.add_anomalies(session, list(applied.anomalies))
            await uow.commit()
