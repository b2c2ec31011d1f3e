"""The OpenAPI 3.1 document, built from the route table and the body/view declarations.

``python -m entrypoints.rest.openapi`` prints it (``make openapi`` writes ``contracts/openapi.json``);
the app serves the same bytes at ``/openapi.json``.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import metadata
from typing import Any

from entrypoints.rest.endpoint import Endpoint
from entrypoints.rest.idempotency import HEADER, MAX_KEY, REPLAYED
from entrypoints.rest.inputs import ORGANIZATION_HEADER, PATH_IDS
from entrypoints.rest.problems import PROBLEM_JSON
from entrypoints.rest.routes import ENDPOINTS
from entrypoints.rest.schema import SchemaBuilder, fields_of, wire_name
from entrypoints.rest.views import HealthOut

JSON = "application/json"

_ERROR_DESCRIPTIONS: dict[int | str, str] = {
    400: "Malformed request: the body is not valid JSON (`malformed_json`).",
    401: "Missing, unknown, expired or revoked credentials.",
    403: "The caller's role does not allow this.",
    404: "Unknown, or another organization's.",
    409: "Conflicts with the current state, or an `Idempotency-Key` reused with another body.",
    413: "The request body is too large.",
    415: "The request body is not `application/json`.",
    422: "Invalid input; `errors` names each field, header or query parameter at fault (unknown and repeated "
         "query parameters are refused).",
    429: "Too many attempts; retry after `Retry-After` seconds.",
    503: "The database does not answer.",
    504: "The charge point did not answer in time (`timeout`); whether it acted is unknown.",
    "default": "An unexpected error (5xx); nothing about it is disclosed.",
}

_PROBLEM = {
    "type": "object",
    "description": "An RFC 9457 problem.",
    "properties": {
        "type": {"type": "string", "format": "uri", "description": "Identifies the kind of problem."},
        "title": {"type": "string", "description": "The HTTP status phrase."},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "What went wrong, for a human."},
        "code": {"type": "string", "description": "A stable code for programs (`not_found`, `invalid_input`…)."},
        "errors": {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"},
                   "description": "With 422: each field at fault, as a dotted path."},
    },
    "required": ["type", "title", "status", "detail", "code"],
}

_FIELD_ERROR = {
    "type": "object",
    "properties": {
        "field": {"type": "string", "description": "Dotted path of the field (`notifications.weekly_report`)."},
        "message": {"type": "string"},
    },
    "required": ["field", "message"],
}


# Problem answers are shared components, referred to by name from each operation.
_RESPONSE_NAMES: dict[int | str, str] = {
    400: "MalformedRequest", 401: "Unauthenticated", 403: "Forbidden", 404: "NotFound", 409: "Conflict",
    413: "PayloadTooLarge", 415: "UnsupportedMediaType", 422: "InvalidInput", 429: "RateLimited",
    503: "ServiceUnavailable", 504: "GatewayTimeout", "default": "UnexpectedError",
}


def _problem_ref(status: int | str) -> dict[str, str]:
    return {"$ref": "#/components/responses/" + _RESPONSE_NAMES[status]}


def _problem_response(status: int | str) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": _ERROR_DESCRIPTIONS.get(status, "Error."),
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    if status == 401:
        response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"},
                                                    "description": "`Bearer realm=\"charge\"`"}}
    if status == 429:
        response["headers"] = {"Retry-After": {"schema": {"type": "integer"},
                                               "description": "Seconds to wait."}}
    return response


_IDENTITY_SCHEMA = {"type": "string", "pattern": "^[A-Za-z0-9._:*+|@-]{1,48}$"}
_TENANT_HEADER = {
    "name": ORGANIZATION_HEADER, "in": "header", "required": False,
    "description": "The organization to act in (`org_…`). Required with a user access token; with an API "
                   "key it may be left out (the key's organization), and naming another organization is a 404. "
                   "Missing with a user token: 422; an organization the user does not belong to: 404.",
    "schema": {"type": "string"},
}


def _parameters(builder: SchemaBuilder, endpoint: Endpoint) -> list[dict[str, Any]]:
    parameters: list[dict[str, Any]] = []
    for name in re.findall(r"{(\w+)}", endpoint.path):
        prefix, kind = PATH_IDS[name]
        if prefix is None:
            parameters.append({"name": name, "in": "path", "required": True,
                               "description": f"The {kind.replace('_', ' ')}'s OCPP identity (as registered).",
                               "schema": dict(_IDENTITY_SCHEMA)})
            continue
        parameters.append({"name": name, "in": "path", "required": True,
                           "description": f"The {kind.replace('_', ' ')} id (`{prefix}_…`).",
                           "schema": {"type": "string"}})
    if endpoint.tenant:
        parameters.append(dict(_TENANT_HEADER))
    if endpoint.query is not None:
        for f in fields_of(endpoint.query):
            parameter: dict[str, Any] = {"name": wire_name(f), "in": "query", "required": False,
                                         "description": f.metadata.get("description", ""),
                                         "schema": builder.parameter_schema(f)}
            if f.metadata.get("example") is not None:
                parameter["example"] = f.metadata["example"]
            parameters.append(parameter)
    if endpoint.paginated:
        parameters.append({"name": "limit", "in": "query", "required": False,
                           "description": "Items per page.",
                           "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}})
        parameters.append({"name": "cursor", "in": "query", "required": False,
                           "description": "`next_cursor` of the previous page.", "schema": {"type": "string"}})
    if endpoint.creates:
        parameters.append({"name": HEADER, "in": "header", "required": False,
                           "description": "Repeating a key returns the first response (with "
                                          f"`{REPLAYED}: true`); reusing it with another body is a 409.",
                           "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY}})
    return parameters


def _list_schema(builder: SchemaBuilder, item: type) -> dict[str, Any]:
    name = item.__name__.removesuffix("Out") + "Page"
    builder.components[name] = {
        "type": "object",
        "properties": {
            "data": {"type": "array", "items": builder.schema(item)},
            "has_more": {"type": "boolean"},
            "next_cursor": {"type": ["string", "null"], "description": "Pass as `cursor` for the next page."},
        },
        "required": ["data", "has_more", "next_cursor"],
        "additionalProperties": False,
    }
    return {"$ref": builder.ref_prefix + name}


def _operation(builder: SchemaBuilder, endpoint: Endpoint) -> dict[str, Any]:
    operation: dict[str, Any] = {"operationId": endpoint.operation_id, "summary": endpoint.summary,
                                 "tags": [endpoint.tag]}
    if endpoint.description:
        operation["description"] = endpoint.description
    if endpoint.public:
        operation["security"] = []
    parameters = _parameters(builder, endpoint)
    if parameters:
        operation["parameters"] = parameters
    if endpoint.body is not None:
        operation["requestBody"] = {"required": True, "content": {
            JSON: {"schema": builder.schema(endpoint.body, request=True)}}}
    success: dict[str, Any] = {"description": "No Content" if endpoint.status == 204 else "Success."}
    if endpoint.response is not None:
        schema = _list_schema(builder, endpoint.response) if endpoint.paginated else builder.schema(endpoint.response)
        success["content"] = {JSON: {"schema": schema}}
    if endpoint.creates:
        success["headers"] = {REPLAYED: {"schema": {"type": "string", "const": "true"},
                                         "description": "Present when this is a replayed response."}}
    responses: dict[str, Any] = {str(endpoint.status): success}
    for status in endpoint.error_statuses:
        responses[str(status)] = _problem_ref(status)
    responses["default"] = _problem_ref("default")
    operation["responses"] = responses
    return operation


def build_openapi(endpoints: list[Endpoint] = ENDPOINTS) -> dict[str, Any]:
    builder = SchemaBuilder()
    paths: dict[str, dict[str, Any]] = {
        "/healthz": {"get": {
            "operationId": "health", "summary": "Health check", "tags": ["Operations"], "security": [],
            "responses": {"200": {"description": "The server and its database answer.",
                                  "content": {JSON: {"schema": builder.schema(HealthOut)}}},
                          "503": _problem_ref(503)}}},
        "/openapi.json": {"get": {
            "operationId": "openapi", "summary": "This document", "tags": ["Operations"], "security": [],
            "responses": {"200": {"description": "The OpenAPI 3.1 document.",
                                  "content": {JSON: {"schema": {"type": "object"}}}}}}},
    }
    for endpoint in endpoints:
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = _operation(builder, endpoint)
    components = {"Problem": _PROBLEM, "FieldError": _FIELD_ERROR, **dict(sorted(builder.components.items()))}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Charge API",
            "version": _version(),
            "description": "REST API of Charge, an EV charging platform. JSON in and out; timestamps are "
                           "ISO 8601 with offset; errors are RFC 9457 problems; lists are cursor-paginated.",
        },
        "tags": [{"name": t} for t in dict.fromkeys(["Operations", *(e.tag for e in endpoints)])],
        "paths": paths,
        "components": {
            "schemas": components,
            "responses": {name: _problem_response(status) for status, name in _RESPONSE_NAMES.items()},
            "securitySchemes": {"bearer": {
                "type": "http", "scheme": "bearer",
                "description": "A user access token (`POST /api/v1/auth/token`) or an organization API key."}},
        },
        "security": [{"bearer": []}],
    }


def _version() -> str:
    try:
        return metadata.version("charge")
    except metadata.PackageNotFoundError:
        return "0.0.0"


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


@cache
def openapi_json() -> bytes:
    """The document as served and as checked in (built once per process)."""
    return render(build_openapi()).encode("utf-8")


def main() -> None:
    print(openapi_json().decode("utf-8"), end="")


if __name__ == "__main__":
    main()
