"""The sessions charge points connected to this node are charging, as their last meter values left them.

MeterValues is the hot path of the OCPP door: a charge point sends one every few seconds for hours.
Its session is read from the database once; after that, each message is folded into the copy kept
here and written by the meter sink (one round trip, shared with other charge points), so a
message costs no read. The copy stays true because, while a charge point is connected here, only
its own messages change what the meter sink writes of its session (readings, status up to active,
flags), and they arrive one at a time. Whatever else changes a session drops the copy first:

- a stop or a 2.0.1 transaction event other than a plain meter update (``forget_charge_point``);
- the charge point connecting or disconnecting (it may have been on another node in between);
- a write the meter sink failed to make (the copy ran ahead of what is stored).

A completed session is never kept, and a charge point's copies go when it disconnects (so the memory
follows the connected charge points). The REST door's reads never use this: they read the database.
"""

from __future__ import annotations

from domain.charging import ChargingSession, SessionStatus


class OpenSessions:
    def __init__(self) -> None:
        # By charge point, then transaction: forgetting a charge point's is one step, whatever the count.
        self._by_charge_point: dict[str, dict[str, ChargingSession]] = {}

    def get(self, charge_point_id: str, transaction_id: str) -> ChargingSession | None:
        kept = self._by_charge_point.get(charge_point_id)
        return kept.get(transaction_id) if kept is not None else None

    def keep(self, session: ChargingSession) -> None:
        if session.status is SessionStatus.COMPLETED:
            return
        self._by_charge_point.setdefault(session.charge_point_id, {})[session.transaction_id] = session

    def forget(self, charge_point_id: str, transaction_id: str) -> None:
        kept = self._by_charge_point.get(charge_point_id)
        if kept is not None:
            kept.pop(transaction_id, None)

    def forget_charge_point(self, charge_point_id: str) -> None:
        self._by_charge_point.pop(charge_point_id, None)

    def __len__(self) -> int:
        return sum(len(kept) for kept in self._by_charge_point.values())
