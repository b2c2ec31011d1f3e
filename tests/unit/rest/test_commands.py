"""Commands to a charge point: one endpoint each, answered as the charge point answered; offline is a 409,
no answer in time a 504, an unknown command a 404."""

from __future__ import annotations

from decimal import Decimal

import pytest
from dependency_injector import providers

from application.ports.charge_point_commands import (
    ChangeAvailability,
    ChangeConfiguration,
    ClearCache,
    CommandResult,
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
from domain.errors import InvalidInput, Timeout
from entrypoints.rest.routes.commands import NAMES

COMMANDS = [
    ("remote-start", {"id_tag": "RFID-1", "connector_id": 2}, RemoteStart("RFID-1", 2)),
    ("remote-start", {"id_tag": "RFID-1"}, RemoteStart("RFID-1")),
    ("remote-start", {"id_tag": "RFID-1", "connector_id": 1, "evse_id": 2}, RemoteStart("RFID-1", 1, 2)),
    ("reset", {"type": "hard"}, Reset("hard")),
    ("unlock", {"connector_id": 1}, UnlockConnector(1)),
    ("availability", {"connector_id": 0, "available": False}, ChangeAvailability(False, 0)),
    ("availability", {"connector_id": 2, "available": True, "evse_id": 1}, ChangeAvailability(True, 2, 1)),
    ("trigger", {"message": "StatusNotification", "connector_id": 1}, TriggerMessage("StatusNotification", 1)),
    ("trigger", {"message": "Heartbeat"}, TriggerMessage("Heartbeat")),
    ("get-configuration", {}, GetConfiguration(())),
    ("get-configuration", {"keys": ["HeartbeatInterval", "MeterValueSampleInterval"]},
     GetConfiguration(("HeartbeatInterval", "MeterValueSampleInterval"))),
    ("change-configuration", {"key": "HeartbeatInterval", "value": "300"}, ChangeConfiguration("HeartbeatInterval",
                                                                                              "300")),
    ("get-variables", {"variables": [{"component": "OCPPCommCtrlr", "variable": "HeartbeatInterval"}]},
     GetVariables((VariableRef("OCPPCommCtrlr", "HeartbeatInterval"),))),
    ("set-variables", {"variables": [{"component": "OCPPCommCtrlr", "variable": "HeartbeatInterval", "value": "60"}]},
     SetVariables((VariableRef("OCPPCommCtrlr", "HeartbeatInterval", "60"),))),
    ("set-charging-profile", {"connector_id": 1, "limit": "16.5", "unit": "A"},
     SetChargingProfile(Decimal("16.5"), "A", 1)),
    ("set-charging-profile", {"connector_id": 0, "limit": "11000", "unit": "W", "evse_id": 1},
     SetChargingProfile(Decimal(11000), "W", 0, 1)),
    ("clear-cache", {}, ClearCache()),
]


def _path(network, name: str) -> str:
    return f"/charge-points/{network.cp}/commands/{name}"


@pytest.mark.parametrize(("name", "body", "command"), COMMANDS, ids=[f"{c[0]}-{i}" for i, c in enumerate(COMMANDS)])
async def test_each_command_reaches_the_charge_point(api, network, charge_points, name, body, command):
    if name == "remote-start":   # a remote start is authorized first: the tag must be a driver's
        driver = await api.post("/drivers", network.keys["member"], json={"name": "Remote", "id_tags": ["RFID-1"]})
        assert driver.status_code == 201, driver.text
    response = await api.post(_path(network, name), network.keys["member"], json=body)
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "Accepted", "data": None}
    assert charge_points.sent[-1] == (network.charge_point_id, command)


async def test_the_answer_comes_back_as_given(api, network, charge_points):
    charge_points.answers.update({"Reset": "Rejected", "ChangeAvailability": "Scheduled"})
    reset = await api.post(_path(network, "reset"), network.keys["admin"], json={"type": "soft"})
    assert reset.json() == {"status": "Rejected", "data": None}
    availability = await api.post(_path(network, "availability"), network.keys["admin"],
                                  json={"connector_id": 1, "available": False})
    assert availability.json()["status"] == "Scheduled"


class _Answering:
    """A charge point that answers with data, or fails as told."""

    def __init__(self, result: CommandResult | None = None, error: Exception | None = None) -> None:
        self.result, self.error = result, error

    async def send(self, charge_point_id: str, command: object) -> CommandResult:
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


async def test_data_in_the_answer_is_passed_on(api, network, container):
    data = {"configurationKey": [{"key": "HeartbeatInterval", "readonly": False, "value": "300"}],
            "unknownKey": ["Nope"], "limit": Decimal("16.0")}
    container.adapters.charge_point_commands.override(providers.Object(_Answering(CommandResult("Accepted", data))))
    response = await api.post(_path(network, "get-configuration"), network.keys["member"],
                              json={"keys": ["HeartbeatInterval", "Nope"]})
    assert response.status_code == 200
    assert response.json() == {"status": "Accepted", "data": data | {"limit": "16.0"}}


