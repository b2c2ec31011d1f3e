"""Billing: customers and balances, the ledger, invoices and credit notes with their documents, invoice runs."""

from __future__ import annotations

from decimal import Decimal

from starlette.responses import Response

from application.customers import CustomerDetails
from application.invoices import CreditNoteRequest, PaymentReceived
from application.pagination import Page
from application.ports.billing import InvoiceFilter, TransactionFilter
from domain.billing.customers import Customer
from domain.billing.invoices import Invoice
from domain.billing.ledger import LedgerTransaction
from domain.billing.periods import BillingPeriod
from domain.errors import FieldError, InvalidInput
from domain.money import parse_decimal
from entrypoints.rest.billing_shapes import (
    BalanceOut,
    CreditNoteBody,
    CustomerBody,
    CustomerOut,
    InvoiceOut,
    InvoiceQuery,
    InvoiceRunBody,
    InvoiceRunOut,
    PaymentBody,
    TransactionOut,
    TransactionQuery,
    TrialBalanceOut,
    TrialBalanceQuery,
)
from entrypoints.rest.endpoint import Call, Endpoint

TAG = "Billing"


def _details(body: CustomerBody) -> CustomerDetails:
    return CustomerDetails(name=body.name, email=body.email,
                           billing_address=body.billing_address.address() if body.billing_address else None,
                           tax_id=body.tax_id, currency=body.currency, payment_terms_days=body.payment_terms_days,
                           invoice_delivery=body.invoice_delivery)


async def create_customer(call: Call) -> CustomerOut:
    customer = await call.use_cases.create_customer(_details(call.body), call.caller, call.organization_id)
    return CustomerOut.of(customer)


async def list_customers(call: Call) -> Page[CustomerOut]:
    page: Page[Customer] = await call.use_cases.list_customers(call.caller, call.organization_id, call.page)
    return page.map(CustomerOut.of)


async def get_customer(call: Call) -> CustomerOut:
    return CustomerOut.of(await call.use_cases.get_customer(call.ids["customer_id"], call.caller,
                                                            call.organization_id))


async def update_customer(call: Call) -> CustomerOut:
    customer = await call.use_cases.update_customer(call.ids["customer_id"], _details(call.body), call.caller,
                                                    call.organization_id)
    return CustomerOut.of(customer)


async def customer_balance(call: Call) -> BalanceOut:
    return BalanceOut.of(await call.use_cases.customer_balance(call.ids["customer_id"], call.caller,
                                                               call.organization_id))


async def list_transactions(call: Call) -> Page[TransactionOut]:
    q: TransactionQuery = call.query
    filters = TransactionFilter(customer_id=q.customer_id, session_id=q.session_id, invoice_id=q.invoice_id,
                                account=q.account, posted_from=q.posted_from, posted_to=q.posted_to)
    page: Page[LedgerTransaction] = await call.use_cases.list_transactions(call.caller, call.organization_id,
                                                                           filters, call.page)
    return page.map(TransactionOut.of)


async def trial_balance(call: Call) -> TrialBalanceOut:
    q: TrialBalanceQuery = call.query
    return TrialBalanceOut.of(await call.use_cases.trial_balance(call.caller, call.organization_id, q.at))


async def list_invoices(call: Call) -> Page[InvoiceOut]:
    q: InvoiceQuery = call.query
    period = BillingPeriod.month(q.period) if q.period is not None else None
    filters = InvoiceFilter(customer_id=q.customer_id, status=q.status, kind=q.kind,
                            period_start=period.start if period else None, period_end=period.end if period else None)
    page: Page[Invoice] = await call.use_cases.list_invoices(call.caller, call.organization_id, filters, call.page)
    return page.map(InvoiceOut.of)


async def get_invoice(call: Call) -> InvoiceOut:
    detail = await call.use_cases.get_invoice(call.ids["invoice_id"], call.caller, call.organization_id)
    return InvoiceOut.of(detail.invoice, detail.credit_notes)


async def invoice_pdf(call: Call) -> Response:
    invoice, content = await call.use_cases.invoice_document(call.ids["invoice_id"], "pdf", call.caller,
                                                             call.organization_id)
    name = invoice.number or invoice.id
    return Response(content, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}.pdf"'})


