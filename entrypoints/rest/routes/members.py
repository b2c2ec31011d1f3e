"""Members of an organization: list, change a role, remove (the last admin always stays)."""

from __future__ import annotations

from application.pagination import Page
from entrypoints.rest.bodies import RoleBody
from entrypoints.rest.endpoint import Call, Endpoint
from entrypoints.rest.views import MemberOut

TAG = "Members"
PATH = "/api/v1/organizations/{org_id}/members"


async def list_members(call: Call) -> Page[MemberOut]:
    page = await call.use_cases.list_members(call.ids["org_id"], call.caller, call.page)
    return page.map(MemberOut.of)


async def change_role(call: Call) -> MemberOut:
    body: RoleBody = call.body
    view = await call.use_cases.change_member_role(call.ids["org_id"], call.ids["user_id"], body.role,
                                                   call.caller)
    return MemberOut.of(view)


async def remove_member(call: Call) -> None:
    await call.use_cases.remove_member(call.ids["org_id"], call.ids["user_id"], call.caller)


ENDPOINTS = [
    Endpoint("GET", PATH, list_members, "listMembers", "List members", TAG, response=MemberOut, paginated=True),
    Endpoint("PUT", PATH + "/{user_id}/role", change_role, "updateMemberRole", "Update a member's role", TAG,
             body=RoleBody, response=MemberOut, errors=(409,),
             description="409 when it would demote the organization's last admin."),
    Endpoint("DELETE", PATH + "/{user_id}", remove_member, "removeMember", "Remove a member", TAG, status=204,
             errors=(409,),
             description="204 No Content on success. A member may remove itself (leave); removing "
                         "someone else takes the admin role. 409 for the last admin."),
]
