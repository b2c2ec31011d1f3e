import datetime

from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ChargePointStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHARGE_POINT_STATUS_UNSPECIFIED: _ClassVar[ChargePointStatus]
    CHARGE_POINT_STATUS_OFFLINE: _ClassVar[ChargePointStatus]
    CHARGE_POINT_STATUS_CHARGING: _ClassVar[ChargePointStatus]
    CHARGE_POINT_STATUS_AVAILABLE: _ClassVar[ChargePointStatus]
    CHARGE_POINT_STATUS_RESERVED: _ClassVar[ChargePointStatus]
    CHARGE_POINT_STATUS_UNAVAILABLE: _ClassVar[ChargePointStatus]
    CHARGE_POINT_STATUS_FAULTED: _ClassVar[ChargePointStatus]
    CHARGE_POINT_STATUS_UNKNOWN: _ClassVar[ChargePointStatus]
CHARGE_POINT_STATUS_UNSPECIFIED: ChargePointStatus
CHARGE_POINT_STATUS_OFFLINE: ChargePointStatus
CHARGE_POINT_STATUS_CHARGING: ChargePointStatus
CHARGE_POINT_STATUS_AVAILABLE: ChargePointStatus
CHARGE_POINT_STATUS_RESERVED: ChargePointStatus
CHARGE_POINT_STATUS_UNAVAILABLE: ChargePointStatus
CHARGE_POINT_STATUS_FAULTED: ChargePointStatus
CHARGE_POINT_STATUS_UNKNOWN: ChargePointStatus

class Connector(_message.Message):
    __slots__ = ("evse_id", "connector_id", "status", "error_code", "updated_at")
    EVSE_ID_FIELD_NUMBER: _ClassVar[int]
    CONNECTOR_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ERROR_CODE_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    evse_id: int
    connector_id: int
    status: str
    error_code: str
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, evse_id: _Optional[int] = ..., connector_id: _Optional[int] = ..., status: _Optional[str] = ..., error_code: _Optional[str] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ChargePoint(_message.Message):
    __slots__ = ("id", "location_id", "ocpp_url", "status", "online", "last_heartbeat_at", "last_boot_at", "ocpp_version", "vendor", "model", "serial_number", "firmware_version", "registration_status", "ocpp_password_set", "connectors", "created_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    OCPP_URL_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ONLINE_FIELD_NUMBER: _ClassVar[int]
    LAST_HEARTBEAT_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_BOOT_AT_FIELD_NUMBER: _ClassVar[int]
    OCPP_VERSION_FIELD_NUMBER: _ClassVar[int]
    VENDOR_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    SERIAL_NUMBER_FIELD_NUMBER: _ClassVar[int]
    FIRMWARE_VERSION_FIELD_NUMBER: _ClassVar[int]
    REGISTRATION_STATUS_FIELD_NUMBER: _ClassVar[int]
    OCPP_PASSWORD_SET_FIELD_NUMBER: _ClassVar[int]
    CONNECTORS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    location_id: str
    ocpp_url: str
    status: ChargePointStatus
    online: bool
    last_heartbeat_at: _timestamp_pb2.Timestamp
    last_boot_at: _timestamp_pb2.Timestamp
    ocpp_version: str
    vendor: str
    model: str
    serial_number: str
    firmware_version: str
    registration_status: str
    ocpp_password_set: bool
    connectors: _containers.RepeatedCompositeFieldContainer[Connector]
    created_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., location_id: _Optional[str] = ..., ocpp_url: _Optional[str] = ..., status: _Optional[_Union[ChargePointStatus, str]] = ..., online: _Optional[bool] = ..., last_heartbeat_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_boot_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ocpp_version: _Optional[str] = ..., vendor: _Optional[str] = ..., model: _Optional[str] = ..., serial_number: _Optional[str] = ..., firmware_version: _Optional[str] = ..., registration_status: _Optional[str] = ..., ocpp_password_set: _Optional[bool] = ..., connectors: _Optional[_Iterable[_Union[Connector, _Mapping]]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListChargePointsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "location_id")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    location_id: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., location_id: _Optional[str] = ...) -> None: ...

class ListChargePointsResponse(_message.Message):
    __slots__ = ("charge_points", "next_page_token")
    CHARGE_POINTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    charge_points: _containers.RepeatedCompositeFieldContainer[ChargePoint]
    next_page_token: str
    def __init__(self, charge_points: _Optional[_Iterable[_Union[ChargePoint, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetChargePointRequest(_message.Message):
    __slots__ = ("charge_point_id",)
    CHARGE_POINT_ID_FIELD_NUMBER: _ClassVar[int]
    charge_point_id: str
    def __init__(self, charge_point_id: _Optional[str] = ...) -> None: ...

class GetChargePointResponse(_message.Message):
    __slots__ = ("charge_point",)
    CHARGE_POINT_FIELD_NUMBER: _ClassVar[int]
    charge_point: ChargePoint
    def __init__(self, charge_point: _Optional[_Union[ChargePoint, _Mapping]] = ...) -> None: ...

class StartSessionRequest(_message.Message):
    __slots__ = ("charge_point_id", "id_tag", "connector_id", "evse_id")
    CHARGE_POINT_ID_FIELD_NUMBER: _ClassVar[int]
    ID_TAG_FIELD_NUMBER: _ClassVar[int]
    CONNECTOR_ID_FIELD_NUMBER: _ClassVar[int]
    EVSE_ID_FIELD_NUMBER: _ClassVar[int]
    charge_point_id: str
    id_tag: str
    connector_id: int
    evse_id: int
    def __init__(self, charge_point_id: _Optional[str] = ..., id_tag: _Optional[str] = ..., connector_id: _Optional[int] = ..., evse_id: _Optional[int] = ...) -> None: ...

class StartSessionResponse(_message.Message):
    __slots__ = ("status", "data")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    status: str
    data: _struct_pb2.Struct
    def __init__(self, status: _Optional[str] = ..., data: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class StopSessionRequest(_message.Message):
    __slots__ = ("charge_point_id", "session_id")
    CHARGE_POINT_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    charge_point_id: str
    session_id: str
    def __init__(self, charge_point_id: _Optional[str] = ..., session_id: _Optional[str] = ...) -> None: ...

class StopSessionResponse(_message.Message):
    __slots__ = ("status", "data")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    status: str
    data: _struct_pb2.Struct
    def __init__(self, status: _Optional[str] = ..., data: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class WatchStatusRequest(_message.Message):
    __slots__ = ("cursor", "charge_point_id")
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    CHARGE_POINT_ID_FIELD_NUMBER: _ClassVar[int]
    cursor: str
    charge_point_id: str
    def __init__(self, cursor: _Optional[str] = ..., charge_point_id: _Optional[str] = ...) -> None: ...

class WatchStatusResponse(_message.Message):
    __slots__ = ("cursor", "charge_point_id", "status", "previous_status", "changed_at")
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    CHARGE_POINT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_STATUS_FIELD_NUMBER: _ClassVar[int]
    CHANGED_AT_FIELD_NUMBER: _ClassVar[int]
    cursor: str
    charge_point_id: str
    status: ChargePointStatus
    previous_status: ChargePointStatus
    changed_at: _timestamp_pb2.Timestamp
    def __init__(self, cursor: _Optional[str] = ..., charge_point_id: _Optional[str] = ..., status: _Optional[_Union[ChargePointStatus, str]] = ..., previous_status: _Optional[_Union[ChargePointStatus, str]] = ..., changed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
