"""Membership of a user in an organization, with the role that decides what the user may do there."""

from __future__ import annotations

from datetime import datetime

from attrs import define

from domain.identity.roles import Role


@define
class Member:
    id: str
    organization_id: str
    user_id: str
    role: Role
    joined_at: datetime
