"""What the portal's end-to-end tests drive through the running server: charge points charging over real OCPP,
and an operator (over REST) whose drivers Grace and Hank charged once each, priced, invoiced and finalized."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from ocpp.v16 import call as call16

from entrypoints.simulator import boot, charge_point
from tests.e2e.rest.billing import SELLER, TARIFF


def stamp(instant: datetime) -> str:
    return instant.isoformat().replace("+00:00", "Z")


async def charge(ocpp_url: str, cp_id: str, tag: str, started: datetime, kwh: int) -> None:
    async with charge_point(ocpp_url, cp_id, "1.6") as cp:
        await boot(cp)
        begun = await cp.call(call16.StartTransaction(connector_id=1, id_tag=tag, meter_start=100_000,
                                                      timestamp=stamp(started)))
        await cp.call(call16.MeterValues(connector_id=1, transaction_id=begun.transaction_id, meter_value=[
            {"timestamp": stamp(started + timedelta(minutes=30)),
             "sampled_value": [{"value": str(100_000 + kwh * 500), "measurand": "Energy.Active.Import.Register",
                                "unit": "Wh"}]}]))
        await cp.call(call16.StopTransaction(meter_stop=100_000 + kwh * 1000, transaction_id=begun.transaction_id,
                                             timestamp=stamp(started + timedelta(hours=1)), reason="EVDisconnected"))


async def eventually(read, holds, seconds: float = 15.0):
    deadline = time.monotonic() + seconds
    while True:
        value = await read()
        if holds(value):
            return value
        assert time.monotonic() < deadline, value
        await asyncio.sleep(0.05)


async def operator_world(api: httpx.AsyncClient, ocpp_url: str) -> dict[str, Any]:
    """Voltline (GB, seller details set) with a 30p/kWh charge point at Riverside, London; Grace charged 10 kWh
    and Hank 5 kWh three days ago, both invoiced (finalized, open). Ids and the operator's headers."""
    signed = await api.post("/auth/signup", json={"email": "ops@voltline.example", "password": "correct horse",
                                                  "name": "Ops"})
    assert signed.status_code == 201, signed.text
    token = (await api.post("/auth/token", json={"email": "ops@voltline.example",
                                                 "password": "correct horse"})).json()["access_token"]
    user = {"Authorization": f"Bearer {token}"}
    org = (await api.post("/organizations", headers=user, json={
        "name": "Voltline", "country": "GB", "contact_email": "ops@voltline.example"})).json()["id"]
    key = await api.post(f"/organizations/{org}/api-keys", headers=user, json={"name": "ops", "role": "admin"})
    ops = {"Authorization": f"Bearer {key.json()['key']}"}
    current = (await api.get(f"/organizations/{org}/settings", headers=ops)).json()
    assert (await api.put(f"/organizations/{org}/settings", headers=ops, json=current | SELLER)).status_code == 200
    location = (await api.post("/locations", headers=ops, json={
        "name": "Riverside", "address": "1 Riverside Way", "city": "London", "country": "GB",
        "timezone": "Europe/London"})).json()["id"]
    cp = (await api.post("/charge-points", headers=ops, json={"id": "CP-PORTAL", "location_id": location})).json()
    tariff = (await api.post("/tariffs", headers=ops, json=TARIFF)).json()["id"]
    priced = await api.put("/charge-points/CP-PORTAL/tariff", headers=ops, json={"tariff_id": tariff})
    assert priced.status_code == 200, priced.text
    grace = (await api.post("/drivers", headers=ops, json={"name": "Grace", "email": "grace@example.com",
                                                            "id_tags": ["TAG-GRACE"]})).json()
    hank = (await api.post("/drivers", headers=ops, json={"name": "Hank", "email": "hank@example.com",
                                                           "id_tags": ["TAG-HANK"]})).json()
    started = (datetime.now(UTC) - timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
    await charge(ocpp_url, cp["id"], "TAG-GRACE", started, 10)
    await charge(ocpp_url, cp["id"], "TAG-HANK", started + timedelta(hours=2), 5)
    listed = await eventually(lambda: api.get("/sessions", headers=ops),
                              lambda r: len([s for s in r.json()["data"] if s["cost"]]) == 2)
    by_driver = {s["driver_id"]: s for s in listed.json()["data"]}
    day = started.date()
    run = await api.post("/invoice-runs", headers=ops, json={
        "period_start": day.isoformat(), "period_end": (day + timedelta(days=1)).isoformat(), "finalize": True})
    assert run.status_code == 202, run.text
    invoices = await eventually(lambda: api.get("/invoices", headers=ops),
                                lambda r: len([i for i in r.json()["data"] if i["status"] == "open"]) == 2)
    invoice_of = {s["session_id"]: i for i in invoices.json()["data"] for s in i["sessions"]}
    return {"org_id": org, "ops": ops, "tariff_id": tariff, "started": started, "grace": grace, "hank": hank,
            "grace_session": by_driver[grace["id"]], "hank_session": by_driver[hank["id"]],
            "grace_invoice": invoice_of[by_driver[grace["id"]]["id"]],
            "hank_invoice": invoice_of[by_driver[hank["id"]]["id"]]}
