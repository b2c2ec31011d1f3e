"""Commands to charge points through the ChargePointCommands port: every command, both versions, and failures."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from websockets.asyncio.client import connect

from application.drivers import CreateDriver
from application.ports.charge_point_commands import (
    CancelReservation,
    ChangeAvailability,
    ChangeConfiguration,
    ClearCache,
    GetConfiguration,
    GetVariables,
    RemoteStart,
    RemoteStop,
    ReserveNow,
    Reset,
    SetChargingProfile,
    SetVariables,
    TriggerMessage,
    UnlockConnector,
    VariableRef,
)
from application.reservations import CreateReservation, ReservationRejected
from domain.errors import InvalidInput, Timeout, Unavailable
from domain.network import ReservationStatus
from entrypoints.simulator import NO_ANSWER, boot, charge_point
from tests.integration.ocpp.world import close_world, ocpp_world, until

EXPIRES = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)

COMMANDS_16 = [
    (RemoteStart("RFID-DANA", connector_id=1), "RemoteStartTransaction", {"id_tag": "RFID-DANA", "connector_id": 1},
     "Accepted"),
    (RemoteStop("7"), "RemoteStopTransaction", {"transaction_id": 7}, "Accepted"),
    (Reset("hard"), "Reset", {"type": "Hard"}, "Accepted"),
    (UnlockConnector(2), "UnlockConnector", {"connector_id": 2}, "Unlocked"),
    (ChangeAvailability(False, 1), "ChangeAvailability", {"connector_id": 1, "type": "Inoperative"}, "Accepted"),
    (TriggerMessage("StatusNotification", 1), "TriggerMessage",
     {"requested_message": "StatusNotification", "connector_id": 1}, "Accepted"),
    (GetConfiguration(("HeartbeatInterval", "Nope")), "GetConfiguration", {"key": ["HeartbeatInterval", "Nope"]},
     "Accepted"),
    (ChangeConfiguration("HeartbeatInterval", "60"), "ChangeConfiguration",
     {"key": "HeartbeatInterval", "value": "60"}, "Accepted"),
    (SetChargingProfile(Decimal("16.04")), "SetChargingProfile", {"connector_id": 0, "cs_charging_profiles": {
        "charging_profile_id": 1, "stack_level": 0, "charging_profile_purpose": "TxDefaultProfile",
        "charging_profile_kind": "Relative", "charging_schedule": {
            "charging_rate_unit": "A", "charging_schedule_period": [{"start_period": 0, "limit": 16}]}}}, "Accepted"),
    (ClearCache(), "ClearCache", {}, "Accepted"),
    (ReserveNow(3, 1, "RFID-DANA", EXPIRES), "ReserveNow",
     {"connector_id": 1, "expiry_date": "2026-01-15T10:00:00Z", "id_tag": "RFID-DANA", "reservation_id": 3},
     "Accepted"),
    (CancelReservation(3), "CancelReservation", {"reservation_id": 3}, "Accepted"),
]

COMMANDS_201 = [
    (RemoteStart("RFID-DANA", evse_id=2, remote_start_id=41), "RequestStartTransaction",
     {"id_token": {"id_token": "RFID-DANA", "type": "Central"}, "remote_start_id": 41, "evse_id": 2}, "Accepted"),
    (RemoteStart("RFID-ELI"), "RequestStartTransaction", None, "Accepted"),
    (RemoteStop("tx-9"), "RequestStopTransaction", {"transaction_id": "tx-9"}, "Accepted"),
    (Reset("soft"), "Reset", {"type": "OnIdle"}, "Accepted"),
    (UnlockConnector(2), "UnlockConnector", {"evse_id": 2, "connector_id": 1}, "Unlocked"),
    (ChangeAvailability(True), "ChangeAvailability", {"operational_status": "Operative"}, "Accepted"),
    (ChangeAvailability(False, 1, evse_id=2), "ChangeAvailability",
     {"operational_status": "Inoperative", "evse": {"id": 2, "connector_id": 1}}, "Accepted"),
    (TriggerMessage("TransactionEvent", evse_id=1), "TriggerMessage",
     {"requested_message": "TransactionEvent", "evse": {"id": 1}}, "Accepted"),
    (GetVariables((VariableRef("OCPPCommCtrlr", "HeartbeatInterval"),)), "GetVariables",
     {"get_variable_data": [{"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}]},
     "Accepted"),
    (GetVariables((VariableRef("Nope", "Nothing"),)), "GetVariables", None, "Rejected"),
    (SetVariables((VariableRef("OCPPCommCtrlr", "HeartbeatInterval", "60"),)), "SetVariables",
     {"set_variable_data": [{"attribute_value": "60", "component": {"name": "OCPPCommCtrlr"},
                             "variable": {"name": "HeartbeatInterval"}}]}, "Accepted"),
    (SetChargingProfile(Decimal("7.25"), "W", purpose="ChargePointMaxProfile"), "SetChargingProfile",
     {"evse_id": 0, "charging_profile": {"id": 1, "stack_level": 0, "charging_profile_purpose":
                                         "ChargingStationMaxProfile", "charging_profile_kind": "Relative",
                                         "charging_schedule": [{"id": 1, "charging_rate_unit": "W",
                                                                "charging_schedule_period": [
                                                                    {"start_period": 0, "limit": 7.25}]}]}},
     "Accepted"),
    (ClearCache(), "ClearCache", {}, "Accepted"),
    (ReserveNow(3, 1, "RFID-DANA", EXPIRES), "ReserveNow",
     {"id": 3, "expiry_date_time": "2026-01-15T10:00:00Z", "id_token": {"id_token": "RFID-DANA", "type": "Central"},
      "evse_id": 1}, "Accepted"),
    (CancelReservation(3), "CancelReservation", {"reservation_id": 3}, "Accepted"),
]


@pytest.mark.parametrize(("version", "commands"), [("1.6", COMMANDS_16), ("2.0.1", COMMANDS_201)])
async def test_every_command_reaches_the_charge_point_as_its_versions_call(world, version, commands):
    async with charge_point(world.url, "CP-2", version) as cp:
        await boot(cp)
        for command, action, payload, status in commands:
            result = await world.send_command("CP-2", command, world.operator, world.org.id)
            assert result.status == status, (command, result)
            received_action, received = cp.received[-1]
            assert received_action == action
            if payload is not None:
                assert received == payload, action
    results = {a for a, _ in cp.received}
    assert len(results) == len({a for _, a, _, _ in commands})


async def test_answers_carry_their_details(world):
    async with charge_point(world.url, "CP-2", "1.6") as cp:
        await boot(cp)
        result = await world.send_command("CP-2", GetConfiguration(("HeartbeatInterval", "Nope")), world.operator,
                                          world.org.id)
        assert result.data == {"configuration_key": [{"key": "HeartbeatInterval", "readonly": False,
                                                      "value": "300"}], "unknown_key": ["Nope"]}
    async with charge_point(world.url, "CP-2", "2.0.1") as cp:
        result = await world.send_command("CP-2", GetVariables((VariableRef("OCPPCommCtrlr", "HeartbeatInterval"),)),
                                          world.operator, world.org.id)
        assert result.data["get_variable_result"][0]["attribute_value"] == "300"


@pytest.mark.parametrize(("version", "command", "field"), [
    ("1.6", GetVariables((VariableRef("A", "B"),)), "command"),
    ("1.6", SetVariables((VariableRef("A", "B", "1"),)), "command"),
    ("1.6", TriggerMessage("TransactionEvent"), "message"),
    ("1.6", RemoteStop("tx-not-a-number"), "transaction_id"),
    ("1.6", RemoteStart("RFID-WITH-A-TAG-LONGER-THAN-20"), "id_tag"),
    ("1.6", SetChargingProfile(Decimal(16), purpose="TxProfile"), "purpose"),
    ("1.6", Reset("gentle"), "kind"),
    ("2.0.1", GetConfiguration(), "command"),
    ("2.0.1", ChangeConfiguration("A", "B"), "command"),
    ("2.0.1", TriggerMessage("DiagnosticsStatusNotification"), "message"),
    ("2.0.1", SetVariables((VariableRef("A", "B"),)), "variables"),
])
async def test_a_command_its_version_lacks_is_invalid_input_and_nothing_is_sent(world, version, command, field):
    if isinstance(command, RemoteStart):   # authorized first: the tag is a driver's, and 1.6 cannot carry it
        await world.create_driver(CreateDriver("Long", None, None, (command.id_tag,)), world.operator, world.org.id)
    async with charge_point(world.url, "CP-2", version) as cp:
        with pytest.raises(InvalidInput) as info:
            await world.send_command("CP-2", command, world.operator, world.org.id)
        assert info.value.errors[0].field == field
        assert cp.received == []


async def test_offline_is_unavailable_and_silence_is_a_timeout_that_breaks_nothing():
    net = await ocpp_world(timeout=0.3)
    try:
        with pytest.raises(Unavailable):
            await net.send_command("CP-2", Reset(), net.operator, net.org.id)
        async with charge_point(net.url, "CP-2", "1.6", answers={"Reset": NO_ANSWER}) as cp:
            with pytest.raises(Timeout):
                await net.send_command("CP-2", Reset(), net.operator, net.org.id)
        async with charge_point(net.url, "CP-2", "1.6") as cp:   # the next connection is served normally
            assert (await net.send_command("CP-2", Reset(), net.operator, net.org.id)).status == "Accepted"
            assert cp.received == [("Reset", {"type": "Soft"})]
    finally:
        await close_world(net)


async def test_a_late_answer_to_a_timed_out_call_is_ignored_and_the_next_call_is_answered():
    net = await ocpp_world(timeout=0.3)
    try:
        async with connect(f"{net.url}/CP-2", subprotocols=["ocpp1.6"]) as ws:
            first = asyncio.create_task(net.send_command("CP-2", Reset(), net.operator, net.org.id))
            late = json.loads(await ws.recv())
            with pytest.raises(Timeout):
                await first
            second = asyncio.create_task(net.send_command("CP-2", ClearCache(), net.operator, net.org.id))
            current = json.loads(await ws.recv())
            await ws.send(json.dumps([3, late[1], {"status": "Rejected"}]))      # too late: dropped
            await ws.send(json.dumps([3, "made-up-id", {"status": "Rejected"}]))  # never asked: dropped
            await ws.send(json.dumps([3, current[1], {"status": "Accepted"}]))
            assert (await second).status == "Accepted"
    finally:
        await close_world(net)


async def test_one_outstanding_call_per_charge_point_and_answers_matched_by_id(world):
    async with connect(f"{world.url}/CP-2", subprotocols=["ocpp2.0.1"]) as ws:
        sends = [asyncio.create_task(world.send_command("CP-2", command, world.operator, world.org.id))
                 for command in (Reset(), ClearCache())]
        first = json.loads(await ws.recv())
        with pytest.raises(TimeoutError):   # the second call waits for the first's answer
            await asyncio.wait_for(ws.recv(), 0.2)
        await ws.send(json.dumps([3, first[1], {"status": "Rejected"}]))
        second = json.loads(await ws.recv())
        assert {first[2], second[2]} == {"Reset", "ClearCache"}
        await ws.send(json.dumps([3, second[1], {"status": "Accepted"}]))
        statuses = [(await s).status for s in sends]
        assert sorted(statuses) == ["Accepted", "Rejected"]


async def test_a_call_error_or_an_invalid_answer_becomes_the_result_status(world):
    async with connect(f"{world.url}/CP-2", subprotocols=["ocpp1.6"]) as ws:
        sent = asyncio.create_task(world.send_command("CP-2", Reset(), world.operator, world.org.id))
        call = json.loads(await ws.recv())
        await ws.send(json.dumps([4, call[1], "NotSupported", "no resets here", {}]))
        result = await sent
        assert (result.status, result.data["error_description"]) == ("NotSupported", "no resets here")
        sent = asyncio.create_task(world.send_command("CP-2", Reset(), world.operator, world.org.id))
        call = json.loads(await ws.recv())
        await ws.send(json.dumps([3, call[1], {"status": "Maybe"}]))
        assert (await sent).status == "PropertyConstraintViolation"


async def test_a_disconnect_while_waiting_is_unavailable(world):
    async with connect(f"{world.url}/CP-2", subprotocols=["ocpp1.6"]) as ws:
        sent = asyncio.create_task(world.send_command("CP-2", Reset(), world.operator, world.org.id))
        await ws.recv()
    with pytest.raises(Unavailable):
        await sent


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_reservation_round_trip(world, version):
    world.clock.current = datetime.now(UTC)
    expires = world.clock.current + timedelta(minutes=30)
    async with charge_point(world.url, "CP-2", version) as cp:
        reservation = await world.create_reservation(CreateReservation("CP-2", 1, expires, "RFID-DANA"),
                                                     world.operator, world.org.id)
        assert reservation.status is ReservationStatus.ACTIVE
        action, payload = cp.received[-1]
        assert action == "ReserveNow"
        assert payload.get("reservation_id", payload.get("id")) == reservation.ocpp_reservation_id
        await world.cancel_reservation(reservation.id, world.operator, world.org.id)
        assert cp.received[-1] == ("CancelReservation", {"reservation_id": reservation.ocpp_reservation_id})
        assert world.store.tables["reservations"][reservation.id].status is ReservationStatus.CANCELLED
        cp.answers["ReserveNow"] = "Occupied"
        with pytest.raises(ReservationRejected, match="Occupied"):
            await world.create_reservation(CreateReservation("CP-2", 1, expires, "RFID-DANA"), world.operator,
                                           world.org.id)


async def test_the_librarys_call_works_on_the_servers_correlation(world):
    async with charge_point(world.url, "CP-2", "1.6", answers={"Reset": "Rejected"}):
        await until(lambda: "CP-2" in world.registry)
        peer = world.registry.get("CP-2")
        answer = await peer.call(call16.Reset(type="Hard"))
        assert answer == result16.Reset(status="Rejected")
