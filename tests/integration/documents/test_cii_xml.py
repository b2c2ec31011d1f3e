"""The EN 16931 XML of every invoice shape passes the official rules and says what the domain says."""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from decimal import Decimal

import pytest
from facturx import xml_check_xsd

from application.ports.documents import InvoiceDocuments
from domain.billing.documents import is_creditor_reference
from domain.billing.invoices import Invoice
from domain.errors import InvalidState
from tests.integration.documents import shapes
from tests.integration.documents.cii_reading import NS, SETTLEMENT, Totals, VatGroup, one, parse, texts, totals
from tests.support.en16931 import facturx_failures, failures, validator_dir

AGREEMENT = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement"
LINES = "rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem"


def expected_totals(invoice: Invoice) -> Totals:
    """The domain's own figures, grouped per VAT category and rate as EN 16931 groups them."""
    taxable: dict[tuple[str, Decimal], Decimal] = defaultdict(Decimal)
    vat: dict[tuple[str, Decimal], Decimal] = defaultdict(Decimal)
    for subtotal in invoice.vat_breakdown:
        key = (subtotal.treatment.category, subtotal.treatment.rate)
        taxable[key] += subtotal.taxable
        vat[key] += subtotal.vat
    return Totals(lines=invoice.total_excl_vat, tax_basis=invoice.total_excl_vat, vat=invoice.vat,
                  grand=invoice.total, paid=invoice.amount_paid, due=invoice.total - invoice.amount_paid,
                  line_amounts=tuple(line.net_amount for line in invoice.lines),
                  groups=tuple(VatGroup(c, None if c == "O" else r, taxable[(c, r)], vat[(c, r)], None)
                               for c, r in taxable))


def same_figures(xml: bytes, invoice: Invoice) -> None:
    got, want = totals(xml), expected_totals(invoice)
    assert (got.lines, got.tax_basis, got.vat, got.grand, got.paid, got.due) == (
        want.lines, want.tax_basis, want.vat, want.grand, want.paid, want.due)
    assert got.line_amounts == want.line_amounts
    assert [(g.category, g.rate, g.taxable, g.vat) for g in got.groups] == [
        (g.category, g.rate, g.taxable, g.vat) for g in want.groups]


@pytest.mark.parametrize("shape", sorted(shapes.SHAPES))
def test_every_shape_passes_the_en16931_and_factur_x_rules_without_a_fatal_or_a_warning(documents, shape):
    invoice = shapes.SHAPES[shape]()
    xml = documents.xml(invoice)
    assert xml_check_xsd(xml, flavor="factur-x", level="en16931")
    assert failures(xml) == []
    assert facturx_failures(xml) == []
    same_figures(xml, invoice)


def test_the_adapter_is_the_port(documents):
    assert isinstance(documents, InvoiceDocuments)


