"""Request bodies the REST door accepts, declared once (see ``schema``): checked here, documented in OpenAPI.

Only the shape is checked at the edge (types, required and unknown fields, lengths, roles);
what a value means (an ISO country, an IANA zone, an email) is the domain's to judge.
"""

from __future__ import annotations

from attrs import Factory, frozen

from domain.identity import Notifications, Role
from domain.identity.users import MAX_PASSWORD
from domain.validation import MAX_EMAIL, MAX_NAME
from entrypoints.rest.schema import described, text

MAX_TOKEN = 200
MAX_TIMEZONE = 64
MAX_ID = 64


@frozen
class SignupBody:
    """A new account."""

    email: str = text(MAX_EMAIL, "The email address the user signs in with.", example="ada@example.com")
    password: str = text(MAX_PASSWORD, "At least 8 characters.", example="correct horse battery")
    name: str = text(MAX_NAME, "The user's display name.", example="Ada Lovelace")


@frozen
class TokenBody:
    """Credentials exchanged for an access token."""

    email: str = text(MAX_EMAIL, "The account's email address.", example="ada@example.com")
    password: str = text(MAX_PASSWORD, "The account's password.")


@frozen
class OrganizationBody:
    """An organization's details; a PUT replaces all of them."""

    name: str = text(MAX_NAME, "Display name for the organization.", example="Volt Fleet Ltd")
    country: str = text(2, 'ISO 3166-1 alpha-2 country code (e.g., "GB", "DE", "US").', example="GB")
    contact_email: str = text(MAX_EMAIL, "Primary contact email address for the organization.",
                              example="ops@voltfleet.example")


@frozen
class RoleBody:
    """A member's new role."""

    role: Role = described('The new role. One of "admin", "member", or "viewer".', example="member")


@frozen
class InvitationBody:
    """Who to invite, and the role they get on acceptance."""

    email: str = text(MAX_EMAIL, "Email address of the person to invite.", example="grace@example.com")
    role: Role = described('Role to assign on acceptance: "admin", "member", or "viewer".', example="member")


@frozen
class AcceptInvitationBody:
    """The token from an invitation email."""

    token: str = text(MAX_TOKEN, "The invitation token from the invitation email.")


@frozen
class SettingsBody:
    """An organization's settings; a PUT replaces them (omitted optional fields take their defaults)."""

    currency: str = text(3, 'ISO 4217 currency code (e.g., "GBP", "EUR", "USD").', example="GBP")
    timezone: str = text(MAX_TIMEZONE, 'IANA timezone name (e.g., "Europe/London").', example="Europe/London")
    billing_email: str | None = text(MAX_EMAIL, "Email address for billing-related notifications.",
                                     example="billing@voltfleet.example", default=None)
    notifications: Notifications = described(
        "Object controlling which notifications the organization receives; omitted switches take "
        "their defaults.", default=Factory(Notifications))
    default_tariff_id: str | None = text(MAX_ID, "The tariff used where no charge point or location "
                                         "tariff applies.", default=None)


@frozen
class ApiKeyBody:
    """A new API key: a name to recognise it by, and the role it acts with."""

    name: str = text(MAX_NAME, "A name to recognise the key by.", example="billing backend")
    role: Role = described('The role the key acts with: "admin", "member", or "viewer".', example="member")
