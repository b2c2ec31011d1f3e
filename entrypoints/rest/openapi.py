"""The OpenAPI 3.1 document, built from the route table and the msgspec Structs of bodies, queries and views.

``python -m entrypoints.rest.openapi`` prints it (``make openapi`` writes ``contracts/openapi.json``);
the app serves the same bytes at ``/openapi.json``.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import metadata
from typing import Any

import msgspec
from msgspec import inspect

from application.idempotency import MAX_KEY
from application.pagination import MAX_LIMIT
from domain.ids import id_pattern
from domain.network.charge_points import IDENTITY
from entrypoints.rest.endpoint import Endpoint
from entrypoints.rest.idempotency import HEADER, REPLAYED
from entrypoints.rest.inputs import ORGANIZATION_HEADER, PATH_IDS, PATH_SECRETS
from entrypoints.rest.problems import PROBLEM_JSON
from entrypoints.rest.routes import ENDPOINTS
from entrypoints.rest.shapes import ecma
from entrypoints.rest.views import HealthOut, PageOut

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


_IDENTITY_SCHEMA = {"type": "string", "pattern": ecma(IDENTITY.pattern)}
_TENANT_HEADER = {
    "name": ORGANIZATION_HEADER, "in": "header", "required": False,
    "description": "The organization to act in (`org_…`). Required with a user access token; with an API "
                   "key it may be left out (the key's organization), and naming another organization is a 404. "
                   "Missing with a user token: 422; an organization the user does not belong to: 404.",
    "schema": {"type": "string", "pattern": id_pattern("org")},
}


REF = "#/components/schemas/{name}"
# This document itself, as far as a client needs to know to read it (the full metaschema is OpenAPI's).
_OPENAPI_DOCUMENT = {"type": "object", "required": ["openapi", "info", "paths", "components"],
                     "properties": {"openapi": {"type": "string", "const": "3.1.0"}, "info": {"type": "object"},
                                    "paths": {"type": "object"}, "components": {"type": "object"}}}


def _together(a: str, b: str) -> dict[str, Any]:
    """Given (not null), ``a`` needs ``b`` given too."""
    return {"anyOf": [{"properties": {a: {"type": "null"}}},
                      {"required": [b], "properties": {b: {"not": {"type": "null"}}}}]}


# Rules between fields that the domain checks and JSON Schema can say (a Struct field cannot carry them).
_BETWEEN_FIELDS: dict[str, dict[str, Any]] = {
    "MembershipPlanBody": {"oneOf": [
        {"required": ["tariff_id"], "properties": {"tariff_id": {"type": "string"},
                                                   "discount_percent": {"type": "null"}}},
        {"required": ["discount_percent"], "properties": {"discount_percent": {"not": {"type": "null"}},
                                                          "tariff_id": {"type": "null"}}}]},
    "LocationBody": {"dependentSchemas": {"latitude": _together("latitude", "longitude"),
                                          "longitude": _together("longitude", "latitude")}},
    "QuoteBody": {"anyOf": [{"required": ["energy_kwh"], "properties": {"energy_kwh": {"not": {"type": "null"}}}},
                            {"required": ["meter_values"], "properties": {"meter_values": {"minItems": 1}}}]},
}


class _Schemas:
    """The JSON Schema of every type the endpoints name, made by msgspec in one call (shared components)."""

    def __init__(self, endpoints: list[Endpoint]) -> None:
        kinds: list[Any] = [HealthOut]
        for endpoint in endpoints:
            kinds += [k for k in (endpoint.body, endpoint.query, self._answer(endpoint)) if k is not None]
        self._kinds = list(dict.fromkeys(kinds))
        schemas, components = msgspec.json.schema_components(self._kinds, ref_template=REF)
        self._schemas = dict(zip(self._kinds, schemas, strict=True))
        queries = {e.query.__name__ for e in endpoints if e.query is not None}
        self.components = {name: _tidy(c) | _BETWEEN_FIELDS.get(name, {})
                           for name, c in sorted(components.items()) if name not in queries}
        self._query_components = {name: c for name, c in components.items() if name in queries}

    @staticmethod
    def _answer(endpoint: Endpoint) -> Any:
        if endpoint.response is None:
            return None
        page: Any = PageOut  # subscripted with a class known only at run time
        return page[endpoint.response] if endpoint.paginated else endpoint.response

    def of(self, kind: Any) -> dict[str, Any]:
        return self._schemas[kind]

    def answer(self, endpoint: Endpoint) -> dict[str, Any]:
        return self._schemas[self._answer(endpoint)]

    def parameters(self, query: type) -> list[dict[str, Any]]:
        """A query Struct's fields as OpenAPI parameters (never null: an absent parameter is the null)."""
        properties = self._query_components[query.__name__]["properties"]
        info = inspect.type_info(query)
        assert isinstance(info, inspect.StructType)
        parameters = []
        for f in info.fields:
            schema = dict(properties[f.encode_name])
            description = schema.pop("description", "")
            examples = schema.pop("examples", None)
            schema.pop("default", None)
            options = [s for s in schema.pop("anyOf", []) if s != {"type": "null"}]
            if options:
                schema = {**options[0], **schema} if len(options) == 1 else {"anyOf": options, **schema}
            parameter: dict[str, Any] = {"name": f.encode_name, "in": "query", "required": False,
                                         "description": description, "schema": schema}
            if examples:
                parameter["example"] = examples[0]
            parameters.append(parameter)
        return parameters


