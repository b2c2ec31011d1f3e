"""OCPI 2.2.1 tariffs and the rating engine that prices a charging session with one."""

from domain.tariffs.breakdown import AppliedElement, CostBreakdown, CostLine, LineType, PeriodCost, PeriodKind
from domain.tariffs.model import (
    DayOfWeek,
    DimensionType,
    DisplayText,
    Price,
    PriceComponent,
    ReservationRestriction,
    Restrictions,
    Tariff,
    TariffElement,
    TariffType,
)
from domain.tariffs.parse import parse_tariff, tariff_to_json
from domain.tariffs.profile import (
    ChargingPeriod,
    Reservation,
    SessionProfile,
    profile_from_meter_values,
    quote_profile,
)
from domain.tariffs.rating import rate

__all__ = [
    "AppliedElement", "ChargingPeriod", "CostBreakdown", "CostLine", "DayOfWeek", "DimensionType",
    "DisplayText", "LineType", "PeriodCost", "PeriodKind", "Price", "PriceComponent", "Reservation",
    "ReservationRestriction", "Restrictions", "SessionProfile", "Tariff", "TariffElement", "TariffType",
    "parse_tariff", "profile_from_meter_values", "quote_profile", "rate", "tariff_to_json",
]
