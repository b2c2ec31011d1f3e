"""An organization ready to bill, over REST: seller details in its settings, a tariff on a charge point, a
session priced and booked, a period invoiced by a run, and the resulting invoice (in memory or end to end)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from tests.e2e.rest.client import Api
from tests.e2e.rest.network import Sessions, fresh

SELLER = {"legal_name": "Voltline Ltd",
          "billing_address": {"line1": "1 Quay Street", "postal_code": "BS1 4DJ", "city": "Bristol", "country": "GB"},
          "vat_id": "GB980780684", "iban": "GB33BUKB20201555555555", "bic": "BUKBGB22"}
TARIFF = {"name": "30p per kWh", "currency": "GBP", "elements": [
    {"price_components": [{"type": "ENERGY", "price": "0.30", "vat": "20", "step_size": 1}]}]}
JANUARY = datetime(2026, 1, 15, 9, tzinfo=UTC)
RUN_WAIT_SECONDS = 20.0


async def set_seller(api: Api, token: str, org_id: str, **changes: Any) -> dict[str, Any]:
    """The organization's settings with the seller's details (and ``changes``) put in place."""
    path = f"/organizations/{org_id}/settings"
    current = await api.get(path, token)
    assert current.status_code == 200, current.text
    updated = await api.put(path, token, json=current.json() | SELLER | changes)
    assert updated.status_code == 200, updated.text
    return dict(updated.json())


async def price_charge_point(api: Api, token: str, org_id: str, charge_point_id: str) -> str:
    """A 30p/kWh tariff (20 % VAT) on the charge point: its id."""
    headers = {"X-Organization-Id": org_id}
    tariff = await api.post("/tariffs", token, headers=headers, json=TARIFF)
    assert tariff.status_code == 201, tariff.text
    assigned = await api.put(f"/charge-points/{quote(charge_point_id, safe='')}/tariff", token, headers=headers,
                             json={"tariff_id": tariff.json()["id"]})
    assert assigned.status_code == 200, assigned.text
    return str(tariff.json()["id"])


async def run_period(api: Api, token: str, org_id: str, start: str, end: str, *, finalize: bool = False,
                     expect: int = 202) -> dict[str, Any]:
    """``POST /invoice-runs`` and, when accepted, the run once it has ended."""
    headers = {"X-Organization-Id": org_id}
    accepted = await api.post("/invoice-runs", token, headers=headers,
                              json={"period_start": start, "period_end": end, "finalize": finalize})
    assert accepted.status_code == expect, accepted.text
    if expect != 202:
        return dict(accepted.json())
    deadline = time.monotonic() + RUN_WAIT_SECONDS
    while True:
        run = await api.get(f"/invoice-runs/{accepted.json()['id']}", token, headers=headers)
        assert run.status_code == 200, run.text
        if run.json()["status"] in ("completed", "failed"):
            return dict(run.json())
        assert time.monotonic() < deadline, run.text
        await asyncio.sleep(0.02)


async def billed_session(api: Api, token: str, org_id: str, charge_point_id: str, sessions: Sessions, *,
                         kwh: int = 10, name: str = "Billed Driver", at: datetime = JANUARY) -> str:
    """A new driver's session of ``kwh`` kWh at ``at`` on the charge point (priced and booked): its id."""
    tag = fresh(f"BILL-{org_id[-6:]}")
    driver = await api.post("/drivers", token, headers={"X-Organization-Id": org_id},
                            json={"name": name, "email": "billed@example.com", "id_tags": [tag]})
    assert driver.status_code == 201, driver.text
    session_id, tx = await sessions.start(charge_point_id, tag, meter_wh=0, at=at)
    await sessions.stop(charge_point_id, tx, meter_wh=kwh * 1000, at=at + timedelta(hours=1))
    return session_id


async def invoice_of(api: Api, token: str, org_id: str, session_id: str) -> dict[str, Any]:
    """The invoice a session is on."""
    listed = await api.get("/invoices", token, headers={"X-Organization-Id": org_id}, params={"limit": 100})
    assert listed.status_code == 200, listed.text
    [invoice] = [i for i in listed.json()["data"] if session_id in {s["session_id"] for s in i["sessions"]}]
    return dict(invoice)


async def open_invoice(api: Api, token: str, org_id: str, charge_point_id: str, sessions: Sessions, *,
                       kwh: int = 10) -> dict[str, Any]:
    """A new driver's session of ``kwh`` kWh in January 2026 at 30p + 20 % VAT, invoiced by a run and finalized:
    the open invoice (3.00 + 0.60 for 10 kWh)."""
    await set_seller(api, token, org_id)
    await price_charge_point(api, token, org_id, charge_point_id)
    session_id = await billed_session(api, token, org_id, charge_point_id, sessions, kwh=kwh)
    run = await run_period(api, token, org_id, "2026-01-01", "2026-02-01", finalize=True)
    assert run["status"] == "completed", run
    invoice = await invoice_of(api, token, org_id, session_id)
    assert invoice["status"] == "open", invoice
    return invoice
