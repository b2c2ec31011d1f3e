"""A driver's way into the portal: a portal token (a bearer secret scoped to one driver of one organization,
stored hashed, expiring, revocable) and the one-time magic link emailed to a driver that exchanges for one."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from attrs import define

from domain.errors import Unauthenticated

PORTAL_TOKEN_LIFETIME = timedelta(days=30)
MAGIC_LINK_LIFETIME = timedelta(minutes=15)


class PortalTokenSource(str, enum.Enum):
    OPERATOR = "operator"        # issued by the operator (POST /drivers/{id}/portal-tokens)
    MAGIC_LINK = "magic_link"    # the driver signed in with a link sent to their email


@define
class PortalToken:
    id: str
    organization_id: str
    driver_id: str
    secret_hash: str
    source: PortalTokenSource
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None

    def valid_at(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at

    def revoke(self, now: datetime) -> None:
        """Revoking twice keeps the first instant."""
        if self.revoked_at is None:
            self.revoked_at = now


@define
class MagicLink:
    """A sign-in link's secret: works once, and only until it expires."""

    id: str
    organization_id: str
    driver_id: str
    secret_hash: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None

    def use(self, now: datetime) -> None:
        # One message for every refusal: which of them it was is of no use to a guesser.
        if self.used_at is not None or now >= self.expires_at:
            raise Unauthenticated("this sign-in link has expired or was used already; ask for a new one")
        self.used_at = now
