"""Membership plan fees as invoices bill them: a plan's monthly fee, due for each calendar month a subscription
is in force, as a charge of its own (one line, posted to fee revenue when invoiced).

A month is the organization's (its time zone). A subscription in force for only part of the month pays
for the days it was in force on, in proportion (a day counts when the subscription is in force at any
moment of it), rounded half-up to the currency's minor unit once. The fee's charge is unique on the
subscription and the month (``sub_…/2026-01``): a month is charged once however often it is invoiced.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from domain.billing.invoices import Charge, InvoiceLine, LineKind
from domain.billing.periods import BillingPeriod
from domain.billing.vat import VatTreatment, round_minor
from domain.pricing.memberships import MembershipPlan, Subscription


def fee_id(subscription_id: str, month: BillingPeriod) -> str:
    return f"{subscription_id}/{month.start:%Y-%m}"


def whole_months(period: BillingPeriod) -> list[BillingPeriod]:
    """The calendar months that lie wholly inside ``period`` (a period of part of a month charges no fee: the
    run of the whole month does)."""
    months, month = [], BillingPeriod.containing(period.start)
    if month.start != period.start:
        month = month.next()
    while month.end <= period.end:
        months.append(month)
        month = month.next()
    return months


def days_in_force(subscription: Subscription, month: BillingPeriod, zone: ZoneInfo) -> int:
    """The days of ``month`` (local dates) on which the subscription was in force at some moment."""
    days = 0
    day = month.start
    while day < month.end:
        begins = datetime.combine(day, time(0), zone).astimezone(UTC)
        ends = datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC)
        if subscription.starts_at < ends and (subscription.ends_at is None or subscription.ends_at > begins):
            days += 1
        day += timedelta(days=1)
    return days


def plan_fee(subscription: Subscription, plan: MembershipPlan, *, customer_id: str, month: BillingPeriod,
             zone: ZoneInfo, vat: VatTreatment) -> Charge | None:
    """The charge of the plan's fee for ``month``, or None when the subscription was not in force in it (or the
    plan is free)."""
    days = days_in_force(subscription, month, zone)
    length = (month.end - month.start).days
    currency = plan.monthly_fee.currency
    net = round_minor(plan.monthly_fee.amount * days / length, currency)
    if days == 0 or net <= 0:
        return None
    begins, _ = month.bounds(zone)
    covered = "" if days == length else f", {days} of {length} days"
    line = InvoiceLine(LineKind.PLAN_FEE, f"{plan.name} membership, {month.label}{covered}", Decimal(1), "month",
                       net, net, vat, None, month.start)
    return Charge(id=fee_id(subscription.id, month), organization_id=subscription.organization_id,
                  customer_id=customer_id, currency=currency, started_at=max(begins, subscription.starts_at),
                  lines=(line,))
