"""The reports ports: where completed sessions' facts are kept, and the aggregate queries reports are made of.

Every query is scoped by organization and answers sums (integers: sessions, milliwatt-hours, microseconds,
minor units), never rows of sessions: an adapter computes them where the data is (SQL GROUP BY over its
indexes and rollups), and the use cases in ``application.reports`` turn them into reports.

Windows of per-location figures are local dates read in each location's zone (``ReportWindow``); the ledger's
are instants (the organization's local midnights), bucketed in the zone a query names.
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from datetime import date, datetime
from typing import Protocol

from attrs import frozen

from domain.reports import Grain, ReportWindow, SessionFact, SessionRevenue
from domain.reports.revenue import LedgerSums


class Dimension(str, enum.Enum):
    """What the rows of a per-location report are grouped by (besides time)."""

    LOCATION = "location"
    CHARGE_POINT = "charge_point"
    CONNECTOR = "connector"
    # Who charged, as the session recorded it at its start (read from the facts, not the rollups).
    FLEET = "fleet"
    VEHICLE = "vehicle"
    DRIVER = "driver"
    # Not a report's grouping: fleet costs by fleet and vehicle together, which a fleet's cost per 100 km is made of.
    FLEET_VEHICLE = "fleet_vehicle"


# The groupings only the facts know: rows of sessions, not of connectors.
WHO = (Dimension.FLEET, Dimension.VEHICLE, Dimension.DRIVER)
WHO_ALL = (*WHO, Dimension.FLEET_VEHICLE)


Grouping = Grain | Dimension


@frozen
class GroupKey:
    """A row's group: a bucket's first local date, or a location, charge point or connector, or a fleet, vehicle
    or driver (``who``: its id, None for the sessions that recorded none); by fleet and vehicle, the fleet in
    ``who`` and the vehicle in ``vehicle_id``."""

    period: date | None = None
    location_id: str | None = None
    charge_point_id: str | None = None
    evse_id: int | None = None
    connector_id: int | None = None
    who: str | None = None
    vehicle_id: str | None = None


@frozen
class UsageSums:
    """Sessions started in the group, and their energy and times (whole sessions, counted where they started),
    and ``occupied_us``: the connectors' occupied time that fell inside the group's local days."""

    sessions: int = 0
    energy_mwh: int = 0
    duration_us: int = 0
    charging_us: int = 0
    idle_us: int = 0
    occupied_us: int = 0

    def __add__(self, other: UsageSums) -> UsageSums:
        return UsageSums(self.sessions + other.sessions, self.energy_mwh + other.energy_mwh,
                         self.duration_us + other.duration_us, self.charging_us + other.charging_us,
                         self.idle_us + other.idle_us, self.occupied_us + other.occupied_us)


@frozen
class CostSums:
    """Sessions of fleets started in the group, their energy, and what the ledger booked for them (the session's
    net price) in one currency: ``priced_*`` are the sessions it booked, in that currency, and their energy."""

    sessions: int = 0
    energy_mwh: int = 0
    priced_sessions: int = 0
    priced_energy_mwh: int = 0
    cost_minor: int = 0

    def __add__(self, other: CostSums) -> CostSums:
        return CostSums(self.sessions + other.sessions, self.energy_mwh + other.energy_mwh,
                        self.priced_sessions + other.priced_sessions,
                        self.priced_energy_mwh + other.priced_energy_mwh, self.cost_minor + other.cost_minor)


@frozen
class ConnectorInfo:
    """A connector and when its charge point was registered (it is available from then on)."""

    location_id: str
    charge_point_id: str
    evse_id: int
    connector_id: int
    registered_at: datetime


@frozen
class LocationInfo:
    id: str
    name: str
    timezone: str


class SessionFactRepository(Protocol):
    async def get(self, organization_id: str, session_id: str) -> SessionFact | None: ...

    async def put(self, fact: SessionFact) -> None:
        """Store the fact, replacing the session's previous one (what rollups hold follows it); a fact without
        revenue keeps what the previous one had (the ledger books a session once)."""
        ...

    async def set_revenue(self, organization_id: str, session_id: str, revenue: SessionRevenue) -> bool:
        """Record what the ledger booked for the session (once: a session is booked once); False when the session
        has no fact."""
        ...

    async def reindex(self, organization_id: str) -> None:
        """Write again what the organization's facts hold that depends on its time zone (after it changed)."""
        ...


class ReportQueries(Protocol):
    async def usage(self, organization_id: str, window: ReportWindow, group_by: Grouping,
                    location_id: str | None = None, fleet_id: str | None = None) -> dict[GroupKey, UsageSums]:
        """Sums of the sessions started in the window (local date of each location), by group; a connector's
        occupied time is counted on the local days it fell on, within the window. Grouped by fleet, vehicle or
        driver, or only a fleet's sessions (``fleet_id``): the sessions' figures alone (no occupied time: that is
        the connectors'), a group keyed None for the sessions that recorded none."""
        ...

    async def fleet_costs(self, organization_id: str, window: ReportWindow, group_by: Grouping, currency: str,
                          location_id: str | None = None, fleet_id: str | None = None) -> dict[GroupKey, CostSums]:
        """The sessions of fleets (those that recorded a fleet at their start) started in the window (local date of
        each location), by group, with what the ledger booked for them in ``currency``."""
        ...

    async def vehicle_distances(self, organization_id: str, start: datetime, end: datetime,
                                vehicle_ids: Collection[str]) -> dict[str, int]:
        """Metres the vehicles drove over ``[start, end)`` as their odometer readings bracket it
        (``domain.fleets.odometer.bracketed_distance_m``), for those of ``vehicle_ids`` whose distance is known;
        a query of a few index lookups per vehicle, not of their readings."""
        ...

    async def names(self, organization_id: str, dimension: Dimension,
                    ids: Collection[str] | None = None) -> dict[str, str]:
        """What people call the organization's fleets, vehicles or drivers (``ids``; None: every one)."""
        ...

    async def peak_hours(self, organization_id: str, window: ReportWindow,
                         location_id: str | None = None) -> dict[tuple[int, int], int]:
        """Sessions started in the window per ``(ISO weekday, local hour)`` of their location."""
        ...

    async def connectors(self, organization_id: str, location_id: str | None = None) -> list[ConnectorInfo]: ...

    async def locations(self, organization_id: str) -> list[LocationInfo]: ...

    async def ledger(self, organization_id: str, start: datetime, end: datetime, zone: str,
                     grain: Grain | None) -> dict[tuple[date | None, str], LedgerSums]:
        """The ledger's postings in ``[start, end)`` by ``(bucket read in zone, currency)`` (bucket None when
        ``grain`` is None: the whole window)."""
        ...

    async def revenue_by_location(self, organization_id: str, start: datetime, end: datetime,
                                  location_id: str | None = None) -> dict[tuple[str, str], int]:
        """Charging revenue the ledger booked for sessions in ``[start, end)`` by ``(location, currency)``."""
        ...
