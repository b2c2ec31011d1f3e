"""The driver portal (seed 002): a driver's own sessions, cost breakdowns, receipts, disputes, invoices and payment
methods, with a portal token; the magic-link sign-in that yields one; and the operator's endpoints that issue and revoke
portal tokens."""

from __future__ import annotations

from starlette.responses import Response

from application.disputes import FileDispute
from application.pagination import Page
from application.portal_payment_methods import MyMethodRequest
from domain.errors import InvalidInput
from entrypoints.rest.billing_shapes import InvoiceOut
from entrypoints.rest.endpoint import Call, Endpoint
from entrypoints.rest.payment_shapes import PaymentMethodListOut, PaymentMethodOut, PortalPaymentMethodBody
from entrypoints.rest.portal_shapes import (
    DisputeBody,
    DisputeOut,
    DriverDisputeOut,
    DriverOut,
    LinkSentOut,
    MagicLinkBody,
    MagicLinkExchangeBody,
    PortalSessionQuery,
    PortalTokenCreatedOut,
    PortalTokenOut,
    money_of,
)
from entrypoints.rest.views import CostBreakdownOut, SessionOut

TAG = "Driver portal"
PORTAL = "/api/v1/portal"
TOKENS = "/api/v1/drivers/{driver_id}/portal-tokens"
NO_STORE = {"Cache-Control": "no-store"}


# ---------------------------------------------------------------------------------------------- operator


async def issue_portal_token(call: Call) -> PortalTokenCreatedOut:
    issued = await call.use_cases.issue_portal_token(call.ids["driver_id"], call.caller, call.organization_id)
    return PortalTokenCreatedOut.of(issued)


async def list_portal_tokens(call: Call) -> Page[PortalTokenOut]:
    page = await call.use_cases.list_portal_tokens(call.ids["driver_id"], call.caller, call.organization_id, call.page)
    return page.map(PortalTokenOut.of)


async def revoke_portal_token(call: Call) -> None:
    await call.use_cases.revoke_portal_token(call.ids["driver_id"], call.ids["portal_token_id"], call.caller,
                                             call.organization_id)


# ---------------------------------------------------------------------------------------------- sign-in


async def request_magic_link(call: Call) -> LinkSentOut:
    body: MagicLinkBody = call.body
    await call.use_cases.request_magic_link(body.email, call.client_address)
    return LinkSentOut("sent")


async def exchange_magic_link(call: Call) -> PortalTokenCreatedOut:
    body: MagicLinkExchangeBody = call.body
    return PortalTokenCreatedOut.of(await call.use_cases.exchange_magic_link(body.token))


# ---------------------------------------------------------------------------------------------- the driver


async def me(call: Call) -> DriverOut:
    found = await call.use_cases.whoami(call.driver)
    d = found.driver
    return DriverOut(d.id, d.name, d.email, d.organization_id, found.organization_name)


async def list_sessions(call: Call) -> Page[SessionOut]:
    q: PortalSessionQuery = call.query
    if q.started_from is not None and q.started_to is not None and q.started_to <= q.started_from:
        raise InvalidInput.field("to", "must be later than `from`")
    page = await call.use_cases.my_sessions(call.driver, q.started_from, q.started_to, call.page)
    return page.map(SessionOut.of)


async def get_session(call: Call) -> SessionOut:
    return SessionOut.of(await call.use_cases.my_session(call.driver, call.ids["session_id"]))


async def cost_breakdown(call: Call) -> CostBreakdownOut:
    cost = await call.use_cases.my_session_cost(call.driver, call.ids["session_id"])
    return CostBreakdownOut.of(cost.breakdown.to_json(), estimate=cost.estimate)