def test_an_invoice_names_seller_buyer_dates_period_and_how_to_pay(documents):
    invoice = shapes.plain()
    root = parse(documents.xml(invoice))
    assert one(root, "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID") == \
        "urn:cen.eu:en16931:2017"
    assert one(root, "rsm:ExchangedDocument/ram:ID") == "INV-000042"
    assert one(root, "rsm:ExchangedDocument/ram:TypeCode") == "380"
    assert one(root, "rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString") == "20261201"
    seller = f"{AGREEMENT}/ram:SellerTradeParty"
    assert one(root, f"{seller}/ram:Name") == "Voltline Ladestrom GmbH"
    assert one(root, f"{seller}/ram:SpecifiedLegalOrganization/ram:ID") == "HRB 123456 B"
    assert one(root, f"{seller}/ram:SpecifiedTaxRegistration/ram:ID") == "DE123456789"
    assert one(root, f"{seller}/ram:PostalTradeAddress/ram:CityName") == "Berlin"
    assert one(root, f"{seller}/ram:URIUniversalCommunication/ram:URIID") == "billing@voltline.example"
    buyer = f"{AGREEMENT}/ram:BuyerTradeParty"
    assert one(root, f"{buyer}/ram:ID") == "cus_01"
    assert one(root, f"{buyer}/ram:Name") == "Müller & Søn Logistik AG"
    assert one(root, f"{buyer}/ram:SpecifiedTaxRegistration/ram:ID") == "DE987654321"
    assert one(root, f"{SETTLEMENT}/ram:InvoiceCurrencyCode") == "EUR"
    assert texts(root, f"{SETTLEMENT}/ram:BillingSpecifiedPeriod/*/udt:DateTimeString") == ["20261101", "20261130"]
    terms = f"{SETTLEMENT}/ram:SpecifiedTradePaymentTerms"
    assert one(root, f"{terms}/ram:DueDateDateTime/udt:DateTimeString") == "20261215"
    assert one(root, f"{terms}/ram:Description") == "Payable within 14 days, by 2026-12-15"
    means = f"{SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans"
    assert one(root, f"{means}/ram:TypeCode") == "58"
    assert one(root, f"{means}/ram:PayeePartyCreditorFinancialAccount/ram:IBANID") == "DE89370400440532013000"
    assert one(root, f"{means}/ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID") == "COBADEFFXXX"
    reference = one(root, f"{SETTLEMENT}/ram:PaymentReference")
    assert reference == invoice.payment_reference and is_creditor_reference(reference)


def test_each_line_names_its_session_its_day_and_the_units_of_recommendation_20(documents):
    invoice = shapes.every_dimension()
    root = parse(documents.xml(invoice))
    assert set(texts(root, f"{LINES}/ram:SpecifiedLineTradeDelivery/ram:BilledQuantity")) >= {"12.345", "1"}
    units = {node.get("unitCode") for node in root.iterfind(
        f"{LINES}/ram:SpecifiedLineTradeDelivery/ram:BilledQuantity", NS)}
    assert units == {"KWH", "HUR", "C62", "MON"}
    first = next(root.iterfind(LINES, NS))
    assert first.findtext("ram:SpecifiedLineTradeSettlement/ram:AdditionalReferencedDocument/ram:IssuerAssignedID",
                          namespaces=NS) == "ses_00000"
    assert first.findtext("ram:SpecifiedTradeProduct/ram:Description", namespaces=NS) == \
        "Depot Nord, charge point CP-1"
    assert texts(first, "ram:SpecifiedLineTradeSettlement/ram:BillingSpecifiedPeriod/*/udt:DateTimeString") == \
        ["20261103", "20261103"]


def test_a_line_that_takes_money_off_bills_a_negative_quantity_at_a_positive_price(documents):
    invoice = shapes.every_dimension()
    root = parse(documents.xml(invoice))
    names = [(item.findtext("ram:SpecifiedTradeProduct/ram:Name", namespaces=NS) or "", item)
             for item in root.iterfind(LINES, NS)]
    adjustment = next(item for name, item in names if name.startswith("Maximum"))
    assert adjustment.findtext("ram:SpecifiedLineTradeDelivery/ram:BilledQuantity", namespaces=NS) == "-1"
    assert adjustment.findtext("ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount",
                               namespaces=NS) == "0.75"
    assert adjustment.findtext("ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/"
                               "ram:LineTotalAmount", namespaces=NS) == "-0.75"


def test_payments_received_show_as_paid_and_leave_the_rest_due(documents):
    invoice = shapes.every_dimension()
    got = totals(documents.xml(invoice))
    assert got.paid == Decimal("20.00") and got.due == invoice.total - Decimal("20.00")


def test_mixed_vat_has_a_group_per_category_and_rate_and_the_exemption_reason(documents):
    invoice = shapes.mixed_vat()
    groups = totals(documents.xml(invoice)).groups
    assert [(g.category, g.rate) for g in groups] == [("E", 0), ("S", 7), ("S", 19), ("Z", 0)]
    assert groups[0].reason == "Exempt under § 4 Nr. 8 UStG" and groups[0].vat == 0
    assert groups[1].vat == Decimal("0.69") and groups[1].taxable == Decimal("9.90")


