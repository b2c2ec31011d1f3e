"""What the one-page documents beside the invoice share (the receipt, the site owner's statement): an A4 page in
the invoice's fonts (DejaVu Sans, Droid Sans Fallback for the characters it lacks), margins and colours, the
issuer's heading and the label–value facts."""

from __future__ import annotations

from collections.abc import Sequence

from fpdf import FPDF

from adapters.documents.pdf import FALLBACK, FAMILY, FONTS, INK, MUTED, RULE


def a4_page(*, title: str, author: str) -> FPDF:
    """A new A4 document with one page begun, in the invoice documents' fonts and colours."""
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_margins(18, 16, 18)
    pdf.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.add_font(FALLBACK, "", str(FONTS / "DroidSansFallbackFull.ttf"))
    pdf.set_fallback_fonts([FALLBACK], exact_match=False)
    pdf.set_text_color(*INK)
    pdf.set_draw_color(*RULE)
    pdf.add_page()
    return pdf


def issuer_heading(pdf: FPDF, name: str, details: Sequence[str], title: str) -> None:
    """The issuer's name and details, then the document's title in capitals."""
    pdf.set_font(FAMILY, "B", 13)
    pdf.multi_cell(0, 6, name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 8.5)
    if details:
        pdf.multi_cell(0, 4.2, "\n".join(details), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FAMILY, "B", 18)
    pdf.cell(0, 9, title.upper(), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def facts(pdf: FPDF, rows: Sequence[tuple[str, str]], *, label_width: float = 35) -> None:
    """Label (muted) and value (bold) lines, a value running onto more lines when long."""
    for label, value in rows:
        pdf.set_font(FAMILY, "", 9)
        pdf.set_text_color(*MUTED)
        pdf.cell(label_width, 5.2, label)
        pdf.set_text_color(*INK)
        pdf.set_font(FAMILY, "B", 9)
        pdf.multi_cell(0, 5.2, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
