"""Invoices of every shape the documents must carry, built and finalized through the domain's own methods."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from domain.billing.documents import creditor_reference, document_number
from domain.billing.invoices import (
    Address,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceSession,
    LineKind,
    Party,
    Payment,
    credit_note_lines,
)
from domain.billing.vat import EXEMPT, NOT_SUBJECT, REVERSE_CHARGE, VatTreatment, round_minor

FINALIZED_AT = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")

SELLER = Party(
    name="Voltline Ladestrom GmbH", legal_id="HRB 123456 B",
    address=Address("Friedrichstraße 12", "10117", "Berlin", "DE", line2="Hof 3"),
    vat_id="DE123456789", email="billing@voltline.example", iban="DE89370400440532013000", bic="COBADEFFXXX")
BUYER = Party(
    name="Müller & Søn Logistik AG", address=Address("Hauptstraße 5", "80331", "München", "DE"),
    vat_id="DE987654321", email="ap@mueller.example", legal_id="HRB 98765")
BUYER_NO_VAT = Party(name="Łukasz Żółć-Straße", address=Address("ul. Długa 7", "00-238", "Warszawa", "PL"),
                     email="lukasz@example.pl")
BUYER_EU = Party(name="Transports Éléonore SARL", address=Address("12 rue de l'Église", "75004", "Paris", "FR"),
                 vat_id="FR40303265045", email="compta@eleonore.example")
BUYER_WITHOUT_ADDRESS = Party(name="陈伟 (Chen Wei)", address=None, email="chen@example.cn")

ENERGY = VatTreatment.standard(Decimal(19))
REDUCED = VatTreatment.standard(Decimal(7))
EXEMPT_VAT = VatTreatment.without_vat(EXEMPT, "Exempt under § 4 Nr. 8 UStG")
NOT_SUBJECT_VAT = VatTreatment.without_vat(NOT_SUBJECT, "Not subject to VAT")
REVERSE = VatTreatment.without_vat(REVERSE_CHARGE, "Reverse charge")


def draft(currency: str = "EUR", *, id: str = "inv_01", kind: InvoiceKind = InvoiceKind.INVOICE,
          period: tuple[date, date] = (date(2026, 11, 1), date(2026, 12, 1))) -> Invoice:
    return Invoice(id=id, organization_id="org_01", customer_id="cus_01", kind=kind, currency=currency,
                   period_start=period[0], period_end=period[1], created_at=FINALIZED_AT - timedelta(hours=1))


def session_lines(invoice: Invoice, n: int, *, start: datetime = datetime(2026, 11, 3, 18, 42, tzinfo=BERLIN),
                  energy_price: Decimal = Decimal("0.39"), time_price: Decimal | None = Decimal("1.20"),
                  flat: Decimal | None = None, vat: VatTreatment = ENERGY, location: str = "Depot Nord",
                  bound: Decimal | None = None) -> Invoice:
    """``n`` charging sessions, each an energy line (kWh), maybe a time line (h), a flat fee (C62) and a
    price-bound adjustment (negative: a maximum price), with its row in the sessions table."""
    for i in range(n):
        started = start + timedelta(hours=7 * i, minutes=13 * i)
        kwh = (Decimal("12.345") + Decimal(i % 17) * Decimal("1.5")).quantize(Decimal("0.001"))
        hours = Decimal("1.25") + Decimal(i % 3) / 4
        day = started.date()
        session_id = f"ses_{i:05d}"
        lines = [_line(LineKind.ENERGY, f"Energy ({day})", kwh, "kWh", energy_price, vat, session_id, day,
                       invoice.currency)]
        if time_price is not None:
            lines.append(_line(LineKind.TIME, f"Charging time ({day})", hours, "h", time_price, vat, session_id, day,
                               invoice.currency))
        if flat is not None:
            lines.append(_line(LineKind.FLAT, f"Session fee ({day})", Decimal(1), "flat", flat, vat, session_id, day,
                               invoice.currency))
        if bound is not None:
            lines.append(_line(LineKind.PRICE_BOUND, f"Maximum price adjustment ({day})", Decimal(1), "flat", bound,
                               vat, session_id, day, invoice.currency))
        net = sum((line.net_amount for line in lines), Decimal(0))
        invoice.add(lines, InvoiceSession(session_id, started, started + timedelta(minutes=int(hours * 60)), location,
                                          f"CP-{i % 4 + 1}", kwh, net))
    return invoice


def plan_fee(invoice: Invoice, amount: Decimal, vat: VatTreatment = ENERGY,
             label: str = "Fleet plan, November") -> Invoice:
    invoice.add([_line(LineKind.PLAN_FEE, label, Decimal(1), "month", amount, vat, None, None, invoice.currency)])
    return invoice


def _line(kind: LineKind, description: str, quantity: Decimal, unit: str, price: Decimal, vat: VatTreatment,
          session_id: str | None, day: date | None, currency: str) -> InvoiceLine:
    return InvoiceLine(kind, description, quantity, unit, price, round_minor(quantity * price, currency), vat,
                       session_id, day)


def finalize(invoice: Invoice, *, buyer: Party = BUYER, seller: Party = SELLER, sequence: int = 42,
             terms: int = 14) -> Invoice:
    prefix = "CN-" if invoice.kind is InvoiceKind.CREDIT_NOTE else "INV-"
    number = document_number(prefix, sequence)
    invoice.finalize(number=number, issue_date=date(2026, 12, 1), payment_terms_days=terms, seller=seller,
                     buyer=buyer, payment_reference=creditor_reference(number), now=FINALIZED_AT)
    return invoice


def pay(invoice: Invoice, amount: Decimal, *, id: str = "pay_01") -> Invoice:
    invoice.record_payment(Payment(id, amount, date(2026, 12, 5), invoice.payment_reference, "bank_transfer"),
                           FINALIZED_AT + timedelta(days=4))
    return invoice


def credit_note(original: Invoice, *, amount: Decimal | None = None,
                lines: Sequence[tuple[int, Decimal]] | None = None, reason: str = "Session billed twice") -> Invoice:
    note = draft(original.currency, id="inv_cn_01", kind=InvoiceKind.CREDIT_NOTE,
                 period=(original.period_start, original.period_end))
    note.corrects, note.corrects_number, note.reason = original.id, original.number, reason
    note.add(credit_note_lines(original, amount=amount, lines=lines, reason=reason))
    finalize(note, buyer=original.buyer or BUYER, seller=original.seller or SELLER, sequence=7)
    original.credit(note.total, FINALIZED_AT + timedelta(days=2))
    return note
