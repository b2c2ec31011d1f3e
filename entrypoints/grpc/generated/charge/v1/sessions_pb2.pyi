import datetime

from entrypoints.grpc.generated.charge.v1 import common_pb2 as _common_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SessionStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SESSION_STATUS_UNSPECIFIED: _ClassVar[SessionStatus]
    SESSION_STATUS_STARTED: _ClassVar[SessionStatus]
    SESSION_STATUS_ACTIVE: _ClassVar[SessionStatus]
    SESSION_STATUS_COMPLETED: _ClassVar[SessionStatus]

class AnomalyKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ANOMALY_KIND_UNSPECIFIED: _ClassVar[AnomalyKind]
    ANOMALY_KIND_REGISTER_BACKWARDS: _ClassVar[AnomalyKind]
    ANOMALY_KIND_ENERGY_JUMP: _ClassVar[AnomalyKind]
SESSION_STATUS_UNSPECIFIED: SessionStatus
SESSION_STATUS_STARTED: SessionStatus
SESSION_STATUS_ACTIVE: SessionStatus
SESSION_STATUS_COMPLETED: SessionStatus
ANOMALY_KIND_UNSPECIFIED: AnomalyKind
ANOMALY_KIND_REGISTER_BACKWARDS: AnomalyKind
ANOMALY_KIND_ENERGY_JUMP: AnomalyKind

class Session(_message.Message):
    __slots__ = ("id", "charge_point_id", "connector_id", "evse_id", "id_tag", "driver_id", "status", "started_at", "stopped_at", "energy_kwh", "meter_start_wh", "meter_stop_wh", "stop_reason", "offline", "cost", "tariff_id", "tariff_version", "plan_id", "flagged")
    ID_FIELD_NUMBER: _ClassVar[int]
    CHARGE_POINT_ID_FIELD_NUMBER: _ClassVar[int]
    CONNECTOR_ID_FIELD_NUMBER: _ClassVar[int]
    EVSE_ID_FIELD_NUMBER: _ClassVar[int]
    ID_TAG_FIELD_NUMBER: _ClassVar[int]
    DRIVER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    STOPPED_AT_FIELD_NUMBER: _ClassVar[int]
    ENERGY_KWH_FIELD_NUMBER: _ClassVar[int]
    METER_START_WH_FIELD_NUMBER: _ClassVar[int]
    METER_STOP_WH_FIELD_NUMBER: _ClassVar[int]
    STOP_REASON_FIELD_NUMBER: _ClassVar[int]
    OFFLINE_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    TARIFF_ID_FIELD_NUMBER: _ClassVar[int]
    TARIFF_VERSION_FIELD_NUMBER: _ClassVar[int]
    PLAN_ID_FIELD_NUMBER: _ClassVar[int]
    FLAGGED_FIELD_NUMBER: _ClassVar[int]
    id: str
    charge_point_id: str
    connector_id: int
    evse_id: int
    id_tag: str
    driver_id: str
    status: SessionStatus
    started_at: _timestamp_pb2.Timestamp
    stopped_at: _timestamp_pb2.Timestamp
    energy_kwh: str
    meter_start_wh: str
    meter_stop_wh: str
    stop_reason: str
    offline: bool
    cost: _common_pb2.Cost
    tariff_id: str
    tariff_version: int
    plan_id: str
    flagged: bool
    def __init__(self, id: _Optional[str] = ..., charge_point_id: _Optional[str] = ..., connector_id: _Optional[int] = ..., evse_id: _Optional[int] = ..., id_tag: _Optional[str] = ..., driver_id: _Optional[str] = ..., status: _Optional[_Union[SessionStatus, str]] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., stopped_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., energy_kwh: _Optional[str] = ..., meter_start_wh: _Optional[str] = ..., meter_stop_wh: _Optional[str] = ..., stop_reason: _Optional[str] = ..., offline: _Optional[bool] = ..., cost: _Optional[_Union[_common_pb2.Cost, _Mapping]] = ..., tariff_id: _Optional[str] = ..., tariff_version: _Optional[int] = ..., plan_id: _Optional[str] = ..., flagged: _Optional[bool] = ...) -> None: ...

