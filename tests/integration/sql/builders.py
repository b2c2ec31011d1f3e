"""Fully populated domain objects for the storage tests, each with fresh ids and unique secrets."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta, timezone

from application.ports.mail import EmailMessage, OutboundEmail
from domain.identity import (
    AccessToken,
    ApiKey,
    Invitation,
    Member,
    Notifications,
    Organization,
    OrganizationSettings,
    Role,
    User,
)
from domain.ids import PREFIXES, new_id

# Microseconds and a non-UTC offset: both must survive storage as the same instant.
NOW = datetime(2026, 5, 9, 12, 30, 15, 123456, tzinfo=UTC)
LATER = datetime(2026, 5, 9, 14, 45, 0, 654321, tzinfo=timezone(timedelta(hours=2)))


def _hash() -> str:
    return secrets.token_hex(32)


def a_user(email: str | None = None) -> User:
    return User(id=new_id(PREFIXES["user"]), email=email or f"{secrets.token_hex(5)}@example.com", name="Ada Lovelace",
                password_hash="$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$aGFzaA", created_at=NOW)


def an_organization() -> Organization:
    settings = OrganizationSettings(
        currency="EUR", timezone="Europe/Berlin", billing_email="billing@example.com",
        notifications=Notifications(session_completed=True, invoice_issued=False, weekly_report=True),
        default_tariff_id=new_id("trf"))
    return Organization(id=new_id(PREFIXES["organization"]), name="Stadtwerke Nord", country="DE",
                        contact_email="ops@example.com", settings=settings, created_at=NOW, updated_at=LATER)


def a_member(organization: Organization, user: User, role: Role = Role.ADMIN) -> Member:
    return Member(id=new_id(PREFIXES["member"]), organization_id=organization.id, user_id=user.id, role=role,
                  joined_at=LATER)


def an_invitation(organization: Organization, email: str = "new@example.com",
                  invited_by: str | None = None) -> Invitation:
    return Invitation(id=new_id(PREFIXES["invitation"]), organization_id=organization.id, email=email,
                      role=Role.VIEWER, token_hash=_hash(), invited_by=invited_by, created_at=NOW,
                      expires_at=NOW + timedelta(days=7))


def an_api_key(organization: Organization) -> ApiKey:
    return ApiKey(id=new_id(PREFIXES["api_key"]), organization_id=organization.id, name="billing backend",
                  role=Role.MEMBER, secret_hash=_hash(), prefix="ck_abcdefg", created_by=None, created_at=NOW)


def an_access_token(user: User) -> AccessToken:
    return AccessToken(id=new_id(PREFIXES["access_token"]), user_id=user.id, secret_hash=_hash(), created_at=NOW,
                       expires_at=LATER)


def an_email(to: str = "someone@example.com") -> OutboundEmail:
    return OutboundEmail(id=new_id(PREFIXES["email"]),
                         message=EmailMessage(to=to, subject="You're invited ✉", text="Line one\nLine two — ünïcode"),
                         created_at=NOW)
