"""The double-entry ledger: named accounts, immutable balanced transactions, one per source.

Every money event of an organization is a ``LedgerTransaction`` of two or more entries whose debits
equal its credits in each currency (checked here, and again by the database). A transaction is
unique on its source (a session priced, an invoice finalized, a payment received…): booking the
same source twice is a no-op. Nothing is ever edited: a correction is another transaction (a
credit note, a void) with its own source.

Accounts are named by what they hold, some per counterparty (``receivable:cus_…``):

====================== ========= ===========================================================
account                normal    holds
====================== ========= ===========================================================
unbilled_receivable    debit     priced sessions not yet invoiced (net of VAT)
receivable:{customer}  debit     what a customer owes on finalized invoices (VAT included)
charging_revenue       credit    revenue from charging, net of VAT
fee_revenue            credit    membership plan fees, net of VAT
vat_payable:{rate}     credit    VAT collected at a rate (``exempt`` for none), owed to the state
bank                   debit     money received by bank transfer
payment_clearing       debit     money a payment provider holds for us before payout
refunds                debit     money paid back to customers
write_offs             debit     receivables given up (an uncollectible invoice)
chargebacks            debit     money card holders' banks took back (disputes open or lost)
revenue_share          debit     site owners' share of their projects' revenue (an expense)
site_owner_payable:{so} credit   what the operator owes a site owner on issued statements
====================== ========= ===========================================================
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal

from attrs import field, frozen

from domain.errors import FieldError, InvalidInput
from domain.geography import CURRENCY_EXPONENTS

_ZERO = Decimal(0)

UNBILLED_RECEIVABLE = "unbilled_receivable"
CHARGING_REVENUE = "charging_revenue"
FEE_REVENUE = "fee_revenue"
BANK = "bank"
PAYMENT_CLEARING = "payment_clearing"
REFUNDS = "refunds"
WRITE_OFFS = "write_offs"
CHARGEBACKS = "chargebacks"
REVENUE_SHARE = "revenue_share"
_DEBIT_NORMAL = ("unbilled_receivable", "receivable", "bank", "payment_clearing", "refunds", "write_offs",
                 "chargebacks", "revenue_share")
_ACCOUNT_ROOTS = frozenset({*_DEBIT_NORMAL, "charging_revenue", "fee_revenue", "vat_payable", "site_owner_payable"})


def receivable(customer_id: str) -> str:
    return f"receivable:{customer_id}"


def site_owner_payable(site_owner_id: str) -> str:
    return f"site_owner_payable:{site_owner_id}"


def vat_payable(rate: Decimal | None) -> str:
    """The VAT account of a rate (``vat_payable:20``), or of no VAT at all (``vat_payable:exempt``)."""
    return "vat_payable:exempt" if rate is None else f"vat_payable:{format(rate.normalize(), 'f')}"


def is_account(name: object) -> bool:
    return isinstance(name, str) and name.split(":", 1)[0] in _ACCOUNT_ROOTS and len(name) <= 80


def debit_normal(account: str) -> bool:
    """Whether the account's balance is normally a debit (assets, expenses) rather than a credit."""
    return account.split(":", 1)[0] in _DEBIT_NORMAL


class SourceKind(str, enum.Enum):
    """What a ledger transaction books; a source is booked at most once."""

    SESSION = "session"                  # a session priced: unbilled receivable against revenue
    INVOICE = "invoice"                  # an invoice finalized: receivable, VAT, unbilled cleared
    INVOICE_VOID = "invoice_void"        # a finalized invoice voided: its finalization reversed
    WRITE_OFF = "write_off"              # an invoice marked uncollectible: what it still owed
    PAYMENT = "payment"                  # a payment received against an invoice
    CREDIT_NOTE = "credit_note"          # a credit note issued against an invoice
    REFUND = "refund"                    # money paid back through a payment provider
    DISPUTE = "dispute"                  # a card-network chargeback opened: the bank took the money back
    DISPUTE_WON = "dispute_won"          # a chargeback decided for us: the money came back
    DISPUTE_CREDIT = "dispute_credit"    # a chargeback accepted as a dispute: the bank paid its credit
    STATEMENT = "statement"              # a site owner's monthly statement issued: their share owed


@frozen
class Source:
    kind: SourceKind
    id: str


@frozen
class Entry:
    """One side of a transaction: a non-negative amount debited or credited to an account."""

    account: str
    currency: str
    debit: Decimal = _ZERO
    credit: Decimal = _ZERO

    @property
    def signed(self) -> Decimal:
        """Debit positive, credit negative."""
        return self.debit - self.credit


def debit(account: str, currency: str, amount: Decimal) -> Entry:
    """An entry of ``amount``: a debit, or a credit of the opposite when ``amount`` is negative."""
    return Entry(account, currency, debit=amount) if amount >= 0 else Entry(account, currency, credit=-amount)


def credit(account: str, currency: str, amount: Decimal) -> Entry:
    return Entry(account, currency, credit=amount) if amount >= 0 else Entry(account, currency, debit=-amount)


