"""The OCPI 2.2.1 tariff as the REST door reads and answers it, typed as msgspec Structs.

The shape (fields, types, enumerations, list sizes) is checked while decoding; every other rule
(price notation, bounds, VAT, time windows, ranges, step sizes per dimension) is the domain's
tariff parser's (``domain.tariffs.parse``), which names every field at fault. The schema describes
those rules too, so that clients and generated tests see them. Prices are decimal strings (a JSON
number is refused); ``vat`` and the restrictions' quantities take a JSON number or a decimal string.
"""

from typing import Annotated, Any

import msgspec
from msgspec import Meta

from domain.tariffs.model import DayOfWeek, DimensionType, ReservationRestriction, TariffType
from domain.tariffs.parse import (
    MAX_ALT_TEXTS,
    MAX_COMPONENTS,
    MAX_DURATION_SECONDS,
    MAX_ELEMENTS,
    MAX_ID,
    MAX_TEXT,
    MAX_URL,
)
from entrypoints.rest.shapes import (
    PRINTABLE,
    UNIQUE,
    WHITESPACE,
    Body,
    Currency,
    Money,
    Name,
    Timestamp,
    between,
    doc,
    quantity_field,
    text,
)

_TIME = "^([01][0-9]|2[0-3]):[0-5][0-9]$"
_DATE = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$"
_KW = "^[0-9]{1,9}(\\.[0-9]{1,6})?$"
PERCENT = "^(100(\\.0{1,4})?|[0-9]{1,2}(\\.[0-9]{1,4})?)$"
_URL = f"^https?://[^\\x00-\\x1f{WHITESPACE}]+$"
# Text for people: tabs and line breaks allowed, other control characters not, something not blank.
_LINES = "^[^\\x00-\\x08\\x0b-\\x1f]*\\S[^\\x00-\\x08\\x0b-\\x1f]*$"


class TariffShape(Body, omit_defaults=True):
    """Base of the tariff's parts: absent and null fields are left out when answered."""


class PriceBody(TariffShape):
    """A price limit (`min_price`, `max_price`)."""

    excl_vat: Annotated[Money, doc("Excluding VAT, a decimal string.", "0.50")]
    incl_vat: Annotated[Money | None, doc("Including VAT, a decimal string, at least `excl_vat`; absent: the VAT "
                                          "of the session's lines applies.")] = None


class DisplayTextBody(TariffShape):
    """A text for people, in one language."""

    language: Annotated[str, text(2, pattern="^[A-Za-z]{2}$"), doc("ISO 639-1 language code.", "en")]
    text: Annotated[str, text(MAX_TEXT, min_length=1, pattern=_LINES),
                    doc("The text; tabs and line breaks allowed.", "0.30 EUR/kWh")]


class PriceComponentBody(TariffShape, kw_only=True):
    """What one dimension costs in an element."""

    type: Annotated[DimensionType, doc("ENERGY (per kWh), TIME (per hour charging), PARKING_TIME (per hour not "
                                       "charging) or FLAT (once per session).", "ENERGY")]
    price: Annotated[Money, doc("Price per unit excluding VAT: a decimal string of at most 6 decimals, below "
                                "10^12 (a JSON number is refused).", "0.30")]
    vat: Annotated[Any, quantity_field(PERCENT, nullable=True, maximum=100), doc(
        "VAT in percent, 0 to 100 with at most 4 decimals: a JSON number or a decimal string. Absent: no VAT "
        "applies.", "20")] = None
    step_size: Annotated[int, between(0, 1_000_000), doc(
        "Billing step: seconds for TIME and PARKING_TIME (1 to 86400), Wh for ENERGY (1 to 1000000); FLAT "
        "ignores it.", 1)]


# A restriction's bound: kWh, A or kW as a JSON number or a decimal string (at least 0, at most 6 decimals).
Bound = Annotated[Any, quantity_field(_KW, nullable=True, maximum=1e9)]
# A restriction's duration, in whole seconds (at most a year).
Seconds = Annotated[int, between(0, MAX_DURATION_SECONDS)] | None


