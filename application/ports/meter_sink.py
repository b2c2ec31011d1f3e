"""Where meter samples go on the hot path: durable before acknowledged, many charge points per commit."""

from __future__ import annotations

from typing import Protocol

from domain.charging import Applied, ChargingSession


class MeterSink(Protocol):
    async def record(self, session: ChargingSession, applied: Applied) -> None:
        """Store what folding meter readings into ``session`` produced (its samples and anomalies) and move
        the stored session's readings forward to the session's (``ChargingSession.advance_to``: never back,
        so a late copy never reopens a completed session); return only once all is committed.

        Implementations may group the calls of many charge points into one transaction (group
        commit); a call that returns has been made durable, a call that raises has not.
        """
        ...
