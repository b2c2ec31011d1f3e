"""The route table: every endpoint of the REST door, in the order OpenAPI lists them."""

from entrypoints.rest.endpoint import Endpoint
from entrypoints.rest.routes import api_keys, identity, invitations, members, organizations, settings

ENDPOINTS: list[Endpoint] = [
    *identity.ENDPOINTS,
    *organizations.ENDPOINTS,
    *members.ENDPOINTS,
    *invitations.ENDPOINTS,
    *settings.ENDPOINTS,
    *api_keys.ENDPOINTS,
]

__all__ = ["ENDPOINTS"]
