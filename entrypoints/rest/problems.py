"""The one place errors become RFC 9457 ``application/problem+json`` responses.

Domain errors, HTTP-level failures of this door (bad JSON, body too large, wrong media type)
and Starlette's routing errors all end up here; anything else is a logged 500 without details.
"""

from __future__ import annotations

import http
import json
import logging
from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from domain.errors import (
    Conflict,
    DomainError,
    FieldError,
    Forbidden,
    InvalidInput,
    InvalidState,
    NotFound,
    RateLimited,
    Timeout,
    Unauthenticated,
    Unavailable,
)

PROBLEM_JSON = "application/problem+json"
# A stable, non-dereferenceable identifier per code (RFC 9457 §3.1.1 allows a tag URI).
TYPE_PREFIX = "tag:charge.dev,2025:problems/"
WWW_AUTHENTICATE = 'Bearer realm="charge"'

logger = logging.getLogger("charge.rest")

# Most specific class first: InvalidState is a Conflict, and must keep its own code.
_STATUS_BY_ERROR: list[tuple[type[DomainError], int]] = [
    (NotFound, 404),
    (InvalidState, 409),
    (Conflict, 409),
    (InvalidInput, 422),
    (Unauthenticated, 401),
    (Forbidden, 403),
    (RateLimited, 429),
    (Unavailable, 409),
    (Timeout, 504),
]

# Codes for failures that come from HTTP itself rather than from the core.
_HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
    500: "internal_error",
    503: "service_unavailable",
}


class HttpProblem(Exception):
    """A failure of this door itself (not of the core), carried to the mapper like a domain error."""

    def __init__(self, status: int, code: str, detail: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = dict(headers or {})


class BearerChallenge(Unauthenticated):
    """Unauthenticated, found by this door while reading the header; carries RFC 6750's ``error``."""

    def __init__(self, detail: str, error: str | None) -> None:
        super().__init__(detail)
        self.bearer_error = error


def malformed_json(detail: str) -> HttpProblem:
    return HttpProblem(400, "malformed_json", detail)


def status_for(error: DomainError) -> int:
    for kind, status in _STATUS_BY_ERROR:
        if isinstance(error, kind):
            return status
    return 400  # a DomainError subclass nobody mapped yet is still the caller's problem, never a 500


def problem(status: int, code: str, detail: str, *, errors: list[FieldError] | None = None,
            headers: Mapping[str, str] | None = None) -> Response:
    body: dict[str, object] = {
        "type": TYPE_PREFIX + code,
        "title": http.HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors is not None:
        body["errors"] = [{"field": e.field, "message": e.message} for e in errors]
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(content, status_code=status, media_type=PROBLEM_JSON, headers=dict(headers or {}))


def problem_for(exc: BaseException) -> Response:
    """Render any exception as a problem response; unexpected ones are logged and hidden."""
    if isinstance(exc, DomainError):
        status = status_for(exc)
        headers: dict[str, str] = {}
        if isinstance(exc, Unauthenticated):
            error = exc.bearer_error if isinstance(exc, BearerChallenge) else "invalid_token"
            headers["WWW-Authenticate"] = WWW_AUTHENTICATE + (f', error="{error}"' if error else "")
        if isinstance(exc, RateLimited):
            headers["Retry-After"] = str(max(1, int(exc.retry_after)))
        errors = exc.errors if isinstance(exc, InvalidInput) else None
        return problem(status, exc.code, exc.detail, errors=errors, headers=headers)
    if isinstance(exc, HttpProblem):
        return problem(exc.status, exc.code, exc.detail, headers=exc.headers)
    if isinstance(exc, HTTPException):
        status = exc.status_code
        code = _HTTP_CODES.get(status, "http_error")
        detail = exc.detail if exc.detail != http.HTTPStatus(status).phrase else _default_detail(status)
        return problem(status, code, detail, headers=exc.headers)
    logger.error("unhandled error in a REST request", exc_info=exc)
    return problem(500, "internal_error", "an unexpected error occurred; it has been logged")


def _default_detail(status: int) -> str:
    if status == 404:
        return "no such resource"
    if status == 405:
        return "this method is not allowed on this resource"
    return http.HTTPStatus(status).description or http.HTTPStatus(status).phrase


async def handle_exception(request: Request, exc: Exception) -> Response:
    """Starlette exception handler: routing 404/405 and anything raised outside an endpoint."""
    return problem_for(exc)
