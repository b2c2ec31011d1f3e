import datetime

from entrypoints.grpc.generated.charge.v1 import fleets_pb2 as _fleets_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Driver(_message.Message):
    __slots__ = ("id", "name", "email", "fleet_id", "id_tags", "active", "created_at", "customer_id", "policy", "vehicle_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    FLEET_ID_FIELD_NUMBER: _ClassVar[int]
    ID_TAGS_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    VEHICLE_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    email: str
    fleet_id: str
    id_tags: _containers.RepeatedScalarFieldContainer[str]
    active: bool
    created_at: _timestamp_pb2.Timestamp
    customer_id: str
    policy: _fleets_pb2.ChargingPolicy
    vehicle_id: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., email: _Optional[str] = ..., fleet_id: _Optional[str] = ..., id_tags: _Optional[_Iterable[str]] = ..., active: _Optional[bool] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., customer_id: _Optional[str] = ..., policy: _Optional[_Union[_fleets_pb2.ChargingPolicy, _Mapping]] = ..., vehicle_id: _Optional[str] = ...) -> None: ...

class ListDriversRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "fleet_id")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FLEET_ID_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    fleet_id: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., fleet_id: _Optional[str] = ...) -> None: ...

class ListDriversResponse(_message.Message):
    __slots__ = ("drivers", "next_page_token")
    DRIVERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    drivers: _containers.RepeatedCompositeFieldContainer[Driver]
    next_page_token: str
    def __init__(self, drivers: _Optional[_Iterable[_Union[Driver, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetDriverRequest(_message.Message):
    __slots__ = ("driver_id",)
    DRIVER_ID_FIELD_NUMBER: _ClassVar[int]
    driver_id: str
    def __init__(self, driver_id: _Optional[str] = ...) -> None: ...

class GetDriverResponse(_message.Message):
    __slots__ = ("driver",)
    DRIVER_FIELD_NUMBER: _ClassVar[int]
    driver: Driver
    def __init__(self, driver: _Optional[_Union[Driver, _Mapping]] = ...) -> None: ...

class VehicleAssignment(_message.Message):
    __slots__ = ("id", "driver_id", "vehicle_id", "assigned_at", "ended_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    DRIVER_ID_FIELD_NUMBER: _ClassVar[int]
    VEHICLE_ID_FIELD_NUMBER: _ClassVar[int]
    ASSIGNED_AT_FIELD_NUMBER: _ClassVar[int]
    ENDED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    driver_id: str
    vehicle_id: str
    assigned_at: _timestamp_pb2.Timestamp
    ended_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., driver_id: _Optional[str] = ..., vehicle_id: _Optional[str] = ..., assigned_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ended_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListDriverVehiclesRequest(_message.Message):
    __slots__ = ("driver_id", "page_size", "page_token")
    DRIVER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    driver_id: str
    page_size: int
    page_token: str
    def __init__(self, driver_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListDriverVehiclesResponse(_message.Message):
    __slots__ = ("assignments", "next_page_token")
    ASSIGNMENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    assignments: _containers.RepeatedCompositeFieldContainer[VehicleAssignment]
    next_page_token: str
    def __init__(self, assignments: _Optional[_Iterable[_Union[VehicleAssignment, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
