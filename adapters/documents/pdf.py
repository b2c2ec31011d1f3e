"""The printed invoice: one A4 page layout (fpdf2) a customer reads and an accountant files.

Seller and buyer, number and dates, the sessions table, the lines, the VAT summary, the totals, how
to pay and the status, in DejaVu Sans (Droid Sans Fallback for the characters DejaVu lacks, e.g.
Chinese). Long tables run over pages with their headings repeated. The page is made PDF/A-3b from
the start (``facturx.py`` adds the XML and the metadata), so it only draws what PDF/A allows: embedded
fonts, sRGB colours, no transparency.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import Align

from adapters.documents.cii import IssuedParts
from adapters.documents.figures import priced, vat_breakdown
from adapters.documents.table import Table
from domain.billing.invoices import Address, Invoice, InvoiceKind, InvoiceStatus, Party
from domain.billing.vat import EXEMPT, EXPORT, INTRA_COMMUNITY, NOT_SUBJECT, REVERSE_CHARGE, STANDARD, ZERO_RATED
from domain.geography import CURRENCY_EXPONENTS

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY, FALLBACK = "DejaVu", "DroidFallback"
INK, MUTED, RULE = (25, 25, 35), (95, 98, 110), (200, 203, 212)
CATEGORY_NAMES = {STANDARD: "Standard rate", ZERO_RATED: "Zero rated", EXEMPT: "Exempt",
                  NOT_SUBJECT: "Not subject to VAT", REVERSE_CHARGE: "Reverse charge",
                  INTRA_COMMUNITY: "Intra-community supply", EXPORT: "Export outside the EU"}
# Status stamped across every page, and its colour (light, drawn beneath the text: PDF/A-safe, no alpha).
STAMPS = {InvoiceStatus.PAID: ("PAID", (214, 236, 219)), InvoiceStatus.VOID: ("VOID", (243, 214, 214)),
          InvoiceStatus.UNCOLLECTIBLE: ("UNCOLLECTIBLE", (240, 226, 205))}


class InvoicePage(FPDF):
    """An FPDF document that repeats the invoice's identity, status stamp and page numbers on each page."""

    def __init__(self, invoice: Invoice, issued: IssuedParts) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4", enforce_compliance="PDF/A-3B")
        self.invoice, self.issued = invoice, issued
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=20)
        self.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        if _needs_fallback(_texts(invoice, issued)):
            self.add_font(FALLBACK, "", str(FONTS / "DroidSansFallbackFull.ttf"))
            self.set_fallback_fonts([FALLBACK], exact_match=False)
        self.set_text_color(*INK)
        self.set_draw_color(*RULE)

    def _render_styled_text_line(self, *args: Any, **kwargs: Any) -> bool:
        # fpdf2 (2.8.9) bug: a coloured line whose first character comes from the fallback font sets the
        # page's font inside its own q…Q, then believes the page keeps it, so the next line shows text
        # with no font at all ("No font in show"). Forgetting it after every line makes each line set
        # its font again (a few bytes a line); tests check every text operator has a font.
        try:
            drawn: bool = super()._render_styled_text_line(*args, **kwargs)
            return drawn
        finally:
            self.current_font_is_set_on_page = False

    @property
    def title_word(self) -> str:
        return "Credit note" if self.invoice.kind is InvoiceKind.CREDIT_NOTE else "Invoice"

    def header(self) -> None:
        stamp = STAMPS.get(self.invoice.status)
        if stamp is not None:
            text, colour = stamp
            self.set_font(FAMILY, "B", 96 if len(text) <= 5 else 54)
            self.set_text_color(*colour)
            with self.rotation(35, self.w / 2, self.h / 2):
                width = self.get_string_width(text)
                self.text(self.w / 2 - width / 2, self.h / 2 + 12, text)
            self.set_text_color(*INK)
        if self.page_no() > 1:
            self.set_font(FAMILY, "", 8)
            self.set_text_color(*MUTED)
            self.cell(0, 5, f"{self.title_word} {self.issued.number} · {self.issued.seller.name}",
                      new_x="LMARGIN", new_y="NEXT")
            self.set_text_color(*INK)
            self.ln(3)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FAMILY, "", 7.5)
        self.set_text_color(*MUTED)
        self.cell(0, 4, f"{self.title_word} {self.issued.number} · page {self.page_no()} of {{nb}}",
                  new_x="LMARGIN", new_y="NEXT")
        self.cell(0, 4, "The EN 16931 e-invoice (Factur-X, factur-x.xml) is embedded in this PDF.")
        self.set_text_color(*INK)