class RestrictionsBody(TariffShape):
    """When an element applies; every given restriction must hold (minimums inclusive, maximums exclusive).
    kWh, A and kW bounds are a JSON number or a decimal string, at least 0 with at most 6 decimals."""

    start_time: Annotated[Annotated[str, text(5, pattern=_TIME)] | None, doc(
        "Local time of day `HH:MM` (00:00 to 23:59) from which it applies, in the location's zone.", "08:00")] = None
    end_time: Annotated[Annotated[str, text(5, pattern=_TIME)] | None, doc(
        "Local time of day `HH:MM` until which it applies; before `start_time`: past midnight.", "20:00")] = None
    start_date: Annotated[Annotated[str, text(10, pattern=_DATE)] | None, doc(
        "Local date `YYYY-MM-DD` from which it applies.", "2026-01-01")] = None
    end_date: Annotated[Annotated[str, text(10, pattern=_DATE)] | None, doc(
        "Local date `YYYY-MM-DD` until which it applies (exclusive), after `start_date`.", "2026-12-31")] = None
    min_kwh: Annotated[Bound, doc(
        "Energy delivered so far from which it applies, in kWh.")] = None
    max_kwh: Annotated[Bound, doc(
        "Energy delivered so far until which it applies, in kWh (above `min_kwh`).")] = None
    min_current: Annotated[Bound, doc(
        "Charging current from which it applies, in A.")] = None
    max_current: Annotated[Bound, doc(
        "Charging current until which it applies, in A (above `min_current`).")] = None
    min_power: Annotated[Bound, doc(
        "Charging power from which it applies, in kW.")] = None
    max_power: Annotated[Bound, doc(
        "Charging power until which it applies, in kW (above `min_power`).")] = None
    min_duration: Annotated[Seconds,
                            doc("Session duration from which it applies, in whole seconds (at most a year).")] = None
    max_duration: Annotated[Seconds,
                            doc("Session duration until which it applies (above `min_duration`), in whole seconds "
                                "(at most a year).")] = None
    day_of_week: Annotated[list[DayOfWeek], Meta(max_length=7, extra_json_schema=UNIQUE), doc(
        "Local weekdays on which it applies, each at most once.", ["MONDAY", "TUESDAY"])] = []
    reservation: Annotated[ReservationRestriction | None, doc(
        "Makes the element price reservations (RESERVATION) or expired reservations (RESERVATION_EXPIRES) "
        "only.")] = None


class TariffElementBody(TariffShape):
    """Price components and the restrictions under which they apply; the first matching element prices a
    dimension."""

    price_components: Annotated[list[PriceComponentBody], Meta(min_length=1, max_length=MAX_COMPONENTS), doc(
        "At most one component per dimension type.")]
    restrictions: Annotated[RestrictionsBody | None, doc("Absent: always applies.")] = None


class TariffBody(TariffShape, kw_only=True):
    """An OCPI 2.2.1 tariff. Every field at fault is named with its path (`elements[0].price_components[1].price`);
    the type and shape of the first bad field are reported while reading, the rest (bounds, ranges) all at once."""

    id: Annotated[Annotated[str, text(MAX_ID, min_length=1, pattern=PRINTABLE)] | None,
                  doc("The tariff's OCPI id, if it has one.")] \
        = None
    name: Annotated[Name | None, doc("A display name.", "Standard AC")] = None
    currency: Annotated[Currency, doc("ISO 4217 currency code.", "EUR")]
    type: Annotated[TariffType | None, doc("OCPI tariff type.", "REGULAR")] = None
    tariff_alt_text: Annotated[list[DisplayTextBody], Meta(max_length=MAX_ALT_TEXTS), doc(
        "Descriptions for people, one per language.")] = []
    tariff_alt_url: Annotated[Annotated[str, text(MAX_URL, pattern=_URL)] | None, doc(
        "A web page describing the tariff.", "https://example.com/tariffs/ac")] = None
    min_price: Annotated[PriceBody | None, doc("The least a session costs.")] = None
    max_price: Annotated[PriceBody | None, doc("The most a session costs (at least `min_price`).")] = None
    elements: Annotated[list[TariffElementBody], Meta(min_length=1, max_length=MAX_ELEMENTS), doc(
        "The tariff's elements, in order: for each dimension the first whose restrictions hold applies.")]
    start_date_time: Annotated[Timestamp | None, doc("When the tariff becomes valid (RFC 3339 with offset).",
                                                     "2026-01-01T00:00:00Z")] = None
    end_date_time: Annotated[Timestamp | None, doc("When it stops being valid, after `start_date_time`.")] = None

    def document(self) -> dict[str, Any]:
        """The tariff as the domain's parser reads it: exact numbers kept as ``Decimal``, instants as read."""
        from datetime import datetime
        from decimal import Decimal

        document: dict[str, Any] = msgspec.to_builtins(self, builtin_types=(Decimal, datetime))
        return document
