"""Commands and reservations from REST to a websocket charge point and back, on the real server."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from entrypoints.simulator import NO_ANSWER, Meter, boot, charge, charge_point


def soon(minutes: int = 30) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).isoformat()


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_reservation_round_trip(server, operator, version):
    cp_id = (await operator.charge_point("CP"))["id"]
    await operator.driver("Dana", "RFID-DANA")
    async with charge_point(operator.ocpp_url, cp_id, version) as cp:
        await boot(cp)
        body = {"charge_point_id": cp_id, "connector_id": 1, "expires_at": soon(), "id_tag": operator.id("RFID-DANA")}
        reservation = await operator.post("/reservations", body)
        assert reservation["status"] == "active"
        action, payload = cp.received[-1]
        assert action == "ReserveNow"
        ocpp_id = payload.get("reservation_id", payload.get("id"))
        await operator.request("DELETE", f"/reservations/{reservation['id']}", expect=204)
        assert cp.received[-1] == ("CancelReservation", {"reservation_id": ocpp_id})
        listed = (await operator.get("/reservations", charge_point_id=cp_id))["data"]
        assert [(r["id"], r["status"]) for r in listed] == [(reservation["id"], "cancelled")]

        cp.answers["ReserveNow"] = "Occupied"
        refused = await operator.request("POST", "/reservations", body, expect=409)
        assert refused.json()["code"] == "reservation_rejected" and "Occupied" in refused.json()["detail"]
        active = (await operator.get("/reservations", charge_point_id=cp_id, status="active"))["data"]
        assert active == []


@pytest.mark.parametrize(("version", "name", "body", "action", "status"), [
    ("1.6", "remote-start", {"id_tag": "RFID-DANA", "connector_id": 1}, "RemoteStartTransaction", "Accepted"),
    ("1.6", "reset", {"type": "hard"}, "Reset", "Accepted"),
    ("1.6", "unlock", {"connector_id": 1}, "UnlockConnector", "Unlocked"),
    ("1.6", "availability", {"connector_id": 0, "available": False}, "ChangeAvailability", "Accepted"),
    ("1.6", "trigger", {"message": "StatusNotification", "connector_id": 1}, "TriggerMessage", "Accepted"),
    ("1.6", "change-configuration", {"key": "HeartbeatInterval", "value": "60"}, "ChangeConfiguration", "Accepted"),
    ("2.0.1", "remote-start", {"id_tag": "RFID-DANA", "evse_id": 1}, "RequestStartTransaction", "Accepted"),
    ("2.0.1", "reset", {"type": "soft"}, "Reset", "Accepted"),
    ("2.0.1", "unlock", {"connector_id": 1, "evse_id": 1}, "UnlockConnector", "Unlocked"),
    ("2.0.1", "set-variables", {"variables": [{"component": "OCPPCommCtrlr", "variable": "HeartbeatInterval",
                                               "value": "60"}]}, "SetVariables", "Accepted"),
    ("2.0.1", "clear-cache", {}, "ClearCache", "Accepted"),
])
async def test_a_command_round_trips(server, operator, version, name, body, action, status):
    cp_id = (await operator.charge_point("CP"))["id"]
    if name == "remote-start":   # a remote start is authorized first: the tag must be a driver's
        await operator.driver("Dana", body["id_tag"])
        body = body | {"id_tag": operator.id(body["id_tag"])}
    async with charge_point(operator.ocpp_url, cp_id, version) as cp:
        answer = await operator.post(f"/charge-points/{cp_id}/commands/{name}", body)
        assert answer["status"] == status
        assert cp.received[-1][0] == action


async def test_offline_is_409_silence_is_504_and_a_missing_command_is_422(server, operator):
    cp_id = (await operator.charge_point("CP"))["id"]
    offline = await operator.request("POST", f"/charge-points/{cp_id}/commands/reset", {"type": "soft"}, expect=409)
    assert offline.json()["code"] == "unavailable"
    async with charge_point(operator.ocpp_url, cp_id, "1.6", answers={"Reset": NO_ANSWER}):
        await operator.request("POST", f"/charge-points/{cp_id}/commands/reset", {"type": "soft"}, expect=504)
        missing = await operator.request("POST", f"/charge-points/{cp_id}/commands/get-variables",
                                         {"variables": [{"component": "A", "variable": "B"}]}, expect=422)
        assert missing.json()["code"] == "invalid_input"


async def test_remote_stop_names_the_session_and_reaches_the_charge_point(server, operator):
    cp_id = (await operator.charge_point("CP"))["id"]
    await operator.driver("Dana", "RFID-DANA")
    async with charge_point(operator.ocpp_url, cp_id, "2.0.1") as cp:
        await operator.post(f"/charge-points/{cp_id}/commands/remote-start",
                            {"id_tag": operator.id("RFID-DANA"), "evse_id": 1})
        stop = asyncio.Event()
        session = asyncio.create_task(charge(cp, await cp.remote_starts.get(), Meter(), seconds=30,
                                             meter_interval=0.05, stop=stop))
        for _ in range(100):
            running = (await operator.get("/sessions", charge_point_id=cp_id, status="active"))["data"]
            if running:
                break
            await asyncio.sleep(0.05)
        answer = await operator.post(f"/charge-points/{cp_id}/commands/remote-stop", {"session_id": running[0]["id"]})
        assert answer["status"] == "Accepted"
        await asyncio.wait_for(session, 5)   # the simulated charger ends its session when asked
    [done] = (await operator.get("/sessions", charge_point_id=cp_id))["data"]
    assert (done["status"], done["id"]) == ("completed", running[0]["id"])
