"""Membership plans and subscriptions over REST (in memory)."""

from __future__ import annotations

from datetime import timedelta

from tests.e2e.rest.network import build_network

PLAN = {"name": "Commuter", "monthly_fee": {"amount": "9.99", "currency": "EUR"}, "discount_percent": "15"}


async def _plan(api, network, body=PLAN) -> dict:
    created = await api.post("/membership-plans", network.keys["admin"], json=body)
    assert created.status_code == 201, created.text
    return created.json()


async def test_a_plan_is_created_read_listed_and_replaced(api, network, clock):
    plan = await _plan(api, network)
    assert plan | {"id": None} == {"id": None, "name": "Commuter", "monthly_fee": {"amount": "9.99", "currency": "EUR"},
                                   "tariff_id": None, "discount_percent": "15",
                                   "created_at": clock.now().isoformat().replace("+00:00", "Z")}
    assert plan["id"].startswith("pln_")
    assert (await api.get(f"/membership-plans/{plan['id']}", network.keys["viewer"])).json() == plan
    assert (await api.get("/membership-plans", network.keys["viewer"])).json()["data"] == [plan]
    tariff = await api.post("/tariffs", network.keys["admin"], json={
        "currency": "EUR", "elements": [{"price_components": [{"type": "ENERGY", "price": "0.2", "step_size": 1}]}]})
    replaced = await api.put(f"/membership-plans/{plan['id']}", network.keys["member"], json={
        "name": "Own tariff", "monthly_fee": {"amount": "5", "currency": "EUR"}, "tariff_id": tariff.json()["id"]})
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["tariff_id"] == tariff.json()["id"] and replaced.json()["discount_percent"] is None


async def test_bad_plans_are_422_naming_the_field(api, network):
    for body, field in [
        (PLAN | {"monthly_fee": {"amount": "9.99", "currency": "XYZ"}}, "monthly_fee.currency"),
        (PLAN | {"monthly_fee": {"amount": 9.99, "currency": "EUR"}}, "monthly_fee.amount"),
        (PLAN | {"discount_percent": "150"}, "discount_percent"),
        (PLAN | {"tariff_id": "trf_01JD0000000000000000000000", "discount_percent": None}, "tariff_id"),
        ({"name": "Neither", "monthly_fee": {"amount": "1", "currency": "EUR"}}, "tariff_id"),
        (PLAN | {"name": ""}, "name"),
    ]:
        response = await api.post("/membership-plans", network.keys["admin"], json=body)
        assert response.status_code == 422, (body, response.text)
        assert field in [e["field"] for e in response.json()["errors"]], (body, response.text)


async def test_roles_and_tenancy(api, network):
    assert (await api.post("/membership-plans", network.keys["viewer"], json=PLAN)).status_code == 403
    plan = await _plan(api, network)
    assert (await api.put(f"/membership-plans/{plan['id']}", network.keys["viewer"], json=PLAN)).status_code == 403
    assert (await api.post("/subscriptions", network.keys["viewer"], json={
        "plan_id": plan["id"], "driver_id": network.driver_id})).status_code == 403
    other = await build_network(api, "Other")
    assert (await api.get(f"/membership-plans/{plan['id']}", other.keys["admin"])).status_code == 404
    assert (await api.put(f"/membership-plans/{plan['id']}", other.keys["admin"], json=PLAN)).status_code == 404
    assert (await api.get("/membership-plans", other.keys["admin"])).json()["data"] == []
    refused = await api.post("/subscriptions", other.keys["admin"], json={"plan_id": plan["id"],
                                                                          "driver_id": other.driver_id})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "plan_id"


async def test_a_subscription_lives_and_ends(api, network, clock):
    plan = await _plan(api, network)
    created = await api.post("/subscriptions", network.keys["member"], json={"plan_id": plan["id"],
                                                                             "driver_id": network.driver_id})
    assert created.status_code == 201, created.text
    sub = created.json()
    assert sub | {"id": None} == {"id": None, "plan_id": plan["id"], "driver_id": network.driver_id,
                                  "starts_at": clock.now().isoformat().replace("+00:00", "Z"), "ends_at": None,
                                  "created_at": clock.now().isoformat().replace("+00:00", "Z")}
    again = await api.post("/subscriptions", network.keys["member"], json={"plan_id": plan["id"],
                                                                           "driver_id": network.driver_id})
    assert again.status_code == 409
    assert (await api.get(f"/subscriptions/{sub['id']}", network.keys["viewer"])).json() == sub
    for params, expected in [({}, [sub["id"]]), ({"driver_id": network.driver_id}, [sub["id"]]),
                             ({"plan_id": plan["id"]}, [sub["id"]]),
                             ({"driver_id": "drv_01JD0000000000000000000000"}, [])]:
        listed = await api.get("/subscriptions", network.keys["viewer"], params=params)
        assert [s["id"] for s in listed.json()["data"]] == expected, params
    clock.advance(days=1)
    assert (await api.delete(f"/subscriptions/{sub['id']}", network.keys["viewer"])).status_code == 403
    ended = await api.delete(f"/subscriptions/{sub['id']}", network.keys["member"])
    assert ended.status_code == 200 and ended.json()["ends_at"] == clock.now().isoformat().replace("+00:00", "Z")
    other = await build_network(api, "Other")
    assert (await api.get(f"/subscriptions/{sub['id']}", other.keys["admin"])).status_code == 404
    assert (await api.delete(f"/subscriptions/{sub['id']}", other.keys["admin"])).status_code == 404
    late = await api.post("/subscriptions", network.keys["member"], json={
        "plan_id": plan["id"], "driver_id": network.driver_id,
        "starts_at": (clock.now() + timedelta(days=2)).isoformat().replace("+00:00", "Z"),
        "ends_at": clock.now().isoformat().replace("+00:00", "Z")})
    assert late.status_code == 422 and late.json()["errors"][0]["field"] == "ends_at"
