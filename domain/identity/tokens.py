"""A user access token: a bearer secret (stored hashed) that expires."""

from __future__ import annotations

from datetime import datetime

from attrs import define


@define
class AccessToken:
    id: str
    user_id: str
    secret_hash: str
    created_at: datetime
    expires_at: datetime

    def valid_at(self, now: datetime) -> bool:
        return now < self.expires_at
