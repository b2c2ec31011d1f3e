"""A location (a site): where charge points stand, and the time zone their tariffs are read in."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from attrs import define

from domain.errors import FieldErrors
from domain.geography import is_country, is_timezone
from domain.ids import is_id
from domain.validation import name_problem

MAX_ADDRESS = 300


@define
class Location:
    id: str
    organization_id: str
    name: str
    address: str
    city: str
    country: str
    timezone: str
    created_at: datetime
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    site_owner_id: str | None = None
    project_id: str | None = None
    tariff_id: str | None = None          # assigned tariff; the most specific wins

    @staticmethod
    def validate(*, name: object, address: object, city: object, country: object, timezone: object,
                 latitude: Decimal | None, longitude: Decimal | None, site_owner_id: object,
                 project_id: object) -> None:
        errors = FieldErrors()
        for field, value, limit in (("name", name, 200), ("address", address, MAX_ADDRESS), ("city", city, 200)):
            problem = name_problem(value, limit)
            if problem:
                errors.add(field, problem)
        errors.check("country", is_country(country), f"{country!r} is not an ISO 3166-1 alpha-2 country code")
        errors.check("timezone", is_timezone(timezone), f"{timezone!r} is not an IANA time zone name")
        if (latitude is None) != (longitude is None):
            errors.add("latitude" if latitude is None else "longitude", "latitude and longitude come together")
        if latitude is not None:
            errors.check("latitude", Decimal(-90) <= latitude <= Decimal(90), "must be between -90 and 90")
        if longitude is not None:
            errors.check("longitude", Decimal(-180) <= longitude <= Decimal(180), "must be between -180 and 180")
        if site_owner_id is not None:
            errors.check("site_owner_id", isinstance(site_owner_id, str) and is_id(site_owner_id, "so"),
                         "must be a site owner id (so_…)")
        if project_id is not None:
            errors.check("project_id", isinstance(project_id, str) and is_id(project_id, "prj"),
                         "must be a project id (prj_…)")
        errors.raise_if_any()