def _tidy(component: dict[str, Any]) -> dict[str, Any]:
    # msgspec titles each component with its class name, which its key already is.
    return {k: v for k, v in component.items() if k != "title"}


def _parameters(schemas: _Schemas, endpoint: Endpoint) -> list[dict[str, Any]]:
    parameters: list[dict[str, Any]] = []
    for name in re.findall(r"{(\w+)}", endpoint.path):
        if name in PATH_SECRETS:
            parameters.append({"name": name, "in": "path", "required": True,
                               "description": "The one-time secret from the email (shown nowhere else).",
                               "schema": {"type": "string", "minLength": 1, "maxLength": 200}})
            continue
        prefix, kind = PATH_IDS[name]
        if prefix is None:
            parameters.append({"name": name, "in": "path", "required": True,
                               "description": f"The {kind.replace('_', ' ')}'s OCPP identity (as registered).",
                               "schema": dict(_IDENTITY_SCHEMA)})
            continue
        parameters.append({"name": name, "in": "path", "required": True,
                           "description": f"The {kind.replace('_', ' ')} id (`{prefix}_…`).",
                           "schema": {"type": "string", "pattern": id_pattern(prefix)}})
    if endpoint.tenant:
        parameters.append(dict(_TENANT_HEADER))
    if endpoint.query is not None:
        parameters += schemas.parameters(endpoint.query)
    if endpoint.paginated:
        parameters.append({"name": "limit", "in": "query", "required": False,
                           "description": "Items per page.",
                           "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 20}})
        parameters.append({"name": "cursor", "in": "query", "required": False,
                           "description": "`next_cursor` of the previous page.",
                           "schema": {"type": "string", "maxLength": 200}})
    if endpoint.creates:
        parameters.append({"name": HEADER, "in": "header", "required": False,
                           "description": "Repeating a key returns the first response (with "
                                          f"`{REPLAYED}: true`); reusing it with another body is a 409.",
                           "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY,
                                      "pattern": "^[ -~]+$"}})
    return parameters


def _operation(schemas: _Schemas, endpoint: Endpoint) -> dict[str, Any]:
    operation: dict[str, Any] = {"operationId": endpoint.operation_id, "summary": endpoint.summary,
                                 "tags": [endpoint.tag]}
    if endpoint.description:
        operation["description"] = endpoint.description
    if endpoint.public:
        operation["security"] = []
    parameters = _parameters(schemas, endpoint)
    if parameters:
        operation["parameters"] = parameters
    if endpoint.body is not None:
        operation["requestBody"] = {"required": True, "content": {JSON: {"schema": schemas.of(endpoint.body)}}}
    success: dict[str, Any] = {"description": "No Content" if endpoint.status == 204 else "Success."}
    if endpoint.response is not None:
        success["content"] = {JSON: {"schema": schemas.answer(endpoint)}}
        if endpoint.media_type is not None:   # the same answer in another form, asked for with Accept (CSV, PDF)
            text = endpoint.media_type.startswith("text/")
            success["content"][endpoint.media_type] = {"schema": {"type": "string"} if text
                                                       else {"type": "string", "format": "binary"}}
    elif endpoint.media_type is not None:
        success["content"] = {endpoint.media_type: {"schema": {"type": "string", "format": "binary"}}}
    for media_type in endpoint.media_types:
        success.setdefault("content", {})[media_type] = {"schema": {"type": "string"}}
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
    schemas = _Schemas(endpoints)
    paths: dict[str, dict[str, Any]] = {
        "/healthz": {"get": {
            "operationId": "health", "summary": "Health check", "tags": ["Operations"], "security": [],
            "responses": {"200": {"description": "The server and its database answer.",
                                  "content": {JSON: {"schema": schemas.of(HealthOut)}}},
                          "503": _problem_ref(503)}}},
        "/openapi.json": {"get": {
            "operationId": "openapi", "summary": "This document", "tags": ["Operations"], "security": [],
            "responses": {"200": {"description": "The OpenAPI 3.1 document.",
                                  "content": {JSON: {"schema": _OPENAPI_DOCUMENT}}}}}},
    }
    for endpoint in endpoints:
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = _operation(schemas, endpoint)
    components = {"Problem": _PROBLEM, "FieldError": _FIELD_ERROR, **schemas.components}
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
