"""Invoice documents as recognisable bytes: the ``InvoiceDocuments`` port's fake, for tests, and wired until the
EN 16931 / Factur-X adapter (branch i10docs) is merged. Its PDF starts with ``%PDF-`` and names the invoice;
its XML is well-formed and names it too. It is no invoice document: it validates nothing."""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from domain.billing.invoices import Invoice


class FakeInvoiceDocuments:
    def xml(self, invoice: Invoice) -> bytes:
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n<fake-invoice id={quoteattr(invoice.id)} '
                f'number={quoteattr(invoice.number or "")} total={quoteattr(str(invoice.total))}/>\n').encode()

    def pdf(self, invoice: Invoice) -> bytes:
        return (f"%PDF-1.7\n% fake invoice {invoice.number or invoice.id} {invoice.total} {invoice.currency}\n"
                "%%EOF\n").encode()
