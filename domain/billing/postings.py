"""What each money event books: the entries of the ledger transaction a session, an invoice, a payment, a
credit note, a void or a write-off posts (one place for every posting rule; see ``docs/billing.md``).

=========================== ======================================= =====================================
event                       debit                                   credit
=========================== ======================================= =====================================
session priced              unbilled_receivable (net)               charging_revenue (net)
invoice finalized           receivable:{customer} (total)           unbilled_receivable (sessions' net),
                                                                    fee_revenue (plan fees' net),
                                                                    vat_payable:{rate} (VAT per rate)
payment received            bank (amount)                           receivable:{customer}
credit note issued          charging_revenue / fee_revenue (net),   receivable:{customer} (total)
                            vat_payable:{rate}
invoice voided              charging_revenue / fee_revenue (net),   receivable:{customer} (total)
                            vat_payable:{rate}
invoice written off         write_offs (what was still due)         receivable:{customer}
refund                      refunds                                 bank / payment_clearing
refund of a credit note     receivable:{customer} (amount)          bank / payment_clearing
chargeback opened           chargebacks                             payment_clearing
chargeback won              payment_clearing                        chargebacks
=========================== ======================================= =====================================

Money received or paid back by bank transfer is on ``bank``; through a card provider (Stripe) it is on
``payment_clearing`` until the provider pays it out.

A void cancels the sale itself: its sessions stay on the void invoice (a session is on one invoice
ever), so their revenue goes with it. VAT on a written-off invoice stays payable: relief for bad
debt is a matter for the tax return, not for this ledger. An event that moves nothing (a session that
cost nothing) books nothing: each function answers None then.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from domain.billing.chargebacks import Chargeback
from domain.billing.charges import Charge
from domain.billing.invoices import Invoice, InvoiceLine, LineKind, Payment, Refund
from domain.billing.ledger import (
    BANK,
    CHARGEBACKS,
    CHARGING_REVENUE,
    FEE_REVENUE,
    PAYMENT_CLEARING,
    REFUNDS,
    UNBILLED_RECEIVABLE,
    WRITE_OFFS,
    Entry,
    LedgerTransaction,
    Source,
    SourceKind,
    credit,
    debit,
    receivable,
    vat_payable,
)

_ZERO = Decimal(0)
BANK_TRANSFER = "bank_transfer"


def cash_account(method: str) -> str:
    """Where money of a payment method sits: the bank for transfers, the provider's clearing account else."""
    return BANK if method == BANK_TRANSFER else PAYMENT_CLEARING


def _posting(*, entries: Iterable[Entry], **details: Any) -> LedgerTransaction | None:
    """The balanced transaction of ``entries``, or None when they move nothing (a free session, an invoice of
    free sessions, nothing left to write off): a transaction moves money, so there is nothing to book."""
    entries = list(entries)
    if not any(entry.debit or entry.credit for entry in entries):
        return None
    return LedgerTransaction.balanced(entries=entries, **details)


def _revenue_account(line: InvoiceLine) -> str:
    return FEE_REVENUE if line.kind is LineKind.PLAN_FEE else CHARGING_REVENUE


def _vat_entries(invoice: Invoice) -> list[Entry]:
    return [credit(vat_payable(group.treatment.rate), invoice.currency, group.vat)
            for group in invoice.vat_breakdown if group.vat]


