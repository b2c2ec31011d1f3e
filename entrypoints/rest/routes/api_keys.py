"""Organization API keys: create (the secret is shown once), list without secrets, revoke."""

from __future__ import annotations

from application.api_keys import CreateApiKey
from application.pagination import Page
from entrypoints.rest.bodies import ApiKeyBody
from entrypoints.rest.endpoint import Call, Endpoint
from entrypoints.rest.views import ApiKeyCreatedOut, ApiKeyOut

TAG = "API keys"
PATH = "/api/v1/organizations/{org_id}/api-keys"


async def create_api_key(call: Call) -> ApiKeyCreatedOut:
    body: ApiKeyBody = call.body
    created = await call.use_cases.create_api_key(call.ids["org_id"], CreateApiKey(name=body.name, role=body.role),
                                                  call.caller)
    return ApiKeyCreatedOut.of(created)


async def list_api_keys(call: Call) -> Page[ApiKeyOut]:
    page = await call.use_cases.list_api_keys(call.ids["org_id"], call.caller, call.page)
    return page.map(ApiKeyOut.of)


async def revoke_api_key(call: Call) -> None:
    await call.use_cases.revoke_api_key(call.ids["org_id"], call.ids["key_id"], call.caller)


ENDPOINTS = [
    Endpoint("POST", PATH, create_api_key, "createApiKey", "Create an API key", TAG, status=201, body=ApiKeyBody,
             response=ApiKeyCreatedOut, creates=True, secret=True, headers={"Cache-Control": "no-store"},
             description="`key` is the secret: it is shown in this response only and stored hashed. "
                         "Repeating the Idempotency-Key answers 409 naming the key: the secret is never replayed."),
    Endpoint("GET", PATH, list_api_keys, "listApiKeys", "List API keys", TAG, response=ApiKeyOut, paginated=True,
             description="Keys of the organization, revoked ones included, never with their secret."),
    Endpoint("DELETE", PATH + "/{key_id}", revoke_api_key, "revokeApiKey", "Revoke an API key", TAG, status=204,
             description="204 No Content; the key stops authenticating at once. Revoking twice is harmless."),
]
