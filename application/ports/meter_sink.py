"""Where meter samples go on the hot path: durable before acknowledged, many charge points per commit."""

from __future__ import annotations

from typing import Protocol

from domain.charging import ChargingSession, MeterSample


class MeterSink(Protocol):
    async def record(self, session: ChargingSession, samples: list[MeterSample]) -> None:
        """Store the samples and the session's updated summary; return only once both are committed.

        Implementations may group the calls of many charge points into one transaction (group
        commit); a call that returns has been made durable, a call that raises has not.
        """
        ...
