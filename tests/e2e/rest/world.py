"""A populated organization for the matrix tests: one user per role, a spare member, an invitation, a key."""

from __future__ import annotations

from attrs import define

from tests.e2e.rest.client import Api


@define
class World:
    org_id: str
    tokens: dict[str, str]      # role → a user's access token ("admin", "member", "viewer")
    keys: dict[str, str]        # role → an API key secret of this organization
    spare_user_id: str          # a member whose role can be changed and who can be removed
    invitation_id: str          # a pending invitation
    key_id: str                 # an API key that can be revoked

    def paths(self) -> list[tuple[str, str, dict | None]]:
        """Every org-scoped call, with a valid body: (method, path, body)."""
        org = f"/organizations/{self.org_id}"
        return [
            ("GET", org, None),
            ("PUT", org, {"name": "Renamed", "country": "FR", "contact_email": "fr@example.com"}),
            ("GET", f"{org}/members", None),
            ("PUT", f"{org}/members/{self.spare_user_id}/role", {"role": "viewer"}),
            ("DELETE", f"{org}/members/{self.spare_user_id}", None),
            ("POST", f"{org}/invitations", {"email": "new.person@example.com", "role": "viewer"}),
            ("GET", f"{org}/invitations", None),
            ("DELETE", f"{org}/invitations/{self.invitation_id}", None),
            ("GET", f"{org}/settings", None),
            ("PUT", f"{org}/settings", {"currency": "EUR", "timezone": "Europe/Paris"}),
            ("POST", f"{org}/api-keys", {"name": "another", "role": "viewer"}),
            ("GET", f"{org}/api-keys", None),
            ("DELETE", f"{org}/api-keys/{self.key_id}", None),
        ]


async def build_world(api: Api, name: str = "World") -> World:
    _, _, admin = await api.user(f"{name} Admin")
    org_id = await api.organization(admin, name)
    _, member = await api.member(admin, org_id, "member", f"{name} Member")
    _, viewer = await api.member(admin, org_id, "viewer", f"{name} Viewer")
    spare_id, _ = await api.member(admin, org_id, "member", f"{name} Spare")
    invitation = await api.post(f"/organizations/{org_id}/invitations", admin,
                                json={"email": f"pending.{org_id.lower()}@example.com", "role": "member"})
    keys = {}
    for role in ("admin", "member", "viewer"):
        created = await api.post(f"/organizations/{org_id}/api-keys", admin, json={"name": role, "role": role})
        keys[role] = created.json()["key"]
    spare_key = await api.post(f"/organizations/{org_id}/api-keys", admin, json={"name": "spare", "role": "viewer"})
    return World(org_id=org_id, tokens={"admin": admin, "member": member, "viewer": viewer}, keys=keys,
                 spare_user_id=spare_id, invitation_id=invitation.json()["id"], key_id=spare_key.json()["id"])
