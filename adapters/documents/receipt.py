"""A charging session's receipt as a one-page PDF (fpdf2), in the invoice documents' fonts (DejaVu Sans, with
Droid Sans Fallback for the characters it lacks) and table: who charged, where, when (local time), energy,
each tariff line with its VAT, the totals, the payment status and the invoice it is on."""

from __future__ import annotations

from decimal import Decimal

from fpdf import FPDF

from adapters.documents.figures import amount_text, number_text
from adapters.documents.page import a4_page, facts, issuer_heading
from adapters.documents.pdf import FAMILY
from adapters.documents.table import Table
from domain.portal.receipts import Receipt


class ReceiptPdf:
    """The ``ReceiptDocuments`` port."""

    def receipt(self, receipt: Receipt) -> bytes:
        pdf = a4_page(title=f"Receipt {receipt.session_id}", author=receipt.operator_name)
        details = [*receipt.operator_address, *([f"VAT number {receipt.operator_vat_id}"]
                                                if receipt.operator_vat_id else [])]
        issuer_heading(pdf, receipt.operator_name, details, "Charging receipt")
        _facts(pdf, receipt)
        _lines(pdf, receipt)
        return bytes(pdf.output())


def _facts(pdf: FPDF, r: Receipt) -> None:
    when = "%Y-%m-%d %H:%M"
    facts(pdf, [("Session", r.session_id), ("Driver", r.driver_name),
                ("Location", ", ".join(x for x in (r.location_name, *r.location_address) if x) or "–"),
                ("Charge point", r.charge_point_id + (f", connector {r.connector_id}" if r.connector_id else "")),
                ("Started", f"{r.started_at.strftime(when)} ({r.timezone})" if r.started_at else "–"),
                ("Ended", f"{r.stopped_at.strftime(when)} ({r.timezone})" if r.stopped_at else "–"),
                ("Energy", f"{number_text(r.energy_kwh.quantize(Decimal('0.001')))} kWh"),
                ("Tariff", r.tariff_name or "–"),
                ("Payment", r.payment_status),
                ("Invoice", r.invoice_number or "not invoiced yet")])


def _lines(pdf: FPDF, r: Receipt) -> None:
    currency = r.currency
    if currency is None:
        pdf.set_font(FAMILY, "", 10)
        pdf.multi_cell(0, 5, "No tariff priced this session: it costs nothing.", new_x="LMARGIN", new_y="NEXT")
        return
    with Table(pdf, ("Item", "Quantity", "Unit price", "VAT", f"Net ({currency})"), (34, 14, 14, 10, 14),
               ("L", "R", "R", "R", "R"), family=FAMILY, size=8.5) as table:
        for line in r.lines:
            table.row((line.description, f"{number_text(line.quantity)} {line.unit}", number_text(line.unit_price),
                       f"{number_text(line.vat_rate)} %" if line.vat_rate is not None else "none",
                       amount_text(line.amount, currency)))
    for label, value, bold in (("Total excluding VAT", r.total_excl_vat, False), ("VAT", r.vat, False),
                               ("Total", r.total, True)):
        pdf.set_font(FAMILY, "B" if bold else "", 10 if bold else 9)
        pdf.cell(pdf.epw * 0.75, 6, label, align="R")
        pdf.cell(pdf.epw * 0.25, 6, f"{amount_text(value, currency)} {currency}", align="R",
                 new_x="LMARGIN", new_y="NEXT")