async def receipt(call: Call) -> Response:
    session_id = call.ids["session_id"]
    content = await call.use_cases.my_receipt(call.driver, session_id)
    return Response(content, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="receipt-{session_id}.pdf"'})


async def file_dispute(call: Call) -> DisputeOut:
    body: DisputeBody = call.body
    cost = money_of(body.expected_cost, "expected_cost")
    dispute = await call.use_cases.file_dispute(call.driver, FileDispute(call.ids["session_id"], body.description,
                                                                         cost))
    return DisputeOut.of(dispute)


async def list_disputes(call: Call) -> Page[DisputeOut]:
    return (await call.use_cases.list_my_disputes(call.driver, call.page)).map(DisputeOut.of)


async def get_dispute(call: Call) -> DriverDisputeOut:
    return DriverDisputeOut.of_view(await call.use_cases.get_my_dispute(call.driver, call.ids["dispute_id"]))


async def withdraw_dispute(call: Call) -> DisputeOut:
    return DisputeOut.of(await call.use_cases.withdraw_dispute(call.driver, call.ids["dispute_id"]))


async def list_invoices(call: Call) -> Page[InvoiceOut]:
    return (await call.use_cases.my_invoices(call.driver, call.page)).map(InvoiceOut.of)


async def get_invoice(call: Call) -> InvoiceOut:
    detail = await call.use_cases.my_invoice(call.driver, call.ids["invoice_id"])
    return InvoiceOut.of(detail.invoice, detail.credit_notes)


async def invoice_pdf(call: Call) -> Response:
    invoice, content = await call.use_cases.my_invoice_pdf(call.driver, call.ids["invoice_id"])
    return Response(content, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{invoice.number or invoice.id}.pdf"'})


async def list_payment_methods(call: Call) -> PaymentMethodListOut:
    methods = await call.use_cases.my_payment_methods(call.driver)
    return PaymentMethodListOut([PaymentMethodOut.of(m) for m in methods])


async def add_payment_method(call: Call) -> PaymentMethodOut:
    body: PortalPaymentMethodBody = call.body
    return PaymentMethodOut.of(await call.use_cases.add_my_payment_method(
        call.driver, MyMethodRequest(iban=body.iban, holder=body.holder)))


async def remove_payment_method(call: Call) -> None:
    await call.use_cases.remove_my_payment_method(call.driver, call.ids["method_id"])


async def default_payment_method(call: Call) -> PaymentMethodOut:
    return PaymentMethodOut.of(await call.use_cases.make_my_payment_method_default(call.driver, call.ids["method_id"]))


_DRIVER = "Only the signed-in driver's own: another driver's, or another organization's, is a 404."

ENDPOINTS = [
    Endpoint("POST", TOKENS, issue_portal_token, "createPortalToken", "Issue a driver-portal token", TAG, status=201,
             response=PortalTokenCreatedOut, tenant=True, creates=True, secret=True, errors=(403,), headers=NO_STORE,
             description="A bearer secret (`cpt_…`) the driver uses for `/api/v1/portal` (and nothing else); shown "
                         "once, stored hashed, valid 30 days (`CHARGE_PORTAL_TOKEN_TTL_DAYS`), revocable."),
    Endpoint("GET", TOKENS, list_portal_tokens, "listPortalTokens", "List a driver's portal tokens", TAG,
             response=PortalTokenOut, paginated=True, tenant=True, description="Newest first, without secrets."),
    Endpoint("DELETE", TOKENS + "/{portal_token_id}", revoke_portal_token, "revokePortalToken",
             "Revoke a portal token", TAG, status=204, tenant=True, errors=(403,)),
    Endpoint("POST", PORTAL + "/sign-in", request_magic_link, "requestPortalSignInLink",
             "Email a sign-in link", TAG, status=202, body=MagicLinkBody, response=LinkSentOut, public=True,
             errors=(429,),
             description="Emails a one-time link (valid 15 minutes) to every active driver with this email. The "
                         "answer is the same whether or not the email is known; requests are throttled per email and "
                         "client address (429 with `Retry-After`)."),
    Endpoint("POST", PORTAL + "/sign-in/exchange", exchange_magic_link, "exchangePortalSignInLink",
             "Exchange a sign-in link for a portal token", TAG, body=MagicLinkExchangeBody,
             response=PortalTokenCreatedOut, public=True, headers=NO_STORE, errors=(401,),
             description="A link works once and until it expires; anything else is a 401."),
    Endpoint("GET", PORTAL + "/me", me, "getPortalDriver", "The signed-in driver", TAG, response=DriverOut,
             portal=True),
    Endpoint("GET", PORTAL + "/sessions", list_sessions, "listDriverSessions", "List driver sessions", TAG,
             query=PortalSessionQuery, response=SessionOut, paginated=True, portal=True,
             description="Returns all charging sessions for the authenticated driver, newest first. `from`/`to` "
                         "bound the start (ISO 8601); `limit` 1–100 (default 20); `cursor` from `next_cursor`."),
    Endpoint("GET", PORTAL + "/sessions/{session_id}", get_session, "getDriverSession", "Get a driver session", TAG,
             response=SessionOut, portal=True, description=_DRIVER),
    Endpoint("GET", PORTAL + "/sessions/{session_id}/cost-breakdown", cost_breakdown, "getDriverSessionCostBreakdown",
             "Get session cost breakdown", TAG, response=CostBreakdownOut, portal=True,
             description="The billed cost, line by line, and per period the tariff element that priced it and why. "
                         "404 `not_priced` for a session still running or that no tariff prices. " + _DRIVER),
    Endpoint("GET", PORTAL + "/sessions/{session_id}/receipt", receipt, "getDriverSessionReceipt",
             "Download session receipt", TAG, portal=True, media_type="application/pdf",
             description="Content-Type is application/pdf: operator, location, charge point, local times, energy, "
                         "tariff lines, VAT, total, payment status and the invoice it is on. " + _DRIVER),
    Endpoint("POST", PORTAL + "/sessions/{session_id}/dispute", file_dispute, "createDriverDispute",
             "Submit a billing dispute", TAG, status=201, body=DisputeBody, response=DisputeOut, portal=True,
             creates=True,
             description="Opens a dispute (`status: open`). 409 when the session has one not resolved or withdrawn, "
                         "or is still running; 422 past the organization's `dispute_window_days`. " + _DRIVER),
    Endpoint("GET", PORTAL + "/disputes", list_disputes, "listDriverDisputes", "List my disputes", TAG,
             response=DisputeOut, paginated=True, portal=True, description="Newest first."),
    Endpoint("GET", PORTAL + "/disputes/{dispute_id}", get_dispute, "getDriverDispute", "Get my dispute", TAG,
             response=DriverDisputeOut, portal=True, description="With the operator's public replies. " + _DRIVER),
    Endpoint("POST", PORTAL + "/disputes/{dispute_id}/withdraw", withdraw_dispute, "withdrawDriverDispute",
             "Withdraw my dispute", TAG, response=DisputeOut, portal=True, errors=(409,),
             description="While it is not resolved."),
    Endpoint("GET", PORTAL + "/invoices", list_invoices, "listDriverInvoices", "List my invoices", TAG,
             response=InvoiceOut, paginated=True, portal=True,
             description="The issued invoices and credit notes of the driver's own customer account, newest first."),
    Endpoint("GET", PORTAL + "/invoices/{invoice_id}", get_invoice, "getDriverInvoice", "Get my invoice", TAG,
             response=InvoiceOut, portal=True, description=_DRIVER),
    Endpoint("GET", PORTAL + "/invoices/{invoice_id}/pdf", invoice_pdf, "getDriverInvoicePdf", "My invoice's PDF",
             TAG, portal=True, media_type="application/pdf", description=_DRIVER),
    Endpoint("GET", PORTAL + "/payment-methods", list_payment_methods, "listDriverPaymentMethods",
             "List my payment methods", TAG, response=PaymentMethodListOut, portal=True,
             description="The saved methods of the driver's own account: brand, last 4 digits, expiry and which is "
                         "the default. Cards still being set up are checked with the provider first."),
    Endpoint("POST", PORTAL + "/payment-methods", add_payment_method, "createDriverPaymentMethod",
             "Start saving a payment method", TAG, status=201, body=PortalPaymentMethodBody,
             response=PaymentMethodOut, portal=True, creates=True,
             description="With the operator's payment provider, for the driver's own account: Stripe answers a "
                         "`pending` card and the SetupIntent's `client_secret` for Stripe.js (the card is `active` "
                         "once confirmed); bank transfer saves the `iban` (a mandate's account, checked) at once. "
                         "The first active method is the default. 422 naming `iban` for an invalid IBAN; 409 when "
                         "the driver's charging is billed to an account the operator manages."),
    Endpoint("DELETE", PORTAL + "/payment-methods/{method_id}", remove_payment_method, "deleteDriverPaymentMethod",
             "Remove my payment method", TAG, status=204, portal=True,
             description="Detached at the provider too; it is never charged again. " + _DRIVER),
    Endpoint("POST", PORTAL + "/payment-methods/{method_id}/default", default_payment_method,
             "setDriverDefaultPaymentMethod", "Make my payment method the default", TAG, response=PaymentMethodOut,
             portal=True, errors=(409,),
             description="The one my invoices are charged to. 409 for a card not confirmed yet. " + _DRIVER),
]
