"""Collection: saved payment methods, refunds, Stripe's webhooks, bank statements and reconciliation."""

from __future__ import annotations

from starlette.responses import Response

from application.payment_methods import MethodRequest
from application.refunds import RefundCommand
from domain.errors import InvalidInput
from domain.money import parse_decimal
from entrypoints.rest.endpoint import Call, Endpoint
from entrypoints.rest.inputs import read_body
from entrypoints.rest.payment_shapes import (
    PaymentMethodBody,
    PaymentMethodListOut,
    PaymentMethodOut,
    PaymentMethodQuery,
    ReconciliationOut,
    ReconciliationQuery,
    RefundBody,
    RefundOut,
    StatementImportOut,
    WebhookOut,
    reconciliation_csv,
)
from entrypoints.rest.problems import HttpProblem

TAG = "Payments"
MAX_STATEMENT_BYTES = 10 * 1_048_576
MAX_WEBHOOK_BYTES = 1_048_576


async def create_payment_method(call: Call) -> PaymentMethodOut:
    body: PaymentMethodBody = call.body
    method = await call.use_cases.start_saving_payment_method(
        MethodRequest(body.customer_id, iban=body.iban, holder=body.holder), call.caller, call.organization_id)
    return PaymentMethodOut.of(method)


async def list_payment_methods(call: Call) -> PaymentMethodListOut:
    q: PaymentMethodQuery = call.query
    methods = await call.use_cases.list_payment_methods(q.customer_id, call.caller, call.organization_id)
    return PaymentMethodListOut([PaymentMethodOut.of(m) for m in methods])


async def delete_payment_method(call: Call) -> None:
    await call.use_cases.detach_payment_method(call.ids["method_id"], call.caller, call.organization_id)


async def default_payment_method(call: Call) -> PaymentMethodOut:
    return PaymentMethodOut.of(await call.use_cases.set_default_payment_method(call.ids["method_id"], call.caller,
                                                                               call.organization_id))


async def refund_invoice(call: Call) -> RefundOut:
    body: RefundBody = call.body
    amount = parse_decimal(body.amount.amount, "amount.amount", max_decimals=4)
    refund = await call.use_cases.refund_invoice(
        call.ids["invoice_id"], RefundCommand(amount, body.amount.currency, body.reason, body.payment_id),
        call.caller, call.organization_id)
    return RefundOut.of(refund, call.ids["invoice_id"], body.amount.currency)


async def stripe_webhook(call: Call) -> WebhookOut:
    payload = await read_body(call.request, MAX_WEBHOOK_BYTES)
    try:
        result = await call.use_cases.receive_stripe_event(payload, dict(call.request.headers))
    except InvalidInput as error:   # a bad or stale signature, or not an event: nothing was changed
        raise HttpProblem(400, "bad_signature" if any(e.field == "Stripe-Signature" for e in error.errors)
                          else "bad_request", error.detail) from None
    return WebhookOut(True, result.value)


async def import_bank_statement(call: Call) -> StatementImportOut:
    media_type = call.request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in ("text/csv", "application/csv", "application/xml", "text/xml",
                          "application/vnd.iso20022.camt.053+xml"):
        raise HttpProblem(415, "unsupported_media_type", "send the statement as text/csv or application/xml "
                                                         "(ISO 20022 camt.053)",
                          headers={"Accept-Post": "text/csv, application/xml"})
    content = await read_body(call.request, MAX_STATEMENT_BYTES)
    result = await call.use_cases.import_bank_statement(content, media_type, call.caller, call.organization_id)
    return StatementImportOut.of(result)