def _minor(currency: str) -> int:
    return CURRENCY_EXPONENTS[currency]


def _entries(entries: Iterable[Entry]) -> tuple[Entry, ...]:
    return tuple(entries)


@frozen
class LedgerTransaction:
    id: str
    organization_id: str
    source: Source
    posted_at: datetime
    description: str
    entries: tuple[Entry, ...] = field(converter=_entries)
    customer_id: str | None = None      # the counterparty, when there is one (for filters)
    invoice_id: str | None = None
    session_id: str | None = None

    @classmethod
    def balanced(cls, *, id: str, organization_id: str, source: Source, posted_at: datetime, description: str,
                 entries: Iterable[Entry], customer_id: str | None = None, invoice_id: str | None = None,
                 session_id: str | None = None) -> LedgerTransaction:
        """A transaction of ``entries`` (zero entries dropped, same account and side merged), or
        ``InvalidInput`` when they do not balance in every currency."""
        merged: dict[tuple[str, str], Decimal] = defaultdict(lambda: _ZERO)
        for entry in entries:
            merged[(entry.account, entry.currency)] += entry.signed
        kept = tuple(debit(account, currency, amount) for (account, currency), amount in merged.items() if amount)
        transaction = cls(id=id, organization_id=organization_id, source=source, posted_at=posted_at,
                          description=description, entries=kept, customer_id=customer_id, invoice_id=invoice_id,
                          session_id=session_id)
        transaction.check()
        return transaction

    def check(self) -> None:
        """Σ debits = Σ credits per currency; amounts in the currency's minor unit, non-negative, one-sided."""
        problems: list[FieldError] = []
        totals: dict[str, Decimal] = defaultdict(lambda: _ZERO)
        for i, entry in enumerate(self.entries):
            if not is_account(entry.account):
                problems.append(FieldError(f"entries[{i}].account", f"{entry.account!r} is not a ledger account"))
            if entry.currency not in CURRENCY_EXPONENTS:
                problems.append(FieldError(f"entries[{i}].currency", "not an ISO 4217 currency"))
                continue
            if entry.debit < 0 or entry.credit < 0 or (entry.debit and entry.credit):
                problems.append(FieldError(f"entries[{i}]", "an entry is a non-negative debit or credit"))
            for amount in (entry.debit, entry.credit):
                if amount != amount.quantize(Decimal(1).scaleb(-_minor(entry.currency))):
                    problems.append(FieldError(f"entries[{i}]", f"amounts are in {entry.currency}'s minor unit"))
            totals[entry.currency] += entry.signed
        for currency, total in totals.items():
            if total != 0:
                problems.append(FieldError("entries", f"debits and credits in {currency} differ by {total}"))
        if len(self.entries) < 2 and not problems:
            problems.append(FieldError("entries", "a transaction moves money between at least two accounts"))
        if problems:
            raise InvalidInput(problems)

    def reversal(self, *, id: str, source: Source, posted_at: datetime, description: str) -> LedgerTransaction:
        """The transaction that undoes this one (every entry on the other side)."""
        return LedgerTransaction.balanced(
            id=id, organization_id=self.organization_id, source=source, posted_at=posted_at,
            description=description, entries=(Entry(e.account, e.currency, e.credit, e.debit) for e in self.entries),
            customer_id=self.customer_id, invoice_id=self.invoice_id, session_id=self.session_id)


@frozen
class AccountBalance:
    account: str
    currency: str
    debits: Decimal
    credits: Decimal

    @property
    def balance(self) -> Decimal:
        """Positive on the account's normal side (a debit for assets, a credit for revenue and liabilities)."""
        net = self.debits - self.credits
        return net if debit_normal(self.account) else -net


@frozen
class TrialBalance:
    at: datetime | None
    accounts: tuple[AccountBalance, ...]

    def totals(self) -> dict[str, tuple[Decimal, Decimal]]:
        """Σ debits and Σ credits per currency: equal in a ledger that balances."""
        out: dict[str, tuple[Decimal, Decimal]] = {}
        for row in self.accounts:
            d, c = out.get(row.currency, (_ZERO, _ZERO))
            out[row.currency] = (d + row.debits, c + row.credits)
        return out

    @property
    def balances(self) -> bool:
        return all(d == c for d, c in self.totals().values())


def trial_balance(transactions: Sequence[LedgerTransaction], at: datetime | None = None) -> TrialBalance:
    """The trial balance of these transactions (those posted at or before ``at``), by account and currency."""
    debits: dict[tuple[str, str], Decimal] = defaultdict(lambda: _ZERO)
    credits: dict[tuple[str, str], Decimal] = defaultdict(lambda: _ZERO)
    for transaction in transactions:
        if at is not None and transaction.posted_at > at:
            continue
        for entry in transaction.entries:
            debits[(entry.account, entry.currency)] += entry.debit
            credits[(entry.account, entry.currency)] += entry.credit
    keys = sorted(set(debits) | set(credits))
    return TrialBalance(at, tuple(AccountBalance(a, c, debits[(a, c)], credits[(a, c)]) for a, c in keys))
