"""Repository ports of fleets, their vehicles and assignments, and the authorization log. Every lookup takes
the organization id."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from attrs import frozen

from application.pagination import Page, PageRequest
from domain.fleets import AuthorizationRecord, AuthorizationResult, Fleet, Vehicle, VehicleAssignment
from domain.fleets.odometer import OdometerReading


class FleetRepository(Protocol):
    async def add(self, fleet: Fleet) -> None: ...
    async def get(self, organization_id: str, fleet_id: str) -> Fleet | None: ...
    async def save(self, fleet: Fleet) -> None: ...
    async def delete(self, organization_id: str, fleet_id: str) -> None: ...
    async def list(self, organization_id: str, page: PageRequest) -> Page[Fleet]: ...


class VehicleRepository(Protocol):
    async def add(self, vehicle: Vehicle) -> None:
        """Raises ``Conflict`` when another vehicle of the organization has the VIN."""
        ...
    async def get(self, organization_id: str, vehicle_id: str) -> Vehicle | None: ...
    async def save(self, vehicle: Vehicle) -> None:
        """Raises ``Conflict`` when another vehicle of the organization has the VIN."""
        ...
    async def delete(self, organization_id: str, vehicle_id: str) -> None: ...
    async def list(self, organization_id: str, page: PageRequest, fleet_id: str | None = None) -> Page[Vehicle]: ...
    async def count_in_fleet(self, organization_id: str, fleet_id: str) -> int: ...


class VehicleAssignmentRepository(Protocol):
    async def add(self, assignment: VehicleAssignment) -> None: ...
    async def save(self, assignment: VehicleAssignment) -> None: ...
    async def current_of_driver(self, organization_id: str, driver_id: str) -> VehicleAssignment | None: ...
    async def current_of_vehicle(self, organization_id: str, vehicle_id: str) -> VehicleAssignment | None: ...
    async def list_of_driver(self, organization_id: str, driver_id: str,
                             page: PageRequest) -> Page[VehicleAssignment]:
        """Newest first."""
        ...


class OdometerReadingRepository(Protocol):
    async def add(self, reading: OdometerReading) -> None: ...
    async def neighbours(self, organization_id: str, vehicle_id: str, read_at: datetime
                         ) -> tuple[OdometerReading | None, OdometerReading | None]:
        """The vehicle's last reading at or before ``read_at``, and its first at or after it (the same one when
        one was read at that instant)."""
        ...
    async def list(self, organization_id: str, vehicle_id: str, page: PageRequest) -> Page[OdometerReading]:
        """Newest first by the instant read (the latest recorded first among readings of one instant); the cursor
        is a reading's id."""
        ...
    async def delete_of_vehicle(self, organization_id: str, vehicle_id: str) -> None: ...


@frozen
class AuthorizationFilter:
    driver_id: str | None = None
    fleet_id: str | None = None
    charge_point_id: str | None = None
    result: AuthorizationResult | None = None


class AuthorizationLog(Protocol):
    async def add(self, record: AuthorizationRecord) -> None:
        """Stores the decision and the events it recorded (``authorization.refused``), in the unit of work."""
        ...
    async def list(self, organization_id: str, filters: AuthorizationFilter,
                   page: PageRequest) -> Page[AuthorizationRecord]:
        """Newest first."""
        ...
    async def get(self, organization_id: str, record_id: str) -> AuthorizationRecord | None: ...


__all__ = ["AuthorizationFilter", "AuthorizationLog", "FleetRepository", "OdometerReadingRepository",
           "VehicleAssignmentRepository", "VehicleRepository"]
