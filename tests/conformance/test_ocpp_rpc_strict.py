"""An independent OCPP-J implementation (ocpp-rpc in strictMode, Node.js) plays the charge point: a full
session plus every command the server sends, and nothing the server sends may fail the official schemas."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from application.ports.charge_point_commands import (
    ChangeAvailability,
    ChangeConfiguration,
    ClearCache,
    GetConfiguration,
    GetVariables,
    RemoteStart,
    RemoteStop,
    Reset,
    SetChargingProfile,
    SetVariables,
    TriggerMessage,
    UnlockConnector,
    VariableRef,
)
from application.reservations import CreateReservation
from tests.conformance.conftest import NODE_DIR
from tests.integration.ocpp.world import close_world, ocpp_world

COMMON = [Reset("soft"), Reset("hard"), UnlockConnector(1), ChangeAvailability(False), ChangeAvailability(True, 1),
          TriggerMessage("StatusNotification", 1), TriggerMessage("Heartbeat"), ClearCache(),
          SetChargingProfile(Decimal("16.5")), SetChargingProfile(Decimal(11000), "W", purpose="ChargePointMaxProfile"),
          RemoteStart("RFID-DANA", connector_id=1)]
COMMANDS = {
    "ocpp1.6": [*COMMON, RemoteStop("1"), GetConfiguration(), GetConfiguration(("HeartbeatInterval", "Nope")),
                ChangeConfiguration("HeartbeatInterval", "60"), TriggerMessage("DiagnosticsStatusNotification")],
    "ocpp2.0.1": [*COMMON, RemoteStop("conformance-tx-1"), RemoteStart("RFID-ELI", evse_id=1, remote_start_id=7),
                  ChangeAvailability(False, 1, evse_id=1), UnlockConnector(1, evse_id=1),
                  GetVariables((VariableRef("OCPPCommCtrlr", "HeartbeatInterval"),)),
                  SetVariables((VariableRef("OCPPCommCtrlr", "HeartbeatInterval", "60"),)),
                  TriggerMessage("TransactionEvent", evse_id=1)],
}
COMMANDS["ocpp2.1"] = COMMANDS["ocpp2.0.1"]
EXPECTED_CALLS = {
    "ocpp1.6": {"BootNotification", "Heartbeat", "StatusNotification", "Authorize", "StartTransaction", "MeterValues",
                "DataTransfer", "DiagnosticsStatusNotification", "FirmwareStatusNotification",
                "SecurityEventNotification", "LogStatusNotification", "StopTransaction"},
    "ocpp2.0.1": {"BootNotification", "Heartbeat", "StatusNotification", "Authorize", "TransactionEvent",
                  "MeterValues", "NotifyEvent", "NotifyReport", "SecurityEventNotification",
                  "FirmwareStatusNotification", "LogStatusNotification", "DataTransfer"},
}
EXPECTED_CALLS["ocpp2.1"] = EXPECTED_CALLS["ocpp2.0.1"]


async def _line(stream: asyncio.StreamReader) -> dict:
    raw = await asyncio.wait_for(stream.readline(), 30)
    assert raw, "the Node peer ended without a report"
    return json.loads(raw)


@pytest.mark.parametrize("protocol", ["ocpp1.6", "ocpp2.0.1", "ocpp2.1"])
async def test_nothing_the_server_sends_fails_the_official_schemas(node, protocol):
    world = await ocpp_world(timeout=10)
    world.clock.current = datetime.now(UTC)
    peer = await asyncio.create_subprocess_exec(node, str(NODE_DIR / "charge_point.js"), world.url, "CP-2", protocol,
                                                "RFID-DANA", cwd=NODE_DIR, stdin=asyncio.subprocess.PIPE,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        ready = await _line(peer.stdout)
        assert ready == {"event": "ready"}, ready
        statuses = []
        for command in COMMANDS[protocol]:
            statuses.append((await world.send_command("CP-2", command, world.operator, world.org.id)).status)
        reservation = await world.create_reservation(
            CreateReservation("CP-2", 1, world.clock.now() + timedelta(minutes=30), "RFID-DANA"),
            world.operator, world.org.id)
        await world.cancel_reservation(reservation.id, world.operator, world.org.id)
        peer.stdin.write(b"done\n")
        await peer.stdin.drain()
        report = await _line(peer.stdout)
        await asyncio.wait_for(peer.wait(), 30)
    finally:
        if peer.returncode is None:
            peer.kill()
            await peer.wait()
        await close_world(world)
    assert report["failures"] == [], json.dumps(report["failures"], indent=1)
    refused = [c for c in report["calls"] if not c["ok"]]
    assert refused == [], refused
    assert {c["method"] for c in report["calls"]} == EXPECTED_CALLS[protocol]
    assert set(statuses) <= {"Accepted", "Unlocked"}, statuses
    received = [r["method"] for r in report["received"]]
    assert received[-2:] == ["ReserveNow", "CancelReservation"]
    assert len(received) == len(COMMANDS[protocol]) + 2
