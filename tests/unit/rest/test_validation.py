"""Request bodies are checked at the edge, strictly, naming the field at fault."""

from __future__ import annotations

import pytest

from domain.errors import InvalidInput
from domain.identity import Notifications, Role
from entrypoints.rest.bodies import RoleBody, SettingsBody, SignupBody
from entrypoints.rest.problems import PROBLEM_JSON
from entrypoints.rest.schema import parse, parse_query


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


def test_integers_lists_and_nested_paths():
    from entrypoints.rest.bodies import ChargePointBody

    body = parse(ChargePointBody, {"id": "CP", "location_id": "loc", "evses": [
        {"evse_id": 1.0, "connectors": [{"connector_id": 2}]}]})
    assert body.evses[0].evse_id == 1 and isinstance(body.evses[0].evse_id, int)
    assert body.evses[0].connectors[0].connector_id == 2 and body.validation_mode.value == "strict"
    errors = _errors(ChargePointBody, {"id": "CP", "location_id": "loc", "evses": [
        {"evse_id": 0, "connectors": [{"connector_id": True}, {"connector_id": 1.5}, {}]}, "x"]})
    assert errors == {"evses[0].evse_id": "must be between 1 and 100",
                      "evses[0].connectors[0].connector_id": "must be an integer",
                      "evses[0].connectors[1].connector_id": "must be an integer",
                      "evses[0].connectors[2].connector_id": "is required",
                      "evses[1]": "must be an object"}
    assert _errors(ChargePointBody, {"id": "CP", "location_id": "loc", "evses": {}}) == {"evses": "must be an array"}
    too_many = [{"evse_id": 1, "connectors": [{"connector_id": 1}] * 11}]
    assert _errors(ChargePointBody, {"id": "CP", "location_id": "loc", "evses": too_many}) == {
        "evses[0].connectors": "must have 1 to 10 items"}


def test_decimals_as_strings_or_numbers():
    from decimal import Decimal

    from entrypoints.rest.bodies import LocationBody, SetChargingProfileBody

    base = {"name": "N", "address": "A", "city": "C", "country": "GB", "timezone": "UTC"}
    body = parse(LocationBody, base | {"latitude": 51.5072, "longitude": "-0.1276"})
    assert body.latitude == Decimal("51.5072") and body.longitude == Decimal("-0.1276")
    assert parse(LocationBody, base | {"latitude": 3, "longitude": 0}).latitude == Decimal(3)
    assert _errors(LocationBody, base | {"latitude": "1e3", "longitude": True}) == {
        "latitude": "must be a number or a decimal string of at most 32 characters",
        "longitude": "must be a number or a decimal string of at most 32 characters"}
    limit = {"connector_id": 1, "unit": "A"}
    assert parse(SetChargingProfileBody, limit | {"limit": "16.5"}).limit == Decimal("16.5")
    assert set(_errors(SetChargingProfileBody, limit | {"limit": 16.5})) == {"limit"}
    assert set(_errors(SetChargingProfileBody, limit | {"limit": "-1"})) == {"limit"}


def test_timestamps_need_an_offset_and_a_real_date():
    from datetime import UTC, datetime

    from entrypoints.rest.bodies import ReservationBody

    base = {"charge_point_id": "CP", "connector_id": 1, "id_tag": "T"}
    body = parse(ReservationBody, base | {"expires_at": "2026-01-15T10:00:00.5+01:00"})
    assert body.expires_at == datetime(2026, 1, 15, 9, 0, 0, 500000, tzinfo=UTC) and body.expires_at.tzinfo is UTC
    for bad in ("2026-01-15T10:00:00", "2026-02-30T10:00:00Z", "2026-01-15", "tomorrow", "2026-01-15t10:00:00z"):
        assert set(_errors(ReservationBody, base | {"expires_at": bad})) == {"expires_at"}, bad


def test_query_parameters_unknown_repeated_empty_and_typed():
    from entrypoints.rest.queries import SessionQuery

    q = parse_query(SessionQuery, [("status", "active"), ("from", "2026-01-15T09:00:00Z"), ("limit", "5")],
                    frozenset({"limit"}))
    assert q.status.value == "active" and q.started_from is not None and q.started_to is None
    with pytest.raises(InvalidInput) as caught:
        parse_query(SessionQuery, [("status", "x"), ("status", "y"), ("driver_id", ""), ("to", "soon"),
                                   ("sort", "asc")])
    assert {(e.field, e.message.split(" ")[0]) for e in caught.value.errors} == {
        ("status", "given"), ("driver_id", "must"), ("to", "must"), ("sort", "unknown")}


async def test_unknown_query_parameters_are_refused_everywhere(api):
    _, _, token = await api.user()
    response = await api.get("/me", token, params={"expand": "all"})
    assert response.status_code == 422 and response.json()["errors"] == [
        {"field": "expand", "message": "unknown query parameter"}]
