"""Charge points: registered under their OCPP identity, read with a derived status, listed by location."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import httpx
import pytest

from application.charge_point_events import Boot, StatusReport
from domain.network import ChargePoint, Connector
from domain.network.charge_points import ChargePointStatus
from entrypoints.rest.app import create_app
from entrypoints.rest.links import ocpp_url_builder
from tests.e2e.rest.client import Api
from tests.e2e.rest.network import LOCATION
from tests.unit.rest.conftest import build_container

ORG_HEADER = "X-Organization-Id"


async def _location(api, token: str, org_id: str) -> str:
    created = await api.post("/locations", token, headers={ORG_HEADER: org_id}, json=LOCATION)
    return created.json()["id"]


async def test_register_then_read(api):
    _, _, token = await api.user()
    org_id = await api.organization(token)
    headers = {ORG_HEADER: org_id}
    location_id = await _location(api, token, org_id)
    body = {"id": "CP-LON-0001", "location_id": location_id, "ocpp_password": "a-very-long-secret",
            "evses": [{"evse_id": 1, "connectors": [{"connector_id": 1}, {"connector_id": 2}]},
                      {"evse_id": 2, "connectors": [{"connector_id": 1}]}]}
    created = await api.post("/charge-points", token, headers=headers, json=body)
    assert created.status_code == 201, created.text
    cp = created.json()
    assert cp["ocpp_url"] == "ws://localhost:9000/ocpp/CP-LON-0001"
    assert "a-very-long-secret" not in created.text and "ocpp_password" not in cp and cp["ocpp_password_set"] is True
    assert cp["status"] == "Offline" and cp["online"] is False and cp["registration_status"] == "Pending"
    assert cp["validation_mode"] == "strict" and cp["ocpp_version"] is None and cp["last_heartbeat_at"] is None
    assert [(c["evse_id"], c["connector_id"], c["status"]) for c in cp["connectors"]] == [
        (1, 1, "Unknown"), (1, 2, "Unknown"), (2, 1, "Unknown")]
    got = await api.get("/charge-points/CP-LON-0001", token, headers=headers)
    assert got.json() == cp
    listed = await api.get("/charge-points", token, headers=headers)
    assert listed.json()["data"] == [cp]


async def test_minimal_registration_and_lenient_validation(api):
    _, _, token = await api.user()
    org_id = await api.organization(token)
    location_id = await _location(api, token, org_id)
    created = await api.post("/charge-points", token, headers={ORG_HEADER: org_id},
                             json={"id": "CP-2", "location_id": location_id, "validation_mode": "lenient"})
    assert created.status_code == 201
    assert created.json()["connectors"] == [] and created.json()["ocpp_password_set"] is False
    assert created.json()["validation_mode"] == "lenient" and created.json()["status"] == "Offline"


async def test_every_identity_character_reaches_the_charge_point_by_its_path(api):
    _, _, token = await api.user()
    org_id = await api.organization(token)
    location_id = await _location(api, token, org_id)
    identity = "Cp.1_a:b*c+d|e@f-G"
    created = await api.post("/charge-points", token, headers={ORG_HEADER: org_id},
                             json={"id": identity, "location_id": location_id})
    assert created.status_code == 201
    assert created.json()["ocpp_url"] == "ws://localhost:9000/ocpp/Cp.1_a:b*c+d%7Ce@f-G"
    got = await api.get("/charge-points/" + quote(identity, safe=""), token, headers={ORG_HEADER: org_id})
    assert got.status_code == 200 and got.json()["id"] == identity
    longest = "X" * 48
    assert (await api.post("/charge-points", token, headers={ORG_HEADER: org_id},
                           json={"id": longest, "location_id": location_id})).status_code == 201
    assert (await api.get(f"/charge-points/{longest}", token, headers={ORG_HEADER: org_id})).status_code == 200


@pytest.mark.parametrize("path_id", ["CP%201", "X" * 49, "%C3%A9", "CP%00", "CP%0A", "a%2Fb", "CP%7E"])
async def test_impossible_identities_in_paths_are_404(api, path_id):
    _, _, token = await api.user()
    org_id = await api.organization(token)
    response = await api.get(f"/charge-points/{path_id}", token, headers={ORG_HEADER: org_id})
    assert response.status_code == 404, response.text
    assert response.json()["code"] == "not_found" and "%" not in response.json()["detail"]


async def test_an_identity_is_unique_across_organizations(api):
    _, _, ada = await api.user("Ada")
    _, _, bob = await api.user("Bob")
    ada_org, bob_org = await api.organization(ada), await api.organization(bob)
    first = await api.post("/charge-points", ada, headers={ORG_HEADER: ada_org},
                           json={"id": "CP-SHARED", "location_id": await _location(api, ada, ada_org)})
    again = await api.post("/charge-points", bob, headers={ORG_HEADER: bob_org},
                           json={"id": "CP-SHARED", "location_id": await _location(api, bob, bob_org)})
    assert first.status_code == 201 and again.status_code == 409 and again.json()["code"] == "conflict"
    # Bob cannot see Ada's charge point although the identity is taken.
    assert (await api.get("/charge-points/CP-SHARED", bob, headers={ORG_HEADER: bob_org})).status_code == 404


async def test_bad_connector_layouts_are_422_naming_the_evse(api):
    _, _, token = await api.user()
    org_id = await api.organization(token)
    location_id = await _location(api, token, org_id)
    response = await api.post("/charge-points", token, headers={ORG_HEADER: org_id}, json={
        "id": "CP-3", "location_id": location_id,
        "evses": [{"evse_id": 1, "connectors": [{"connector_id": 1}]},
                  {"evse_id": 1, "connectors": [{"connector_id": 2}, {"connector_id": 2}]}]})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"evses[1].evse_id", "evses[1].connectors"}


async def test_list_filters_by_location_and_pages_by_identity(api):
    _, _, token = await api.user()
    org_id = await api.organization(token)
    headers = {ORG_HEADER: org_id}
    north, south = await _location(api, token, org_id), await _location(api, token, org_id)
    for identity, location in [("B|2", north), ("A:1", north), ("C@3", south), ("a.4", north)]:
        assert (await api.post("/charge-points", token, headers=headers,
                               json={"id": identity, "location_id": location})).status_code == 201
    seen, cursor = [], None
    while True:
        page = (await api.get("/charge-points", token, headers=headers,
                              params={"limit": 1, "location_id": north} | ({"cursor": cursor} if cursor else {})))
        assert page.status_code == 200, page.text
        seen += [cp["id"] for cp in page.json()["data"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == ["A:1", "B|2", "a.4"]
    nowhere = await api.get("/charge-points", token, headers=headers,
                            params={"location_id": "loc_01JD0000000000000000000000"})
    assert nowhere.json()["data"] == []
    bad = await api.get("/charge-points", token, headers=headers, params={"cursor": "Zm9vIGJhcg"})  # "foo bar"
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "cursor"


async def test_the_status_follows_the_connection_and_the_connectors(api, container):
    _, _, token = await api.user()
    org_id = await api.organization(token)
    headers = {ORG_HEADER: org_id}
    location_id = await _location(api, token, org_id)
    await api.post("/charge-points", token, headers=headers, json={
        "id": "CP-LIVE", "location_id": location_id,
        "evses": [{"evse_id": 1, "connectors": [{"connector_id": 1}]}, {"evse_id": 2,
                                                                        "connectors": [{"connector_id": 1}]}]})
    uc = container.use_cases
    now = datetime.now(UTC)

    async def status() -> dict:
        return (await api.get("/charge-points/CP-LIVE", token, headers=headers)).json()

    await uc.charge_point_connected("CP-LIVE", "2.0.1")
    assert (await status())["status"] == "Unknown"
    await uc.boot(Boot("CP-LIVE", vendor="Acme", model="Volt 22", serial_number="SN1", firmware_version="1.2.3"))
    for evse, value, error in [(1, "Available", None), (2, "Faulted", "GroundFailure")]:
        await uc.status_changed(StatusReport("CP-LIVE", evse, 1, value, error, now))
    cp = await status()
    assert cp["status"] == "Available" and cp["online"] is True and cp["ocpp_version"] == "2.0.1"
    assert (cp["vendor"], cp["model"], cp["serial_number"], cp["firmware_version"]) == ("Acme", "Volt 22", "SN1",
                                                                                         "1.2.3")
    assert cp["registration_status"] == "Accepted" and cp["last_heartbeat_at"] is not None
    assert cp["connectors"][1] | {"updated_at": None} == {"evse_id": 2, "connector_id": 1, "status": "Faulted",
                                                          "error_code": "GroundFailure", "updated_at": None,
                                                          "type": None}
    await uc.status_changed(StatusReport("CP-LIVE", 1, 1, "Occupied", None, now + timedelta(seconds=1)))
    assert (await status())["status"] == "Charging"
    await uc.charge_point_disconnected("CP-LIVE")
    assert (await status())["status"] == "Offline"


def _charge_point(online: bool, *statuses: str) -> ChargePoint:
    return ChargePoint(id="CP", organization_id="org", location_id="loc", created_at=datetime.now(UTC),
                       online=online, connectors=[Connector(1, i + 1, s) for i, s in enumerate(statuses)])


@pytest.mark.parametrize(("online", "statuses", "expected"), [
    (False, ("Charging",), ChargePointStatus.OFFLINE),
    (True, (), ChargePointStatus.UNKNOWN),
    (True, ("Unknown",), ChargePointStatus.UNKNOWN),
    (True, ("Available", "Charging"), ChargePointStatus.CHARGING),
    (True, ("SuspendedEV",), ChargePointStatus.CHARGING),
    (True, ("Preparing", "Faulted"), ChargePointStatus.CHARGING),
    (True, ("Occupied",), ChargePointStatus.CHARGING),
    (True, ("Faulted", "Available"), ChargePointStatus.AVAILABLE),
    (True, ("Faulted", "Reserved"), ChargePointStatus.RESERVED),
    (True, ("Faulted", "Unavailable"), ChargePointStatus.UNAVAILABLE),
    (True, ("Faulted", "Faulted"), ChargePointStatus.FAULTED),
])
def test_status_precedence(online, statuses, expected):
    assert _charge_point(online, *statuses).summary_status is expected


@pytest.mark.parametrize(("public_url", "port", "tls", "expected"), [
    ("http://localhost:8000", 9000, False, "ws://localhost:9000/ocpp/CP%7C1"),
    ("https://charge.example.com", 443, True, "wss://charge.example.com/ocpp/CP%7C1"),
    ("https://charge.example.com/api", 9443, True, "wss://charge.example.com:9443/ocpp/CP%7C1"),
    ("http://[::1]:8000", 80, False, "ws://[::1]/ocpp/CP%7C1"),
])
def test_ocpp_urls(public_url, port, tls, expected):
    assert ocpp_url_builder(public_url, port, tls=tls)("CP|1") == expected


async def test_the_ocpp_url_comes_from_the_settings(conformance):
    container = build_container(public_url="https://charge.example.com", ocpp_port=443, ocpp_tls_cert="/etc/cert.pem")
    transport = httpx.ASGITransport(app=create_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://charge.test",
                                 event_hooks={"response": [conformance.hook]}) as client:
        api = Api(client, lambda email: None)  # type: ignore[arg-type,return-value]
        _, _, token = await api.user()
        org_id = await api.organization(token)
        location_id = await _location(api, token, org_id)
        created = await api.post("/charge-points", token, headers={ORG_HEADER: org_id},
                                 json={"id": "CP-TLS", "location_id": location_id})
    assert created.json()["ocpp_url"] == "wss://charge.example.com/ocpp/CP-TLS"
