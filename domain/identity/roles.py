"""The three roles a member or an API key holds in an organization."""

from __future__ import annotations

import enum


class Role(str, enum.Enum):
    ADMIN = "admin"
    MEMBER = "member"
    VIEWER = "viewer"

    @classmethod
    def values(cls) -> list[str]:
        return [r.value for r in cls]
