"""What the XML and the PDF both state, worked out once: amounts as text, lines' signs, VAT groups, terms."""

from __future__ import annotations

from decimal import Decimal

from attrs import frozen

from domain.billing.invoices import Invoice, InvoiceKind, InvoiceLine
from domain.geography import CURRENCY_EXPONENTS

# IBAN country codes of the SEPA scheme: a euro transfer to one of these is a SEPA credit transfer.
SEPA_COUNTRIES = frozenset({
    "AD", "AT", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GI", "GR", "HR", "HU",
    "IE", "IS", "IT", "LI", "LT", "LU", "LV", "MC", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK", "SM",
    "VA",
})


def amount_text(amount: Decimal, currency: str) -> str:
    """``amount`` in plain notation with exactly the currency's minor-unit decimals (``12.30``, ``1234`` yen)."""
    return format(amount.quantize(Decimal(1).scaleb(-CURRENCY_EXPONENTS[currency])), "f")


def number_text(value: Decimal) -> str:
    """A quantity, price or rate in plain notation without trailing zeros (``0.39``, ``19``, ``12.345``)."""
    return format(value.normalize(), "f") if value else "0"


def priced(line: InvoiceLine) -> tuple[Decimal, Decimal]:
    """The line's quantity and net price as EN 16931 writes them: a price is never negative (BR-27), so
    a line that takes money off (a maximum-price adjustment) bills a negative quantity instead."""
    if line.unit_price < 0:
        return -line.quantity, -line.unit_price
    return line.quantity, line.unit_price


@frozen
class EuVatBreakdown:
    """One VAT breakdown group (BG-23) as EN 16931 keys it: by category and rate."""

    category: str
    rate: Decimal
    taxable: Decimal
    vat: Decimal
    exemption_reason: str | None


def vat_breakdown(invoice: Invoice) -> tuple[EuVatBreakdown, ...]:
    """The invoice's own VAT subtotals, one group per category and rate.

    EN 16931 wants exactly one group per category and rate (BR-E-01, BR-AE-01, BR-O-01…): subtotals the
    domain keeps apart only by their exemption reason (two tariffs exempt for different reasons) are
    merged, their reasons joined. They carry no VAT, so no amount changes.
    """
    groups: dict[tuple[str, Decimal], EuVatBreakdown] = {}
    for subtotal in invoice.vat_breakdown:
        key = (subtotal.treatment.category, subtotal.treatment.rate)
        reason = subtotal.treatment.exemption_reason
        seen = groups.get(key)
        if seen is None:
            groups[key] = EuVatBreakdown(key[0], key[1], subtotal.taxable, subtotal.vat, reason)
            continue
        reasons = [r for r in (seen.exemption_reason, reason) if r]
        groups[key] = EuVatBreakdown(key[0], key[1], seen.taxable + subtotal.taxable, seen.vat + subtotal.vat,
                                     "; ".join(dict.fromkeys(reasons)) or None)
    return tuple(groups.values())


def due_terms(invoice: Invoice) -> str:
    """The payment terms in words (BT-20)."""
    if invoice.kind is InvoiceKind.CREDIT_NOTE:
        return (f"Credited against invoice {invoice.corrects_number}" if invoice.corrects_number
                else "Credited to the customer's account")
    if invoice.due_date is None or invoice.issue_date is None:
        return "Payable on receipt"
    days = (invoice.due_date - invoice.issue_date).days
    if days <= 0:
        return f"Payable on receipt, by {invoice.due_date.isoformat()}"
    return f"Payable within {days} days, by {invoice.due_date.isoformat()}"