async def invoice_xml(call: Call) -> Response:
    _, content = await call.use_cases.invoice_document(call.ids["invoice_id"], "xml", call.caller,
                                                       call.organization_id)
    return Response(content, media_type="application/xml")


async def finalize_invoice(call: Call) -> InvoiceOut:
    return InvoiceOut.of((await call.use_cases.finalize_invoice(call.ids["invoice_id"], call.caller,
                                                                call.organization_id)).invoice)


async def void_invoice(call: Call) -> InvoiceOut:
    return InvoiceOut.of((await call.use_cases.void_invoice(call.ids["invoice_id"], call.caller,
                                                            call.organization_id)).invoice)


async def mark_uncollectible(call: Call) -> InvoiceOut:
    return InvoiceOut.of((await call.use_cases.mark_uncollectible(call.ids["invoice_id"], call.caller,
                                                                  call.organization_id)).invoice)


async def record_payment(call: Call) -> InvoiceOut:
    body: PaymentBody = call.body
    amount = parse_decimal(body.amount.amount, "amount.amount", max_decimals=4)
    cmd = PaymentReceived(amount=amount, currency=body.amount.currency, received_on=body.date,
                          reference=body.reference)
    detail = await call.use_cases.record_payment(call.ids["invoice_id"], cmd, call.caller, call.organization_id)
    return InvoiceOut.of(detail.invoice)


async def issue_credit_note(call: Call) -> InvoiceOut:
    body: CreditNoteBody = call.body
    if (body.amount is None) == (body.lines is None):
        raise InvalidInput([FieldError("amount", "give either `amount` or `lines`")])
    amount = parse_decimal(body.amount, "amount", max_decimals=4) if body.amount is not None else None
    lines: tuple[tuple[int, Decimal], ...] | None = None
    if body.lines is not None:
        lines = tuple((line.line, parse_decimal(line.amount, f"lines[{i}].amount", max_decimals=4))
                      for i, line in enumerate(body.lines))
    note = await call.use_cases.issue_credit_note(call.ids["invoice_id"],
                                                  CreditNoteRequest(body.reason, amount, lines),
                                                  call.caller, call.organization_id)
    return InvoiceOut.of(note)


async def start_invoice_run(call: Call) -> InvoiceRunOut:
    body: InvoiceRunBody = call.body
    period = BillingPeriod.of(body.period_start, body.period_end)
    run = await call.use_cases.start_invoice_run(period, call.caller, call.organization_id, finalize=body.finalize)
    call.request.app.state.background.invoice_run(run)
    return InvoiceRunOut.of(run)


async def get_invoice_run(call: Call) -> InvoiceRunOut:
    return InvoiceRunOut.of(await call.use_cases.get_invoice_run(call.ids["run_id"], call.caller,
                                                                 call.organization_id))


_INVOICE = "/api/v1/invoices/{invoice_id}"
_STATE = "409 `invalid_state` when the invoice's status does not allow it."

