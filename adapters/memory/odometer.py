"""Dict-backed odometer readings of vehicles, matching the SQL adapter."""

from __future__ import annotations

import copy
from datetime import datetime

from adapters.memory.repositories import _Table
from application.pagination import Page, PageRequest
from domain.errors import Conflict
from domain.fleets.odometer import OdometerReading


class InMemoryOdometerReadings(_Table):
    def _of(self, organization_id: str, vehicle_id: str) -> list[OdometerReading]:
        """The vehicle's readings, oldest first."""
        return sorted((r for r in self.data.values()
                       if r.organization_id == organization_id and r.vehicle_id == vehicle_id),
                      key=lambda r: (r.read_at, r.id))

    async def add(self, reading: OdometerReading) -> None:
        if reading.id in self.data:
            raise Conflict("reading exists")
        self._put(reading.id, reading)

    async def neighbours(self, organization_id: str, vehicle_id: str, read_at: datetime
                         ) -> tuple[OdometerReading | None, OdometerReading | None]:
        readings = self._of(organization_id, vehicle_id)
        before = [r for r in readings if r.read_at <= read_at]
        after = [r for r in readings if r.read_at >= read_at]
        return (copy.deepcopy(before[-1]) if before else None), (copy.deepcopy(after[0]) if after else None)

    async def list(self, organization_id: str, vehicle_id: str, page: PageRequest) -> Page[OdometerReading]:
        newest = list(reversed(self._of(organization_id, vehicle_id)))
        if page.after is not None:
            seen = next((r for r in self.data.values()
                         if r.id == page.after and r.organization_id == organization_id), None)
            newest = [] if seen is None else [r for r in newest if (r.read_at, r.id) < (seen.read_at, seen.id)]
        return Page.from_overfetch([copy.deepcopy(r) for r in newest[: page.limit + 1]], page, lambda r: r.id)

    async def delete_of_vehicle(self, organization_id: str, vehicle_id: str) -> None:
        for reading in self._of(organization_id, vehicle_id):
            del self.data[reading.id]
