"""Members: list, change a role, remove; the last admin can be neither removed nor demoted."""

from __future__ import annotations


async def test_list_change_role_and_remove(api):
    admin_id, admin_email, admin = await api.user("Ada")
    org_id = await api.organization(admin)
    grace_id, grace = await api.member(admin, org_id, "viewer", "Grace")

    members = (await api.get(f"/organizations/{org_id}/members", admin)).json()
    by_id = {m["user_id"]: m for m in members["data"]}
    assert by_id[admin_id]["role"] == "admin" and by_id[admin_id]["email"] == admin_email
    assert by_id[grace_id]["role"] == "viewer" and by_id[grace_id]["name"] == "Grace"
    assert set(by_id[grace_id]) == {"user_id", "email", "name", "role", "joined_at"}

    promoted = await api.put(f"/organizations/{org_id}/members/{grace_id}/role", admin, json={"role": "member"})
    assert promoted.status_code == 200 and promoted.json()["role"] == "member"
    assert promoted.json()["user_id"] == grace_id

    removed = await api.delete(f"/organizations/{org_id}/members/{grace_id}", admin)
    assert removed.status_code == 204 and removed.content == b""
    assert (await api.get(f"/organizations/{org_id}", grace)).status_code == 404
    again = await api.delete(f"/organizations/{org_id}/members/{grace_id}", admin)
    assert again.status_code == 404


async def test_the_last_admin_stays(api):
    admin_id, _, admin = await api.user()
    org_id = await api.organization(admin)
    demote = await api.put(f"/organizations/{org_id}/members/{admin_id}/role", admin, json={"role": "viewer"})
    assert demote.status_code == 409 and demote.json()["code"] == "invalid_state"
    remove = await api.delete(f"/organizations/{org_id}/members/{admin_id}", admin)
    assert remove.status_code == 409

    second_id, second = await api.member(admin, org_id, "admin", "Second")
    assert (await api.put(f"/organizations/{org_id}/members/{admin_id}/role", second,
                          json={"role": "member"})).status_code == 200
    assert (await api.delete(f"/organizations/{org_id}/members/{second_id}", second)).status_code == 409


async def test_a_member_may_leave(api):
    _, _, admin = await api.user()
    org_id = await api.organization(admin)
    viewer_id, viewer = await api.member(admin, org_id, "viewer")
    assert (await api.delete(f"/organizations/{org_id}/members/{viewer_id}", viewer)).status_code == 204
    assert (await api.get("/organizations", viewer)).json()["data"] == []