def render(invoice: Invoice, issued: IssuedParts) -> InvoicePage:
    """The laid-out pages of ``invoice`` (not yet written out: ``facturx.py`` adds the XML and writes)."""
    page = InvoicePage(invoice, issued)
    page.add_page()
    _heading(page, invoice, issued)
    if invoice.sessions:
        _sessions(page, invoice)
    _lines(page, invoice)
    _vat_summary(page, invoice)
    _totals(page, invoice)
    _payment(page, invoice, issued)
    return page


# --------------------------------------------------------------------------- sections


def _heading(page: InvoicePage, invoice: Invoice, issued: IssuedParts) -> None:
    top = page.get_y()
    half = page.epw / 2
    page.set_font(FAMILY, "B", 13)
    page.multi_cell(half, 6, issued.seller.name, new_x="LMARGIN", new_y="NEXT")
    page.set_font(FAMILY, "", 8.5)
    page.multi_cell(half, 4.2, "\n".join(_party_lines(issued.seller, with_email=True)), new_x="LMARGIN",
                    new_y="NEXT")
    left_bottom = page.get_y()

    page.set_xy(page.l_margin + half, top)
    page.set_font(FAMILY, "B", 18)
    page.cell(half, 9, page.title_word.upper(), align=Align.R, new_x="LEFT", new_y="NEXT")
    facts = [("Number", issued.number), ("Issue date", issued.issue_date.isoformat())]
    if invoice.kind is InvoiceKind.INVOICE:
        facts.append(("Due date", issued.due_date.isoformat()))
    last_day = invoice.period_end - timedelta(days=1)                 # the period's end is exclusive
    facts.append(("Service period", f"{invoice.period_start.isoformat()} – {last_day.isoformat()}"))
    facts.append(("Customer number", invoice.customer_id))
    if invoice.buyer_reference:
        facts.append(("Your reference", invoice.buyer_reference))
    if invoice.kind is InvoiceKind.CREDIT_NOTE and invoice.corrects_number:
        facts.append(("Corrects invoice", invoice.corrects_number))
    facts.append(("Status", _status_text(invoice)))
    for label, value in facts:
        page.set_x(page.l_margin + half)
        page.set_font(FAMILY, "", 8.5)
        page.set_text_color(*MUTED)
        page.cell(half * 0.45, 4.6, label, align=Align.R)
        page.set_text_color(*INK)
        page.set_font(FAMILY, "B", 8.5)
        page.cell(half * 0.55, 4.6, value, align=Align.R, new_x="LMARGIN", new_y="NEXT")
    page.set_y(max(left_bottom, page.get_y()) + 6)

    page.set_font(FAMILY, "B", 8)
    page.set_text_color(*MUTED)
    page.cell(0, 4.5, "BILL TO", new_x="LMARGIN", new_y="NEXT")
    page.set_text_color(*INK)
    page.set_font(FAMILY, "B", 10)
    page.multi_cell(half, 5, issued.buyer.name, new_x="LMARGIN", new_y="NEXT")
    page.set_font(FAMILY, "", 8.5)
    buyer = _party_lines(issued.buyer, with_email=True)
    if buyer:
        page.multi_cell(half, 4.2, "\n".join(buyer), new_x="LMARGIN", new_y="NEXT")
    if invoice.kind is InvoiceKind.CREDIT_NOTE:
        page.ln(4)
        page.set_font(FAMILY, "B", 9)
        corrects = f" invoice {invoice.corrects_number}" if invoice.corrects_number else " an earlier invoice"
        page.multi_cell(0, 4.8, f"This credit note corrects{corrects}.", new_x="LMARGIN", new_y="NEXT")
        if invoice.reason:
            page.set_font(FAMILY, "", 9)
            page.multi_cell(0, 4.8, f"Reason: {invoice.reason}", new_x="LMARGIN", new_y="NEXT")
    page.ln(5)


