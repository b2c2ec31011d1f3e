"""The OCPI 2.2.1 tariff as immutable values: what a tariff says, not how a session is rated."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum

from attrs import field, frozen
from attrs.validators import instance_of, optional


class DimensionType(StrEnum):
    """What a price component charges for: kWh, hours charging, hours parked, or once."""

    ENERGY = "ENERGY"
    TIME = "TIME"
    PARKING_TIME = "PARKING_TIME"
    FLAT = "FLAT"


class TariffType(StrEnum):
    AD_HOC_PAYMENT = "AD_HOC_PAYMENT"
    PROFILE_CHEAP = "PROFILE_CHEAP"
    PROFILE_FAST = "PROFILE_FAST"
    PROFILE_GREEN = "PROFILE_GREEN"
    REGULAR = "REGULAR"


class DayOfWeek(StrEnum):
    MONDAY = "MONDAY"
    TUESDAY = "TUESDAY"
    WEDNESDAY = "WEDNESDAY"
    THURSDAY = "THURSDAY"
    FRIDAY = "FRIDAY"
    SATURDAY = "SATURDAY"
    SUNDAY = "SUNDAY"

    @property
    def weekday(self) -> int:
        """Monday is 0, as ``date.weekday()``."""
        return _WEEKDAYS.index(self)


_WEEKDAYS = list(DayOfWeek)


class ReservationRestriction(StrEnum):
    RESERVATION = "RESERVATION"
    RESERVATION_EXPIRES = "RESERVATION_EXPIRES"


_decimal = instance_of(Decimal)
_opt_decimal = optional(instance_of(Decimal))
_opt_int = optional(instance_of(int))


@frozen
class Price:
    """A price bound of a whole session; ``incl_vat`` may be left out."""

    excl_vat: Decimal = field(validator=_decimal)
    incl_vat: Decimal | None = field(default=None, validator=_opt_decimal)


@frozen
class DisplayText:
    language: str
    text: str


@frozen
class PriceComponent:
    """One price for one dimension; ``vat`` absent means no VAT applies, which is not 0 %."""

    type: DimensionType = field(validator=instance_of(DimensionType))
    price: Decimal = field(validator=_decimal)
    step_size: int = field(validator=instance_of(int))
    vat: Decimal | None = field(default=None, validator=_opt_decimal)

    @classmethod
    def checked(cls, type: DimensionType, price: Decimal, step_size: int, vat: Decimal | None) -> PriceComponent:
        """A component whose values the tariff parser has checked already (the same types the validators
        demand, and more): built without running the validators again. Equal to ``PriceComponent(type,
        price, step_size, vat)``."""
        component = object.__new__(cls)
        set_field = object.__setattr__
        set_field(component, "type", type)
        set_field(component, "price", price)
        set_field(component, "step_size", step_size)
        set_field(component, "vat", vat)
        return component


@frozen
class Restrictions:
    """When an element applies; every bound is optional, ``min_*`` inclusive and ``max_*`` exclusive."""

    start_time: time | None = None
    end_time: time | None = None
    start_date: date | None = None
    end_date: date | None = None
    min_kwh: Decimal | None = field(default=None, validator=_opt_decimal)
    max_kwh: Decimal | None = field(default=None, validator=_opt_decimal)
    min_current: Decimal | None = field(default=None, validator=_opt_decimal)
    max_current: Decimal | None = field(default=None, validator=_opt_decimal)
    min_power: Decimal | None = field(default=None, validator=_opt_decimal)
    max_power: Decimal | None = field(default=None, validator=_opt_decimal)
    min_duration: int | None = field(default=None, validator=_opt_int)
    max_duration: int | None = field(default=None, validator=_opt_int)
    day_of_week: tuple[DayOfWeek, ...] = ()
    reservation: ReservationRestriction | None = None

    @property
    def is_empty(self) -> bool:
        return self == _NO_RESTRICTIONS


_NO_RESTRICTIONS = Restrictions()


@frozen
class TariffElement:
    price_components: tuple[PriceComponent, ...]
    restrictions: Restrictions | None = None


@frozen
class Tariff:
    """An OCPI 2.2.1 Tariff; prices exclude VAT, validity instants are UTC-aware."""

    currency: str
    elements: tuple[TariffElement, ...]
    id: str | None = None
    name: str | None = None
    type: TariffType | None = None
    tariff_alt_text: tuple[DisplayText, ...] = ()
    tariff_alt_url: str | None = None
    min_price: Price | None = None
    max_price: Price | None = None
    start_date_time: datetime | None = None
    end_date_time: datetime | None = None

    def is_active_at(self, instant: datetime) -> bool:
        """Whether a session starting at ``instant`` may use this tariff (start inclusive, end exclusive)."""
        if self.start_date_time is not None and instant < self.start_date_time:
            return False
        return self.end_date_time is None or instant < self.end_date_time
