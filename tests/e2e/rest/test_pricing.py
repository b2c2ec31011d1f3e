"""Pricing through a real server and database: a tariff assigned to a charge point prices its sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

T0 = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
TARIFF = {"name": "Simple", "currency": "EUR",
          "elements": [{"price_components": [{"type": "ENERGY", "price": "0.30", "vat": "20", "step_size": 1},
                                             {"type": "FLAT", "price": "0.50", "vat": "20", "step_size": 1}]}]}


async def test_tariff_assign_session_cost_and_breakdown(api, network, sessions):
    created = await api.post("/tariffs", network.keys["admin"], json=TARIFF)
    assert created.status_code == 201, created.text
    tariff_id = created.json()["id"]
    updated = await api.put(f"/tariffs/{tariff_id}", network.keys["admin"], json=TARIFF | {"name": "Simple v2"})
    assert updated.status_code == 200 and updated.json()["version"] == 2, updated.text
    fetched = (await api.get(f"/tariffs/{tariff_id}", network.keys["viewer"])).json()
    assert fetched["name"] == "Simple v2" and [v["version"] for v in fetched["versions"]] == [1, 2]
    assert tariff_id in [t["id"] for t in (await api.get("/tariffs", network.keys["viewer"])).json()["data"]]
    assigned = await api.put(f"/charge-points/{network.cp}/tariff", network.keys["admin"],
                             json={"tariff_id": tariff_id})
    assert assigned.status_code == 200 and assigned.json() == {"tariff_id": tariff_id}

    session_id, tx = await sessions.start(network.charge_point_id, network.id_tag, meter_wh=1000, at=T0)
    await sessions.meter(network.charge_point_id, tx, T0 + timedelta(minutes=20), wh=5000, power_w=11000)
    running = await api.get(f"/sessions/{session_id}/cost-breakdown", network.keys["viewer"])
    assert running.status_code == 200 and running.json()["estimate"] is True, running.text
    await sessions.stop(network.charge_point_id, tx, meter_wh=13345, at=T0 + timedelta(minutes=40))

    session = (await api.get(f"/sessions/{session_id}", network.keys["viewer"])).json()
    assert session["tariff_id"] == tariff_id and session["tariff_version"] == 1
    assert session["cost"] == {"currency": "EUR", "total_excl_vat": "4.20", "vat": "0.84", "total": "5.04"}
    breakdown = await api.get(f"/sessions/{session_id}/cost-breakdown", network.keys["viewer"])
    assert breakdown.status_code == 200, breakdown.text
    body = breakdown.json()
    assert body["estimate"] is False and body["total"] == "5.04"
    assert sum(Decimal(line["amount"]) for line in body["lines"]) == Decimal(body["total_excl_vat"])

    quoted = await api.post(f"/tariffs/{tariff_id}/quote", network.keys["viewer"], json={
        "start": "2026-01-15T09:00:00Z", "end": "2026-01-15T11:00:00Z", "energy_kwh": "10"})
    assert quoted.status_code == 200 and quoted.json()["total"] == "4.20", quoted.text


async def test_plans_and_subscriptions(api, network):
    plan = await api.post("/membership-plans", network.keys["admin"], json={
        "name": "Commuter", "monthly_fee": {"amount": "9.99", "currency": "EUR"}, "discount_percent": "15"})
    assert plan.status_code == 201, plan.text
    sub = await api.post("/subscriptions", network.keys["admin"], json={"plan_id": plan.json()["id"],
                                                                        "driver_id": network.driver_id})
    assert sub.status_code == 201, sub.text
    listed = await api.get("/subscriptions", network.keys["viewer"], params={"driver_id": network.driver_id})
    assert [s["id"] for s in listed.json()["data"]] == [sub.json()["id"]]
    ended = await api.delete(f"/subscriptions/{sub.json()['id']}", network.keys["admin"])
    assert ended.status_code == 200 and ended.json()["ends_at"] is not None
