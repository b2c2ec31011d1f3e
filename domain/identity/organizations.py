"""An organization (the tenant) and its settings: currency, time zone, billing email, notifications."""

from __future__ import annotations

from datetime import datetime

from attrs import define, evolve, field, fields, frozen

from domain.billing.settings import BillingSettings
from domain.errors import FieldErrors
from domain.geography import default_currency, default_timezone, is_country, is_currency, is_timezone
from domain.ids import is_id
from domain.validation import email_problem, name_problem, normalize_email


@frozen
class Notifications:
    """Which notifications the organization's billing email receives; every switch is a bool."""

    session_completed: bool = False
    invoice_issued: bool = True
    payment_failed: bool = True
    dispute_opened: bool = True
    charge_point_offline: bool = True
    weekly_report: bool = False

    @classmethod
    def keys(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    def to_dict(self) -> dict[str, bool]:
        return {k: getattr(self, k) for k in self.keys()}


@frozen
class OrganizationSettings:
    currency: str
    timezone: str
    billing_email: str | None
    notifications: Notifications
    default_tariff_id: str | None = None
    billing: BillingSettings = field(factory=BillingSettings)

    @classmethod
    def defaults_for(cls, country: str, contact_email: str) -> OrganizationSettings:
        return cls(currency=default_currency(country), timezone=default_timezone(country),
                   billing_email=contact_email, notifications=Notifications())

    @staticmethod
    def validate(currency: object, timezone: object, billing_email: object,
                 default_tariff_id: object) -> None:
        errors = FieldErrors()
        errors.check("currency", is_currency(currency), f"{currency!r} is not an ISO 4217 currency code")
        errors.check("timezone", is_timezone(timezone), f"{timezone!r} is not an IANA time zone name")
        if billing_email is not None:
            problem = email_problem(billing_email)
            if problem:
                errors.add("billing_email", problem)
        if default_tariff_id is not None:
            errors.check("default_tariff_id", isinstance(default_tariff_id, str) and is_id(default_tariff_id, "trf"),
                         "must be a tariff id (trf_…)")
        errors.raise_if_any()


@define
class Organization:
    id: str
    name: str
    country: str
    contact_email: str
    settings: OrganizationSettings
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def validate(name: object, country: object, contact_email: object) -> None:
        errors = FieldErrors()
        problem = name_problem(name)
        if problem:
            errors.add("name", problem)
        errors.check("country", is_country(country), f"{country!r} is not an ISO 3166-1 alpha-2 country code")
        problem = email_problem(contact_email)
        if problem:
            errors.add("contact_email", problem)
        errors.raise_if_any()

    @classmethod
    def create(cls, *, id: str, name: str, country: str, contact_email: str, now: datetime) -> Organization:
        cls.validate(name, country, contact_email)
        email = normalize_email(contact_email)
        return cls(id=id, name=name.strip(), country=country, contact_email=email,
                   settings=OrganizationSettings.defaults_for(country, email), created_at=now, updated_at=now)

    def replace_details(self, *, name: str, country: str, contact_email: str, now: datetime) -> None:
        """PUT semantics: every mutable field is replaced."""
        self.validate(name, country, contact_email)
        self.name = name.strip()
        self.country = country
        self.contact_email = normalize_email(contact_email)
        self.updated_at = now

    def replace_settings(self, settings: OrganizationSettings, now: datetime) -> None:
        OrganizationSettings.validate(settings.currency, settings.timezone, settings.billing_email,
                                      settings.default_tariff_id)
        settings.billing.validate()
        if settings.billing_email is not None:
            settings = evolve(settings, billing_email=normalize_email(settings.billing_email))
        self.settings = settings
        self.updated_at = now
