"""Billing disputes as operators work them: the list, one with its evidence, assignment, comments, resolution."""

from __future__ import annotations

from application.disputes import CommentRequest, Resolution
from application.pagination import Page
from application.ports.portal import DisputeFilter
from entrypoints.rest.endpoint import Call, Endpoint
from entrypoints.rest.portal_shapes import (
    AssignBody,
    CommentBody,
    CommentOut,
    DisputeDetailOut,
    DisputeOut,
    DisputeQuery,
    ResolveBody,
    money_of,
)

TAG = "Disputes"
PATH = "/api/v1/disputes"
ONE = PATH + "/{dispute_id}"


async def list_disputes(call: Call) -> Page[DisputeOut]:
    q: DisputeQuery = call.query
    filters = DisputeFilter(status=q.status, session_id=q.session_id, driver_id=q.driver_id,
                            created_before=q.older_than)
    page = await call.use_cases.list_disputes(call.caller, call.organization_id, filters, call.page)
    return page.map(DisputeOut.of)


async def get_dispute(call: Call) -> DisputeDetailOut:
    detail = await call.use_cases.get_dispute(call.ids["dispute_id"], call.caller, call.organization_id)
    return DisputeDetailOut.of_detail(detail)


async def assign_dispute(call: Call) -> DisputeOut:
    body: AssignBody = call.body
    return DisputeOut.of(await call.use_cases.assign_dispute(call.ids["dispute_id"], body.assignee_id, call.caller,
                                                             call.organization_id))


async def comment_on_dispute(call: Call) -> CommentOut:
    body: CommentBody = call.body
    cmd = CommentRequest(body.body, body.visibility)
    comment = await call.use_cases.comment_on_dispute(call.ids["dispute_id"], cmd, call.caller, call.organization_id)
    return CommentOut.of(comment)


async def resolve_dispute(call: Call) -> DisputeOut:
    body: ResolveBody = call.body
    refund = body.refund_amount
    cmd = Resolution(body.outcome, body.note, money_of(refund, "refund_amount") if refund is not None else None)
    return DisputeOut.of(await call.use_cases.resolve_dispute(call.ids["dispute_id"], cmd, call.caller,
                                                              call.organization_id))


ENDPOINTS = [
    Endpoint("GET", PATH, list_disputes, "listDisputes", "List disputes", TAG, query=DisputeQuery, response=DisputeOut,
             paginated=True, tenant=True, description="Newest first; `older_than` finds those waiting longest."),
    Endpoint("GET", ONE, get_dispute, "getDispute", "Get a dispute with its evidence", TAG,
             response=DisputeDetailOut, tenant=True,
             description="With every comment and the evidence: the transaction's OCPP messages as received, its meter "
                         "samples, the tariff version and the rating's per-period reasons, the invoice, payments "
                         "and ledger transactions."),
    Endpoint("POST", ONE + "/assign", assign_dispute, "assignDispute", "Assign a dispute", TAG, body=AssignBody,
             response=DisputeOut, tenant=True, errors=(403, 409),
             description="It is `under_review` from then on; the driver is emailed."),
    Endpoint("POST", ONE + "/comments", comment_on_dispute, "commentOnDispute", "Comment on a dispute", TAG,
             status=201, body=CommentBody, response=CommentOut, tenant=True, creates=True, errors=(403,),
             description="`public` comments are replies the driver reads in the portal (and is emailed); an open "
                         "dispute is under review from the first one."),
    Endpoint("POST", ONE + "/resolve", resolve_dispute, "resolveDispute", "Resolve a dispute", TAG, body=ResolveBody,
             response=DisputeOut, tenant=True, errors=(403, 409),
             description="An accepted or partially accepted dispute issues a credit note on the session's invoice "
                         "for `refund_amount` (once the invoice is finalized, if it is not yet: settlement "
                         "`awaiting_invoice`); what it covers of money already paid is refunded through the "
                         "provider that took the payment (`refund_due` → `refunded`), the rest lowers what the "
                         "customer owes. The driver is emailed."),
]
