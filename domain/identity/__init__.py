"""Accounts and tenancy: users, organizations and their settings, members, invitations, API keys."""

from domain.identity.api_keys import ApiKey
from domain.identity.invitations import Invitation, InvitationStatus
from domain.identity.members import Member
from domain.identity.organizations import Notifications, Organization, OrganizationSettings
from domain.identity.roles import Role
from domain.identity.tokens import AccessToken
from domain.identity.users import User

__all__ = [
    "AccessToken",
    "ApiKey",
    "Invitation",
    "InvitationStatus",
    "Member",
    "Notifications",
    "Organization",
    "OrganizationSettings",
    "Role",
    "User",
]