def _sessions(page: InvoicePage, invoice: Invoice) -> None:
    _section_title(page, f"Charging sessions ({len(invoice.sessions)})")
    rows = [("Started (local time)", "Ended", "Location", "Charge point", "Energy (kWh)",
             f"Net ({invoice.currency})")]
    for session in invoice.sessions:
        ended = "–"
        if session.stopped_at is not None:
            stopped = session.stopped_at.astimezone(session.started_at.tzinfo)     # the same wall clock
            same_day = stopped.date() == session.started_at.date()
            ended = stopped.strftime("%H:%M" if same_day else "%Y-%m-%d %H:%M")
        rows.append((session.started_at.strftime("%Y-%m-%d %H:%M"), ended, session.location,
                     session.charge_point_id, _number(session.energy_kwh, 3),
                     _money(session.net_amount, invoice.currency)))
    _table(page, rows, widths=(24, 17, 24, 15, 10, 10),
           aligns=("L", "L", "L", "L", "R", "R"))


def _lines(page: InvoicePage, invoice: Invoice) -> None:
    _section_title(page, "Lines")
    rows = [("#", "Description", "Quantity", "Unit", f"Unit price ({invoice.currency})", "VAT",
             f"Net ({invoice.currency})")]
    for position, line in enumerate(invoice.lines, start=1):
        quantity, price = priced(line)
        rows.append((str(position), line.description, _number(quantity), line.unit,
                     _number(price, CURRENCY_EXPONENTS[invoice.currency]),
                     _vat_label(line.vat.category, line.vat.rate), _money(line.net_amount, invoice.currency)))
    _table(page, rows, widths=(7, 36, 11, 7, 13, 11, 15),
           aligns=("R", "L", "R", "L", "R", "R", "R"))


def _vat_summary(page: InvoicePage, invoice: Invoice) -> None:
    _section_title(page, "VAT summary")
    rows = [("Category", "Rate", f"Taxable ({invoice.currency})", f"VAT ({invoice.currency})", "Reason")]
    for group in vat_breakdown(invoice):
        rows.append((f"{group.category} · {CATEGORY_NAMES.get(group.category, group.category)}",
                     _vat_label(group.category, group.rate), _money(group.taxable, invoice.currency),
                     _money(group.vat, invoice.currency), group.exemption_reason or ""))
    _table(page, rows, widths=(26, 9, 14, 12, 39), aligns=("L", "R", "R", "R", "L"))


def _totals(page: InvoicePage, invoice: Invoice) -> None:
    currency = invoice.currency
    rows = [("Total excl. VAT", invoice.total_excl_vat), ("VAT", invoice.vat),
            ("Total incl. VAT", invoice.total)]
    if invoice.kind is InvoiceKind.INVOICE:
        rows.append(("Paid", invoice.amount_paid))
        if invoice.credited:
            rows.append(("Credited", invoice.credited))
        rows.append(("Amount due", invoice.amount_due))
    _keep_together(page, 6 * len(rows) + 4)
    page.ln(1)
    page.set_draw_color(*MUTED)
    page.set_line_width(0.3)
    width = page.epw * 0.45
    for label, amount in rows:
        strong = label in ("Total incl. VAT", "Amount due")
        page.set_x(page.l_margin + page.epw - width)
        page.set_font(FAMILY, "B" if strong else "", 10 if strong else 9)
        page.cell(width * 0.55, 6, label, border="T" if label == "Total incl. VAT" else 0)
        page.cell(width * 0.45, 6, f"{_money(amount, currency)} {currency}", align=Align.R,
                  border="T" if label == "Total incl. VAT" else 0, new_x="LMARGIN", new_y="NEXT")
    page.ln(4)


def _payment(page: InvoicePage, invoice: Invoice, issued: IssuedParts) -> None:
    seller = issued.seller
    text: list[tuple[str, str]] = []
    if invoice.kind is InvoiceKind.CREDIT_NOTE:
        target = f"invoice {invoice.corrects_number}" if invoice.corrects_number else "your account"
        text.append(("", f"The total of this credit note is credited against {target}; nothing is to be paid."))
    elif invoice.status is InvoiceStatus.VOID:
        text.append(("", "This invoice is void: nothing is due."))
    elif invoice.status is InvoiceStatus.PAID:
        text.append(("", "Paid in full. Thank you."))
    elif invoice.status is InvoiceStatus.UNCOLLECTIBLE:
        text.append(("", "This invoice was written off as uncollectible."))
    elif seller.iban:
        currency = invoice.currency
        text.append(("", f"Please transfer {_money(invoice.amount_due, currency)} {currency} by "
                         f"{issued.due_date.isoformat()} to:"))
        text.append(("Account holder", seller.name))
        text.append(("IBAN", _groups(seller.iban)))
        if seller.bic:
            text.append(("BIC", seller.bic))
        if invoice.payment_reference:
            text.append(("Reference", _groups(invoice.payment_reference)))
            text.append(("", "Please quote the reference exactly: it matches your payment to this invoice."))
    else:
        text.append(("", f"Payment due by {issued.due_date.isoformat()}."))
    _keep_together(page, 8 + 5 * len(text))
    _section_title(page, "Payment")
    for label, value in text:
        page.set_font(FAMILY, "", 9)
        if label:
            page.set_text_color(*MUTED)
            page.cell(30, 5, label)
            page.set_text_color(*INK)
            page.set_font(FAMILY, "B", 9)
            page.multi_cell(0, 5, value, new_x="LMARGIN", new_y="NEXT")
        else:
            page.multi_cell(0, 5, value, new_x="LMARGIN", new_y="NEXT")


