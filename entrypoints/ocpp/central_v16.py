"""OCPP 1.6J handlers: each turns a payload into a use-case call and the result into the answer."""

from __future__ import annotations

from typing import Any

from ocpp.routing import on
from ocpp.v16 import call_result, datatypes
from ocpp.v16.enums import Action

from application.charge_point_events import Boot, StatusReport
from application.id_tags import Authorization
from application.transactions import MeterValues, StartTransaction, StopTransaction
from domain.charging.quantities import CONNECTOR_ID, REGISTER_WH, RESERVATION_ID, TRANSACTION_ID, read, read_int
from entrypoints.ocpp.central import CentralSystemPeer
from entrypoints.ocpp.values import STATUS_16, iso, optional_integer, parse_timestamp, samples_16


def _id_tag_info(authorization: Authorization) -> datatypes.IdTagInfo:
    return datatypes.IdTagInfo(status=STATUS_16[authorization.status])


class CentralSystem16(CentralSystemPeer):
    ocpp_version = "1.6"
    call_results = call_result

    @on(Action.boot_notification)
    async def on_boot_notification(self, charge_point_vendor: str, charge_point_model: str,
                                   charge_point_serial_number: str | None = None,
                                   firmware_version: str | None = None, **_: Any) -> call_result.BootNotification:
        accepted = await self.use_cases.boot(Boot(self.id, charge_point_vendor, charge_point_model,
                                                  charge_point_serial_number, firmware_version))
        return call_result.BootNotification(current_time=iso(accepted.current_time), interval=accepted.interval,
                                            status=accepted.status)

    @on(Action.heartbeat)
    async def on_heartbeat(self, **_: Any) -> call_result.Heartbeat:
        return call_result.Heartbeat(current_time=iso(await self.use_cases.heartbeat(self.id)))

    @on(Action.status_notification)
    async def on_status_notification(self, connector_id: int, error_code: str, status: str,
                                     timestamp: str | None = None, **_: Any) -> call_result.StatusNotification:
        # 1.6 has no EVSEs: connector N is EVSE N's only connector.
        at = parse_timestamp(timestamp) if timestamp else self.clock.now()
        connector = read_int(connector_id, CONNECTOR_ID, "connectorId")
        await self.use_cases.status_changed(StatusReport(self.id, connector, connector, status, error_code, at))
        return call_result.StatusNotification()

    @on(Action.authorize)
    async def on_authorize(self, id_tag: str, **_: Any) -> call_result.Authorize:
        return call_result.Authorize(id_tag_info=_id_tag_info(await self.use_cases.authorize_id_tag(self.id, id_tag)))

    @on(Action.start_transaction)
    async def on_start_transaction(self, connector_id: int, id_tag: str, meter_start: int, timestamp: str,
                                   reservation_id: int | None = None, **_: Any) -> call_result.StartTransaction:
        started = await self.use_cases.start_transaction(StartTransaction(
            self.id, read_int(connector_id, CONNECTOR_ID, "connectorId"), id_tag,
            read(meter_start, REGISTER_WH, "meterStart"), parse_timestamp(timestamp),
            optional_integer(reservation_id, RESERVATION_ID, "reservationId")))
        return call_result.StartTransaction(transaction_id=started.transaction_id,
                                            id_tag_info=_id_tag_info(started.authorization))

    @on(Action.stop_transaction)
    async def on_stop_transaction(self, transaction_id: int, meter_stop: int, timestamp: str,
                                  id_tag: str | None = None, reason: str | None = None,
                                  transaction_data: list[dict[str, Any]] | None = None,
                                  **_: Any) -> call_result.StopTransaction:
        authorization = await self.use_cases.stop_transaction(StopTransaction(
            self.id, str(read_int(transaction_id, TRANSACTION_ID, "transactionId")),
            read(meter_stop, REGISTER_WH, "meterStop"), parse_timestamp(timestamp), reason, id_tag,
            samples_16(transaction_data)))
        return call_result.StopTransaction(id_tag_info=_id_tag_info(authorization) if authorization else None)

    @on(Action.meter_values)
    async def on_meter_values(self, connector_id: int, meter_value: list[dict[str, Any]],
                              transaction_id: int | None = None, **_: Any) -> call_result.MeterValues:
        connector = read_int(connector_id, CONNECTOR_ID, "connectorId")
        transaction = optional_integer(transaction_id, TRANSACTION_ID, "transactionId")
        await self.use_cases.meter_values(MeterValues(
            self.id, samples_16(meter_value, require_one=True), str(transaction) if transaction is not None else None,
            connector, connector))
        return call_result.MeterValues()

    @on(Action.data_transfer)
    async def on_data_transfer(self, vendor_id: str, message_id: str | None = None,
                               **_: Any) -> call_result.DataTransfer:
        # No vendor extensions are implemented; saying so lets the charge point stop trying.
        self.note("DataTransfer", vendor_id=vendor_id, message_id=message_id)
        return call_result.DataTransfer(status="UnknownVendorId")

    @on(Action.diagnostics_status_notification)
    async def on_diagnostics_status(self, status: str, **_: Any) -> call_result.DiagnosticsStatusNotification:
        self.note("DiagnosticsStatusNotification", status=status)
        return call_result.DiagnosticsStatusNotification()

    @on(Action.firmware_status_notification)
    async def on_firmware_status(self, status: str, **_: Any) -> call_result.FirmwareStatusNotification:
        self.note("FirmwareStatusNotification", status=status)
        return call_result.FirmwareStatusNotification()

    # The 1.6 security extension (whitepaper edition 2): chargers on security profiles send these too.
    @on(Action.security_event_notification)
    async def on_security_event(self, type: str, timestamp: str, tech_info: str | None = None,
                                **_: Any) -> call_result.SecurityEventNotification:
        self.note("SecurityEventNotification", event_type=type, event_timestamp=timestamp, tech_info=tech_info)
        return call_result.SecurityEventNotification()

    @on(Action.log_status_notification)
    async def on_log_status(self, status: str, request_id: int | None = None,
                            **_: Any) -> call_result.LogStatusNotification:
        self.note("LogStatusNotification", status=status, request_id=request_id)
        return call_result.LogStatusNotification()
