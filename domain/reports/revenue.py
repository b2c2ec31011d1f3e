"""Revenue as the books tell it: which ledger accounts a report reads, and how each posting counts.

Revenue is net of VAT (it is booked net: ``docs/billing.md``), credit notes and voided invoices take revenue
back (they debit the revenue accounts), refunds are money paid back (the ``refunds`` account), VAT is what the
VAT accounts owe, net of what credit notes and voids took back. So a report over a period gives the same
figures as the trial balance's movements of these accounts over that period.
"""

from __future__ import annotations

from decimal import Decimal

from attrs import frozen

from domain.billing.ledger import CHARGING_REVENUE, FEE_REVENUE, REFUNDS
from domain.geography import CURRENCY_EXPONENTS

VAT_PREFIX = "vat_payable:"
REPORTED_ACCOUNTS = (CHARGING_REVENUE, FEE_REVENUE, REFUNDS)


def is_reported(account: str) -> bool:
    return account in REPORTED_ACCOUNTS or account.startswith(VAT_PREFIX)


@frozen
class LedgerSums:
    """A period's postings to the accounts revenue is read from, in minor units of one currency."""

    charging_credits: int = 0     # charging revenue booked (sessions priced)
    fee_credits: int = 0          # plan fees booked (invoices finalized)
    revenue_debits: int = 0       # revenue taken back: credit notes, voided invoices
    refunds: int = 0              # money paid back (the refunds account, net)
    vat: int = 0                  # VAT payable, net of what credit notes and voids took back

    @classmethod
    def of(cls, account: str, debit_minor: int, credit_minor: int) -> LedgerSums:
        """What postings of ``debit_minor`` and ``credit_minor`` to ``account`` count for (nothing if unreported)."""
        if account == CHARGING_REVENUE:
            return cls(charging_credits=credit_minor, revenue_debits=debit_minor)
        if account == FEE_REVENUE:
            return cls(fee_credits=credit_minor, revenue_debits=debit_minor)
        if account == REFUNDS:
            return cls(refunds=debit_minor - credit_minor)
        if account.startswith(VAT_PREFIX):
            return cls(vat=credit_minor - debit_minor)
        return cls()

    def __add__(self, other: LedgerSums) -> LedgerSums:
        return LedgerSums(self.charging_credits + other.charging_credits, self.fee_credits + other.fee_credits,
                          self.revenue_debits + other.revenue_debits, self.refunds + other.refunds,
                          self.vat + other.vat)

    @property
    def total_excl_vat(self) -> int:
        return self.charging_credits + self.fee_credits - self.revenue_debits - self.refunds

    @property
    def total(self) -> int:
        return self.total_excl_vat + self.vat

    def __bool__(self) -> bool:
        return any((self.charging_credits, self.fee_credits, self.revenue_debits, self.refunds, self.vat))


def minor_units(amount: Decimal, currency: str) -> int:
    """A ledger amount (always in the currency's minor unit) as an integer count of minor units."""
    return int(amount.scaleb(CURRENCY_EXPONENTS[currency]))


def major_units(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-CURRENCY_EXPONENTS[currency])