# --------------------------------------------------------------------------- drawing helpers


def _section_title(page: InvoicePage, title: str) -> None:
    _keep_together(page, 22)
    page.set_font(FAMILY, "B", 10.5)
    page.cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")


def _keep_together(page: InvoicePage, height: float) -> None:
    """Start a new page unless ``height`` more millimetres fit on this one."""
    if page.get_y() + height > page.page_break_trigger:
        page.add_page()


def _table(page: InvoicePage, rows: Sequence[Sequence[str]], *, widths: Sequence[float],
           aligns: Sequence[Literal["L", "R"]]) -> None:
    with Table(page, rows[0], widths, aligns, family=FAMILY) as table:
        for values in rows[1:]:
            table.row(values)


def _party_lines(party: Party, *, with_email: bool) -> list[str]:
    lines = _address_lines(party.address)
    if party.vat_id:
        lines.append(f"VAT ID: {party.vat_id}")
    if party.legal_id:
        lines.append(f"Registration: {party.legal_id}")
    if with_email and party.email:
        lines.append(party.email)
    return lines


def _address_lines(address: Address | None) -> list[str]:
    if address is None:
        return []
    lines = [address.line1]
    if address.line2:
        lines.append(address.line2)
    lines.append(f"{address.postal_code} {address.city}".strip())
    lines.append(address.country)
    return lines


def _status_text(invoice: Invoice) -> str:
    if invoice.kind is InvoiceKind.CREDIT_NOTE:
        return "Issued"
    return {InvoiceStatus.OPEN: "Open", InvoiceStatus.PAID: "Paid", InvoiceStatus.VOID: "Void",
            InvoiceStatus.UNCOLLECTIBLE: "Uncollectible", InvoiceStatus.DRAFT: "Draft"}[invoice.status]


def _vat_label(category: str, rate: Decimal) -> str:
    if category == NOT_SUBJECT:
        return category
    return f"{_number(rate)} % {category}"


def _money(amount: Decimal, currency: str) -> str:
    """``1,234.50``: thousands grouped, the currency's own number of decimals."""
    return f"{amount:,.{CURRENCY_EXPONENTS[currency]}f}"


def _number(value: Decimal, at_least: int = 0) -> str:
    """A quantity or price as it is, trailing zeros dropped beyond ``at_least`` decimals."""
    exponent = value.normalize().as_tuple().exponent
    places = max(at_least, -exponent if isinstance(exponent, int) and exponent < 0 else 0)
    return f"{value:,.{places}f}"


def _groups(text: str) -> str:
    """An IBAN or a reference in groups of four, as banks print them."""
    compact = "".join(text.split())
    return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))


# --------------------------------------------------------------------------- fonts


def _texts(invoice: Invoice, issued: IssuedParts) -> Iterable[str]:
    for party in (issued.seller, issued.buyer):
        yield party.name
        yield from _party_lines(party, with_email=True)
    yield from (line.description for line in invoice.lines)
    for session in invoice.sessions:
        yield session.location
        yield session.charge_point_id
    yield from (text for text in (invoice.reason, invoice.buyer_reference, invoice.customer_id) if text)
    yield from (group.exemption_reason or "" for group in vat_breakdown(invoice))


def _needs_fallback(texts: Iterable[str]) -> bool:
    """Whether any character is missing from DejaVu Sans (then the CJK fallback font is embedded too)."""
    covered = _dejavu_characters()
    return any(ord(char) not in covered for text in texts for char in text if not char.isspace())


@lru_cache(maxsize=1)
def _dejavu_characters() -> frozenset[int]:
    with TTFont(str(FONTS / "DejaVuSans.ttf"), lazy=True) as font:
        return frozenset(font.getBestCmap())
