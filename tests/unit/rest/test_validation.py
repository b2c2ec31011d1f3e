"""Request bodies are decoded at the edge by msgspec, strictly, naming the field at fault (the first one)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from domain.errors import InvalidInput
from domain.identity import Role
from entrypoints.rest.bodies import NotificationsBody, RoleBody, SettingsBody, SignupBody
from entrypoints.rest.decoding import decode_body, decode_query
from entrypoints.rest.problems import PROBLEM_JSON, HttpProblem


def parse(cls: type, value: Any) -> Any:
    return decode_body(cls, json.dumps(value).encode())


def _errors(cls: type, value: object) -> dict[str, str]:
    with pytest.raises(InvalidInput) as caught:
        parse(cls, value)
    return {e.field: e.message for e in caught.value.errors}


def test_a_valid_body_is_built_with_its_defaults():
    body = parse(SettingsBody, {"currency": "EUR", "timezone": "Europe/Paris",
                                "notifications": {"weekly_report": True}})
    assert body.billing_email is None and body.default_tariff_id is None
    assert body.notifications == NotificationsBody(weekly_report=True)
    assert parse(RoleBody, {"role": "viewer"}).role is Role.VIEWER


def test_types_are_strict():
    assert _errors(SignupBody, {"email": 5, "password": "12345678", "name": "A"}) == {"email": "must be a string"}
    assert _errors(SignupBody, {"email": "a@b.example", "password": True, "name": "A"}) == {
        "password": "must be a string"}
    assert _errors(SignupBody, {"email": "a@b.example", "password": "12345678", "name": None}) == {
        "name": "must be a string"}
    errors = _errors(SettingsBody, {"currency": "EUR", "timezone": "UTC", "notifications": {"weekly_report": 1}})
    assert errors == {"notifications.weekly_report": "must be a boolean"}
    assert _errors(SettingsBody, {"currency": "EUR", "timezone": "UTC", "notifications": []}) == {
        "notifications": "must be an object"}


def test_missing_unknown_and_oversize_fields_are_named():
    assert _errors(SignupBody, {"email": "a@b.example", "name": "A"}) == {"password": "is required"}
    assert _errors(SignupBody, {"email": "a@b.example", "password": "12345678", "name": "x" * 201}) == {
        "name": "at most 200 characters"}
    assert _errors(SignupBody, {"email": "a@b.example", "password": "12345678", "name": "A", "admin": True}) == {
        "admin": "unknown field"}


def test_unknown_notification_switches_are_named_with_their_path():
    errors = _errors(SettingsBody, {"currency": "EUR", "timezone": "UTC", "notifications": {"sms": True}})
    assert errors == {"notifications.sms": "unknown field"}


def test_roles_are_an_enumeration():  # named with their values, whatever the wrong type
    assert _errors(RoleBody, {"role": "owner"}) == {"role": "must be one of admin, member, viewer"}
    assert _errors(RoleBody, {"role": 1}) == {"role": "must be one of admin, member, viewer"}


def test_text_a_database_cannot_store_is_refused():
    assert _errors(SignupBody, {"email": "a\x00@b.example", "password": "12345678", "name": "A"}) == {
        "email": "must not contain NUL characters"}
    with pytest.raises(HttpProblem) as caught:  # JSON can spell a lone surrogate; no database can store it
        decode_body(SignupBody, b'{"email": "a@b.example", "password": "12345678", "name": "\\ud800"}')
    assert caught.value.status == 400 and "surrogate" in caught.value.detail


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
        {"evse_id": 1.0, "connectors": [{"connector_id": 2.0}, {"connector_id": 1e0}]}]})
    assert body.evses[0].evse_id == 1 and type(body.evses[0].evse_id) is int
    assert body.evses[0].connectors[1].connector_id == 1 and body.validation_mode.value == "strict"

    def evses(*connectors: Any, evse_id: Any = 1) -> dict[str, Any]:
        return {"id": "CP", "location_id": "loc", "evses": [{"evse_id": evse_id, "connectors": list(connectors)}]}

    assert _errors(ChargePointBody, evses({"connector_id": 1}, evse_id=0)) == {"evses[0].evse_id": "must be at least 1"}
    assert _errors(ChargePointBody, evses({"connector_id": True})) == {
        "evses[0].connectors[0].connector_id": "must be an integer"}
    assert _errors(ChargePointBody, evses({"connector_id": 1}, {"connector_id": 1.5})) == {
        "evses[0].connectors[1].connector_id": "must be an integer"}
    assert _errors(ChargePointBody, evses({"connector_id": 1}, {"connector_id": 2.0}, {})) == {
        "evses[0].connectors[2].connector_id": "is required"}
    assert _errors(ChargePointBody, {"id": "CP", "location_id": "loc", "evses": ["x"]}) == {
        "evses[0]": "must be an object"}
    assert _errors(ChargePointBody, {"id": "CP", "location_id": "loc", "evses": {}}) == {"evses": "must be an array"}
    assert _errors(ChargePointBody, evses(*[{"connector_id": 1}] * 11)) == {"evses[0].connectors": "at most 10 items"}


def test_decimals_as_strings_or_numbers():
    from decimal import Decimal

    from entrypoints.rest.bodies import LocationBody, SetChargingProfileBody
    from entrypoints.rest.decoding import quantity

    base = {"name": "N", "address": "A", "city": "C", "country": "GB", "timezone": "UTC"}
    body = parse(LocationBody, base | {"latitude": 51.5072, "longitude": "-0.1276"})
    # Handed over exactly (the JSON number's own digits), then read by the domain's one decimal parser.
    assert body.latitude == Decimal("51.5072") and body.longitude == "-0.1276"
    assert quantity(body.longitude, "longitude", allow_negative=True) == Decimal("-0.1276")
    exact = decode_body(LocationBody, json.dumps(base).encode()[:-1] + b', "latitude": 0.1000000000000000000001}')
    assert quantity(exact.latitude, "latitude", max_decimals=22) == Decimal("0.1000000000000000000001")
    assert parse(LocationBody, base | {"latitude": 3, "longitude": 0}).latitude == 3
    for bad in ("1e3", True, " 1", "NaN", [], "1" * 13):
        with pytest.raises(InvalidInput) as caught:
            quantity(bad, "latitude", allow_negative=True)
        assert [e.field for e in caught.value.errors] == ["latitude"], bad
    limit = {"connector_id": 1, "unit": "A"}
    assert quantity(parse(SetChargingProfileBody, limit | {"limit": "16.5"}).limit, "limit") == Decimal("16.5")
    assert quantity(parse(SetChargingProfileBody, limit | {"limit": 16.5}).limit, "limit") == Decimal("16.5")
    with pytest.raises(InvalidInput):
        quantity(parse(SetChargingProfileBody, limit | {"limit": "-1"}).limit, "limit")


def test_timestamps_need_an_offset_and_a_real_date():
    from datetime import UTC, datetime

    from entrypoints.rest.bodies import ReservationBody

    base = {"charge_point_id": "CP", "connector_id": 1, "id_tag": "T"}
    body = parse(ReservationBody, base | {"expires_at": "2026-01-15T10:00:00.5+01:00"})
    assert body.expires_at == datetime(2026, 1, 15, 9, 0, 0, 500000, tzinfo=UTC) and body.expires_at.tzinfo is UTC
    for bad in ("2026-01-15T10:00:00", "2026-02-30T10:00:00Z", "2026-01-15", "tomorrow", "2026-01-15T24:00:00Z", 5):
        assert set(_errors(ReservationBody, base | {"expires_at": bad})) == {"expires_at"}, bad


def test_query_parameters_unknown_repeated_empty_and_typed():
    from entrypoints.rest.queries import SessionQuery

    q = decode_query(SessionQuery, [("status", "active"), ("from", "2026-01-15T09:00:00Z"), ("limit", "5")],
                     frozenset({"limit"}))
    assert q is not None and q.status.value == "active" and q.started_from is not None and q.started_to is None
    with pytest.raises(InvalidInput) as caught:
        decode_query(SessionQuery, [("status", "x"), ("status", "y"), ("driver_id", ""), ("sort", "asc")])
    assert {(e.field, e.message.split(" ")[0]) for e in caught.value.errors} == {
        ("status", "given"), ("driver_id", "must"), ("sort", "unknown")}
    with pytest.raises(InvalidInput) as caught:
        decode_query(SessionQuery, [("to", "soon")])
    assert [e.field for e in caught.value.errors] == ["to"] and "%2B" in caught.value.errors[0].message
    with pytest.raises(InvalidInput) as caught:
        decode_query(SessionQuery, [("status", "bogus")])
    assert caught.value.errors[0].message == "must be one of started, active, completed"


async def test_unknown_query_parameters_are_refused_everywhere(api):
    _, _, token = await api.user()
    response = await api.get("/me", token, params={"expand": "all"})
    assert response.status_code == 422 and response.json()["errors"] == [
        {"field": "expand", "message": "unknown query parameter"}]