async def reconciliation(call: Call) -> ReconciliationOut | Response:
    q: ReconciliationQuery = call.query
    report = await call.use_cases.reconcile(q.start, q.end, call.caller, call.organization_id)
    if "text/csv" in call.request.headers.get("accept", ""):
        return Response(reconciliation_csv(report), media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="reconciliation-{q.start}-{q.end}.csv"'})
    return ReconciliationOut.of(report)


_METHOD = "/api/v1/payment-methods/{method_id}"

ENDPOINTS = [
    Endpoint("POST", "/api/v1/payment-methods", create_payment_method, "createPaymentMethod",
             "Start saving a payment method", TAG, status=201, body=PaymentMethodBody, response=PaymentMethodOut,
             tenant=True, creates=True, errors=(403, 409),
             description="With the organization's provider: Stripe answers a `pending` card and the SetupIntent's "
                         "`client_secret` for Stripe.js (the card is `active` once confirmed); bank transfer saves "
                         "the `iban` (a mandate's account, checked) at once. The first active method is the "
                         "customer's default. 422 naming `customer_id` for a customer that is not the "
                         "organization's, `iban` for an invalid IBAN."),
    Endpoint("GET", "/api/v1/payment-methods", list_payment_methods, "listPaymentMethods",
             "List a customer's payment methods", TAG, query=PaymentMethodQuery, response=PaymentMethodListOut,
             tenant=True,
             description="Brand, last 4 digits, expiry and which is the default. Cards still being set up are "
                         "checked with the provider first (a card confirmed in the browser appears at once)."),
    Endpoint("DELETE", _METHOD, delete_payment_method, "deletePaymentMethod", "Detach a payment method", TAG,
             status=204, tenant=True, errors=(403,),
             description="Detached at the provider too; it is never charged again."),
    Endpoint("POST", _METHOD + "/default", default_payment_method, "setDefaultPaymentMethod",
             "Make a payment method the default", TAG, response=PaymentMethodOut, tenant=True, errors=(403, 409),
             description="The one collection charges. Invoices a declined card left open are tried again with it "
                         "at once. 409 for a card not confirmed yet."),
    Endpoint("POST", "/api/v1/invoices/{invoice_id}/refunds", refund_invoice, "refundInvoice", "Refund a payment",
             TAG, status=201, body=RefundBody, response=RefundOut, tenant=True, creates=True, errors=(403, 409),
             description="Through the provider that took the payment; partial refunds allowed. 422 naming "
                         "`amount.amount` for more than was paid and not refunded yet, `amount.currency` for "
                         "another currency. 409 when the invoice has no payment."),
    Endpoint("POST", "/api/v1/webhooks/stripe", stripe_webhook, "receiveStripeEvent", "Receive a Stripe event", TAG,
             response=WebhookOut, public=True, errors=(400, 409),
             description="Authenticated by `Stripe-Signature` (HMAC-SHA256 over `t.body` with "
                         "CHARGE_STRIPE_WEBHOOK_SECRET, at most 300 s old): else 400 and nothing changes. Each "
                         "event is applied once (a replay answers 200 `replayed`). 409 `not_yet_known` for an "
                         "event about a payment not recorded yet: Stripe sends it again later."),
    Endpoint("POST", "/api/v1/bank-statements", import_bank_statement, "importBankStatement",
             "Import a bank statement", TAG, status=201, response=StatementImportOut, tenant=True,
             errors=(403, 413, 415),
             description="A CSV (`date,amount,currency,reference,counterparty,id`) or an ISO 20022 camt.053 "
                         "statement. Credits quoting an open invoice's RF reference are recorded as its payments; "
                         "the rest are listed unmatched. A line imported before (by the bank's reference) is "
                         "skipped."),
    Endpoint("GET", "/api/v1/reconciliation", reconciliation, "getReconciliation", "Reconcile a period", TAG,
             query=ReconciliationQuery, response=ReconciliationOut, tenant=True, media_type="text/csv",
             description="Payments matched to invoices, unmatched bank credits, refunds, chargebacks, open "
                         "balances per customer, and per currency the difference between the ledger and the "
                         "records (0 when the books agree). CSV with `Accept: text/csv`."),
]
