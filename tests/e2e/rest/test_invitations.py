"""Invitations: invite, list, cancel, accept with the emailed token (never returned by the API)."""

from __future__ import annotations


async def test_invite_list_accept(api):
    _, _, admin = await api.user("Ada")
    org_id = await api.organization(admin)
    grace_id, grace_email, grace = await api.user("Grace")

    invited = await api.post(f"/organizations/{org_id}/invitations", admin, json={"email": grace_email,
                                                                                 "role": "member"})
    assert invited.status_code == 201
    invitation = invited.json()
    assert set(invitation) == {"id", "organization_id", "email", "role", "status", "expires_at", "created_at"}
    assert invitation["status"] == "pending" and invitation["organization_id"] == org_id
    assert "token" not in invited.text.lower()

    duplicate = await api.post(f"/organizations/{org_id}/invitations", admin, json={"email": grace_email,
                                                                                   "role": "viewer"})
    assert duplicate.status_code == 409

    listed = (await api.get(f"/organizations/{org_id}/invitations", admin)).json()
    assert [i["id"] for i in listed["data"]] == [invitation["id"]]

    token = await api.invitation_token(grace_email)
    accepted = await api.post("/organizations/invitations/accept", grace, json={"token": token})
    assert accepted.status_code == 200
    assert accepted.json() == {"organization_id": org_id, "user_id": grace_id, "role": "member"}
    assert (await api.get(f"/organizations/{org_id}", grace)).status_code == 200

    reused = await api.post("/organizations/invitations/accept", grace, json={"token": token})
    assert reused.status_code == 409
    listed = (await api.get(f"/organizations/{org_id}/invitations", admin)).json()
    assert listed["data"][0]["status"] == "accepted"


async def test_cancel_then_the_token_no_longer_works(api):
    _, _, admin = await api.user()
    org_id = await api.organization(admin)
    _, email, invitee = await api.user("Ines")
    invitation = (await api.post(f"/organizations/{org_id}/invitations", admin,
                                 json={"email": email, "role": "viewer"})).json()
    token = await api.invitation_token(email)

    cancelled = await api.delete(f"/organizations/{org_id}/invitations/{invitation['id']}", admin)
    assert cancelled.status_code == 204 and cancelled.content == b""
    assert (await api.delete(f"/organizations/{org_id}/invitations/{invitation['id']}", admin)).status_code == 409
    refused = await api.post("/organizations/invitations/accept", invitee, json={"token": token})
    assert refused.status_code == 409 and refused.json()["code"] == "invalid_state"
    listed = (await api.get(f"/organizations/{org_id}/invitations", admin)).json()
    assert listed["data"][0]["status"] == "cancelled"


async def test_unknown_tokens_and_api_keys_cannot_accept(api):
    _, _, admin = await api.user()
    org_id = await api.organization(admin)
    unknown = await api.post("/organizations/invitations/accept", admin, json={"token": "civ_" + "x" * 43})
    assert unknown.status_code == 404
    malformed = await api.post("/organizations/invitations/accept", admin, json={"token": "hello"})
    assert malformed.status_code == 422 and malformed.json()["errors"][0]["field"] == "token"
    key = (await api.post(f"/organizations/{org_id}/api-keys", admin, json={"name": "k", "role": "admin"})).json()
    as_key = await api.post("/organizations/invitations/accept", key["key"], json={"token": "civ_" + "x" * 43})
    assert as_key.status_code == 403
