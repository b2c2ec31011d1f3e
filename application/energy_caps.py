"""Stopping a session at its energy cap: the central system asks the charge point (RemoteStopTransaction in
1.6, RequestStopTransaction in 2.0.1) once the session's live energy reaches the cap its driver's policy
set when it started.

The check sits on the meter path (every MeterValues and TransactionEvent Updated): it compares the
session's energy with the cap it carries (``ChargingSession.over_cap``), no query. Only a session over its
cap starts the stop, in a task of its own so the meter message is answered at once: it records the request
and its reason on the session (``session.stop_requested``, under the session's row lock, so two nodes do
not both ask), sends the command without holding a connection, and records the answer. A stop the charge
point did not accept (offline, rejected, no answer) is asked again by a reading ``RETRY_AFTER`` later.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from application.ports import Clock, UnitOfWorkFactory
from application.ports.charge_point_commands import ChargePointCommands, RemoteStop
from domain.charging import ChargingSession
from domain.errors import DomainError

log = logging.getLogger("charge.fleets")

RETRY_AFTER = timedelta(seconds=60)


class EnergyCaps:
    def __init__(self, *, uow_factory: UnitOfWorkFactory, commands: ChargePointCommands, clock: Clock,
                 retry_after: timedelta = RETRY_AFTER) -> None:
        self._uow_factory = uow_factory
        self._commands = commands
        self._clock = clock
        self._retry_after = retry_after
        self._running: dict[tuple[str, str], asyncio.Task[None]] = {}

    def check(self, session: ChargingSession) -> None:
        """After a reading was recorded: start stopping ``session`` if it is over its cap (cheap otherwise)."""
        if not session.over_cap:
            return
        key = (session.charge_point_id, session.transaction_id)
        if key in self._running or not session.needs_stop(self._clock.now(), self._retry_after):
            return
        task = asyncio.get_running_loop().create_task(self._stop(session))
        self._running[key] = task
        task.add_done_callback(lambda _: self._running.pop(key, None))

    async def drain(self) -> None:
        """Wait for the stops under way (tests, and a server shutting down)."""
        while self._running:
            await asyncio.gather(*list(self._running.values()), return_exceptions=True)

    async def _stop(self, kept: ChargingSession) -> None:
        context = {"session_id": kept.id, "charge_point_id": kept.charge_point_id}
        try:
            now = self._clock.now()
            async with self._uow_factory() as uow:
                session = await uow.sessions.get(kept.organization_id, kept.id, for_update=True)
                if session is None or not session.needs_stop(now, self._retry_after):
                    if session is not None:
                        kept.stop_request = session.stop_request
                    return
                session.request_stop(now)
                await uow.sessions.save(session)
                await uow.commit()
            kept.stop_request = session.stop_request
            try:
                answer = (await self._commands.send(session.charge_point_id,
                                                    RemoteStop(session.transaction_id))).status
            except DomainError as error:    # offline, no answer in time
                answer = error.code
            async with self._uow_factory() as uow:
                stored = await uow.sessions.get(kept.organization_id, kept.id, for_update=True)
                if stored is not None:
                    stored.stop_answered(answer)
                    await uow.sessions.save(stored)
                    await uow.commit()
                    kept.stop_request = stored.stop_request
            log.info("session stopped at its energy cap", extra={**context, "answer": answer,
                                                                 "reason": session.energy_cap_reason})
        except Exception:
            log.exception("stopping a session at its energy cap failed", extra=context)
