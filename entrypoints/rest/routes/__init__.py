"""The route table: every endpoint of the REST door, in the order OpenAPI lists them."""

from entrypoints.rest.endpoint import Endpoint
from entrypoints.rest.routes import (
    api_keys,
    billing,
    charge_points,
    commands,
    disputes,
    drivers,
    fleets,
    identity,
    invitations,
    locations,
    members,
    memberships,
    organizations,
    payments,
    portal,
    reports,
    reservations,
    sessions,
    settings,
    site_owners,
    tariffs,
    webhooks,
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
    *fleets.ENDPOINTS,
    *sessions.ENDPOINTS,
    *reservations.ENDPOINTS,
    *tariffs.ENDPOINTS,
    *memberships.ENDPOINTS,
    *billing.ENDPOINTS,
    *reports.ENDPOINTS,
    *disputes.ENDPOINTS,
    *portal.ENDPOINTS,
    *payments.ENDPOINTS,
    *webhooks.ENDPOINTS,
    *site_owners.ENDPOINTS,
]

__all__ = ["ENDPOINTS"]