def test_two_exemption_reasons_make_one_exempt_group_that_gives_both(documents):
    groups = totals(documents.xml(shapes.two_exemption_reasons())).groups
    assert [(g.category, g.reason) for g in groups] == [("E", "Exempt under § 4 Nr. 8 UStG; Exempt: charity site")]


def test_not_subject_to_vat_names_no_vat_id_and_no_rate(documents):
    root = parse(documents.xml(shapes.not_subject()))
    assert texts(root, f"{AGREEMENT}/*/ram:SpecifiedTaxRegistration/ram:ID") == []
    assert texts(root, f"{AGREEMENT}/ram:SellerTradeParty/ram:SpecifiedLegalOrganization/ram:ID") == ["HRB 123456 B"]
    assert texts(root, f"{SETTLEMENT}/ram:ApplicableTradeTax/ram:RateApplicablePercent") == []
    assert texts(root, f"{LINES}/ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:RateApplicablePercent") \
        == []
    assert texts(root, f"{SETTLEMENT}/ram:ApplicableTradeTax/ram:ExemptionReason") == ["Not subject to VAT"]


def test_reverse_charge_names_the_buyers_vat_id_and_says_why(documents):
    root = parse(documents.xml(shapes.reverse_charge()))
    assert one(root, f"{AGREEMENT}/ram:BuyerTradeParty/ram:SpecifiedTaxRegistration/ram:ID") == "FR40303265045"
    assert one(root, f"{SETTLEMENT}/ram:ApplicableTradeTax/ram:CategoryCode") == "AE"
    assert one(root, f"{SETTLEMENT}/ram:ApplicableTradeTax/ram:ExemptionReason") == "Reverse charge"
    assert one(root, f"{SETTLEMENT}/ram:ApplicableTradeTax/ram:CalculatedAmount") == "0.00"


def test_an_intra_community_supply_names_the_country_delivered_to(documents):
    root = parse(documents.xml(shapes.intra_community()))
    delivery = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeDelivery/ram:ShipToTradeParty"
    assert one(root, f"{delivery}/ram:PostalTradeAddress/ram:CountryID") == "FR"


def test_a_buyer_without_address_is_placed_in_the_sellers_country_and_nothing_more(documents):
    root = parse(documents.xml(shapes.buyer_without_address()))
    address = f"{AGREEMENT}/ram:BuyerTradeParty/ram:PostalTradeAddress"
    assert [node.tag.split("}")[1] for node in root.find(address, NS)] == ["CountryID"]
    assert one(root, f"{address}/ram:CountryID") == "DE"


def test_yen_amounts_have_no_decimals_and_a_vat_id_gets_its_country_prefix(documents):
    invoice = shapes.yen()
    xml = documents.xml(invoice)
    got = totals(xml)
    assert all("." not in str(amount) for amount in (*got.line_amounts, got.grand, got.vat, got.due))
    assert got.grand == invoice.total
    root = parse(xml)
    assert one(root, f"{AGREEMENT}/ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID") == "JPT1234567890123"


def test_pounds_go_by_credit_transfer_and_a_seller_without_account_gives_only_terms(documents):
    root = parse(documents.xml(shapes.pound_sterling()))
    assert one(root, f"{SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode") == "30"
    root = parse(documents.xml(shapes.seller_without_bank_account()))
    assert texts(root, f"{SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode") == []
    assert one(root, f"{SETTLEMENT}/ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString") \
        == "20261215"


@pytest.mark.parametrize("shape", ["credit_note_by_amount", "credit_note_by_lines"])
def test_a_credit_note_is_a_381_that_names_the_invoice_it_corrects(documents, shape):
    note = shapes.SHAPES[shape]()
    root = parse(documents.xml(note))
    assert one(root, "rsm:ExchangedDocument/ram:TypeCode") == "381"
    assert one(root, "rsm:ExchangedDocument/ram:ID") == "CN-000007"
    assert one(root, f"{SETTLEMENT}/ram:InvoiceReferencedDocument/ram:IssuerAssignedID") == "INV-000042"
    assert one(root, "rsm:ExchangedDocument/ram:IncludedNote/ram:Content") == note.reason
    assert texts(root, f"{SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode") == []
    assert one(root, f"{SETTLEMENT}/ram:SpecifiedTradePaymentTerms/ram:Description") == \
        "Credited against invoice INV-000042"
    assert totals(documents.xml(note)).grand == note.total > 0


