"""The PDF is a Factur-X PDF/A-3b: the page a customer reads, the XML inside it, the metadata that says so.

veraPDF (the reference PDF/A validator, a Java program) cannot be installed here, so the PDF/A-3 rules
that matter for this document are checked one by one on the file itself: the XMP identification, the
sRGB output intent, every font embedded, the associated file and its relationship, no encryption.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from facturx import get_facturx_xml_from_pdf, get_level
from facturx.facturx import FACTURX_LEVEL2xmp
from fpdf import FPDF
from lxml import etree
from pypdf import PdfReader
from pypdf.generic import ArrayObject, ContentStream, DictionaryObject

from adapters.documents.cii import issued_parts
from adapters.documents.pdf import FALLBACK, FONTS, render
from adapters.documents.table import string_width
from tests.integration.documents import shapes

XMP = {"pdfaid": "http://www.aiim.org/pdfa/ns/id/", "fx": "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#",
       "xmp": "http://ns.adobe.com/xap/1.0/", "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
       "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "dc": "http://purl.org/dc/elements/1.1/"}


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf), strict=True)


def text_of(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in reader(pdf).pages]


def xmp_of(pdf: bytes) -> etree._Element:
    metadata = reader(pdf).trailer["/Root"]["/Metadata"].get_object().get_data()
    return etree.fromstring(metadata.split(b"?>", 1)[1].rsplit(b"<?xpacket", 1)[0])


def xmp_value(root: etree._Element, path: str) -> str:
    found = root.xpath(f"string(//{path})", namespaces=XMP)
    assert isinstance(found, str)
    return found


@pytest.fixture(scope="module")
def mixed(documents):
    invoice = shapes.mixed_vat()
    return invoice, documents.pdf(invoice)


def test_it_is_a_pdf_with_the_invoice_xml_inside(documents, mixed):
    invoice, pdf = mixed
    assert pdf.startswith(b"%PDF-1.7")
    name, xml = get_facturx_xml_from_pdf(pdf, check_xsd=True)
    assert name == "factur-x.xml"
    assert xml == documents.xml(invoice)


def test_the_xmp_declares_pdfa3b_and_the_factur_x_profile_of_the_xml(mixed):
    _, pdf = mixed
    root = xmp_of(pdf)
    assert xmp_value(root, "pdfaid:part") == "3"
    assert xmp_value(root, "pdfaid:conformance") == "B"
    _, xml = get_facturx_xml_from_pdf(pdf, check_xsd=False)
    assert xmp_value(root, "fx:ConformanceLevel") == FACTURX_LEVEL2xmp[get_level(etree.fromstring(xml))] == "EN 16931"
    assert xmp_value(root, "fx:DocumentType") == "INVOICE"
    assert xmp_value(root, "fx:DocumentFileName") == "factur-x.xml"
    assert xmp_value(root, "fx:Version") == "1.0"
    # The PDF/A extension schema that makes the fx: properties legal in PDF/A.
    assert xmp_value(root, "pdfaSchema:namespaceURI") == XMP["fx"]
    assert xmp_value(root, "pdfaSchema:prefix") == "fx"
    assert xmp_value(root, "xmp:CreateDate") == "2026-12-01T08:00:00+00:00"
    assert xmp_value(root, "dc:title/rdf:Alt/rdf:li") == "Invoice INV-000042"
    descriptions = root.xpath("//rdf:Description", namespaces=XMP)
    assert descriptions and all(d.get(f"{{{XMP['rdf']}}}about") == "" for d in descriptions)


def test_the_xml_is_an_associated_file_with_relationship_alternative(mixed):
    _, pdf = mixed
    catalog = reader(pdf).trailer["/Root"]
    associated = catalog["/AF"]
    assert isinstance(associated, ArrayObject) and len(associated) == 1
    spec = associated[0].get_object()
    assert spec["/AFRelationship"] == "/Alternative"
    assert spec["/F"] == spec["/UF"] == "factur-x.xml"
    stream = spec["/EF"]["/F"].get_object()
    assert stream["/Subtype"] == "/text/xml"
    assert "/ModDate" in stream["/Params"]
    names = catalog["/Names"]["/EmbeddedFiles"]["/Names"]
    assert names[0] == "factur-x.xml" and names[1].get_object() == spec


def test_pdfa_essentials_output_intent_embedded_fonts_no_encryption(mixed):
    _, pdf = mixed
    document = reader(pdf)
    trailer, catalog = document.trailer, document.trailer["/Root"]
    assert "/Encrypt" not in trailer and "/ID" in trailer
    intents = catalog["/OutputIntents"]
    assert [intent.get_object()["/S"] for intent in intents] == ["/GTS_PDFA1"]
    profile = intents[0].get_object()["/DestOutputProfile"].get_object()
    assert profile["/N"] == 3 and profile.get_data()[36:40] == b"acsp"       # an ICC profile, RGB
    fonts = 0
    for page in document.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            assert font["/Subtype"] == "/Type0"                                 # no standard-14 font
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor                                   # the glyphs are in the file
            assert "/ToUnicode" in font                                         # and the text extractable
            fonts += 1
    assert fonts
    assert "/JavaScript" not in str(catalog.get("/Names", DictionaryObject()))


def test_the_page_shows_what_a_customer_and_an_accountant_need(mixed):
    invoice, pdf = mixed
    first = text_of(pdf)[0]
    whole = "\n".join(text_of(pdf))
    for expected in ("Voltline Ladestrom GmbH", "Friedrichstraße 12", "VAT ID: DE123456789",
                     "Registration: HRB 123456 B", "INVOICE", "INV-000042", "Issue date", "2026-12-01",
                     "Due date", "2026-12-15",
                     "Service period", "2026-11-01 – 2026-11-30", "Müller & Søn Logistik AG", "VAT ID: DE987654321",
                     "Customer number", "cus_01", "Charging sessions (6)", "2026-11-03 18:42", "Depot Nord", "CP-1"):
        assert expected in first, expected
    for expected in ("Lines", "Parking permit, November", "VAT summary", "19 % S", "7 % S", "0 % Z", "0 % E",
                     "Exempt under § 4 Nr. 8 UStG", "Total excl. VAT", "Total incl. VAT", "Amount due",
                     f"{invoice.total:,.2f} EUR", "IBAN", "DE89 3704 0044 0532 0130 00", "BIC", "COBADEFFXXX",
                     "Reference", "RF29 INV0 0004 2"):
        assert expected in whole, expected


@pytest.mark.parametrize(("shape", "names"), [
    ("plain", ["Müller & Søn Logistik AG"]),
    ("buyer_without_vat_id", ["Łukasz Żółć-Straße", "ul. Długa 7", "Warszawa"]),
    ("reverse_charge", ["Transports Éléonore SARL", "12 rue de l'Église", "Reverse charge"]),
    ("buyer_without_address", ["陈伟 (Chen Wei)"]),
    ("yen", ["ボルトライン株式会社 (Voltline KK)", "山田運輸株式会社", "東京駅 地下駐車場", "3,106 JPY"]),
])
def test_names_in_any_script_render_with_real_glyphs_and_extract_as_written(documents, shape, names):
    invoice = shapes.SHAPES[shape]()
    page = render(invoice, issued_parts(invoice))
    page.output()
    assert all(not font.missing_glyphs for font in page.fonts.values())       # no character drawn as a box
    whole = "\n".join(text_of(documents.pdf(invoice)))
    for name in names:
        assert name in whole, name


@pytest.mark.parametrize("shape", ["yen", "buyer_without_address", "mixed_vat", "paid"])
def test_every_text_operator_draws_with_a_font(documents, shape):
    """Each text-showing operator runs with a font selected in its graphics state (q/Q saves and
    restores it): a viewer otherwise draws nothing, or the wrong glyphs ("No font in show")."""
    document = reader(documents.pdf(shapes.SHAPES[shape]()))
    shown = 0
    for page in document.pages:
        fonts: list[object] = [None]
        for operands, operator in ContentStream(page.get_contents(), document).operations:
            if operator == b"q":
                fonts.append(fonts[-1])
            elif operator == b"Q":
                fonts.pop()
            elif operator == b"Tf":
                fonts[-1] = operands[0]
            elif operator in (b"Tj", b"TJ", b"'", b'"'):
                assert fonts[-1] is not None, f"text {operands!r} shown with no font"
                shown += 1
    assert shown > 50


def test_the_cjk_font_is_embedded_only_when_a_character_needs_it(documents):
    def font_names(pdf: bytes) -> set[str]:
        return {str(font.get_object()["/BaseFont"]) for page in reader(pdf).pages
                for font in page["/Resources"]["/Font"].values()}
    assert not any(FALLBACK.lower() in name.lower() or "droid" in name.lower()
                   for name in font_names(documents.pdf(shapes.plain())))
    assert any("droid" in name.lower() for name in font_names(documents.pdf(shapes.buyer_without_address())))


def test_five_hundred_sessions_run_over_pages_with_the_table_headings_on_each(documents):
    invoice = shapes.many_sessions()
    pages = text_of(documents.pdf(invoice))
    assert len(pages) > 20
    for number, text in enumerate(pages, start=1):
        assert f"INV-000042 · page {number} of {len(pages)}" in text
        if number > 1:
            assert text.startswith("Invoice INV-000042 · Voltline Ladestrom GmbH")
    with_sessions = [t for t in pages if "ses_" in t or "Depot Nord" in t]
    with_lines = [t for t in pages if "Energy (2026-" in t]
    assert len(with_sessions) > 5 and len(with_lines) > 10
    assert all("Started (local time)" in t for t in with_sessions)
    assert all("Description" in t and "Quantity" in t for t in with_lines)
    whole = "\n".join(pages)
    assert "Charging sessions (500)" in whole
    assert whole.count("Session fee (") == 500


@pytest.mark.parametrize(("status", "stamp", "says"), [
    ("paid", "PAID", "Paid in full. Thank you."),
    ("void", "VOID", "This invoice is void: nothing is due."),
    ("uncollectible", "UNCOLLECTIBLE", "This invoice was written off as uncollectible."),
])
def test_a_closed_invoice_is_stamped_on_every_page_and_says_so(documents, status, stamp, says):
    invoice = shapes.plain()
    later = shapes.FINALIZED_AT + timedelta(days=3)
    if status == "paid":
        shapes.pay(invoice, invoice.total)
    elif status == "void":
        invoice.void(later)
    else:
        invoice.mark_uncollectible(later)
    pdf = documents.pdf(invoice)
    pages = text_of(pdf)
    assert all(stamp in page for page in pages)
    assert says in "\n".join(pages)
    assert "Please transfer" not in "\n".join(pages)
    modified = xmp_value(xmp_of(pdf), "xmp:ModifyDate")
    assert modified == invoice.closed_at.strftime("%Y-%m-%dT%H:%M:%S+00:00") != "2026-12-01T08:00:00+00:00"


def test_an_open_invoice_has_no_stamp_and_asks_for_payment(mixed):
    invoice, pdf = mixed
    whole = "\n".join(text_of(pdf))
    assert "PAID" not in whole and "VOID" not in whole
    assert f"Please transfer {invoice.amount_due:,.2f} EUR by 2026-12-15 to:" in whole


def test_a_credit_note_says_so_and_names_the_invoice_it_corrects(documents):
    note = shapes.credit_note_by_amount()
    pdf = documents.pdf(note)
    whole = "\n".join(text_of(pdf))
    for expected in ("CREDIT NOTE", "CN-000007", "Corrects invoice", "This credit note corrects invoice INV-000042.",
                     "Reason: Goodwill: charger out of order", "credited against invoice INV-000042"):
        assert expected in whole, expected
    assert "Amount due" not in whole and "Please transfer" not in whole
    assert xmp_value(xmp_of(pdf), "dc:title/rdf:Alt/rdf:li") == "Credit note CN-000007"
    assert get_facturx_xml_from_pdf(pdf)[1] == documents.xml(note)


def test_the_same_invoice_gives_the_same_bytes_and_a_payment_changes_them(documents):
    first, again = documents.pdf(shapes.every_dimension()), documents.pdf(shapes.every_dimension())
    assert first == again
    more = shapes.pay(shapes.every_dimension(), shapes.every_dimension().amount_due, id="pay_02")
    assert documents.pdf(more) != first


def test_widths_measured_from_the_font_equal_fpdf2s(tmp_path):
    pdf = FPDF()
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_page()
    for size in (7.6, 9):
        pdf.set_font("DejaVu", "", size)
        for text in ("Energy (2026-11-03)", "1,234.56", "Müller & Søn", "Łukasz Żółć", ""):
            assert string_width(pdf, text) == pytest.approx(pdf.get_string_width(text), abs=1e-9)