class MeterSummary(_message.Message):
    __slots__ = ("samples", "first_reading_at", "last_reading_at", "max_power_kw")
    SAMPLES_FIELD_NUMBER: _ClassVar[int]
    FIRST_READING_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_READING_AT_FIELD_NUMBER: _ClassVar[int]
    MAX_POWER_KW_FIELD_NUMBER: _ClassVar[int]
    samples: int
    first_reading_at: _timestamp_pb2.Timestamp
    last_reading_at: _timestamp_pb2.Timestamp
    max_power_kw: str
    def __init__(self, samples: _Optional[int] = ..., first_reading_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_reading_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., max_power_kw: _Optional[str] = ...) -> None: ...

class Anomaly(_message.Message):
    __slots__ = ("at", "kind", "detail")
    AT_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    at: _timestamp_pb2.Timestamp
    kind: AnomalyKind
    detail: str
    def __init__(self, at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., kind: _Optional[_Union[AnomalyKind, str]] = ..., detail: _Optional[str] = ...) -> None: ...

class CostLine(_message.Message):
    __slots__ = ("type", "quantity", "unit", "unit_price", "amount", "vat_rate", "vat", "element")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    VAT_RATE_FIELD_NUMBER: _ClassVar[int]
    VAT_FIELD_NUMBER: _ClassVar[int]
    ELEMENT_FIELD_NUMBER: _ClassVar[int]
    type: str
    quantity: str
    unit: str
    unit_price: str
    amount: str
    vat_rate: str
    vat: str
    element: int
    def __init__(self, type: _Optional[str] = ..., quantity: _Optional[str] = ..., unit: _Optional[str] = ..., unit_price: _Optional[str] = ..., amount: _Optional[str] = ..., vat_rate: _Optional[str] = ..., vat: _Optional[str] = ..., element: _Optional[int] = ...) -> None: ...

class AppliedElement(_message.Message):
    __slots__ = ("dimension", "element", "reason")
    DIMENSION_FIELD_NUMBER: _ClassVar[int]
    ELEMENT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    dimension: str
    element: int
    reason: str
    def __init__(self, dimension: _Optional[str] = ..., element: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class CostPeriod(_message.Message):
    __slots__ = ("start", "end", "kind", "energy_kwh", "duration_h", "applied")
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    ENERGY_KWH_FIELD_NUMBER: _ClassVar[int]
    DURATION_H_FIELD_NUMBER: _ClassVar[int]
    APPLIED_FIELD_NUMBER: _ClassVar[int]
    start: str
    end: str
    kind: str
    energy_kwh: str
    duration_h: str
    applied: _containers.RepeatedCompositeFieldContainer[AppliedElement]
    def __init__(self, start: _Optional[str] = ..., end: _Optional[str] = ..., kind: _Optional[str] = ..., energy_kwh: _Optional[str] = ..., duration_h: _Optional[str] = ..., applied: _Optional[_Iterable[_Union[AppliedElement, _Mapping]]] = ...) -> None: ...

class CostBreakdown(_message.Message):
    __slots__ = ("currency", "lines", "periods", "total_excl_vat", "vat", "total", "energy_kwh", "total_time_h", "charging_time_h", "parking_time_h", "reservation_time_h", "rounded", "estimate")
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    PERIODS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_EXCL_VAT_FIELD_NUMBER: _ClassVar[int]
    VAT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    ENERGY_KWH_FIELD_NUMBER: _ClassVar[int]
    TOTAL_TIME_H_FIELD_NUMBER: _ClassVar[int]
    CHARGING_TIME_H_FIELD_NUMBER: _ClassVar[int]
    PARKING_TIME_H_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_TIME_H_FIELD_NUMBER: _ClassVar[int]
    ROUNDED_FIELD_NUMBER: _ClassVar[int]
    ESTIMATE_FIELD_NUMBER: _ClassVar[int]
    currency: str
    lines: _containers.RepeatedCompositeFieldContainer[CostLine]
    periods: _containers.RepeatedCompositeFieldContainer[CostPeriod]
    total_excl_vat: _common_pb2.Money
    vat: _common_pb2.Money
    total: _common_pb2.Money
    energy_kwh: str
    total_time_h: str
    charging_time_h: str
    parking_time_h: str
    reservation_time_h: str
    rounded: bool
    estimate: bool
    def __init__(self, currency: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[CostLine, _Mapping]]] = ..., periods: _Optional[_Iterable[_Union[CostPeriod, _Mapping]]] = ..., total_excl_vat: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., vat: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., energy_kwh: _Optional[str] = ..., total_time_h: _Optional[str] = ..., charging_time_h: _Optional[str] = ..., parking_time_h: _Optional[str] = ..., reservation_time_h: _Optional[str] = ..., rounded: _Optional[bool] = ..., estimate: _Optional[bool] = ...) -> None: ...

class ListSessionsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "charge_point_id", "driver_id", "fleet_id", "status", "started_from", "started_to")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CHARGE_POINT_ID_FIELD_NUMBER: _ClassVar[int]
    DRIVER_ID_FIELD_NUMBER: _ClassVar[int]
    FLEET_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STARTED_FROM_FIELD_NUMBER: _ClassVar[int]
    STARTED_TO_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    charge_point_id: str
    driver_id: str
    fleet_id: str
    status: SessionStatus
    started_from: _timestamp_pb2.Timestamp
    started_to: _timestamp_pb2.Timestamp
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., charge_point_id: _Optional[str] = ..., driver_id: _Optional[str] = ..., fleet_id: _Optional[str] = ..., status: _Optional[_Union[SessionStatus, str]] = ..., started_from: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., started_to: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListSessionsResponse(_message.Message):
    __slots__ = ("sessions", "next_page_token")
    SESSIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    sessions: _containers.RepeatedCompositeFieldContainer[Session]
    next_page_token: str
    def __init__(self, sessions: _Optional[_Iterable[_Union[Session, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetSessionRequest(_message.Message):
    __slots__ = ("session_id",)
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    def __init__(self, session_id: _Optional[str] = ...) -> None: ...

class GetSessionResponse(_message.Message):
    __slots__ = ("session", "meter", "anomalies", "estimate")
    SESSION_FIELD_NUMBER: _ClassVar[int]
    METER_FIELD_NUMBER: _ClassVar[int]
    ANOMALIES_FIELD_NUMBER: _ClassVar[int]
    ESTIMATE_FIELD_NUMBER: _ClassVar[int]
    session: Session
    meter: MeterSummary
    anomalies: _containers.RepeatedCompositeFieldContainer[Anomaly]
    estimate: _common_pb2.Cost
    def __init__(self, session: _Optional[_Union[Session, _Mapping]] = ..., meter: _Optional[_Union[MeterSummary, _Mapping]] = ..., anomalies: _Optional[_Iterable[_Union[Anomaly, _Mapping]]] = ..., estimate: _Optional[_Union[_common_pb2.Cost, _Mapping]] = ...) -> None: ...

class GetCostBreakdownRequest(_message.Message):
    __slots__ = ("session_id",)
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    def __init__(self, session_id: _Optional[str] = ...) -> None: ...

class GetCostBreakdownResponse(_message.Message):
    __slots__ = ("breakdown",)
    BREAKDOWN_FIELD_NUMBER: _ClassVar[int]
    breakdown: CostBreakdown
    def __init__(self, breakdown: _Optional[_Union[CostBreakdown, _Mapping]] = ...) -> None: ...

class WatchSessionsRequest(_message.Message):
    __slots__ = ("cursor", "charge_point_id")
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    CHARGE_POINT_ID_FIELD_NUMBER: _ClassVar[int]
    cursor: str
    charge_point_id: str
    def __init__(self, cursor: _Optional[str] = ..., charge_point_id: _Optional[str] = ...) -> None: ...

class WatchSessionsResponse(_message.Message):
    __slots__ = ("cursor", "started", "meter_updated", "completed")
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    STARTED_FIELD_NUMBER: _ClassVar[int]
    METER_UPDATED_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_FIELD_NUMBER: _ClassVar[int]
    cursor: str
    started: SessionStarted
    meter_updated: SessionMeterUpdated
    completed: SessionCompleted
    def __init__(self, cursor: _Optional[str] = ..., started: _Optional[_Union[SessionStarted, _Mapping]] = ..., meter_updated: _Optional[_Union[SessionMeterUpdated, _Mapping]] = ..., completed: _Optional[_Union[SessionCompleted, _Mapping]] = ...) -> None: ...

class SessionStarted(_message.Message):
    __slots__ = ("session_id", "charge_point_id", "connector_id", "evse_id", "id_tag", "driver_id", "started_at")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    CHARGE_POINT_ID_FIELD_NUMBER: _ClassVar[int]
    CONNECTOR_ID_FIELD_NUMBER: _ClassVar[int]
    EVSE_ID_FIELD_NUMBER: _ClassVar[int]
    ID_TAG_FIELD_NUMBER: _ClassVar[int]
    DRIVER_ID_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    charge_point_id: str
    connector_id: int
    evse_id: int
    id_tag: str
    driver_id: str
    started_at: _timestamp_pb2.Timestamp
    def __init__(self, session_id: _Optional[str] = ..., charge_point_id: _Optional[str] = ..., connector_id: _Optional[int] = ..., evse_id: _Optional[int] = ..., id_tag: _Optional[str] = ..., driver_id: _Optional[str] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SessionMeterUpdated(_message.Message):
    __slots__ = ("session_id", "charge_point_id", "connector_id", "energy_kwh", "read_at", "estimate")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    CHARGE_POINT_ID_FIELD_NUMBER: _ClassVar[int]
    CONNECTOR_ID_FIELD_NUMBER: _ClassVar[int]
    ENERGY_KWH_FIELD_NUMBER: _ClassVar[int]
    READ_AT_FIELD_NUMBER: _ClassVar[int]
    ESTIMATE_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    charge_point_id: str
    connector_id: int
    energy_kwh: str
    read_at: _timestamp_pb2.Timestamp
    estimate: _common_pb2.Cost
    def __init__(self, session_id: _Optional[str] = ..., charge_point_id: _Optional[str] = ..., connector_id: _Optional[int] = ..., energy_kwh: _Optional[str] = ..., read_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., estimate: _Optional[_Union[_common_pb2.Cost, _Mapping]] = ...) -> None: ...

class SessionCompleted(_message.Message):
    __slots__ = ("session_id", "charge_point_id", "started_at", "stopped_at", "energy_kwh", "stop_reason", "final_cost")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    CHARGE_POINT_ID_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    STOPPED_AT_FIELD_NUMBER: _ClassVar[int]
    ENERGY_KWH_FIELD_NUMBER: _ClassVar[int]
    STOP_REASON_FIELD_NUMBER: _ClassVar[int]
    FINAL_COST_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    charge_point_id: str
    started_at: _timestamp_pb2.Timestamp
    stopped_at: _timestamp_pb2.Timestamp
    energy_kwh: str
    stop_reason: str
    final_cost: _common_pb2.Cost
    def __init__(self, session_id: _Optional[str] = ..., charge_point_id: _Optional[str] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., stopped_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., energy_kwh: _Optional[str] = ..., stop_reason: _Optional[str] = ..., final_cost: _Optional[_Union[_common_pb2.Cost, _Mapping]] = ...) -> None: ...
