"""Commands to a charge point, one endpoint per command: the charge point's answer comes back as it gave it.

The commands are version-neutral (``application.ports.charge_point_commands``); the OCPP gateway
translates them for 1.6 or 2.0.1 and refuses (422) one the charge point's version does not have.
An offline charge point is a 409 (``unavailable``), one that does not answer in time a 504.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from application.commands import remote_start
from application.ports.charge_point_commands import (
    ChangeAvailability,
    ChangeConfiguration,
    ClearCache,
    Command,
    GetConfiguration,
    GetVariables,
    Reset,
    SetChargingProfile,
    SetVariables,
    TriggerMessage,
    UnlockConnector,
    VariableRef,
)
from entrypoints.rest import bodies as b
from entrypoints.rest.decoding import quantity
from entrypoints.rest.endpoint import Call, Endpoint
from entrypoints.rest.problems import HttpProblem, problem_for
from entrypoints.rest.views import CommandResultOut

TAG = "Charge point commands"
COMMANDS_PATH = "/api/v1/charge-points/{charge_point_id}/commands"


def _remote_start(body: b.RemoteStartBody) -> Command:
    return remote_start(body.id_tag, body.connector_id, body.evse_id)


def _limit(value: object) -> Decimal:
    limit = quantity(value, "limit")
    assert limit is not None  # the body requires it
    return limit


# name → (body, the port's command built from it, summary, description)
_COMMANDS: dict[str, tuple[type, Callable[[Any], Command], str, str]] = {
    "remote-start": (b.RemoteStartBody, _remote_start, "Start a session remotely",
                     "RemoteStartTransaction (1.6) / RequestStartTransaction (2.0.1)."),
    "reset": (b.ResetBody, lambda x: Reset(kind=x.type.value), "Reset", "Reset: `soft` or `hard`."),
    "unlock": (b.UnlockBody, lambda x: UnlockConnector(connector_id=x.connector_id, evse_id=x.evse_id),
               "Unlock a connector", "UnlockConnector."),
    "availability": (b.AvailabilityBody,
                     lambda x: ChangeAvailability(available=x.available, connector_id=x.connector_id,
                                                  evse_id=x.evse_id),
                     "Change availability", "ChangeAvailability: `Scheduled` means it applies once the "
                                            "running session ends."),
    "trigger": (b.TriggerBody,
                lambda x: TriggerMessage(message=x.message.value, connector_id=x.connector_id, evse_id=x.evse_id),
                "Trigger a message", "TriggerMessage."),
    "get-configuration": (b.GetConfigurationBody, lambda x: GetConfiguration(keys=tuple(x.keys)),
                          "Get configuration", "GetConfiguration (1.6): `data` carries the keys and the "
                                               "unknown keys as the charge point answered."),
    "change-configuration": (b.ChangeConfigurationBody, lambda x: ChangeConfiguration(key=x.key, value=x.value),
                             "Change configuration", "ChangeConfiguration (1.6): `RebootRequired` means it "
                                                     "applies after a reset."),
    "get-variables": (b.GetVariablesBody,
                      lambda x: GetVariables(tuple(VariableRef(v.component, v.variable) for v in x.variables)),
                      "Get variables", "GetVariables (2.0.1): `data` carries each variable's result."),
    "set-variables": (b.SetVariablesBody,
                      lambda x: SetVariables(tuple(VariableRef(v.component, v.variable, v.value)
                                                   for v in x.variables)),
                      "Set variables", "SetVariables (2.0.1): `data` carries each variable's result."),
    "set-charging-profile": (b.SetChargingProfileBody,
                             lambda x: SetChargingProfile(limit=_limit(x.limit), unit=x.unit.value,
                                                          connector_id=x.connector_id, evse_id=x.evse_id),
                             "Set a charging limit", "SetChargingProfile: a default profile (TxDefaultProfile) "
                                                     "limiting new sessions to `limit` `unit`."),
    "clear-cache": (b.ClearCacheBody, lambda x: ClearCache(), "Clear the authorization cache", "ClearCache."),
}


def _sender(make: Callable[[Any], Command]) -> Callable[[Call], Any]:
    async def send(call: Call) -> CommandResultOut:
        result = await call.use_cases.send_command(call.ids["charge_point_id"], make(call.body), call.caller,
                                                   call.organization_id)
        return CommandResultOut.of(result)

    return send


async def remote_stop(call: Call) -> CommandResultOut:
    body: b.RemoteStopBody = call.body
    result = await call.use_cases.stop_session(call.ids["charge_point_id"], body.session_id, call.caller,
                                               call.organization_id)
    return CommandResultOut.of(result)


_ANSWERS = (" Answers what the charge point answered (`status`, and `data` for anything else). 409 "
            "`unavailable` when it is not connected; 504 when it does not answer in time (whether it acted is "
            "then unknown); 422 when its OCPP version has no such command.")


def _endpoint(name: str, handler: Callable[[Call], Any], body: type, summary: str, description: str) -> Endpoint:
    operation = "command" + "".join(part.title() for part in name.split("-"))
    return Endpoint("POST", f"{COMMANDS_PATH}/{name}", handler, operation, summary, TAG, body=body,
                    response=CommandResultOut, creates=True, tenant=True, errors=(403, 409, 504),
                    description=description + _ANSWERS)


ENDPOINTS = [_endpoint(name, _sender(make), body, summary, description)
             for name, (body, make, summary, description) in _COMMANDS.items()]
# Remote stop names a session, not a transaction: its own use case, listed after remote start.
ENDPOINTS.insert(1, _endpoint(
    "remote-stop", remote_stop, b.RemoteStopBody, "Stop a session remotely",
    "RemoteStopTransaction (1.6) / RequestStopTransaction (2.0.1) of the session's transaction. 422 naming "
    "`session_id` when the session is not this charge point's; 409 `invalid_state` when it has completed."))
NAMES = [e.path.rsplit("/", 1)[1] for e in ENDPOINTS]


async def unknown_command(request: Request) -> Response:
    """Whatever the command routes did not take: a known command with another method (405), or an unknown
    name (a 404 that lists the commands there are; the name is not echoed)."""
    if request.path_params.get("name") in NAMES:
        return problem_for(HTTPException(405, headers={"Allow": "POST"}))
    return problem_for(HttpProblem(404, "not_found", "no such command; the commands are " + ", ".join(NAMES)))
