"""Invoices of every shape the documents must carry, built and finalized through the domain's own methods."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from domain.billing.documents import creditor_reference, document_number
from domain.billing.invoices import (
    Address,
    Charge,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceSession,
    LineKind,
    Party,
    Payment,
    credit_note_for,
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
        session_id = f"ses_{len(invoice.charges):05d}"
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
        session = InvoiceSession(session_id, started, started + timedelta(minutes=int(hours * 60)), location,
                                 f"CP-{i % 4 + 1}", kwh, net)
        invoice.add_charges([Charge(session_id, invoice.organization_id, invoice.customer_id, invoice.currency,
                                    started, tuple(lines), session)])
    return invoice


def plan_fee(invoice: Invoice, amount: Decimal, vat: VatTreatment = ENERGY,
             label: str = "Fleet plan, November") -> Invoice:
    line = _line(LineKind.PLAN_FEE, label, Decimal(1), "month", amount, vat, None, None, invoice.currency)
    # Listed after the sessions: a fee stands where its start puts it, here the period's last minute.
    started = datetime.combine(invoice.period_end, datetime.min.time(), BERLIN) - timedelta(minutes=1)
    invoice.add_charges([Charge(f"sub_01/{invoice.period_start:%Y-%m}/{len(invoice.charges)}", invoice.organization_id,
                                invoice.customer_id, invoice.currency, started, (line,))])
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
                           invoice.currency, FINALIZED_AT + timedelta(days=4))
    return invoice


def credit_note(original: Invoice, *, amount: Decimal | None = None,
                lines: Sequence[tuple[int, Decimal]] | None = None, reason: str = "Session billed twice") -> Invoice:
    note = credit_note_for(original, id="inv_cn_01", amount=amount, lines=lines, reason=reason,
                           now=FINALIZED_AT + timedelta(days=2))
    finalize(note, buyer=original.buyer or BUYER, seller=original.seller or SELLER, sequence=7)
    original.credit(note, FINALIZED_AT + timedelta(days=2))
    return note


# --------------------------------------------------------------------------- the shapes every test runs

SELLER_GB = Party(name="Voltline UK Ltd", legal_id="Company no. 01234567",
                  address=Address("1 Quay Street", "BS1 4DJ", "Bristol", "GB"), vat_id="GB123456782",
                  email="billing@voltline.example", iban="GB33BUKB20201555555555", bic="BUKBGB22")
SELLER_JP = Party(name="ボルトライン株式会社 (Voltline KK)", legal_id="1234-01-567890",
                  address=Address("丸の内1-1-1", "100-0005", "東京都千代田区", "JP"), vat_id="T1234567890123",
                  email="billing@voltline.example", iban=None)
SELLER_KW = Party(name="Voltline Kuwait W.L.L.", address=Address("Gulf Road 12", "13001", "Kuwait City", "KW"),
                  vat_id="KW100200300", email="billing@voltline.example", iban="KW81CBKU0000000000001234560101",
                  bic="CBKUKWKW")
BUYER_JP = Party(name="山田運輸株式会社", address=Address("中央1-2-3", "530-0001", "大阪市北区", "JP"),
                 vat_id="T9876543210987")
BUYER_KW = Party(name="Al-Sabah Logistics", address=Address("Block 4", "13002", "Kuwait City", "KW"))


def plain() -> Invoice:
    """One VAT rate: three sessions (energy and time)."""
    return finalize(session_lines(draft(), 3))


def mixed_vat() -> Invoice:
    """Two standard rates (19 % sessions, a 7 % plan fee), a zero-rated line and an exempt one with its reason."""
    invoice = session_lines(draft(), 4, flat=Decimal("0.50"))
    plan_fee(invoice, Decimal("9.90"), REDUCED, "Parking permit, November")
    plan_fee(invoice, Decimal("4.00"), VatTreatment.standard(Decimal(0)), "Charging card (zero rated)")
    session_lines(invoice, 2, vat=EXEMPT_VAT, start=datetime(2026, 11, 20, 9, 5, tzinfo=BERLIN),
                  location="Community charger (exempt)")
    return finalize(invoice)


def exempt_only() -> Invoice:
    """A tariff without VAT: every line exempt (E) with the organization's reason."""
    return finalize(session_lines(draft(), 3, vat=EXEMPT_VAT))


def not_subject() -> Invoice:
    """A tariff outside the scope of VAT (O): no VAT identifiers on the invoice (BR-O-02)."""
    return finalize(session_lines(draft(), 3, vat=NOT_SUBJECT_VAT))


