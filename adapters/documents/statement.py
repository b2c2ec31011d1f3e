"""A site owner's monthly statement as a one-page PDF (fpdf2), laid out as the receipt is (``page.py``: the invoice
documents' fonts, heading and facts; ``table.py``): who pays whom, the project and the month, each location's
sessions, energy and net revenue, the credit notes of the month, the basis, the share's percentage and amount."""

from __future__ import annotations

from fpdf import FPDF

from adapters.documents.figures import amount_text, number_text
from adapters.documents.page import a4_page, facts, issuer_heading
from adapters.documents.pdf import FAMILY, MUTED
from adapters.documents.table import Table
from domain.site_owners import ShareBasis
from domain.site_owners.printed import PrintedStatement
from domain.site_owners.statements import StatementStatus

BASIS = {ShareBasis.NET_REVENUE: "net revenue", ShareBasis.ENERGY_MARGIN: "energy margin"}


class StatementPdf:
    """The ``StatementDocuments`` port."""

    def statement(self, printed: PrintedStatement) -> bytes:
        s = printed.statement
        pdf = a4_page(title=f"Statement {printed.project_name} {s.period.label}", author=printed.operator_name)
        details = [*printed.operator_address, *([f"VAT number {printed.operator_vat_id}"]
                                                if printed.operator_vat_id else [])]
        issuer_heading(pdf, printed.operator_name, details, "Revenue share statement")
        _facts(pdf, printed)
        _locations(pdf, printed)
        _adjustments(pdf, printed)
        _totals(pdf, printed)
        return bytes(pdf.output())


def _facts(pdf: FPDF, p: PrintedStatement) -> None:
    s = p.statement
    status = (f"Issued {s.issued_at.date().isoformat()}" if s.status is StatementStatus.ISSUED and s.issued_at
              else "Draft: the month's figures as they stand now, not yet issued")
    facts(pdf, [("Site owner", ", ".join((p.site_owner_name, *p.site_owner_address))),
                ("Project", p.project_name),
                ("Period", f"{s.period.label} ({p.timezone})"),
                ("Statement", s.id or "–"),
                ("Status", status),
                ("Share", f"{number_text(s.revenue_share_percent)} % of the {BASIS[s.share_basis]}"),
                ("Sessions", str(len(s.sessions))),
                ("Energy", f"{number_text(s.energy_kwh)} kWh"),
                ("Currency", s.currency)])


def _locations(pdf: FPDF, p: PrintedStatement) -> None:
    currency = p.statement.currency
    _title(pdf, "Locations")
    with Table(pdf, ("Location", "Sessions", "Energy (kWh)", f"Net revenue ({currency})"), (46, 12, 14, 18),
               ("L", "R", "R", "R"), family=FAMILY, size=8.5) as table:
        for row in p.locations:
            name = row.name + (f" · {row.address}" if row.address else "")
            table.row((name, str(row.sessions), number_text(row.energy_kwh), amount_text(row.revenue, currency)))


def _adjustments(pdf: FPDF, p: PrintedStatement) -> None:
    s = p.statement
    if not s.adjustments:
        return
    _title(pdf, "Credit notes of the month")
    with Table(pdf, ("Credit note", "Session", "Issued", f"Credited ({s.currency})"), (26, 30, 16, 18),
               ("L", "L", "L", "R"), family=FAMILY, size=8.5) as table:
        for a in s.adjustments:
            table.row((a.credit_note_id, a.session_id, a.issued_at.date().isoformat(),
                       amount_text(a.amount, s.currency)))


def _totals(pdf: FPDF, p: PrintedStatement) -> None:
    s, currency = p.statement, p.statement.currency
    rows = [("Revenue (net of VAT)", s.revenue, False), ("Credited", -s.credited if s.credited else s.credited, False)]
    if s.share_basis is ShareBasis.ENERGY_MARGIN:
        rows.append(("Energy cost", -s.energy_cost if s.energy_cost else s.energy_cost, False))
    rows += [(f"Basis ({BASIS[s.share_basis]})", s.basis_amount, False),
             (f"Your share ({number_text(s.revenue_share_percent)} %)", s.share, True)]
    pdf.ln(3)
    for label, amount, strong in rows:
        pdf.set_font(FAMILY, "B" if strong else "", 10 if strong else 9)
        pdf.cell(pdf.epw * 0.7, 6, label, align="R")
        pdf.cell(pdf.epw * 0.3, 6, f"{amount_text(amount, currency)} {currency}", align="R",
                 new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(FAMILY, "", 8)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(0, 4.2, "Sessions count in the month they ended; credit notes in the month they were issued. "
                           "The share is rounded once, half up, to the currency's minor unit.",
                   new_x="LMARGIN", new_y="NEXT")


def _title(pdf: FPDF, text: str) -> None:
    pdf.set_font(FAMILY, "B", 10.5)
    pdf.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
