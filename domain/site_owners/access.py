"""A site owner's way in: the invitation the operator sends (a one-time secret, stored hashed, expiring) and
the site-owner token accepting it yields (a bearer secret scoped to one site owner of one organization)."""

from __future__ import annotations

from datetime import datetime, timedelta

from attrs import define

from domain.errors import Unauthenticated

INVITATION_LIFETIME = timedelta(days=14)
SITE_OWNER_TOKEN_LIFETIME = timedelta(days=30)


@define
class SiteOwnerInvitation:
    id: str
    organization_id: str
    site_owner_id: str
    email: str
    secret_hash: str
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None = None

    def accept(self, now: datetime) -> None:
        # One message for every refusal: which it was is of no use to a guesser.
        if self.accepted_at is not None or now >= self.expires_at:
            raise Unauthenticated("this invitation has expired or was accepted already; ask for a new one")
        self.accepted_at = now


@define
class SiteOwnerToken:
    id: str
    organization_id: str
    site_owner_id: str
    secret_hash: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None

    def valid_at(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at

    def revoke(self, now: datetime) -> None:
        if self.revoked_at is None:
            self.revoked_at = now
