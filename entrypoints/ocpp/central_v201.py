"""OCPP 2.0.1 handlers (2.1 shares them): each turns a payload into a use-case call and the result into the answer."""

from __future__ import annotations

from typing import Any

from ocpp.routing import on
from ocpp.v21 import call_result as call_result_21
from ocpp.v201 import call_result
from ocpp.v201.enums import Action

from application.charge_point_events import Boot, StatusReport
from application.id_tags import Authorization
from application.transactions import MeterValues, TransactionEventReport
from domain.charging import TransactionEventKind
from domain.charging.quantities import CONNECTOR_ID, EVSE_ID, RESERVATION_ID, SEQ_NO, read_int
from entrypoints.ocpp.central import CentralSystemPeer
from entrypoints.ocpp.values import STATUS_201, iso, member, optional_integer, parse_timestamp, samples_201


def _id_token_info(authorization: Authorization) -> dict[str, str]:
    return {"status": STATUS_201[authorization.status]}


def _token(id_token: dict[str, Any] | None) -> str | None:
    # A "NoAuthorization" token is an empty string: nobody to authorize.
    return (id_token or {}).get("id_token") or None


class CentralSystem201(CentralSystemPeer):
    ocpp_version = "2.0.1"
    call_results = call_result

    @on(Action.boot_notification)
    async def on_boot_notification(self, charging_station: dict[str, Any], reason: str,
                                   **_: Any) -> call_result.BootNotification:
        self.note("BootNotification", reason=reason)
        accepted = await self.use_cases.boot(Boot(self.id, charging_station["vendor_name"], charging_station["model"],
                                                  charging_station.get("serial_number"),
                                                  charging_station.get("firmware_version")))
        return call_result.BootNotification(current_time=iso(accepted.current_time), interval=accepted.interval,
                                            status=accepted.status)

    @on(Action.heartbeat)
    async def on_heartbeat(self, **_: Any) -> call_result.Heartbeat:
        return call_result.Heartbeat(current_time=iso(await self.use_cases.heartbeat(self.id)))

    @on(Action.status_notification)
    async def on_status_notification(self, timestamp: str, connector_status: str, evse_id: int, connector_id: int,
                                     **_: Any) -> call_result.StatusNotification:
        await self.use_cases.status_changed(StatusReport(
            self.id, read_int(evse_id, EVSE_ID, "evseId"), read_int(connector_id, CONNECTOR_ID, "connectorId"),
            connector_status, None, parse_timestamp(timestamp)))
        return call_result.StatusNotification()

    @on(Action.authorize)
    async def on_authorize(self, id_token: dict[str, Any], **_: Any) -> call_result.Authorize:
        authorization = await self.use_cases.authorize_id_tag(self.id, id_token["id_token"])
        return call_result.Authorize(id_token_info=_id_token_info(authorization))

    @on(Action.transaction_event)
    async def on_transaction_event(self, event_type: str, timestamp: str, trigger_reason: str, seq_no: int,
                                   transaction_info: dict[str, Any], offline: bool = False,
                                   reservation_id: int | None = None, evse: dict[str, Any] | None = None,
                                   id_token: dict[str, Any] | None = None,
                                   meter_value: list[dict[str, Any]] | None = None,
                                   **_: Any) -> call_result.TransactionEvent:
        evse = evse or {}
        authorization = await self.use_cases.transaction_event(TransactionEventReport(
            charge_point_id=self.id, kind=member(TransactionEventKind, event_type, "eventType"),
            timestamp=parse_timestamp(timestamp), transaction_id=transaction_info["transaction_id"],
            seq_no=read_int(seq_no, SEQ_NO, "seqNo"), trigger_reason=trigger_reason, id_tag=_token(id_token),
            evse_id=optional_integer(evse.get("id"), EVSE_ID, "evse.id"),
            connector_id=optional_integer(evse.get("connector_id"), CONNECTOR_ID, "evse.connectorId"),
            samples=samples_201(meter_value),
            stopped_reason=transaction_info.get("stopped_reason"), offline=offline,
            charging_state=transaction_info.get("charging_state"),
            reservation_id=optional_integer(reservation_id, RESERVATION_ID, "reservationId")))
        return call_result.TransactionEvent(
            id_token_info=_id_token_info(authorization) if authorization else None)

    @on(Action.meter_values)
    async def on_meter_values(self, evse_id: int, meter_value: list[dict[str, Any]],
                              **_: Any) -> call_result.MeterValues:
        # 2.0.1 reports a transaction's readings in TransactionEvent; these belong to no session by id.
        await self.use_cases.meter_values(MeterValues(self.id, samples_201(meter_value, require_one=True),
                                                      evse_id=read_int(evse_id, EVSE_ID, "evseId")))
        return call_result.MeterValues()

    @on(Action.data_transfer)
    async def on_data_transfer(self, vendor_id: str, message_id: str | None = None,
                               **_: Any) -> call_result.DataTransfer:
        self.note("DataTransfer", vendor_id=vendor_id, message_id=message_id)
        return call_result.DataTransfer(status="UnknownVendorId")

    @on(Action.notify_event)
    async def on_notify_event(self, generated_at: str, seq_no: int, event_data: list[dict[str, Any]],
                              tbc: bool = False, **_: Any) -> call_result.NotifyEvent:
        for event in event_data:
            self.note("NotifyEvent", seq_no=seq_no, event_id=event.get("event_id"), trigger=event.get("trigger"),
                      component=(event.get("component") or {}).get("name"),
                      variable=(event.get("variable") or {}).get("name"), actual_value=event.get("actual_value"))
        return call_result.NotifyEvent()

    @on(Action.notify_report)
    async def on_notify_report(self, request_id: int, generated_at: str, seq_no: int, tbc: bool = False,
                               report_data: list[dict[str, Any]] | None = None,
                               **_: Any) -> call_result.NotifyReport:
        self.note("NotifyReport", request_id=request_id, seq_no=seq_no, tbc=tbc, entries=len(report_data or ()))
        return call_result.NotifyReport()

    @on(Action.security_event_notification)
    async def on_security_event(self, type: str, timestamp: str, tech_info: str | None = None,
                                **_: Any) -> call_result.SecurityEventNotification:
        self.note("SecurityEventNotification", event_type=type, event_timestamp=timestamp, tech_info=tech_info)
        return call_result.SecurityEventNotification()

    @on(Action.firmware_status_notification)
    async def on_firmware_status(self, status: str, request_id: int | None = None,
                                 **_: Any) -> call_result.FirmwareStatusNotification:
        self.note("FirmwareStatusNotification", status=status, request_id=request_id)
        return call_result.FirmwareStatusNotification()

    @on(Action.log_status_notification)
    async def on_log_status(self, status: str, request_id: int | None = None,
                            **_: Any) -> call_result.LogStatusNotification:
        self.note("LogStatusNotification", status=status, request_id=request_id)
        return call_result.LogStatusNotification()


class CentralSystem21(CentralSystem201):
    """OCPP 2.1 keeps every message above compatible (its new fields are optional); its own schemas apply."""

    ocpp_version = "2.1"
    call_results = call_result_21
