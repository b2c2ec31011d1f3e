"""Invitations: invite by email with a role, list, cancel, and accept with the emailed token."""

from __future__ import annotations

from application.invitations import Invite
from application.pagination import Page
from entrypoints.rest.bodies import AcceptInvitationBody, InvitationBody
from entrypoints.rest.endpoint import Call, Endpoint
from entrypoints.rest.views import AcceptanceOut, InvitationOut

TAG = "Invitations"
PATH = "/api/v1/organizations/{org_id}/invitations"


async def invite(call: Call) -> InvitationOut:
    body: InvitationBody = call.body
    invitation = await call.use_cases.invite_member(call.ids["org_id"], Invite(email=body.email, role=body.role),
                                                    call.caller)
    return InvitationOut.of(invitation, call.now())


async def list_invitations(call: Call) -> Page[InvitationOut]:
    page = await call.use_cases.list_invitations(call.ids["org_id"], call.caller, call.page)
    now = call.now()
    return page.map(lambda invitation: InvitationOut.of(invitation, now))


async def cancel(call: Call) -> None:
    await call.use_cases.cancel_invitation(call.ids["org_id"], call.ids["invitation_id"], call.caller)


async def accept(call: Call) -> AcceptanceOut:
    body: AcceptInvitationBody = call.body
    acceptance = await call.use_cases.accept_invitation(body.token, call.caller)
    return AcceptanceOut.of(acceptance)


ENDPOINTS = [
    Endpoint("POST", PATH, invite, "createInvitation", "Invite a member", TAG, status=201, body=InvitationBody,
             response=InvitationOut, creates=True,
             description="Sends an email invitation to join your organization with the specified role. "
                         "The token travels only in the email. 409 when the email is already a member "
                         "or has a pending invitation."),
    Endpoint("GET", PATH, list_invitations, "listInvitations", "List invitations", TAG, response=InvitationOut,
             paginated=True),
    Endpoint("DELETE", PATH + "/{invitation_id}", cancel, "cancelInvitation", "Cancel an invitation", TAG,
             status=204, errors=(409,),
             description="204 No Content on success; 409 when the invitation is no longer pending."),
    Endpoint("POST", "/api/v1/organizations/invitations/accept", accept, "acceptInvitation",
             "Accept an invitation", TAG, body=AcceptInvitationBody, response=AcceptanceOut, creates=True,
             errors=(403, 404, 409),
             description="The invited user calls this endpoint with the token from their invitation "
                         "email. 404 for an unknown token; 409 when it is expired, used or cancelled."),
]
