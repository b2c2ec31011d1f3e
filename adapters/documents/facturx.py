"""Factur-X: the invoice page made PDF/A-3b, with its CII XML attached as ``factur-x.xml``.

fpdf2 writes the PDF/A-3b file itself (embedded fonts, the sRGB output intent, the associated file
listed in the catalogue's /AF with AFRelationship /Alternative); the XMP metadata comes from the
factur-x library's own builder (``pdfaid`` part 3 conformance B, the Factur-X extension schema, the
profile "EN 16931"), given the invoice's dates instead of the clock's so the same invoice always
gives the same bytes.
"""

from __future__ import annotations

from datetime import UTC, datetime

from facturx import generate_xmp_object
from fpdf import FPDF
from fpdf import __version__ as fpdf_version
from lxml import etree

from domain.billing.invoices import Invoice, InvoiceKind

XML_NAME = "factur-x.xml"
PROFILE = "EN 16931"                     # the Factur-X conformance level of the XML
FACTURX_URN = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
RELATIONSHIP = "Alternative"             # Factur-X: the XML is another form of what the page shows
PRODUCER = f"Charge (fpdf2 {fpdf_version})"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def factur_x(page: FPDF, xml: bytes, invoice: Invoice, *, title: str, author: str) -> bytes:
    """``page`` written out as a Factur-X PDF/A-3b carrying ``xml``, dated by the invoice."""
    created, modified = document_dates(invoice)
    page.set_creation_date(created)
    page.set_title(title)
    page.set_author(author)
    page.set_subject(f"{title}, issued by {author}")
    page.set_producer(PRODUCER)
    page.set_creator(PRODUCER)
    page.set_lang("en")
    page.set_xmp_metadata(_xmp(title=title, author=author, created=created, modified=modified))
    page.embed_file(bytes=xml, basename=XML_NAME, desc="Factur-X invoice (EN 16931 CII XML)",
                    mime_type="text/xml", associated_file_relationship=RELATIONSHIP,
                    creation_date=created, modification_date=modified, compress=True, checksum=True)
    page.page_mode = "USE_ATTACHMENTS"
    return bytes(page.output())


def document_dates(invoice: Invoice) -> tuple[datetime, datetime]:
    """When the document was made (its finalization) and last changed (paid, voided or written off)."""
    created = invoice.finalized_at or invoice.created_at
    modified = invoice.closed_at if invoice.closed_at and invoice.closed_at > created else created
    return created.astimezone(UTC), modified.astimezone(UTC)


def _xmp(*, title: str, author: str, created: datetime, modified: datetime) -> str:
    built = generate_xmp_object({
        "pdfa3_flavor": "B", "title": title, "author": author, "subject": f"{title}, issued by {author}",
        "producer": PRODUCER, "creator_tool": PRODUCER, "timestamp": _xmp_date(created),
        "urn": FACTURX_URN, "documenttype": "INVOICE", "xml_filename": XML_NAME, "version": "1.0",
        "xmp_level": PROFILE,
    })
    # The builder stamps one instant for both dates; a paid invoice was last modified when it was paid.
    root = etree.fromstring(etree.tostring(built))       # a plain tree (the builder's is objectified)
    modify = root.find(".//{http://ns.adobe.com/xap/1.0/}ModifyDate")
    if modify is not None:
        modify.text = _xmp_date(modified)
    for description in root.iter(f"{{{RDF}}}Description"):
        description.set(f"{{{RDF}}}about", "")             # required by the XMP specification
    xmp: str = etree.tostring(root, encoding="unicode")
    return xmp


def _xmp_date(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def document_title(invoice: Invoice) -> str:
    word = "Credit note" if invoice.kind is InvoiceKind.CREDIT_NOTE else "Invoice"
    return f"{word} {invoice.number}"
