"""A hostile charge point against the real server, on SQLite and PostgreSQL: every value outside testing sent
is answered as it should be, the connection stays, and nothing it sent makes a REST read answer 500."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from websockets.asyncio.client import ClientConnection, connect

T0 = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
PASSWORD = "a-very-secret-pass"


def at(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")


class Raw:
    """A charge point that writes its own frames, so it can write what no library would."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.count = 0

    async def send(self, frame: str | bytes) -> list:
        await self.ws.send(frame)
        return json.loads(await self.ws.recv())

    async def call(self, action: str, payload: dict) -> list:
        self.count += 1
        return await self.send(json.dumps([2, f"m{self.count}", action, payload]))

    async def ok(self, action: str, payload: dict) -> dict:
        answer = await self.call(action, payload)
        assert answer[0] == 3, answer
        return answer[2]

    async def refused(self, action: str, payload: dict) -> str:
        answer = await self.call(action, payload)
        assert answer[0] == 4, answer
        assert (await self.call("Heartbeat", {}))[0] == 3   # the connection stays and still works
        return answer[2]


def meter(minutes: float, value: str) -> list[dict]:
    return [{"timestamp": at(minutes), "sampledValue": [
        {"value": value, "measurand": "Energy.Active.Import.Register", "unit": "Wh"}]}]


async def test_hostile_16_values_are_refused_dropped_or_flagged_and_every_read_stays_up(server, operator):
    cp_id = (await operator.charge_point("CP-EVIL"))["id"]
    await operator.driver("Dana", "TAG")
    tag = operator.id("TAG")
    tariff = await operator.post("/tariffs", {"currency": "GBP", "name": "energy", "elements": [
        {"price_components": [{"type": "ENERGY", "price": "0.30", "vat": "20", "step_size": 1}]}]})
    await operator.request("PUT", f"/charge-points/{cp_id}/tariff", {"tariff_id": tariff["id"]}, expect=200)
    async with connect(f"{operator.ocpp_url}/{cp_id}", subprotocols=["ocpp1.6"]) as ws:   # type: ignore[list-item]
        cp = Raw(ws)
        await cp.ok("BootNotification", {"chargePointVendor": "Evil", "chargePointModel": "One"})
        started = await cp.ok("StartTransaction", {"connectorId": 1, "idTag": tag, "meterStart": 1000,
                                                   "timestamp": at(0)})
        tx = started["transactionId"]
        # A register of 10^30 Wh, 10^20 Wh, NaN, Infinity, junk: nothing of it is a reading.
        for value, code in (("1e30", "PropertyConstraintViolation"), ("1e20", "PropertyConstraintViolation"),
                            ("NaN", "FormationViolation"), ("Infinity", "FormationViolation"),
                            ("abc", "FormationViolation"), ("0x10", "FormationViolation")):
            assert await cp.refused("MeterValues", {"connectorId": 1, "transactionId": tx,
                                                    "meterValue": meter(5, value)}) == code, value
        # In range for a register, impossible for a charger (5·10^11 Wh in a minute): kept, flagged, not billed.
        await cp.ok("MeterValues", {"connectorId": 1, "transactionId": tx, "meterValue": meter(10, "3000")})
        await cp.ok("MeterValues", {"connectorId": 1, "transactionId": tx, "meterValue": meter(11, "500000000000")})
        # A connector of 2^63, an idTag with a lone surrogate, a negative meter stop.
        assert await cp.refused("StatusNotification", {"connectorId": 2**63, "errorCode": "NoError",
                                                       "status": "Available"}) == "PropertyConstraintViolation"
        answer = await cp.send('[2,"sur","Authorize",{"idTag":"\\ud800x"}]')
        assert answer[:3] == [4, "sur", "FormationViolation"], answer
        assert await cp.refused("StopTransaction", {"transactionId": tx, "meterStop": -5,
                                                    "timestamp": at(30)}) == "PropertyConstraintViolation"
        # The stop, its transactionData carrying one bad sample among good ones: the session completes.
        await cp.ok("StopTransaction", {"transactionId": tx, "meterStop": 6000, "timestamp": at(30),
                                        "transactionData": meter(20, "5000") + meter(21, "1e30")})
        # A stop for a transaction never started: answered, and no session comes of it.
        answer = await cp.ok("StopTransaction", {"transactionId": 987654, "meterStop": -0, "timestamp": at(31),
                                                 "idTag": tag})
        assert answer["idTagInfo"]["status"] == "Accepted"
        # Framing: a 10,000-character message id, and a binary frame carrying a call.
        assert (await cp.send(json.dumps([2, "x" * 10_000, "Heartbeat", {}])))[:3] == [4, "-1", "ProtocolError"]
        assert (await cp.send(b'[2,"bin","Heartbeat",{}]'))[:3] == [4, "-1", "ProtocolError"]
        assert (await cp.call("Heartbeat", {}))[0] == 3

    listed = (await operator.get("/sessions", charge_point_id=cp_id))["data"]
    assert len(listed) == 1
    [session] = listed
    assert (session["status"], Decimal(session["energy_kwh"])) == ("completed", Decimal(5))
    detail = await operator.get(f"/sessions/{session['id']}")
    assert detail["flagged"] is True and [a["kind"] for a in detail["anomalies"]] == ["energy_jump"]
    [orphan] = (await operator.get("/orphan-transactions", charge_point_id=cp_id))["data"]
    assert (orphan["transaction_id"], orphan["status"], orphan["kinds"], orphan["messages"]) == (
        "987654", "orphan", ["Ended"], 1)
    breakdown = await operator.get(f"/sessions/{session['id']}/cost-breakdown")
    assert (Decimal(breakdown["energy_kwh"]), Decimal(breakdown["total_excl_vat"])) == (Decimal(5), Decimal("1.50"))
    for path in ("/sessions", "/charge-points", f"/charge-points/{cp_id}", "/reservations"):
        await operator.get(path)   # 200, never a 500
