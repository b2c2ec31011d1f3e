"""Properties: for arbitrary invoices (lines, quantities, prices, VAT rates and categories, currencies,
buyers, payments, credit notes) the XML states the domain's figures and passes the EN 16931 rules, and
the PDF carries that same XML. Few examples each (``DOCUMENT_EXAMPLES`` raises it): every one runs the
official rules."""

from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal

from facturx import get_facturx_xml_from_pdf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.documents import FacturXDocuments
from domain.billing.invoices import Charge, Invoice, InvoiceKind, InvoiceLine, LineKind
from domain.billing.vat import EXEMPT, INTRA_COMMUNITY, REVERSE_CHARGE, VatTreatment, round_minor
from domain.geography import CURRENCY_EXPONENTS
from tests.integration.documents import shapes
from tests.integration.documents.test_cii_xml import same_figures
from tests.support.en16931 import failures

CURRENCIES = ["EUR", "JPY", "GBP", "CHF", "SEK", "USD", "ISK", "KRW"]
STANDARD_RATES = [Decimal(r) for r in ("19", "7", "20", "21", "10", "5.5", "8.1", "25", "2.1")]
UNITS = [("kWh", LineKind.ENERGY), ("h", LineKind.TIME), ("flat", LineKind.FLAT), ("month", LineKind.PLAN_FEE)]

treatments = st.one_of(
    st.sampled_from(STANDARD_RATES).map(VatTreatment.standard),
    st.just(VatTreatment.standard(Decimal(0))),
    st.sampled_from(["Exempt from VAT", "Exempt under Art. 132 VAT Directive"]).map(
        lambda reason: VatTreatment.without_vat(EXEMPT, reason)),
    st.just(VatTreatment.without_vat(REVERSE_CHARGE, "Reverse charge")),
    st.just(VatTreatment.without_vat(INTRA_COMMUNITY, "Intra-community supply")),
)
# Reverse charge and intra-community supplies need the buyer's VAT id (BR-AE-02, BR-IC-02).
NEEDS_BUYER_VAT_ID = {REVERSE_CHARGE, INTRA_COMMUNITY}


@st.composite
def invoices(draw: st.DrawFn) -> Invoice:
    currency = draw(st.sampled_from(CURRENCIES))
    invoice = shapes.draft(currency)
    not_subject = draw(st.integers(0, 9)) == 0                 # now and then a tariff outside VAT (O only)
    lines = []
    for _ in range(draw(st.integers(1, 8))):
        unit, kind = draw(st.sampled_from(UNITS))
        quantity = Decimal(draw(st.integers(0, 500_000))).scaleb(-3)
        price = Decimal(draw(st.integers(0, 3_000_000))).scaleb(-6)
        if CURRENCY_EXPONENTS[currency] == 0:
            price *= 150
        vat = shapes.NOT_SUBJECT_VAT if not_subject else draw(treatments)
        net = round_minor(quantity * price, currency)
        session = draw(st.sampled_from([None, "ses_a", "ses_b"]))
        lines.append(InvoiceLine(kind, f"{kind.value} line", quantity, unit, price, net, vat, session, None))
    if draw(st.booleans()) and lines[0].net_amount > 0:       # a maximum-price adjustment takes some off
        off = round_minor(lines[0].net_amount / 2, currency)
        lines.append(InvoiceLine(LineKind.PRICE_BOUND, "Maximum price adjustment", Decimal(1), "flat", -off, -off,
                                 lines[0].vat, lines[0].session_id, None))
    # Lines go on the invoice as charges: one per session named, one for the lines of no session.
    for index, session in enumerate(sorted({line.session_id or "" for line in lines})):
        own = tuple(line for line in lines if (line.session_id or "") == session)
        invoice.add_charges([Charge(session or f"sub_01/{index}", invoice.organization_id, invoice.customer_id,
                                    currency, shapes.FINALIZED_AT - timedelta(days=20 - index), own)])
    if any(line.vat.category in NEEDS_BUYER_VAT_ID for line in lines):
        buyer = shapes.BUYER_EU
    else:
        buyer = draw(st.sampled_from([shapes.BUYER, shapes.BUYER_EU, shapes.BUYER_NO_VAT,
                                      shapes.BUYER_WITHOUT_ADDRESS]))
    shapes.finalize(invoice, buyer=buyer)
    if invoice.status.value == "open" and invoice.amount_due > 0 and draw(st.booleans()):
        minor = Decimal(1).scaleb(-CURRENCY_EXPONENTS[currency])
        paid = draw(st.integers(1, int(invoice.amount_due / minor))) * minor
        shapes.pay(invoice, paid)
    if draw(st.booleans()) and invoice.creditable > 0 and invoice.kind is InvoiceKind.INVOICE:
        minor = Decimal(1).scaleb(-CURRENCY_EXPONENTS[currency])
        amount = draw(st.integers(1, int(invoice.creditable / minor))) * minor
        return shapes.credit_note(invoice, amount=amount)
    return invoice


SLOW = settings(max_examples=int(os.environ.get("DOCUMENT_EXAMPLES", "25")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SLOW
@given(invoices())
def test_the_xml_states_the_domains_figures_and_passes_the_rules(invoice):
    xml = FacturXDocuments().xml(invoice)
    same_figures(xml, invoice)
    assert failures(xml) == []


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(invoices())
def test_the_pdf_carries_the_same_xml(invoice):
    documents = FacturXDocuments()
    pdf = documents.pdf(invoice)
    assert pdf.startswith(b"%PDF-")
    assert get_facturx_xml_from_pdf(pdf, check_xsd=True) == ("factur-x.xml", documents.xml(invoice))
