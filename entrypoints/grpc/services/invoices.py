"""InvoiceService: invoices and credit notes, read as over REST."""

from __future__ import annotations

import grpc

from application.ports.billing import InvoiceFilter
from domain.billing.invoices import InvoiceKind, InvoiceStatus
from domain.billing.periods import BillingPeriod
from entrypoints.grpc import messages as m
from entrypoints.grpc.calls import caller
from entrypoints.grpc.generated.charge.v1 import invoices_pb2, invoices_pb2_grpc
from entrypoints.grpc.services.base import Door


class InvoiceService(invoices_pb2_grpc.InvoiceServiceServicer):
    def __init__(self, door: Door) -> None:
        self.door = door

    async def ListInvoices(self, request: invoices_pb2.ListInvoicesRequest,
                           context: grpc.aio.ServicerContext) -> invoices_pb2.ListInvoicesResponse:
        c = caller()
        period = BillingPeriod.month(request.period) if request.period else None
        status = m.enum_value(request.status, m.INVOICE_STATUSES, "status")
        kind = m.enum_value(request.kind, m.INVOICE_KINDS, "kind")
        filters = InvoiceFilter(customer_id=m.optional(request.customer_id, "customer_id"),
                                status=InvoiceStatus(status) if status else None,
                                kind=InvoiceKind(kind) if kind else None,
                                period_start=period.start if period else None,
                                period_end=period.end if period else None)
        found = await self.door.use_cases.list_invoices(c.actor, c.organization_id, filters,
                                                        m.page(request.page_size, request.page_token))
        return invoices_pb2.ListInvoicesResponse(invoices=[m.invoice(i) for i in found.items],
                                                 next_page_token=m.next_token(found))

    async def GetInvoice(self, request: invoices_pb2.GetInvoiceRequest,
                         context: grpc.aio.ServicerContext) -> invoices_pb2.GetInvoiceResponse:
        c = caller()
        invoice_id = m.object_id(request.invoice_id, "invoice_id", "invc", "invoice")
        detail = await self.door.use_cases.get_invoice(invoice_id, c.actor, c.organization_id)
        return invoices_pb2.GetInvoiceResponse(invoice=m.invoice(detail.invoice, detail.credit_notes))