def two_exemption_reasons() -> Invoice:
    """Two exempt tariffs with different reasons: still one E group (BR-E-01), the reasons joined."""
    invoice = session_lines(draft(), 2, vat=EXEMPT_VAT)
    session_lines(invoice, 1, vat=VatTreatment.without_vat(EXEMPT, "Exempt: charity site"),
                  start=datetime(2026, 11, 25, 10, 0, tzinfo=BERLIN))
    return finalize(invoice)


def credit_note_by_amount() -> Invoice:
    """A credit note (381) of a gross amount spread over the mixed invoice's VAT groups, naming it (BT-25)."""
    return credit_note(mixed_vat(), amount=Decimal("10.00"), reason="Goodwill: charger out of order")


def credit_note_by_lines() -> Invoice:
    """A credit note of two chosen lines of a plain invoice, at their VAT."""
    original = plain()
    return credit_note(original, lines=[(0, original.lines[0].net_amount), (1, Decimal("0.50"))])


def yen() -> Invoice:
    """A currency without decimals (JPY), Japanese seller and buyer (Chinese/Japanese characters)."""
    invoice = session_lines(draft("JPY"), 3, energy_price=Decimal(55), time_price=Decimal(120),
                            vat=VatTreatment.standard(Decimal(10)), location="東京駅 地下駐車場")
    return finalize(invoice, seller=SELLER_JP, buyer=BUYER_JP)


def kuwaiti_dinar() -> Invoice:
    """A currency with three decimals (KWD): amounts in fils, e.g. 4.815."""
    invoice = session_lines(draft("KWD"), 2, energy_price=Decimal("0.039"), time_price=Decimal("0.125"),
                            vat=VatTreatment.without_vat(NOT_SUBJECT, "Not subject to VAT"))
    return finalize(invoice, seller=SELLER_KW, buyer=BUYER_KW)


def buyer_without_vat_id() -> Invoice:
    """A private buyer in Poland (no VAT id), Polish name."""
    return finalize(session_lines(draft(), 2), buyer=BUYER_NO_VAT)


def buyer_without_address() -> Invoice:
    """A driver billed as a customer of its own: a name (Chinese) and an e-mail, no address."""
    return finalize(session_lines(draft(), 2), buyer=BUYER_WITHOUT_ADDRESS)


def reverse_charge() -> Invoice:
    """A business buyer in France: reverse charge (AE), the buyer's VAT id, the reason."""
    return finalize(session_lines(draft(), 3, vat=REVERSE), buyer=BUYER_EU)


def intra_community() -> Invoice:
    """An intra-community supply (K) to a French business: the country delivered to (BT-80)."""
    treatment = VatTreatment.without_vat("K", "Intra-community supply")
    return finalize(session_lines(draft(), 2, vat=treatment), buyer=BUYER_EU)


def every_dimension() -> Invoice:
    """Energy (KWH), time (HUR), flat fees (C62), a maximum-price adjustment (a negative line), a plan fee
    (MON), then partly paid (BT-113)."""
    invoice = session_lines(draft(), 3, flat=Decimal("1.00"), bound=Decimal("-0.75"))
    plan_fee(invoice, Decimal("29.00"))
    return pay(finalize(invoice), Decimal("20.00"))


def paid() -> Invoice:
    invoice = finalize(session_lines(draft(), 2))
    return pay(invoice, invoice.total)


def pound_sterling() -> Invoice:
    """GBP from a UK seller: a credit transfer (30), not SEPA, to the seller's IBAN."""
    invoice = session_lines(draft("GBP"), 2, vat=VatTreatment.standard(Decimal(20)))
    buyer = Party(name="Brunel Vans Ltd", address=Address("2 Temple Gate", "BS1 6PL", "Bristol", "GB"),
                  vat_id="GB987654321")
    return finalize(invoice, seller=SELLER_GB, buyer=buyer)


def seller_without_bank_account() -> Invoice:
    seller = Party(name=SELLER.name, address=SELLER.address, vat_id=SELLER.vat_id, legal_id=SELLER.legal_id)
    return finalize(session_lines(draft(), 1), seller=seller)


def many_sessions() -> Invoice:
    """500 sessions (1,500 lines): the fleet's month."""
    return finalize(session_lines(draft(), 500, flat=Decimal("0.35")))


def free_sessions() -> Invoice:
    """Sessions that cost nothing (a free tariff, an empty session): lines of 0.00, an invoice of 0.00, settled
    as it is finalized."""
    return finalize(session_lines(draft(), 2, energy_price=Decimal(0), time_price=None))


SHAPES = {shape.__name__: shape for shape in (
    plain, mixed_vat, exempt_only, not_subject, two_exemption_reasons, credit_note_by_amount, credit_note_by_lines,
    yen, buyer_without_vat_id, buyer_without_address, reverse_charge, intra_community, every_dimension, paid,
    pound_sterling, seller_without_bank_account, many_sessions, free_sessions)}
