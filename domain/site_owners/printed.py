"""A statement as its reader holds it: the month's figures with the names they stand for (the operator who pays,
the site owner paid, the project and its locations), what the statement's PDF prints."""

from __future__ import annotations

from decimal import Decimal

from attrs import frozen

from domain.site_owners.statements import Statement


@frozen
class PrintedLocation:
    location_id: str
    name: str
    address: str                     # street and city, as one line ("" when the location has none)
    sessions: int                    # the month's sessions there
    energy_kwh: Decimal
    revenue: Decimal                 # net of VAT


@frozen
class PrintedStatement:
    operator_name: str
    operator_address: tuple[str, ...]
    operator_vat_id: str | None
    site_owner_name: str             # the legal name given at onboarding, else the name the operator knows
    site_owner_address: tuple[str, ...]
    project_name: str
    timezone: str                    # the organization's: the month runs on its calendar
    locations: tuple[PrintedLocation, ...]
    statement: Statement


def printed_locations(statement: Statement, names: dict[str, tuple[str, str]],
                      location_ids: tuple[str, ...]) -> tuple[PrintedLocation, ...]:
    """One row per location of the project (and per location a session of the month was at, should the project
    have lost it since), in the project's order: its sessions, energy and net revenue of the month."""
    order = list(dict.fromkeys((*location_ids, *(s.location_id for s in statement.sessions))))
    rows = []
    for location_id in order:
        mine = [s for s in statement.sessions if s.location_id == location_id]
        name, address = names.get(location_id, (location_id, ""))
        rows.append(PrintedLocation(location_id, name, address, len(mine),
                                    sum((s.energy_kwh for s in mine), Decimal(0)),
                                    sum((s.revenue for s in mine), Decimal(0))))
    return tuple(rows)
