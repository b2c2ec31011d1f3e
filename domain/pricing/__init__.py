"""Pricing around the rating engine: versioned tariffs, membership plans and subscriptions, session costs."""

from domain.pricing.costs import SessionCost, meter_readings
from domain.pricing.memberships import MembershipPlan, Subscription, discounted
from domain.pricing.tariff_records import TariffRecord, TariffVersion

__all__ = ["MembershipPlan", "SessionCost", "Subscription", "TariffRecord", "TariffVersion", "discounted",
           "meter_readings"]
