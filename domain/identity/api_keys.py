"""An organization API key: a role in one organization, held by a backend; the secret is stored hashed."""

from __future__ import annotations

from datetime import datetime

from attrs import define

from domain.identity.roles import Role


@define
class ApiKey:
    id: str
    organization_id: str
    name: str
    role: Role
    secret_hash: str
    prefix: str
    created_by: str | None
    created_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def revoke(self, now: datetime) -> None:
        if self.revoked_at is None:
            self.revoked_at = now
