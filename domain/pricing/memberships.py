"""Membership plans (a monthly fee for a member price) and drivers' subscriptions to them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from attrs import define, evolve

from domain.errors import FieldErrors
from domain.ids import is_id
from domain.money import Money
from domain.tariffs import Price, Tariff, TariffElement
from domain.validation import name_problem

_HUNDRED = Decimal(100)


@define
class MembershipPlan:
    """Members pay ``monthly_fee`` and charge either on the plan's own tariff or at a discount."""

    id: str
    organization_id: str
    name: str
    monthly_fee: Money
    created_at: datetime
    tariff_id: str | None = None
    discount_percent: Decimal | None = None

    @staticmethod
    def validate(*, name: object, monthly_fee: Money, tariff_id: object, discount_percent: Decimal | None) -> None:
        errors = FieldErrors()
        problem = name_problem(name)
        if problem:
            errors.add("name", problem)
        errors.check("monthly_fee", monthly_fee.amount >= 0, "must not be negative")
        if (tariff_id is None) == (discount_percent is None):
            errors.add("tariff_id" if tariff_id is None else "discount_percent",
                       "a plan has either its own tariff or a discount percentage, not both or neither")
        if tariff_id is not None:
            errors.check("tariff_id", isinstance(tariff_id, str) and is_id(tariff_id, "trf"), "must be a tariff id")
        if discount_percent is not None:
            errors.check("discount_percent", Decimal(0) < discount_percent <= _HUNDRED, "must be above 0, at most 100")
        errors.raise_if_any()


@define
class Subscription:
    id: str
    organization_id: str
    plan_id: str
    driver_id: str
    starts_at: datetime
    created_at: datetime
    ends_at: datetime | None = None

    def active_at(self, instant: datetime) -> bool:
        return self.starts_at <= instant and (self.ends_at is None or instant < self.ends_at)

    def end(self, now: datetime) -> None:
        if self.ends_at is None or self.ends_at > now:
            self.ends_at = max(now, self.starts_at)


def discounted(tariff: Tariff, percent: Decimal) -> Tariff:
    """The tariff with every price, and its price bounds, cut by ``percent``.

    Rating is linear in prices (step sizes change quantities, never prices), so this is exactly a
    discount on the session's total, bounds included.
    """
    factor = (_HUNDRED - percent) / _HUNDRED

    def price(p: Price | None) -> Price | None:
        if p is None:
            return None
        return Price(p.excl_vat * factor, None if p.incl_vat is None else p.incl_vat * factor)

    elements = tuple(TariffElement(tuple(evolve(c, price=c.price * factor) for c in e.price_components),
                                   e.restrictions) for e in tariff.elements)
    return evolve(tariff, elements=elements, min_price=price(tariff.min_price), max_price=price(tariff.max_price))

