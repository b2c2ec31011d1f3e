"""Every error leaves as an RFC 9457 problem with the status and code the architecture fixes."""

from __future__ import annotations

import json

import httpx
import pytest
from starlette.applications import Starlette
from starlette.exceptions import HTTPException

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
from entrypoints.rest.app import Door
from entrypoints.rest.endpoint import Call, Endpoint
from entrypoints.rest.problems import PROBLEM_JSON, HttpProblem, problem_for


def _body(response) -> dict:
    assert response.media_type == PROBLEM_JSON
    return json.loads(response.body)


@pytest.mark.parametrize(("error", "status", "code"), [
    (NotFound("organization", "org_1"), 404, "not_found"),
    (Conflict("taken"), 409, "conflict"),
    (InvalidState("invitation is accepted"), 409, "invalid_state"),
    (InvalidInput.field("country", "not ISO"), 422, "invalid_input"),
    (Unauthenticated("bad token"), 401, "unauthenticated"),
    (Forbidden("viewer may not"), 403, "forbidden"),
    (RateLimited("slow down", retry_after=30), 429, "rate_limited"),
    (Unavailable("charge point offline"), 409, "unavailable"),
    (Timeout("no answer"), 504, "timeout"),
    (DomainError("unmapped"), 400, "error"),
])
def test_domain_errors_map_to_their_status_and_code(error, status, code):
    response = problem_for(error)
    body = _body(response)
    assert response.status_code == status
    assert body["status"] == status and body["code"] == code
    assert body["type"].endswith("/" + code) and body["title"] and body["detail"] == error.detail


def test_invalid_input_lists_every_field_at_fault():
    body = _body(problem_for(InvalidInput([FieldError("currency", "bad"), FieldError("notifications.x", "bad")])))
    assert body["errors"] == [{"field": "currency", "message": "bad"},
                              {"field": "notifications.x", "message": "bad"}]


def test_unauthenticated_challenges_and_rate_limited_says_when_to_retry():
    assert problem_for(Unauthenticated("x")).headers["www-authenticate"].startswith("Bearer")
    assert problem_for(RateLimited("x", retry_after=12)).headers["retry-after"] == "12"


def test_http_failures_of_the_door_itself():
    response = problem_for(HttpProblem(413, "payload_too_large", "too big"))
    assert response.status_code == 413 and _body(response)["code"] == "payload_too_large"
    response = problem_for(HTTPException(405, headers={"Allow": "GET"}))
    assert response.status_code == 405 and response.headers["allow"] == "GET"
    assert _body(response)["code"] == "method_not_allowed"


def test_unexpected_errors_are_a_500_without_details(caplog):
    response = problem_for(RuntimeError("secret connection string"))
    body = _body(response)
    assert response.status_code == 500 and body["code"] == "internal_error"
    assert "secret" not in response.body.decode()
    assert "unhandled error" in caplog.text


async def test_a_crashing_handler_answers_500_problem_and_is_logged(container, caplog):
    async def crash(call: Call) -> None:
        raise RuntimeError("boom at /var/lib/secret")

    door = Door(container, [Endpoint("GET", "/crash", crash, "crash", "Crash", "Test", public=True)])
    app = Starlette(routes=door.routes())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        response = await client.get("/crash")
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["code"] == "internal_error" and "boom" not in response.text
    assert "boom" in caplog.text


async def test_unknown_paths_and_methods_are_problems(client):
    missing = await client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert missing.headers["content-type"] == PROBLEM_JSON
    wrong = await client.delete("/api/v1/me")
    assert wrong.status_code == 405 and wrong.json()["code"] == "method_not_allowed"
    assert "GET" in wrong.headers["allow"]


async def test_malformed_path_ids_are_not_found_without_echoing_them(api):
    _, _, token = await api.user()
    for path in ["/organizations/not-an-id", "/organizations/org_%00", "/organizations/usr_01JD000000000000000000000A",
                 "/organizations/" + "x" * 5000]:
        response = await api.get(path, token)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found" and "%00" not in response.text
