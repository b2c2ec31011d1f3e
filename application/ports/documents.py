"""Invoice documents: the EN 16931 XML and the Factur-X PDF of an issued invoice or credit note."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from domain.billing.invoices import Invoice


@runtime_checkable
class InvoiceDocuments(Protocol):
    """Renders a finalized invoice or credit note (a draft has no number, no date and no parties yet:
    both methods raise ``InvalidState`` for one).

    Both are pure and deterministic: the same invoice (lines, parties, payments, status) gives the same
    bytes, so they can be cached and compared. They are CPU work (a long invoice's PDF takes a while):
    call them off the event loop, e.g. ``await asyncio.to_thread(documents.pdf, invoice)``.
    """

    def xml(self, invoice: Invoice) -> bytes:
        """The EN 16931 invoice as UN/CEFACT Cross Industry Invoice (CII D16B) XML, UTF-8."""
        ...

    def pdf(self, invoice: Invoice) -> bytes:
        """The printable invoice as a Factur-X (ZUGFeRD 2) PDF/A-3b with ``xml(invoice)`` embedded."""
        ...
