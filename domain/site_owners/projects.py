"""A project: the locations of one site owner grouped under one revenue-share agreement."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from attrs import define

from domain.errors import FieldErrors
from domain.ids import is_id
from domain.money import parse_decimal
from domain.validation import name_problem

HUNDRED = Decimal(100)
MAX_LOCATIONS = 500


class ShareBasis(str, enum.Enum):
    NET_REVENUE = "net_revenue"        # the share of what drivers were billed, net of VAT
    ENERGY_MARGIN = "energy_margin"    # the share of that revenue less the energy it cost the operator


def parse_percent(value: object, field: str = "revenue_share_percent") -> Decimal:
    """0 to 100, at most two decimals, a JSON number or a decimal string read exactly."""
    return parse_decimal(value, field, max_decimals=2, numbers=True, maximum=HUNDRED)


def parse_energy_cost(value: object, field: str = "energy_cost_per_kwh") -> Decimal:
    return parse_decimal(value, field, max_decimals=6)


@define
class Project:
    id: str
    organization_id: str
    site_owner_id: str
    name: str
    location_ids: tuple[str, ...]
    revenue_share_percent: Decimal
    share_basis: ShareBasis
    created_at: datetime
    updated_at: datetime
    energy_cost_per_kwh: Decimal | None = None     # energy_margin only: what a kWh cost the operator (net)

    @staticmethod
    def validate(*, site_owner_id: object, name: object, location_ids: Sequence[object],
                 share_basis: ShareBasis, energy_cost_per_kwh: Decimal | None) -> None:
        errors = FieldErrors()
        errors.check("site_owner_id", isinstance(site_owner_id, str) and is_id(site_owner_id, "so"),
                     "must be a site owner id (so_…)")
        if problem := name_problem(name):
            errors.add("name", problem)
        if len(location_ids) > MAX_LOCATIONS:
            errors.add("location_ids", f"at most {MAX_LOCATIONS} locations")
        for i, location_id in enumerate(location_ids):
            errors.check(f"location_ids[{i}]", isinstance(location_id, str) and is_id(location_id, "loc"),
                         "must be a location id (loc_…)")
        if len(set(location_ids)) != len(location_ids):
            errors.add("location_ids", "a location is listed twice")
        if share_basis is ShareBasis.ENERGY_MARGIN and energy_cost_per_kwh is None:
            errors.add("energy_cost_per_kwh", "an energy_margin share needs what a kWh costs")
        errors.raise_if_any()
