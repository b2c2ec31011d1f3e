"""Invoice documents: time to make the EN 16931 XML and the Factur-X PDF of one invoice, on one core.

A driver's month (20 sessions, energy and time lines: 40 lines), a busy driver or a small fleet (100
sessions with a session fee: 300 lines) and a fleet's month (500 sessions: 1,500 lines), all at 19 %
VAT in EUR, built with the test suite's shapes. ``xml`` includes the check against the Factur-X
EN 16931 schema (XSD) the adapter runs on every document; ``pdf`` includes the XML, the page layout,
font subsetting and the PDF/A-3 wrapping. Each figure is the best of 5 runs; the first run of the
process (fonts read, schema compiled) is reported apart.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal

from adapters.documents import FacturXDocuments
from domain.billing.invoices import Invoice
from tests.integration.documents import shapes

TITLE = "Invoice documents"
RUNS = 5


def _invoice(sessions: int, flat: Decimal | None) -> Callable[[], Invoice]:
    return lambda: shapes.finalize(shapes.session_lines(shapes.draft(), sessions, flat=flat))


def _best(work: Callable[[], bytes]) -> tuple[float, int]:
    best, size = float("inf"), 0
    for _ in range(RUNS):
        start = time.perf_counter()
        size = len(work())
        best = min(best, time.perf_counter() - start)
    return best, size


def run() -> list[dict[str, object]]:
    documents = FacturXDocuments()
    start = time.perf_counter()
    documents.pdf(_invoice(1, None)())
    first = time.perf_counter() - start
    rows: list[dict[str, object]] = []
    for label, sessions, flat in (("driver's month", 20, None), ("small fleet", 100, Decimal("0.35")),
                                  ("fleet's month", 500, Decimal("0.35"))):
        invoice = _invoice(sessions, flat)()
        xml_s, xml_bytes = _best(lambda invoice=invoice: documents.xml(invoice))
        pdf_s, pdf_bytes = _best(lambda invoice=invoice: documents.pdf(invoice))
        rows.append({"invoice": label, "sessions": sessions, "lines": len(invoice.lines),
                     "xml ms": f"{xml_s * 1000:.0f}", "xml KiB": f"{xml_bytes / 1024:.0f}",
                     "pdf ms": f"{pdf_s * 1000:.0f}", "pdf KiB": f"{pdf_bytes / 1024:.0f}",
                     "pdf ms per line": f"{pdf_s * 1000 / len(invoice.lines):.2f}"})
    rows.append({"invoice": "first pdf of the process (1 session)", "sessions": 1, "lines": 1, "xml ms": "",
                 "xml KiB": "", "pdf ms": f"{first * 1000:.0f}", "pdf KiB": "", "pdf ms per line": ""})
    return rows
