"""The site owner's statement as a PDF (``StatementPdf``): every figure of the statement and every name it stands
for is on the page as text a reader (and pypdf) can take out, the share's basis said in words, credit notes listed,
characters DejaVu lacks drawn with the fallback font, and a draft said to be one."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal

from pypdf import PdfReader

from adapters.documents.statement import StatementPdf
from application.ports.site_owners import StatementDocuments
from domain.billing.periods import BillingPeriod
from domain.site_owners import Project, ShareBasis, StatementAdjustment, StatementSession, compute_statement
from domain.site_owners.printed import PrintedStatement, printed_locations

MARCH = BillingPeriod.month("2026-03")
AT = datetime(2026, 3, 10, 12, tzinfo=UTC)


def _project(basis: ShareBasis = ShareBasis.NET_REVENUE, cost: Decimal | None = None) -> Project:
    return Project(id="prj_01JD0000000000000000000000", organization_id="org_1", site_owner_id="so_1",
                   name="Harbour & Riverside", location_ids=("loc_a", "loc_b", "loc_c"),
                   revenue_share_percent=Decimal("12.5"), share_basis=basis, created_at=AT, updated_at=AT,
                   energy_cost_per_kwh=cost)


def _printed(project: Project, *, issued: bool = True, credits: bool = True) -> PrintedStatement:
    sessions = [StatementSession("ses_1", "loc_a", AT, Decimal("10.000"), Decimal("3.00"), "EUR"),
                StatementSession("ses_2", "loc_a", AT, Decimal("7.345"), Decimal("2.20"), "EUR"),
                StatementSession("ses_3", "loc_b", AT, Decimal("1.234"), Decimal("0.37"), "EUR")]
    adjustments = [StatementAdjustment("invc_credit1", "ses_9", AT, Decimal("0.50"), "EUR")] if credits else []
    statement = compute_statement(project, MARCH, "EUR", sessions, adjustments)
    if issued:
        statement = statement.issued(id="stm_01JD0000000000000000000000", at=datetime(2026, 4, 2, tzinfo=UTC),
                                     ledger_transaction_id="ltx_1")
    names = {"loc_a": ("Riverside Car Park", "1 Riverside Way, Berlin"), "loc_b": ("Hafen 東", ""),
             "loc_c": ("Quiet Corner", "")}
    return PrintedStatement(operator_name="Voltline GmbH", operator_address=("Quaistraße 1", "10115 Berlin", "DE"),
                            operator_vat_id="DE123456789", site_owner_name="Parkhaus GmbH",
                            site_owner_address=("Hafenstraße 1", "10115 Berlin", "DE"), project_name=project.name,
                            timezone="Europe/Berlin", statement=statement,
                            locations=printed_locations(statement, names, project.location_ids))


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf), strict=True)
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_the_statement_pdf_carries_every_figure_and_name():
    documents: StatementDocuments = StatementPdf()          # the port's adapter (mypy checks the fit)
    printed = _printed(_project())
    pdf = documents.statement(printed)
    assert pdf.startswith(b"%PDF-")
    text = _text(pdf)
    s = printed.statement
    # 12.5 % of (5.57 revenue − 0.50 credited) = 0.63375 → 0.63, rounded once.
    assert (s.revenue, s.credited, s.basis_amount, s.share) == (Decimal("5.57"), Decimal("0.50"), Decimal("5.07"),
                                                              Decimal("0.63"))
    for fact in ("Voltline GmbH", "Quaistraße 1", "VAT number DE123456789", "REVENUE SHARE STATEMENT",
                 "Parkhaus GmbH", "Hafenstraße 1", "Harbour & Riverside", "2026-03 (Europe/Berlin)",
                 "stm_01JD0000000000000000000000", "Issued 2026-04-02", "12.5 % of the net revenue",
                 "Sessions 3", "18.579 kWh", "Currency EUR",
                 "Riverside Car Park · 1 Riverside Way, Berlin 2 17.345 5.20", "Hafen 東 1 1.234 0.37",
                 "Quiet Corner 0 0 0.00", "invc_credit1 ses_9 2026-03-10 0.50",
                 "Revenue (net of VAT) 5.57 EUR", "Credited -0.50 EUR", "Basis (net revenue) 5.07 EUR",
                 "Your share (12.5 %) 0.63 EUR"):
        assert fact in text, (fact, text)
    assert "Energy cost" not in text


def test_an_energy_margin_draft_says_so_and_shows_the_energy_cost():
    printed = _printed(_project(ShareBasis.ENERGY_MARGIN, Decimal("0.10")), issued=False, credits=False)
    text = _text(StatementPdf().statement(printed))
    s = printed.statement
    assert s.energy_cost == Decimal("1.86")          # 18.579 kWh × 0.10, in cents
    for fact in ("Draft: the month's figures as they stand now", "12.5 % of the energy margin",
                 "Energy cost -1.86 EUR", "Credited 0.00 EUR", f"Basis (energy margin) {s.basis_amount} EUR",
                 f"Your share (12.5 %) {s.share} EUR"):
        assert fact in text, (fact, text)
    assert "Credit notes of the month" not in text and "Statement –" in text