async def test_an_offline_charge_point_is_409_and_the_idempotency_key_is_not_kept(api, network, charge_points):
    charge_points.online.clear()
    headers = {"Idempotency-Key": "reset-1"}
    offline = await api.post(_path(network, "reset"), network.keys["member"], json={"type": "soft"}, headers=headers)
    assert offline.status_code == 409 and offline.json()["code"] == "unavailable"
    assert network.charge_point_id in offline.json()["detail"]
    charge_points.online.add(network.charge_point_id)
    retried = await api.post(_path(network, "reset"), network.keys["member"], json={"type": "soft"}, headers=headers)
    assert retried.status_code == 200 and "idempotent-replayed" not in retried.headers
    replayed = await api.post(_path(network, "reset"), network.keys["member"], json={"type": "soft"}, headers=headers)
    assert replayed.headers["idempotent-replayed"] == "true" and len(charge_points.sent) == 1


async def test_no_answer_in_time_is_504(api, network, container):
    container.adapters.charge_point_commands.override(providers.Object(_Answering(error=Timeout("no answer in 30 s"))))
    response = await api.post(_path(network, "unlock"), network.keys["member"], json={"connector_id": 1})
    assert response.status_code == 504 and response.json()["code"] == "timeout"


async def test_a_command_the_version_does_not_have_is_422(api, network, container):
    refusal = InvalidInput.field("command", "OCPP 1.6 has no GetVariables")
    container.adapters.charge_point_commands.override(providers.Object(_Answering(error=refusal)))
    response = await api.post(_path(network, "get-variables"), network.keys["member"],
                              json={"variables": [{"component": "C", "variable": "V"}]})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "command"


async def test_unknown_commands_are_404_naming_the_ones_there_are(api, network):
    for name in ("fly", "REMOTE-START", "remote_start", "%00"):
        response = await api.post(_path(network, name), network.keys["member"], json={})
        assert response.status_code == 404, name
        assert response.json()["code"] == "not_found" and "remote-start" in response.json()["detail"]
    assert NAMES[:2] == ["remote-start", "remote-stop"] and len(NAMES) == 12
    wrong_method = await api.get(_path(network, "reset"), network.keys["member"])
    assert wrong_method.status_code == 405


async def test_unknown_or_foreign_charge_points_are_404(api, network, charge_points):
    for cp in ("CP-NOBODY", "CP%20X"):
        response = await api.post(f"/charge-points/{cp}/commands/reset", network.keys["member"], json={"type": "soft"})
        assert response.status_code == 404
    assert charge_points.sent == []


async def test_remote_stop_names_the_session(api, network, charge_points, sessions):
    session_id, transaction_id = await sessions.start(network.charge_point_id, network.id_tag)
    stopped = await api.post(_path(network, "remote-stop"), network.keys["member"], json={"session_id": session_id})
    assert stopped.status_code == 200 and stopped.json()["status"] == "Accepted"
    assert charge_points.sent[-1] == (network.charge_point_id, RemoteStop(str(transaction_id)))
    unknown = await api.post(_path(network, "remote-stop"), network.keys["member"],
                             json={"session_id": "ses_01JD0000000000000000000000"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "session_id"
    await sessions.stop(network.charge_point_id, transaction_id, meter_wh=2000)
    completed = await api.post(_path(network, "remote-stop"), network.keys["member"], json={"session_id": session_id})
    assert completed.status_code == 409 and completed.json()["code"] == "invalid_state"


async def test_remote_stop_on_another_charge_point_is_422(api, network, sessions, charge_points):
    session_id, _ = await sessions.start(network.charge_point_id, network.id_tag)
    other = await api.post("/charge-points", network.keys["admin"], json={"id": "CP-OTHER",
                                                                          "location_id": network.location_id})
    assert other.status_code == 201
    charge_points.online.add("CP-OTHER")
    response = await api.post("/charge-points/CP-OTHER/commands/remote-stop", network.keys["member"],
                              json={"session_id": session_id})
    assert response.status_code == 422 and network.charge_point_id in response.json()["errors"][0]["message"]


async def test_viewers_cannot_send_commands(api, network, charge_points):
    for name, body, _ in COMMANDS:
        response = await api.post(_path(network, name), network.keys["viewer"], json=body)
        assert response.status_code == 403, name
    assert charge_points.sent == []


async def test_a_remote_start_for_a_tag_nobody_holds_is_refused_and_logged(api, network, charge_points):
    before = len(charge_points.sent)
    refused = await api.post(_path(network, "remote-start"), network.keys["member"], json={"id_tag": "NOBODY-1"})
    assert refused.status_code == 409 and refused.json()["code"] == "authorization_refused"
    assert "unknown_id_tag" in refused.json()["detail"]
    assert len(charge_points.sent) == before      # never sent
    log = (await api.get("/authorizations", network.keys["viewer"], params={"result": "refused"})).json()["data"]
    assert [(e["id_tag"], e["reason"], e["trigger"]) for e in log] == [("NOBODY-1", "unknown_id_tag", "RemoteStart")]
