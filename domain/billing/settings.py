"""An organization's billing settings: who the seller is on its invoices, how they are numbered and when made."""

from __future__ import annotations

import re
from decimal import Decimal

from attrs import frozen

from domain.billing.customers import MAX_PAYMENT_TERMS_DAYS, validate_address
from domain.billing.documents import DEFAULT_CREDIT_NOTE_PREFIX, DEFAULT_INVOICE_PREFIX, check_prefix
from domain.billing.invoices import Address, Party
from domain.billing.vat import EXEMPT, VatTreatment
from domain.errors import FieldErrors, InvalidInput
from domain.validation import name_problem, text_problem

LAST_INVOICE_DAY = 28      # every month has it
MAX_EXEMPTION_REASON = 300
MAX_DISPUTE_WINDOW_DAYS = 3650
PAYMENT_PROVIDERS = ("bank_transfer", "stripe")
DEFAULT_RETRY_DAYS = (1, 3, 7)
MAX_RETRIES = 10
MAX_RETRY_DAY = 60
_STRIPE_ACCOUNT = re.compile(r"acct_[A-Za-z0-9]{1,250}\Z")


@frozen
class BillingSettings:
    legal_name: str | None = None                 # None: the organization's name
    billing_address: Address | None = None        # needed to finalize (the seller's address, BR-8)
    vat_id: str | None = None                     # needed to finalize an invoice with VAT (BR-S-02)
    iban: str | None = None                       # where customers pay by bank transfer
    bic: str | None = None
    invoice_number_prefix: str = DEFAULT_INVOICE_PREFIX
    credit_note_number_prefix: str = DEFAULT_CREDIT_NOTE_PREFIX
    auto_finalize_invoices: bool = False          # a run finalizes (numbers, emails) what it makes
    invoice_day: int = 1                          # the local day of the month the previous month is invoiced
    payment_terms_days: int = 14                  # the due date, unless the customer has terms of its own
    vat_exemption_category: str = EXEMPT          # the category of a line whose tariff names no VAT
    vat_exemption_reason: str | None = None       # why (BT-120); None: the category's own wording
    plan_fee_vat: Decimal | None = None           # VAT (percent) on membership plan fees; None: as ``no_vat``
    dispute_window_days: int = 90                 # how long after a session ends its driver may dispute it
    # Collection: which provider takes the money (the embedded bank transfer needs nothing configured), the
    # Stripe Connect account it is taken for, when a declined card is tried again (days after the decline
    # before, each), and whether an invoice still unpaid after the last retry is written off.
    payment_provider: str = "bank_transfer"
    stripe_account: str | None = None
    payment_retry_days: tuple[int, ...] = DEFAULT_RETRY_DAYS
    uncollectible_after_retries: bool = False

    def validate(self) -> None:
        errors = FieldErrors()
        if self.legal_name is not None:
            problem = name_problem(self.legal_name)
            if problem:
                errors.add("legal_name", problem)
        if self.billing_address is not None:
            validate_address(self.billing_address, "billing_address", errors)
        for field, prefix in (("invoice_number_prefix", self.invoice_number_prefix),
                              ("credit_note_number_prefix", self.credit_note_number_prefix)):
            try:
                check_prefix(prefix, field)
            except InvalidInput as error:
                errors.errors.extend(error.errors)
        if self.invoice_number_prefix == self.credit_note_number_prefix:
            errors.add("credit_note_number_prefix", "must differ from invoice_number_prefix: the two series "
                                                    "are numbered apart")
        errors.check("invoice_day", 1 <= self.invoice_day <= LAST_INVOICE_DAY,
                     f"must be a day of the month from 1 to {LAST_INVOICE_DAY}")
        errors.check("payment_terms_days", 0 <= self.payment_terms_days <= MAX_PAYMENT_TERMS_DAYS,
                     f"must be from 0 to {MAX_PAYMENT_TERMS_DAYS} days")
        errors.check("dispute_window_days", 1 <= self.dispute_window_days <= MAX_DISPUTE_WINDOW_DAYS,
                     f"must be from 1 to {MAX_DISPUTE_WINDOW_DAYS} days")
        if self.plan_fee_vat is not None:
            errors.check("plan_fee_vat", 0 <= self.plan_fee_vat <= 100
                         and self.plan_fee_vat == self.plan_fee_vat.quantize(Decimal("0.0001")),
                         "must be a percentage from 0 to 100, with at most 4 decimals")
        if self.vat_exemption_reason is not None:
            problem = text_problem(self.vat_exemption_reason, MAX_EXEMPTION_REASON)
            if problem:
                errors.add("vat_exemption_reason", problem)
        errors.check("payment_provider", self.payment_provider in PAYMENT_PROVIDERS,
                     f"must be one of {', '.join(PAYMENT_PROVIDERS)}")
        if self.stripe_account is not None:
            errors.check("stripe_account", bool(_STRIPE_ACCOUNT.match(self.stripe_account)),
                         "must be a Stripe account id (acct_…)")
        errors.check("payment_retry_days", len(self.payment_retry_days) <= MAX_RETRIES
                     and all(isinstance(d, int) and 1 <= d <= MAX_RETRY_DAY for d in self.payment_retry_days),
                     f"at most {MAX_RETRIES} retries, each from 1 to {MAX_RETRY_DAY} days after the one before")
        try:
            VatTreatment.without_vat(self.vat_exemption_category, self.vat_exemption_reason)
        except InvalidInput as error:
            errors.errors.extend(error.errors)
        errors.raise_if_any()

    @property
    def no_vat(self) -> VatTreatment:
        """How a line whose tariff names no VAT is taxed (its category, and why)."""
        return VatTreatment.without_vat(self.vat_exemption_category, self.vat_exemption_reason)

    @property
    def fee_vat(self) -> VatTreatment:
        """How a membership plan's fee is taxed."""
        return VatTreatment.standard(self.plan_fee_vat) if self.plan_fee_vat is not None else self.no_vat

    def prefix(self, series: str) -> str:
        return self.credit_note_number_prefix if series == "credit_note" else self.invoice_number_prefix

    def seller(self, organization_name: str, email: str | None) -> Party:
        return Party(name=self.legal_name or organization_name, address=self.billing_address, vat_id=self.vat_id,
                     email=email, iban=self.iban, bic=self.bic)

