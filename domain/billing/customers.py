"""Customers: who pays. A billing account with an address, maybe a VAT id, and how it gets its invoices.

A driver may name the customer that pays for its sessions; a driver that names none is billed as a
customer of its own, made from its name and email the first time it is billed. A fleet is billed the
same way: the customer it names, else one of its own. "Who pays" is always a customer, never a driver.
"""

from __future__ import annotations

import enum
from datetime import datetime

from attrs import define

from domain.billing.invoices import Address, Party
from domain.errors import FieldErrors
from domain.geography import is_country, is_currency
from domain.validation import email_problem, name_problem, normalize_email, text_problem

MAX_LINE = 200
MAX_POSTAL_CODE = 20
MAX_TAX_ID = 32
MAX_PAYMENT_TERMS_DAYS = 365
DEFAULT_PAYMENT_TERMS_DAYS = 14


class InvoiceDelivery(str, enum.Enum):
    EMAIL = "email"              # each finalized invoice is emailed, its PDF attached
    NONE = "none"                # the customer fetches them (the portal, the API)


@define
class Customer:
    id: str
    organization_id: str
    name: str
    email: str
    created_at: datetime
    billing_address: Address | None = None
    tax_id: str | None = None              # a VAT number, normalised (``DE123456789``)
    currency: str | None = None            # None: the organization's
    payment_terms_days: int | None = None  # None: the organization's default
    invoice_delivery: InvoiceDelivery = InvoiceDelivery.EMAIL
    driver_id: str | None = None           # made for a driver that names no customer
    fleet_id: str | None = None            # made for a fleet that names no customer
    updated_at: datetime | None = None

    @staticmethod
    def validate(*, name: object, email: object, billing_address: Address | None, currency: object,
                 payment_terms_days: object) -> None:
        """What the model itself can judge; a VAT id's checksum is the tax-id registry's (a port)."""
        errors = FieldErrors()
        problem = name_problem(name)
        if problem:
            errors.add("name", problem)
        problem = email_problem(email)
        if problem:
            errors.add("email", problem)
        if billing_address is not None:
            validate_address(billing_address, "billing_address", errors)
        if currency is not None:
            errors.check("currency", is_currency(currency), f"{currency!r} is not an ISO 4217 currency code")
        if payment_terms_days is not None:
            errors.check("payment_terms_days", isinstance(payment_terms_days, int)
                         and not isinstance(payment_terms_days, bool)
                         and 0 <= payment_terms_days <= MAX_PAYMENT_TERMS_DAYS,
                         f"must be a whole number of days from 0 to {MAX_PAYMENT_TERMS_DAYS}")
        errors.raise_if_any()

    @classmethod
    def for_driver(cls, *, id: str, organization_id: str, driver_id: str, name: str, email: str | None,
                   fallback_email: str, now: datetime) -> Customer:
        """The customer a driver that names none is billed as (its invoices go to its own email)."""
        return cls(id=id, organization_id=organization_id, name=name, email=normalize_email(email or fallback_email),
                   created_at=now, driver_id=driver_id,
                   invoice_delivery=InvoiceDelivery.EMAIL if email else InvoiceDelivery.NONE)

    @classmethod
    def for_fleet(cls, *, id: str, organization_id: str, fleet_id: str, name: str, email: str,
                  now: datetime) -> Customer:
        """The customer a fleet that names none is billed as: the organization's billing email receives its
        invoices until an operator completes the customer (address, VAT id, its own email)."""
        return cls(id=id, organization_id=organization_id, name=name, email=normalize_email(email), created_at=now,
                   fleet_id=fleet_id, invoice_delivery=InvoiceDelivery.NONE)

    def as_party(self) -> Party:
        return Party(name=self.name, address=self.billing_address, vat_id=self.tax_id, email=self.email)


def validate_address(address: Address, path: str, errors: FieldErrors) -> None:
    for name, value, limit, required in (("line1", address.line1, MAX_LINE, True),
                                         ("line2", address.line2, MAX_LINE, False),
                                         ("postal_code", address.postal_code, MAX_POSTAL_CODE, True),
                                         ("city", address.city, MAX_LINE, True)):
        if value is None and not required:
            continue
        problem = text_problem(value, limit)
        if problem:
            errors.add(f"{path}.{name}", problem)
    errors.check(f"{path}.country", is_country(address.country),
                 f"{address.country!r} is not an ISO 3166-1 alpha-2 country code")
