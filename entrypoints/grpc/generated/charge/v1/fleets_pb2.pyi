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

class DayOfWeek(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DAY_OF_WEEK_UNSPECIFIED: _ClassVar[DayOfWeek]
    DAY_OF_WEEK_MONDAY: _ClassVar[DayOfWeek]
    DAY_OF_WEEK_TUESDAY: _ClassVar[DayOfWeek]
    DAY_OF_WEEK_WEDNESDAY: _ClassVar[DayOfWeek]
    DAY_OF_WEEK_THURSDAY: _ClassVar[DayOfWeek]
    DAY_OF_WEEK_FRIDAY: _ClassVar[DayOfWeek]
    DAY_OF_WEEK_SATURDAY: _ClassVar[DayOfWeek]
    DAY_OF_WEEK_SUNDAY: _ClassVar[DayOfWeek]
DAY_OF_WEEK_UNSPECIFIED: DayOfWeek
DAY_OF_WEEK_MONDAY: DayOfWeek
DAY_OF_WEEK_TUESDAY: DayOfWeek
DAY_OF_WEEK_WEDNESDAY: DayOfWeek
DAY_OF_WEEK_THURSDAY: DayOfWeek
DAY_OF_WEEK_FRIDAY: DayOfWeek
DAY_OF_WEEK_SATURDAY: DayOfWeek
DAY_OF_WEEK_SUNDAY: DayOfWeek

class TimeWindow(_message.Message):
    __slots__ = ("days", "start", "end")
    DAYS_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    days: _containers.RepeatedScalarFieldContainer[DayOfWeek]
    start: str
    end: str
    def __init__(self, days: _Optional[_Iterable[_Union[DayOfWeek, str]]] = ..., start: _Optional[str] = ..., end: _Optional[str] = ...) -> None: ...

class ChargingPolicy(_message.Message):
    __slots__ = ("allowed_location_ids", "time_windows", "max_kwh_per_session", "max_kwh_per_day", "max_spend_per_month", "allowed_connector_types")
    ALLOWED_LOCATION_IDS_FIELD_NUMBER: _ClassVar[int]
    TIME_WINDOWS_FIELD_NUMBER: _ClassVar[int]
    MAX_KWH_PER_SESSION_FIELD_NUMBER: _ClassVar[int]
    MAX_KWH_PER_DAY_FIELD_NUMBER: _ClassVar[int]
    MAX_SPEND_PER_MONTH_FIELD_NUMBER: _ClassVar[int]
    ALLOWED_CONNECTOR_TYPES_FIELD_NUMBER: _ClassVar[int]
    allowed_location_ids: _containers.RepeatedScalarFieldContainer[str]
    time_windows: _containers.RepeatedCompositeFieldContainer[TimeWindow]
    max_kwh_per_session: str
    max_kwh_per_day: str
    max_spend_per_month: _common_pb2.Money
    allowed_connector_types: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, allowed_location_ids: _Optional[_Iterable[str]] = ..., time_windows: _Optional[_Iterable[_Union[TimeWindow, _Mapping]]] = ..., max_kwh_per_session: _Optional[str] = ..., max_kwh_per_day: _Optional[str] = ..., max_spend_per_month: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., allowed_connector_types: _Optional[_Iterable[str]] = ...) -> None: ...

class Fleet(_message.Message):
    __slots__ = ("id", "name", "customer_id", "policy", "created_at", "updated_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    customer_id: str
    policy: ChargingPolicy
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., customer_id: _Optional[str] = ..., policy: _Optional[_Union[ChargingPolicy, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Vehicle(_message.Message):
    __slots__ = ("id", "fleet_id", "vin", "make", "model", "battery_kwh", "connector_types", "licence_plate", "created_at", "updated_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    FLEET_ID_FIELD_NUMBER: _ClassVar[int]
    VIN_FIELD_NUMBER: _ClassVar[int]
    MAKE_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    BATTERY_KWH_FIELD_NUMBER: _ClassVar[int]
    CONNECTOR_TYPES_FIELD_NUMBER: _ClassVar[int]
    LICENCE_PLATE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    fleet_id: str
    vin: str
    make: str
    model: str
    battery_kwh: str
    connector_types: _containers.RepeatedScalarFieldContainer[str]
    licence_plate: str
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., fleet_id: _Optional[str] = ..., vin: _Optional[str] = ..., make: _Optional[str] = ..., model: _Optional[str] = ..., battery_kwh: _Optional[str] = ..., connector_types: _Optional[_Iterable[str]] = ..., licence_plate: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListFleetsRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListFleetsResponse(_message.Message):
    __slots__ = ("fleets", "next_page_token")
    FLEETS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    fleets: _containers.RepeatedCompositeFieldContainer[Fleet]
    next_page_token: str
    def __init__(self, fleets: _Optional[_Iterable[_Union[Fleet, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetFleetRequest(_message.Message):
    __slots__ = ("fleet_id",)
    FLEET_ID_FIELD_NUMBER: _ClassVar[int]
    fleet_id: str
    def __init__(self, fleet_id: _Optional[str] = ...) -> None: ...

class GetFleetResponse(_message.Message):
    __slots__ = ("fleet",)
    FLEET_FIELD_NUMBER: _ClassVar[int]
    fleet: Fleet
    def __init__(self, fleet: _Optional[_Union[Fleet, _Mapping]] = ...) -> None: ...

class ListVehiclesRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "fleet_id")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FLEET_ID_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    fleet_id: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., fleet_id: _Optional[str] = ...) -> None: ...

class ListVehiclesResponse(_message.Message):
    __slots__ = ("vehicles", "next_page_token")
    VEHICLES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    vehicles: _containers.RepeatedCompositeFieldContainer[Vehicle]
    next_page_token: str
    def __init__(self, vehicles: _Optional[_Iterable[_Union[Vehicle, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetVehicleRequest(_message.Message):
    __slots__ = ("vehicle_id",)
    VEHICLE_ID_FIELD_NUMBER: _ClassVar[int]
    vehicle_id: str
    def __init__(self, vehicle_id: _Optional[str] = ...) -> None: ...

class GetVehicleResponse(_message.Message):
    __slots__ = ("vehicle",)
    VEHICLE_FIELD_NUMBER: _ClassVar[int]
    vehicle: Vehicle
    def __init__(self, vehicle: _Optional[_Union[Vehicle, _Mapping]] = ...) -> None: ...
