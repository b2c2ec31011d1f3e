"""Invoice documents: EN 16931 CII XML and the Factur-X PDF/A-3b that carries it (factur-x, fpdf2)."""

from __future__ import annotations

from adapters.documents.cii import cii_xml, issued_parts
from adapters.documents.facturx import document_title, factur_x
from adapters.documents.pdf import render
from domain.billing.invoices import Invoice

__all__ = ["FacturXDocuments"]


class FacturXDocuments:
    """The ``InvoiceDocuments`` port: ``xml`` is the EN 16931 invoice, ``pdf`` the page with it inside.

    ``validate`` checks every XML against the Factur-X EN 16931 schema (XSD) as it is made: on by
    default, a mistake in the mapping fails loudly rather than leave with the customer.
    """

    def __init__(self, *, validate: bool = True) -> None:
        self._validate = validate

    def xml(self, invoice: Invoice) -> bytes:
        return cii_xml(invoice, validate=self._validate)

    def pdf(self, invoice: Invoice) -> bytes:
        issued = issued_parts(invoice)
        xml = self.xml(invoice)
        return factur_x(render(invoice, issued), xml, invoice, title=document_title(invoice),
                        author=issued.seller.name)
