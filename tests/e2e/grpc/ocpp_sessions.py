"""Sessions as a websocket charge point runs them (OCPP 1.6 or 2.0.1), for the gRPC tests to watch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ocpp.v16 import call as call16
from ocpp.v201 import call as call201

from entrypoints.simulator import SimulatedChargePoint16


def at(minutes: float, base: datetime) -> str:
    return (base + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")


class Charging:
    """One charge point's transactions: start, meter values, stop, whatever its OCPP version."""

    def __init__(self, cp, tag: str) -> None:
        self.cp, self.tag = cp, tag
        self.v16 = isinstance(cp, SimulatedChargePoint16)
        self.base = datetime.now(UTC) - timedelta(hours=1)
        self.transaction: str = ""
        self.seq = 0

    def _event(self, kind: str, minutes: float, wh: int, **extra) -> call201.TransactionEvent:
        self.seq += 1
        info = {"transaction_id": self.transaction, **extra.pop("info", {})}
        return call201.TransactionEvent(
            event_type=kind, timestamp=at(minutes, self.base), trigger_reason="MeterValuePeriodic", seq_no=self.seq,
            transaction_info=info, meter_value=[{"timestamp": at(minutes, self.base), "sampled_value": [
                {"value": wh, "measurand": "Energy.Active.Import.Register"}]}], **extra)

    async def start(self, minutes: float, wh: int) -> None:
        if self.v16:
            started = await self.cp.call(call16.StartTransaction(connector_id=1, id_tag=self.tag, meter_start=wh,
                                                                 timestamp=at(minutes, self.base)))
            self.transaction = str(started.transaction_id)
            return
        self.transaction = f"tx-{minutes}-{self.tag}"
        await self.cp.call(self._event("Started", minutes, wh, id_token={"id_token": self.tag, "type": "Central"},
                                       evse={"id": 1, "connector_id": 1}, info={"charging_state": "Charging"}))

    async def meter(self, minutes: float, wh: int) -> None:
        if self.v16:
            await self.cp.call(call16.MeterValues(connector_id=1, transaction_id=int(self.transaction), meter_value=[
                {"timestamp": at(minutes, self.base), "sampled_value": [
                    {"value": str(wh), "measurand": "Energy.Active.Import.Register", "unit": "Wh"}]}]))
            return
        await self.cp.call(self._event("Updated", minutes, wh))

    async def stop(self, minutes: float, wh: int) -> None:
        if self.v16:
            await self.cp.call(call16.StopTransaction(meter_stop=wh, timestamp=at(minutes, self.base),
                                                      transaction_id=int(self.transaction), reason="EVDisconnected",
                                                      id_tag=self.tag))
            return
        await self.cp.call(self._event("Ended", minutes, wh, info={"stopped_reason": "EVDisconnected"}))
