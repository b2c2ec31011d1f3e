"""SQL repositories, one module per aggregate, each with its explicit row ↔ domain converters."""

from adapters.sql.repositories.access_tokens import SqlAccessTokens
from adapters.sql.repositories.api_keys import SqlApiKeys
from adapters.sql.repositories.charge_points import SqlChargePoints
from adapters.sql.repositories.drivers import SqlDrivers
from adapters.sql.repositories.events import SqlEvents
from adapters.sql.repositories.invitations import SqlInvitations
from adapters.sql.repositories.locations import SqlLocations
from adapters.sql.repositories.members import SqlMembers
from adapters.sql.repositories.organizations import SqlOrganizations
from adapters.sql.repositories.orphans import SqlOrphans
from adapters.sql.repositories.outbox import SqlOutbox
from adapters.sql.repositories.pricing import SqlPlans, SqlSubscriptions, SqlTariffs
from adapters.sql.repositories.reservations import SqlReservations
from adapters.sql.repositories.sessions import SqlSessions
from adapters.sql.repositories.users import SqlUsers

__all__ = ["SqlAccessTokens", "SqlApiKeys", "SqlChargePoints", "SqlDrivers", "SqlEvents", "SqlInvitations",
           "SqlLocations", "SqlMembers", "SqlOrganizations", "SqlOrphans", "SqlOutbox", "SqlPlans", "SqlReservations",
           "SqlSessions", "SqlSubscriptions", "SqlTariffs", "SqlUsers"]
