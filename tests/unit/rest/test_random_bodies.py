"""Random JSON thrown at every endpoint with a body: the answer is a success or a 4xx problem, never a 5xx."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from entrypoints.rest.routes import ENDPOINTS
from tests.e2e.rest.bad_inputs import VALID_TARIFF, fields_of, network
from tests.e2e.rest.billing import open_invoice, set_seller

BODY_ENDPOINTS = [e for e in ENDPOINTS if e.body is not None]

_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
json_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=12)


def _field_names(cls: type) -> list[str]:
    return [f.encode_name for f in fields_of(cls)]


def bodies(cls: type) -> st.SearchStrategy[Any]:
    """Mostly objects with the declared keys (so values get checked), sometimes anything at all."""
    names = _field_names(cls)
    near_miss = st.dictionaries((st.sampled_from(names) if names else st.nothing()) | st.text(max_size=8),
                                _scalars | st.dictionaries(st.text(max_size=8), _scalars, max_size=3)
                                | st.lists(_scalars | st.dictionaries(st.text(max_size=8), _scalars, max_size=3),
                                           max_size=3),
                                max_size=len(names) + 1)
    return st.one_of(near_miss, near_miss, json_values)


def _path(template: str, ids: dict[str, str]) -> str:
    return template.format(**ids)


@pytest.fixture
async def target(api, charge_points, sessions) -> tuple[str, dict[str, str]]:
    """An admin's token and the ids to fill paths with; made once per test, shared by its examples."""
    user_id, _, token = await api.user("Random")
    org_id = await api.organization(token)
    location_id, charge_point_id = await network(api, token, org_id)
    charge_points.online.add(charge_point_id)
    headers = {"X-Organization-Id": org_id}
    tariff = await api.post("/tariffs", token, headers=headers, json=VALID_TARIFF)
    plan = await api.post("/membership-plans", token, headers=headers, json={
        "name": "Plan", "monthly_fee": {"amount": "5", "currency": "EUR"}, "discount_percent": "10"})
    customer = await api.post("/customers", token, headers=headers,
                              json={"name": "Fleet Co", "email": "ap@fleet.example"})
    await set_seller(api, token, org_id, dispute_window_days=3650)
    invoice = await open_invoice(api, token, org_id, charge_point_id, sessions)
    fleet = await api.post("/fleets", token, headers=headers, json={"name": "Acme"})
    vehicle = await api.post("/vehicles", token, headers=headers, json={
        "fleet_id": fleet.json()["id"], "vin": "WVWZZZ1JZXW000001", "make": "VW", "model": "ID.3", "battery_kwh": 58})
    driver = await api.post("/drivers", token, headers=headers, json={"name": "Fleet", "fleet_id": fleet.json()["id"]})
    # The invoiced session's driver, signed in to the portal, with a dispute on it.
    session_id = invoice["sessions"][0]["session_id"]
    disputer = (await api.get(f"/sessions/{session_id}", token, headers=headers)).json()["driver_id"]
    portal = (await api.post(f"/drivers/{disputer}/portal-tokens", token, headers=headers)).json()["token"]
    dispute = await api.post(f"/portal/sessions/{session_id}/dispute", portal, json={
        "description": "Too much", "expected_cost": {"amount": "1.00", "currency": "GBP"}})
    assert dispute.status_code == 201, dispute.text
    hook = await api.post("/webhook-endpoints", token, headers=headers,
                          json={"url": "https://93.184.215.14/hooks", "events": ["session.completed"]})
    # A site owner (signed in with their invitation) and a project of theirs.
    email = f"owner-{org_id[-8:].lower()}@example.com"
    owner = await api.post("/site-owners/invitations", token, headers=headers, json={"email": email, "name": "Owner"})
    assert owner.status_code == 201, owner.text
    project = await api.post("/projects", token, headers=headers, json={
        "site_owner_id": owner.json()["id"], "name": "Harbour", "location_ids": [], "revenue_share_percent": 10})
    assert project.status_code == 201, project.text
    accepted = await api.post(f"/site-owner/accept-invitation/{await api.invitation_token(email)}", None)
    assert accepted.status_code == 200, accepted.text
    return token, {"org_id": org_id, "user_id": user_id, "charge_point_id": charge_point_id,
                   "location_id": location_id, "tariff_id": tariff.json()["id"], "plan_id": plan.json()["id"],
                   "customer_id": customer.json()["id"], "invoice_id": invoice["id"], "fleet_id": fleet.json()["id"],
                   "vehicle_id": vehicle.json()["id"], "driver_id": driver.json()["id"], "session_id": session_id,
                   "dispute_id": dispute.json()["id"], "portal_token": portal, "endpoint_id": hook.json()["id"],
                   "site_owner_id": owner.json()["id"], "project_id": project.json()["id"],
                   "site_owner_token": accepted.json()["token"]}


@pytest.mark.parametrize("endpoint", BODY_ENDPOINTS, ids=lambda e: e.operation_id)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
async def test_random_bodies_never_break_the_door(api, target, endpoint, data):
    token, ids = target
    body = data.draw(bodies(endpoint.body))
    response = await api.request(endpoint.method, _path(endpoint.path, ids).removeprefix(api.prefix),
                                 None if endpoint.public else ids["portal_token"] if endpoint.portal
                                 else ids["site_owner_token"] if endpoint.site_owner else token,
                                 content=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json", "X-Organization-Id": ids["org_id"]})
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["status"] == response.status_code and problem["code"] and problem["title"]