def test_the_same_invoice_gives_the_same_bytes(documents):
    assert documents.xml(shapes.mixed_vat()) == documents.xml(shapes.mixed_vat())


def test_a_draft_has_no_documents(documents):
    draft = shapes.session_lines(shapes.draft(), 1)
    with pytest.raises(InvalidState, match="draft"):
        documents.xml(draft)
    with pytest.raises(InvalidState, match="draft"):
        documents.pdf(draft)


def test_limits_of_en16931_three_decimal_currencies_keep_exact_amounts_and_are_flagged(documents):
    """EN 16931 allows two decimals in amounts (BR-DEC-*): a Kuwaiti-dinar invoice keeps its exact fils
    (the PDF needs no more), and the rules flag only decimals and the sums they re-add at two decimals."""
    invoice = shapes.kuwaiti_dinar()
    xml = documents.xml(invoice)
    assert totals(xml).grand == invoice.total and invoice.total.as_tuple().exponent == -3
    rules = {f.rule for f in failures(xml)}
    assert rules and all(r.startswith("BR-DEC-") or r in {"BR-CO-10", "BR-CO-13", "BR-O-08"} for r in rules), rules


def test_limits_of_en16931_not_subject_to_vat_cannot_share_an_invoice(documents):
    """BR-O-11/12: lines "not subject to VAT" may not sit beside taxed ones. The organization's setting
    for tariffs without VAT must then be exempt (E), which may; this pins what the rules say otherwise."""
    invoice = shapes.session_lines(shapes.draft(), 1)
    shapes.session_lines(invoice, 1, vat=shapes.NOT_SUBJECT_VAT)
    rules = {f.rule for f in failures(documents.xml(shapes.finalize(invoice))) if f.flag == "fatal"}
    assert {"BR-O-11", "BR-O-12"} <= rules


def test_the_official_script_agrees(documents, tmp_path):
    """validate.py itself (a process of its own), on two documents: 0 fatal, 0 warnings."""
    paths = []
    for name in ("mixed_vat", "credit_note_by_amount"):
        path = tmp_path / f"{name}.xml"
        path.write_bytes(documents.xml(shapes.SHAPES[name]()))
        paths.append(str(path))
    result = subprocess.run([sys.executable, str(validator_dir() / "validate.py"), *paths],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert [line.rsplit(": ", 1)[1] for line in result.stdout.splitlines()] == ["0 fatal, 0 warnings"] * 2


def test_a_missing_validator_fails_with_where_to_put_it(monkeypatch, tmp_path):
    monkeypatch.setenv("CHARGE_EN16931_VALIDATOR", str(tmp_path / "nowhere"))
    with pytest.raises(AssertionError, match="CHARGE_EN16931_VALIDATOR=/path/to/it"):
        validator_dir()


def test_a_seller_known_by_neither_vat_id_nor_registration_is_identified_by_its_organization(documents):
    """BR-CO-26 wants the seller identified (BT-29, BT-30 or BT-31); a "not subject to VAT" invoice drops
    the VAT id (BR-O-02), so without a registration number the organization's id identifies it."""
    seller = shapes.Party(name="Stadtwerke Ladepunkt e.V.", address=shapes.SELLER.address,
                          vat_id="DE123456789", iban=shapes.SELLER.iban)
    invoice = shapes.finalize(shapes.session_lines(shapes.draft(), 2, vat=shapes.NOT_SUBJECT_VAT), seller=seller)
    xml = documents.xml(invoice)
    assert failures(xml) == []
    assert one(parse(xml), f"{AGREEMENT}/ram:SellerTradeParty/ram:ID") == "org_01"
