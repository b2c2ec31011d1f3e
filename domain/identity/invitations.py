"""An invitation to join an organization: a single-use token, sent by email, that expires."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from attrs import define

from domain.errors import InvalidState
from domain.identity.roles import Role

INVITATION_LIFETIME = timedelta(days=7)


class InvitationStatus(str, enum.Enum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


@define
class Invitation:
    id: str
    organization_id: str
    email: str
    role: Role
    token_hash: str
    invited_by: str | None
    created_at: datetime
    expires_at: datetime
    status: InvitationStatus = InvitationStatus.PENDING
    accepted_by: str | None = None
    closed_at: datetime | None = None

    def status_at(self, now: datetime) -> InvitationStatus:
        """A pending invitation past its expiry is expired, whether or not anyone has looked yet."""
        if self.status is InvitationStatus.PENDING and now >= self.expires_at:
            return InvitationStatus.EXPIRED
        return self.status

    def accept(self, user_id: str, now: datetime) -> None:
        status = self.status_at(now)
        if status is not InvitationStatus.PENDING:
            if status is InvitationStatus.EXPIRED:
                self.status = InvitationStatus.EXPIRED
                self.closed_at = self.closed_at or self.expires_at
            raise InvalidState(f"invitation is {status.value}")
        self.status = InvitationStatus.ACCEPTED
        self.accepted_by = user_id
        self.closed_at = now

    def cancel(self, now: datetime) -> None:
        status = self.status_at(now)
        if status is not InvitationStatus.PENDING:
            raise InvalidState(f"invitation is {status.value}")
        self.status = InvitationStatus.CANCELLED
        self.closed_at = now