ENDPOINTS = [
    Endpoint("POST", "/api/v1/customers", create_customer, "createCustomer", "Create a customer", TAG, status=201,
             body=CustomerBody, response=CustomerOut, creates=True, tenant=True, errors=(403,),
             description="A billing account. 422 naming `tax_id` when it is not a valid VAT number of its country."),
    Endpoint("GET", "/api/v1/customers", list_customers, "listCustomers", "List customers", TAG,
             response=CustomerOut, paginated=True, tenant=True),
    Endpoint("GET", "/api/v1/customers/{customer_id}", get_customer, "getCustomer", "Get a customer", TAG,
             response=CustomerOut, tenant=True),
    Endpoint("PUT", "/api/v1/customers/{customer_id}", update_customer, "updateCustomer", "Replace a customer", TAG,
             body=CustomerBody, response=CustomerOut, tenant=True, errors=(403,)),
    Endpoint("GET", "/api/v1/customers/{customer_id}/balance", customer_balance, "getCustomerBalance",
             "Get a customer's balance", TAG, response=BalanceOut, tenant=True,
             description="From the ledger, per currency: owed on finalized invoices, and priced sessions not "
                         "invoiced yet."),
    Endpoint("GET", "/api/v1/transactions", list_transactions, "listTransactions", "List ledger transactions", TAG,
             query=TransactionQuery, response=TransactionOut, paginated=True, tenant=True,
             description="Newest first, each with its entries (debits equal credits per currency)."),
    Endpoint("GET", "/api/v1/ledger/trial-balance", trial_balance, "getTrialBalance", "Get the trial balance", TAG,
             query=TrialBalanceQuery, response=TrialBalanceOut, tenant=True),
    Endpoint("GET", "/api/v1/invoices", list_invoices, "listInvoices", "List invoices and credit notes", TAG,
             query=InvoiceQuery, response=InvoiceOut, paginated=True, tenant=True,
             description="Newest first. 404 for a `customer_id` that is not the organization's; 422 naming `period` "
                         "when it is not a month (YYYY-MM)."),
    Endpoint("GET", _INVOICE, get_invoice, "getInvoice", "Get an invoice", TAG, response=InvoiceOut, tenant=True),
    Endpoint("GET", _INVOICE + "/pdf", invoice_pdf, "getInvoicePdf", "Get an invoice's PDF", TAG, tenant=True,
             media_type="application/pdf",
             description="A Factur-X (PDF/A-3) document with the EN 16931 CII XML embedded."),
    Endpoint("GET", _INVOICE + "/xml", invoice_xml, "getInvoiceXml", "Get an invoice's EN 16931 XML", TAG,
             tenant=True, media_type="application/xml",
             description="UN/CEFACT Cross Industry Invoice, EN 16931 profile."),
    Endpoint("POST", _INVOICE + "/finalize", finalize_invoice, "finalizeInvoice", "Finalize an invoice", TAG,
             response=InvoiceOut, tenant=True, errors=(403, 409),
             description="Numbers it (the next of the series, gap-free), dates it, freezes seller and buyer, and "
                         "emails it with its PDF when the customer's `invoice_delivery` is `email`. " + _STATE),
    Endpoint("POST", _INVOICE + "/void", void_invoice, "voidInvoice", "Void an invoice", TAG, response=InvoiceOut,
             tenant=True, errors=(403, 409),
             description="Only an open invoice without payments or credit notes; its sale is reversed in the "
                         "ledger and its sessions are never invoiced again. " + _STATE),
    Endpoint("POST", _INVOICE + "/mark-uncollectible", mark_uncollectible, "markInvoiceUncollectible",
             "Write an invoice off", TAG, response=InvoiceOut, tenant=True, errors=(403, 409),
             description="What is still due is written off in the ledger. " + _STATE),
    Endpoint("POST", _INVOICE + "/payments", record_payment, "recordInvoicePayment", "Record a bank transfer", TAG,
             body=PaymentBody, response=InvoiceOut, tenant=True, creates=True, errors=(403, 409),
             description="Partial payments are allowed; the invoice is `paid` once they cover it. 422 naming "
                         "`amount.currency` for another currency, `amount.amount` for more than is due. " + _STATE),
    Endpoint("POST", _INVOICE + "/credit-notes", issue_credit_note, "issueCreditNote", "Issue a credit note", TAG,
             status=201, body=CreditNoteBody, response=InvoiceOut, tenant=True, creates=True, errors=(403, 409),
             description="Numbered in its own series, referencing the invoice, issued at once. 422 naming `amount` "
                         "when it is more than the invoice's total less what earlier credit notes credited. "
                         + _STATE),
    Endpoint("POST", "/api/v1/invoice-runs", start_invoice_run, "startInvoiceRun", "Invoice a period", TAG,
             status=202, body=InvoiceRunBody, response=InvoiceRunOut, tenant=True, creates=True, errors=(403,),
             description="Accepted and run in the background: one invoice per customer and currency, with its "
                         "sessions started in the period (and late ones from before). Running a period again adds "
                         "nothing. 422 naming `period_end` when it is not after `period_start`."),
    Endpoint("GET", "/api/v1/invoice-runs/{run_id}", get_invoice_run, "getInvoiceRun", "Get an invoice run", TAG,
             response=InvoiceRunOut, tenant=True),
]