def _revenue_by_account(lines: Iterable[InvoiceLine]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for line in lines:
        account = _revenue_account(line)
        out[account] = out.get(account, _ZERO) + line.net_amount
    return out


def session_priced(charge: Charge, *, id: str, posted_at: datetime) -> LedgerTransaction | None:
    net = charge.net_amount
    return _posting(
        id=id, organization_id=charge.organization_id, source=Source(SourceKind.SESSION, charge.id),
        posted_at=posted_at, description=f"Session {charge.id} priced",
        entries=[debit(UNBILLED_RECEIVABLE, charge.currency, net), credit(CHARGING_REVENUE, charge.currency, net)],
        customer_id=charge.customer_id, session_id=charge.id)


def invoice_finalized(invoice: Invoice, *, id: str, posted_at: datetime) -> LedgerTransaction | None:
    """An invoice: receivable against unbilled, fees and VAT. A credit note: revenue and VAT back."""
    currency = invoice.currency
    if invoice.corrects is not None:
        return _reverse_sale(invoice, id=id, posted_at=posted_at, kind=SourceKind.CREDIT_NOTE,
                             description=f"Credit note {invoice.number} on {invoice.corrects_number}",
                             invoice_id=invoice.corrects)
    unbilled = sum((line.net_amount for line in invoice.lines if line.session_id is not None
                    and line.kind is not LineKind.PLAN_FEE), _ZERO)
    fees = sum((line.net_amount for line in invoice.lines if line.session_id is None
                or line.kind is LineKind.PLAN_FEE), _ZERO)
    entries = [debit(receivable(invoice.customer_id), currency, invoice.total),
               credit(UNBILLED_RECEIVABLE, currency, unbilled), credit(FEE_REVENUE, currency, fees),
               *_vat_entries(invoice)]
    return _posting(
        id=id, organization_id=invoice.organization_id, source=Source(SourceKind.INVOICE, invoice.id),
        posted_at=posted_at, description=f"Invoice {invoice.number} finalized", entries=entries,
        customer_id=invoice.customer_id, invoice_id=invoice.id)


def invoice_voided(invoice: Invoice, *, id: str, posted_at: datetime) -> LedgerTransaction | None:
    return _reverse_sale(invoice, id=id, posted_at=posted_at, kind=SourceKind.INVOICE_VOID,
                         description=f"Invoice {invoice.number} voided", invoice_id=invoice.id)


def _reverse_sale(document: Invoice, *, id: str, posted_at: datetime, kind: SourceKind, description: str,
                  invoice_id: str | None) -> LedgerTransaction | None:
    currency = document.currency
    entries = [credit(receivable(document.customer_id), currency, document.total)]
    entries += [debit(account, currency, amount) for account, amount in _revenue_by_account(document.lines).items()]
    entries += [debit(vat_payable(group.treatment.rate), currency, group.vat)
                for group in document.vat_breakdown if group.vat]
    return _posting(
        id=id, organization_id=document.organization_id, source=Source(kind, document.id), posted_at=posted_at,
        description=description, entries=entries, customer_id=document.customer_id, invoice_id=invoice_id)


def payment_received(invoice: Invoice, payment: Payment, *, id: str, posted_at: datetime) -> LedgerTransaction | None:
    currency = invoice.currency
    return _posting(
        id=id, organization_id=invoice.organization_id, source=Source(SourceKind.PAYMENT, payment.id),
        posted_at=posted_at, description=f"Payment {payment.reference or payment.id} on {invoice.number}",
        entries=[debit(cash_account(payment.method), currency, payment.amount),
                 credit(receivable(invoice.customer_id), currency, payment.amount)],
        customer_id=invoice.customer_id, invoice_id=invoice.id)


def written_off(invoice: Invoice, *, id: str, posted_at: datetime) -> LedgerTransaction | None:
    currency = invoice.currency
    return _posting(
        id=id, organization_id=invoice.organization_id, source=Source(SourceKind.WRITE_OFF, invoice.id),
        posted_at=posted_at, description=f"Invoice {invoice.number} written off",
        entries=[debit(WRITE_OFFS, currency, invoice.written_off),
                 credit(receivable(invoice.customer_id), currency, invoice.written_off)],
        customer_id=invoice.customer_id, invoice_id=invoice.id)


def refunded(invoice: Invoice, refund: Refund, *, id: str, posted_at: datetime) -> LedgerTransaction | None:
    currency = invoice.currency
    return _posting(
        id=id, organization_id=invoice.organization_id, source=Source(SourceKind.REFUND, refund.id),
        posted_at=posted_at, description=f"Refund on {invoice.number}: {refund.reason}",
        entries=[debit(REFUNDS if refund.credit_note_id is None else receivable(invoice.customer_id), currency,
                       refund.amount),
                 credit(cash_account(refund.method), currency, refund.amount)],
        customer_id=invoice.customer_id, invoice_id=invoice.id)


def chargeback_opened(chargeback: Chargeback, *, id: str, posted_at: datetime) -> LedgerTransaction | None:
    c = chargeback
    return _posting(
        id=id, organization_id=c.organization_id, source=Source(SourceKind.DISPUTE, c.id), posted_at=posted_at,
        description=f"Chargeback {c.provider_reference} ({c.reason})",
        entries=[debit(CHARGEBACKS, c.currency, c.amount), credit(PAYMENT_CLEARING, c.currency, c.amount)],
        customer_id=c.customer_id, invoice_id=c.invoice_id)


def chargeback_credited(*, organization_id: str, customer_id: str, invoice_id: str, dispute_id: str,
                        amount: Decimal, currency: str, id: str, posted_at: datetime) -> LedgerTransaction | None:
    """A card-network dispute accepted: its credit note credited the customer for money the bank had already taken
    back (booked to ``chargebacks`` when the chargeback opened), so that money is the credit paid out: the
    customer's receivable is settled against the chargeback (Dr receivable, Cr chargebacks)."""
    return _posting(
        id=id, organization_id=organization_id, source=Source(SourceKind.DISPUTE_CREDIT, dispute_id),
        posted_at=posted_at, description=f"Dispute {dispute_id}: the chargeback pays the credit",
        entries=[debit(receivable(customer_id), currency, amount), credit(CHARGEBACKS, currency, amount)],
        customer_id=customer_id, invoice_id=invoice_id)


def chargeback_won(chargeback: Chargeback, *, id: str, posted_at: datetime) -> LedgerTransaction | None:
    c = chargeback
    return _posting(
        id=id, organization_id=c.organization_id, source=Source(SourceKind.DISPUTE_WON, c.id), posted_at=posted_at,
        description=f"Chargeback {c.provider_reference} won",
        entries=[debit(PAYMENT_CLEARING, c.currency, c.amount), credit(CHARGEBACKS, c.currency, c.amount)],
        customer_id=c.customer_id, invoice_id=c.invoice_id)
