"""Malformed frames and payloads are answered with the right CallError, and the connection keeps working."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator

import pytest
from websockets.asyncio.client import ClientConnection, connect

from entrypoints.simulator import basic_auth
from tests.integration.ocpp.world import PASSWORD

HEARTBEAT = '[2,"hb","Heartbeat",{}]'
BOOT16 = {"chargePointVendor": "Acme", "chargePointModel": "One"}
BOOT201 = {"chargingStation": {"vendorName": "Acme", "model": "One"}, "reason": "PowerUp"}


@contextlib.asynccontextmanager
async def raw(url: str, identity: str, subprotocol: str) -> AsyncIterator[ClientConnection]:
    headers = {"Authorization": basic_auth(identity, PASSWORD)} if identity == "CP-1" else None
    async with connect(f"{url}/{identity}", subprotocols=[subprotocol], additional_headers=headers) as ws:
        yield ws


async def exchange(ws: ClientConnection, frame: str | bytes) -> list:
    await ws.send(frame)
    return json.loads(await ws.recv())


async def still_works(ws: ClientConnection) -> None:
    answer = await exchange(ws, HEARTBEAT)
    assert answer[:2] == [3, "hb"] and "currentTime" in answer[2]


FRAMES = [  # (frame, code in 1.6, code in 2.0.1, unique id answered)
    ("{not json", "FormationViolation", "RpcFrameworkError", "-1"),
    ('{"a": 1}', "ProtocolError", "RpcFrameworkError", "-1"),
    ("[]", "ProtocolError", "RpcFrameworkError", "-1"),
    ('["2","x","Heartbeat",{}]', "ProtocolError", "RpcFrameworkError", "-1"),
    ('[2,17,"Heartbeat",{}]', "ProtocolError", "RpcFrameworkError", "-1"),
    ('[2,"m1"]', "ProtocolError", "RpcFrameworkError", "m1"),
    ('[2,"m2","Heartbeat"]', "ProtocolError", "ProtocolError", "m2"),
    ('[2,"m3","Heartbeat",[]]', "ProtocolError", "ProtocolError", "m3"),
    ('[7,"m4","Heartbeat",{}]', "ProtocolError", "MessageTypeNotSupported", "m4"),
    ('[2,"m5","FlyToTheMoon",{}]', "NotImplemented", "NotImplemented", "m5"),
    ('[2,"m6","Heartbeat",{"extra":1}]', "FormationViolation", "FormatViolation", "m6"),
    ("[2,\"m7\",\"Heartbeat\",{}]\x00junk", "FormationViolation", "RpcFrameworkError", "-1"),
    ('[2,"m8","Heartbeat",{}', "FormationViolation", "RpcFrameworkError", "-1"),
    ('[2,"m9","Heartbeat",{"x":NaN}]', "FormationViolation", "RpcFrameworkError", "-1"),
]


@pytest.mark.parametrize(("frame", "code16", "code201", "unique_id"), FRAMES)
@pytest.mark.parametrize("subprotocol", ["ocpp1.6", "ocpp2.0.1"])
async def test_a_malformed_frame_gets_a_call_error_and_the_connection_stays(world, subprotocol, frame, code16,
                                                                            code201, unique_id):
    async with raw(world.url, "CP-2", subprotocol) as ws:
        answer = await exchange(ws, frame)
        assert answer[:3] == [4, unique_id, code16 if subprotocol == "ocpp1.6" else code201], answer
        assert isinstance(answer[3], str) and isinstance(answer[4], dict)
        await still_works(ws)


PAYLOADS = [  # (action, payload 1.6, payload 2.0.1, code 1.6, code 2.0.1)
    ("BootNotification", {"chargePointVendor": "Acme"}, {"reason": "PowerUp"},
     "OccurenceConstraintViolation", "OccurenceConstraintViolation"),
    ("BootNotification", {**BOOT16, "chargePointModel": 7}, {**BOOT201, "reason": 7},
     "TypeConstraintViolation", "TypeConstraintViolation"),
    ("BootNotification", {**BOOT16, "chargePointModel": "x" * 21},
     {**BOOT201, "chargingStation": {"vendorName": "Acme", "model": "x" * 21}},
     "TypeConstraintViolation", "TypeConstraintViolation"),
    ("BootNotification", {**BOOT16, "colour": "red"}, {**BOOT201, "colour": "red"},
     "FormationViolation", "FormatViolation"),
    ("StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Dancing"},
     {"timestamp": "2026-01-01T00:00:00Z", "connectorStatus": "Dancing", "evseId": 1, "connectorId": 1},
     "PropertyConstraintViolation", "PropertyConstraintViolation"),
    ("StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Available", "timestamp": "yesterday"},
     {"timestamp": "yesterday", "connectorStatus": "Available", "evseId": 1, "connectorId": 1},
     "FormationViolation", "FormatViolation"),
]


@pytest.mark.parametrize(("action", "payload16", "payload201", "code16", "code201"), PAYLOADS)
@pytest.mark.parametrize("subprotocol", ["ocpp1.6", "ocpp2.0.1"])
async def test_a_payload_that_fails_its_schema_gets_the_versions_error_code(world, subprotocol, action, payload16,
                                                                           payload201, code16, code201):
    payload = payload16 if subprotocol == "ocpp1.6" else payload201
    async with raw(world.url, "CP-2", subprotocol) as ws:
        answer = await exchange(ws, json.dumps([2, "p1", action, payload]))
        assert answer[:3] == [4, "p1", code16 if subprotocol == "ocpp1.6" else code201], answer
        await still_works(ws)


async def test_an_action_of_the_version_that_we_do_not_take_is_not_supported(world):
    async with raw(world.url, "CP-2", "ocpp1.6") as ws:
        answer = await exchange(ws, '[2,"s1","SignCertificate",{"csr":"x"}]')
        assert answer[:3] == [4, "s1", "NotSupported"]
        answer = await exchange(ws, '[2,"s2","TransactionEvent",{}]')   # 2.0.1's, not 1.6's
        assert answer[:3] == [4, "s2", "NotImplemented"]


async def test_stray_answers_are_dropped_without_a_reply_and_break_nothing(world):
    async with raw(world.url, "CP-2", "ocpp2.0.1") as ws:
        for stray in ('[3,"nobody-asked",{}]', '[4,"nobody-asked","GenericError","",{}]', "[3]", '[3,"x"]',
                      '[4,"x",1]'):
            await ws.send(stray)
        await still_works(ws)


@pytest.mark.parametrize(("subprotocol", "code"), [("ocpp1.6", "ProtocolError"), ("ocpp2.0.1", "RpcFrameworkError")])
async def test_a_binary_frame_is_refused_even_when_it_carries_a_call(world, subprotocol, code):
    async with raw(world.url, "CP-2", subprotocol) as ws:
        answer = await exchange(ws, HEARTBEAT.encode())
        assert answer[:3] == [4, "-1", code], answer
        await still_works(ws)


@pytest.mark.parametrize(("subprotocol", "code"), [("ocpp1.6", "ProtocolError"), ("ocpp2.0.1", "RpcFrameworkError")])
async def test_a_message_id_longer_than_36_characters_is_refused(world, subprotocol, code):
    async with raw(world.url, "CP-2", subprotocol) as ws:
        answer = await exchange(ws, json.dumps([2, "x" * 10_000, "Heartbeat", {}]))
        assert answer[:3] == [4, "-1", code], answer
        assert (await exchange(ws, json.dumps([2, "y" * 36, "Heartbeat", {}])))[:2] == [3, "y" * 36]
        await still_works(ws)


async def test_lenient_mode_tolerates_extra_fields_and_odd_values_but_not_missing_ones(world):
    async with raw(world.url, "CP-L", "ocpp1.6") as ws:
        answer = await exchange(ws, json.dumps([2, "l1", "BootNotification", {**BOOT16, "colour": "red",
                                                                              "chargePointModel": "x" * 40}]))
        assert answer[0] == 3 and answer[2]["status"] == "Accepted"
        answer = await exchange(ws, json.dumps([2, "l2", "StatusNotification",
                                                {"connectorId": 1, "errorCode": "Wobbly", "status": "Dancing"}]))
        assert answer == [3, "l2", {}]
        answer = await exchange(ws, json.dumps([2, "l3", "BootNotification", {"chargePointVendor": "Acme"}]))
        assert answer[:3] == [4, "l3", "OccurenceConstraintViolation"]
        answer = await exchange(ws, json.dumps([2, "l4", "Heartbeat", {"self": 1}]))
        assert answer[:3] == [4, "l4", "FormationViolation"]
        answer = await exchange(ws, json.dumps([2, "l5", "StartTransaction", {
            "connectorId": 1, "idTag": "RFID-DANA", "meterStart": "lots", "timestamp": "2026-01-01T00:00:00Z"}]))
        assert answer[:3] == [4, "l5", "TypeConstraintViolation"]
        await still_works(ws)


async def test_lenient_201_unknown_event_type_is_a_property_violation_not_a_crash(world):
    async with raw(world.url, "CP-L", "ocpp2.0.1") as ws:
        answer = await exchange(ws, json.dumps([2, "e1", "TransactionEvent", {
            "eventType": "Paused", "timestamp": "2026-01-01T00:00:00Z", "triggerReason": "Whatever", "seqNo": 0,
            "transactionInfo": {"transactionId": "t1"}}]))
        assert answer[:3] == [4, "e1", "PropertyConstraintViolation"]
        answer = await exchange(ws, json.dumps([2, "e2", "TransactionEvent", {
            "eventType": "Updated", "timestamp": "2026-01-01T00:00:00Z", "triggerReason": "MeterValuePeriodic",
            "seqNo": 1, "transactionInfo": {"transactionId": "t1"}, "meterValue": [{"timestamp": "2026-01-01T00:00:00Z",
            "sampledValue": [{"value": 5, "unitOfMeasure": {"multiplier": 400}}]}]}]))
        assert answer[:3] == [4, "e2", "PropertyConstraintViolation"]
        await still_works(ws)
