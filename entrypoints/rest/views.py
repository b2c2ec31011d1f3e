"""What the REST door answers: response shapes declared once (rendered here, documented in OpenAPI)."""

from __future__ import annotations

import enum
import json
from datetime import UTC, datetime
from typing import Any, Literal

import cattrs
from attrs import frozen

from application.api_keys import CreatedApiKey
from application.identity import IssuedToken
from application.invitations import Acceptance
from application.members import MemberView
from domain.identity import ApiKey, Invitation, InvitationStatus, Notifications, Organization, Role, User
from domain.identity.organizations import OrganizationSettings
from entrypoints.rest.schema import described


@frozen
class UserOut:
    """A user account."""

    id: str
    email: str
    name: str

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(user.id, user.email, user.name)


@frozen
class TokenOut:
    """A bearer access token."""

    access_token: str = described("Send as `Authorization: Bearer <access_token>`.")
    token_type: Literal["bearer"]
    expires_in: int = described("Seconds until the token expires.")

    @classmethod
    def of(cls, token: IssuedToken) -> TokenOut:
        return cls(token.access_token, "bearer", token.expires_in)


@frozen
class MeUserOut:
    """The caller, when it is a signed-in user."""

    id: str
    email: str
    name: str
    type: Literal["user"]

    @classmethod
    def of(cls, user: User) -> MeUserOut:
        return cls(user.id, user.email, user.name, "user")


@frozen
class MeApiKeyOut:
    """The caller, when it is an organization API key."""

    id: str
    name: str
    role: Role
    organization_id: str
    type: Literal["api_key"]

    @classmethod
    def of(cls, key: ApiKey) -> MeApiKeyOut:
        return cls(key.id, key.name, key.role, key.organization_id, "api_key")


@frozen
class OrganizationOut:
    """An organization (a tenant)."""

    id: str
    name: str
    country: str
    contact_email: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, organization: Organization) -> OrganizationOut:
        o = organization
        return cls(o.id, o.name, o.country, o.contact_email, o.created_at, o.updated_at)


@frozen
class MyOrganizationOut(OrganizationOut):
    """An organization the caller belongs to, with the caller's role in it."""

    role: Role = described("The caller's role in this organization.")

    @classmethod
    def of_row(cls, row: tuple[Organization, Role]) -> MyOrganizationOut:
        o, role = row
        return cls(o.id, o.name, o.country, o.contact_email, o.created_at, o.updated_at, role)


@frozen
class MemberOut:
    """A member of an organization."""

    user_id: str
    email: str
    name: str
    role: Role
    joined_at: datetime

    @classmethod
    def of(cls, view: MemberView) -> MemberOut:
        return cls(view.user.id, view.user.email, view.user.name, view.member.role, view.member.joined_at)


@frozen
class InvitationOut:
    """An invitation to join an organization (its token travels only in the email)."""

    id: str
    organization_id: str
    email: str
    role: Role
    status: InvitationStatus
    expires_at: datetime
    created_at: datetime

    @classmethod
    def of(cls, invitation: Invitation, now: datetime) -> InvitationOut:
        i = invitation
        return cls(i.id, i.organization_id, i.email, i.role, i.status_at(now), i.expires_at, i.created_at)


@frozen
class AcceptanceOut:
    """The membership an accepted invitation created."""

    organization_id: str
    user_id: str
    role: Role

    @classmethod
    def of(cls, acceptance: Acceptance) -> AcceptanceOut:
        return cls(acceptance.organization_id, acceptance.user_id, acceptance.role)


@frozen
class SettingsOut:
    """An organization's settings."""

    currency: str = described("ISO 4217 currency code.")
    timezone: str = described("IANA timezone name.")
    billing_email: str | None
    notifications: Notifications
    default_tariff_id: str | None

    @classmethod
    def of(cls, settings: OrganizationSettings) -> SettingsOut:
        s = settings
        return cls(s.currency, s.timezone, s.billing_email, s.notifications, s.default_tariff_id)


@frozen
class ApiKeyCreatedOut:
    """A new API key; ``key`` is the secret, shown this once and stored only hashed."""

    id: str
    name: str
    role: Role
    key: str = described("The secret: send as `Authorization: Bearer <key>`. It is not shown again.")
    created_at: datetime

    @classmethod
    def of(cls, created: CreatedApiKey) -> ApiKeyCreatedOut:
        k = created.key
        return cls(k.id, k.name, k.role, created.secret, k.created_at)


@frozen
class ApiKeyOut:
    """An API key, without its secret."""

    id: str
    name: str
    role: Role
    prefix: str = described("The first characters of the key, to recognise it.")
    created_at: datetime
    revoked_at: datetime | None

    @classmethod
    def of(cls, key: ApiKey) -> ApiKeyOut:
        return cls(key.id, key.name, key.role, key.prefix, key.created_at, key.revoked_at)


@frozen
class HealthOut:
    """The server and its database answer."""

    status: Literal["ok"]


def _timestamp(value: datetime) -> str:
    # The core keeps UTC; a naive value can only be UTC that lost its zone on the way through storage.
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.isoformat()


def make_converter() -> cattrs.Converter:
    converter = cattrs.Converter()
    converter.register_unstructure_hook(datetime, _timestamp)
    converter.register_unstructure_hook_func(lambda t: isinstance(t, type) and issubclass(t, enum.Enum),
                                             lambda e: e.value)
    return converter


class Renderer:
    """Views to JSON bytes, through one converter built for this door."""

    def __init__(self) -> None:
        self._converter = make_converter()

    def plain(self, value: Any) -> Any:
        return self._converter.unstructure(value)

    def json(self, value: Any) -> bytes:
        return json.dumps(self.plain(value), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
