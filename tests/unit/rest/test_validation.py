"""Request bodies are checked at the edge, strictly, naming the field at fault."""

from __future__ import annotations

import pytest

from domain.errors import InvalidInput
from domain.identity import Notifications, Role
from entrypoints.rest.bodies import RoleBody, SettingsBody, SignupBody
from entrypoints.rest.problems import PROBLEM_JSON
from entrypoints.rest.schema import parse


def _errors(cls: type, value: object) -> dict[str, str]:
    with pytest.raises(InvalidInput) as caught:
        parse(cls, value)
    return {e.field: e.message for e in caught.value.errors}


def test_a_valid_body_is_built_with_its_defaults():
    body = parse(SettingsBody, {"currency": "EUR", "timezone": "Europe/Paris", "notifications": {"weekly_report": True}})
    assert body.billing_email is None and body.default_tariff_id is None
    assert body.notifications == Notifications(weekly_report=True)
    assert parse(RoleBody, {"role": "viewer"}).role is Role.VIEWER


def test_types_are_strict():
    errors = _errors(SignupBody, {"email": 5, "password": True, "name": None})
    assert errors == {"email": "must be a string", "password": "must be a string", "name": "must not be null"}
    errors = _errors(SettingsBody, {"currency": "EUR", "timezone": "UTC", "notifications": {"weekly_report": 1}})
    assert errors == {"notifications.weekly_report": "must be a boolean"}
    assert _errors(SettingsBody, {"currency": "EUR", "timezone": "UTC", "notifications": []}) == {
        "notifications": "must be an object"}


def test_missing_unknown_and_oversize_fields_are_named():
    errors = _errors(SignupBody, {"email": "a@b.example", "name": "x" * 201, "admin": True})
    assert errors == {"password": "is required", "name": "at most 200 characters", "admin": "unknown field"}


def test_unknown_notification_switches_are_named_with_their_path():
    errors = _errors(SettingsBody, {"currency": "EUR", "timezone": "UTC", "notifications": {"sms": True}})
    assert errors == {"notifications.sms": "unknown field"}


def test_roles_are_an_enumeration():
    assert _errors(RoleBody, {"role": "owner"}) == {"role": "must be one of admin, member, viewer"}
    assert _errors(RoleBody, {"role": 1}) == {"role": "must be one of admin, member, viewer"}


def test_text_a_database_cannot_store_is_refused():
    assert _errors(SignupBody, {"email": "a\x00@b.example", "password": "12345678", "name": "\ud800"}) == {
        "email": "must not contain NUL characters", "name": "must be valid Unicode text"}


@pytest.mark.parametrize("value", [[], "x", 1, None, True])
def test_a_body_that_is_not_an_object_is_refused(value):
    assert _errors(SignupBody, value) == {"": "the request body must be a JSON object"}


async def test_malformed_json_is_a_400_problem(api):
    for raw in [b'{"email": ', b"NaN", b'{"a": Infinity}', b"\xff\xfe", b"", b"[" * 100_000]:
        response = await api.post("/auth/signup", content=raw, headers={"Content-Type": "application/json"})
        assert response.status_code == 400, raw[:20]
        assert response.headers["content-type"] == PROBLEM_JSON
        assert response.json()["code"] == "malformed_json"


async def test_bodies_must_be_json(api):
    response = await api.post("/auth/signup", content=b"email=a", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415 and response.json()["code"] == "unsupported_media_type"
    response = await api.post("/auth/signup", content=b"{}")
    assert response.status_code == 415
    response = await api.post("/auth/signup", json={"email": "a@b.example", "password": "12345678", "name": "A"},
                              headers={"Content-Type": "application/json; charset=utf-8"})
    assert response.status_code == 201


async def test_oversize_bodies_are_refused_while_streaming(api):
    big = b'{"name": "' + b"x" * 1_100_000 + b'"}'
    response = await api.post("/auth/signup", content=big, headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and response.json()["code"] == "payload_too_large"

    async def chunks():  # no Content-Length: the limit must hold while reading
        for _ in range(20):
            yield b"x" * 100_000

    response = await api.post("/auth/signup", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413


async def test_domain_validation_comes_through_with_the_domain_field_names(api):
    _, _, token = await api.user()
    response = await api.post("/organizations", token, json={"name": "X", "country": "XX", "contact_email": "nope"})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"country", "contact_email"}


async def test_the_body_limit_is_configurable():
    import httpx

    from entrypoints.rest.app import create_app
    from tests.unit.rest.conftest import build_container

    app = create_app(build_container(max_body_bytes=64))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        small = await client.post("/api/v1/auth/token", json={"email": "a@b.example", "password": "x"})
        large = await client.post("/api/v1/auth/token", json={"email": "a@b.example", "password": "x" * 64})
    assert small.status_code == 401 and large.status_code == 413
