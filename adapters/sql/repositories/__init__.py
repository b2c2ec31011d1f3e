"""SQL repositories, one module per aggregate, each with its explicit row ↔ domain converters."""

from adapters.sql.repositories.access_tokens import SqlAccessTokens
from adapters.sql.repositories.api_keys import SqlApiKeys
from adapters.sql.repositories.invitations import SqlInvitations
from adapters.sql.repositories.members import SqlMembers
from adapters.sql.repositories.organizations import SqlOrganizations
from adapters.sql.repositories.outbox import SqlOutbox
from adapters.sql.repositories.users import SqlUsers

__all__ = ["SqlAccessTokens", "SqlApiKeys", "SqlInvitations", "SqlMembers", "SqlOrganizations", "SqlOutbox",
           "SqlUsers"]
