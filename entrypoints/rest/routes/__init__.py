"""The route table: every endpoint of the REST door, in the order OpenAPI lists them."""

from entrypoints.rest.endpoint import Endpoint
from entrypoints.rest.routes import (
    api_keys,
    billing,
    charge_points,
    commands,
    disputes,
    drivers,
    identity,
    invitations,
    locations,
    members,
    memberships,
    organizations,
    portal,
    reservations,
    sessions,
    settings,
    site_owners,
    tariffs,
)

ENDPOINTS: list[Endpoint] = [
    *identity.ENDPOINTS,
    *organizations.ENDPOINTS,
    *members.ENDPOINTS,
    *invitations.ENDPOINTS,
    *settings.ENDPOINTS,
    *api_keys.ENDPOINTS,
    *locations.ENDPOINTS,
    *charge_points.ENDPOINTS,
    *commands.ENDPOINTS,
    *drivers.ENDPOINTS,
    *sessions.ENDPOINTS,
    *reservations.ENDPOINTS,
    *tariffs.ENDPOINTS,
    *memberships.ENDPOINTS,
    *billing.ENDPOINTS,
    *disputes.ENDPOINTS,
    *portal.ENDPOINTS,
    *site_owners.ENDPOINTS,
]

__all__ = ["ENDPOINTS"]
