"""A charging policy's REST shape (a fleet's, or a driver's own): typed for the schema, read by the domain's
parser (``domain.fleets.policies.parse_policy``), which names every field at fault by its path."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from domain.connector_types import CONNECTOR_TYPES, MAX_CONNECTOR_TYPE
from domain.fleets.policies import MAX_KWH, MAX_LOCATIONS, MAX_WINDOWS
from domain.tariffs.model import DayOfWeek
from entrypoints.rest.shapes import MAX_ID, UNIQUE, Body, Currency, Money, doc, quantity_field, text

CLOCK = "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"
KWH = "^[0-9]{1,6}(\\.[0-9]{1,3})?$"


class TimeWindowBody(Body):
    """Local times on some weekdays when the policy's drivers may charge (the location's wall clock)."""

    days: Annotated[list[DayOfWeek], Meta(min_length=1, max_length=7, extra_json_schema=UNIQUE),
                    doc("The weekdays it starts on.", ["MONDAY", "TUESDAY"])]
    start: Annotated[str, text(5, pattern=CLOCK), doc("Local time `HH:MM` it opens.", "07:00")]
    end: Annotated[str, text(5, pattern=CLOCK), doc(
        "Local time `HH:MM` it closes (exclusive); at or before `start` it closes the next day (22:00–06:00 runs "
        "overnight); `24:00` is the end of the day. Windows may not cover the same minutes.", "19:00")]


class SpendLimitBody(Body):
    amount: Annotated[Money, doc("A decimal string in the currency's unit.", "200.00")]
    currency: Annotated[Currency, doc("ISO 4217: the currency the fleet's sessions are billed in.", "EUR")]


class PolicyBody(Body):
    """Where, when, on which connectors and how much a driver may charge. Every field left out is no limit; the
    limits apply to each driver (per session, per day and per month of the organization's time zone)."""

    allowed_location_ids: Annotated[
        Annotated[list[Annotated[str, text(MAX_ID)]], Meta(min_length=1, max_length=MAX_LOCATIONS,
                                                           extra_json_schema=UNIQUE)] | None,
        doc("The locations (`loc_…`) where its drivers may charge.")] = None
    time_windows: Annotated[Annotated[list[TimeWindowBody], Meta(min_length=1, max_length=MAX_WINDOWS)] | None,
                            doc("When its drivers may charge, in each location's local time.")] = None
    max_kwh_per_session: Annotated[Any, quantity_field(KWH, nullable=True, minimum=0, exclusive_minimum=True,
                                                       maximum=float(MAX_KWH)), doc(
        "The most one session may deliver, in kWh: the central system stops it there.", "30")] = None
    max_kwh_per_day: Annotated[Any, quantity_field(KWH, nullable=True, minimum=0, exclusive_minimum=True,
                                                   maximum=float(MAX_KWH)), doc(
        "The most a driver may charge in a day, in kWh: refused once reached, a session stopped when it would "
        "pass it.", "60")] = None
    max_spend_per_month: Annotated[SpendLimitBody | None, doc(
        "The most a driver may spend in a month (completed sessions, and the running ones' cost so far): "
        "refused once reached.")] = None
    allowed_connector_types: Annotated[
        Annotated[list[Annotated[str, text(MAX_CONNECTOR_TYPE, choices=CONNECTOR_TYPES)]],
                  Meta(min_length=1, max_length=len(CONNECTOR_TYPES), extra_json_schema=UNIQUE)] | None,
        doc("OCPI connector types its drivers may use (a connector registered without a type passes).",
            ["IEC_62196_T2", "IEC_62196_T2_COMBO"])] = None

    def document(self) -> dict[str, Any]:
        """The policy as the domain's parser reads it (absent fields left out, quantities as read)."""
        document: dict[str, Any] = msgspec.to_builtins(self, builtin_types=(Decimal,))
        return {name: value for name, value in document.items() if value is not None}
