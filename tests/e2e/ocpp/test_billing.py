"""Issue 10 through the real server (SQLite and PostgreSQL): sessions charged over OCPP are booked, a run over
REST invoices their month once per customer, finalizing numbers the invoices in sequence, the documents are
served, and the ledger shows every posting and balances."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from facturx import get_xml_from_pdf
from ocpp.v16 import call as call16

from entrypoints.simulator import boot, charge_point
from tests.e2e.ocpp.operator import Operator
from tests.e2e.rest.billing import SELLER, TARIFF
from tests.support.en16931 import assert_validate_py_passes, fatal, pdfa_identification

NOVEMBER = datetime(2026, 11, 12, 17, 30, tzinfo=UTC)   # an evening in November (London: UTC+0)


def stamp(instant: datetime) -> str:
    return instant.isoformat().replace("+00:00", "Z")


async def charge(operator: Operator, cp_id: str, tag: str, started: datetime, kwh: int) -> None:
    """A whole session over OCPP 1.6: authorize, start, one meter value, stop (sent twice, as a retry would)."""
    async with charge_point(operator.ocpp_url, cp_id, "1.6") as cp:
        assert await boot(cp) == 300
        assert (await cp.call(call16.Authorize(id_tag=tag))).id_tag_info["status"] == "Accepted"
        begun = await cp.call(call16.StartTransaction(connector_id=1, id_tag=tag, meter_start=100_000,
                                                      timestamp=stamp(started)))
        await cp.call(call16.MeterValues(connector_id=1, transaction_id=begun.transaction_id, meter_value=[
            {"timestamp": stamp(started + timedelta(minutes=20)),
             "sampled_value": [{"value": str(100_000 + kwh * 500), "measurand": "Energy.Active.Import.Register",
                                "unit": "Wh"}]}]))
        stop = call16.StopTransaction(meter_stop=100_000 + kwh * 1000, timestamp=stamp(started + timedelta(hours=1)),
                                      transaction_id=begun.transaction_id, reason="EVDisconnected")
        await cp.call(stop)
        await cp.call(stop)


async def invoice_run(operator: Operator, start: str, end: str) -> dict:
    accepted = await operator.request("POST", "/invoice-runs", {"period_start": start, "period_end": end},
                                      expect=202)
    run_id = accepted.json()["id"]
    deadline = time.monotonic() + 30
    while True:
        run = await operator.get(f"/invoice-runs/{run_id}")
        if run["status"] in ("completed", "failed"):
            return dict(run)
        assert time.monotonic() < deadline, run
        await asyncio.sleep(0.05)


async def test_sessions_charged_over_ocpp_are_invoiced_numbered_and_booked(server, admin, tmp_path):
    settings = await admin.get(f"/organizations/{admin.organization_id}/settings")
    await admin.request("PUT", f"/organizations/{admin.organization_id}/settings", settings | SELLER, expect=200)
    cp_id = (await admin.charge_point("CP-BILL", evses=[{"evse_id": 1, "connectors": [{"connector_id": 1}]}]))["id"]
    tariff = await admin.post("/tariffs", TARIFF)
    await admin.request("PUT", f"/charge-points/{cp_id}/tariff", {"tariff_id": tariff["id"]}, expect=200)
    drivers = {}
    for name, kwh in (("Dana", 10), ("Eli", 7)):
        drivers[name] = await admin.post("/drivers", {"name": name, "email": f"{name.lower()}@example.com",
                                                      "id_tags": [admin.id(name.upper())]})
        await charge(admin, cp_id, admin.id(name.upper()), NOVEMBER + timedelta(days=len(drivers)), kwh)
    listed = (await admin.get("/sessions", charge_point_id=cp_id))["data"]
    sessions = {s["driver_id"]: await admin.get(f"/sessions/{s['id']}") for s in listed}
    assert [s["status"] for s in sessions.values()] == ["completed", "completed"]
    dana_session = sessions[drivers["Dana"]["id"]]
    assert (dana_session["energy_kwh"], dana_session["cost"]["total"]) == ("10.000", "3.60")

    # The month, invoiced: one invoice per customer (each driver is billed as a customer of its own).
    run = await invoice_run(admin, "2026-11-01", "2026-12-01")
    assert (run["status"], run["invoices_created"], run["sessions_invoiced"], run["progress"]) == (
        "completed", 2, 2, "1.0000")
    invoices = (await admin.get("/invoices", period="2026-11"))["data"]
    assert len(invoices) == 2 and {i["status"] for i in invoices} == {"draft"}
    by_session = {i["sessions"][0]["session_id"]: i for i in invoices}
    for session in sessions.values():
        invoice = by_session[session["id"]]
        assert [s["session_id"] for s in invoice["sessions"]] == [session["id"]]
        assert invoice["total"] == session["cost"]["total"]
        assert Decimal(invoice["total_excl_vat"]) + Decimal(invoice["vat"]) == Decimal(invoice["total"])
        assert sum(Decimal(line["net_amount"]) for line in invoice["lines"]) == Decimal(invoice["total_excl_vat"])
    dana = by_session[dana_session["id"]]
    assert [(line["kind"], line["quantity"], line["unit_code"], line["unit_price"], line["net_amount"])
            for line in dana["lines"]] == [("energy", "10", "KWH", "0.30", "3.00")]
    assert dana["vat_breakdown"] == [{"category": "S", "rate": "20", "exemption_reason": None,
                                      "taxable_amount": "3.00", "vat": "0.60"}]
    customer = await admin.get(f"/customers/{dana['customer_id']}")
    assert (customer["driver_id"], customer["email"]) == (drivers["Dana"]["id"], "dana@example.com")

    # Again: nothing added.
    again = await invoice_run(admin, "2026-11-01", "2026-12-01")
    assert (again["status"], again["invoices_created"], again["invoices_updated"], again["sessions_invoiced"]) == (
        "completed", 0, 0, 0)
    assert len((await admin.get("/invoices", period="2026-11"))["data"]) == 2

    # Finalized: the next numbers of the series, in the order finalized.
    eli = by_session[sessions[drivers["Eli"]["id"]]["id"]]
    numbers = []
    for invoice in (dana, eli):
        finalized = (await admin.request("POST", f"/invoices/{invoice['id']}/finalize", expect=200)).json()
        assert (finalized["status"], finalized["amount_due"]) == ("open", invoice["total"])
        assert finalized["payment_reference"].startswith("RF") and finalized["seller"]["iban"] == SELLER["iban"]
        numbers.append(finalized["number"])
    assert numbers == ["INV-000001", "INV-000002"]
    assert (await admin.request("POST", f"/invoices/{dana['id']}/finalize", expect=409)).json()["code"] == \
        "invalid_state"

    # The documents: EN 16931 CII XML that the official rules pass, inside a Factur-X PDF/A-3.
    xml = await admin.request("GET", f"/invoices/{dana['id']}/xml", expect=200)
    assert xml.headers["content-type"].startswith("application/xml")
    assert fatal(xml.content) == []
    assert_validate_py_passes(xml.content, tmp_path)
    pdf = await admin.request("GET", f"/invoices/{dana['id']}/pdf", expect=200)
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    filename, embedded = get_xml_from_pdf(pdf.content, check_xsd=True)
    assert (filename, embedded) == ("factur-x.xml", xml.content)
    assert pdfa_identification(pdf.content) == ("3", "B")

    # The ledger: the session booked as unbilled revenue, moved to the customer's receivable with its VAT.
    receivable = f"receivable:{dana['customer_id']}"
    [booked] = (await admin.get("/transactions", session_id=dana_session["id"]))["data"]
    assert {(e["account"], e["debit"], e["credit"]) for e in booked["entries"]} == {
        ("unbilled_receivable", "3.00", "0.00"), ("charging_revenue", "0.00", "3.00")}
    [posted] = (await admin.get("/transactions", invoice_id=dana["id"]))["data"]
    assert posted["source"] == {"kind": "invoice", "id": dana["id"]}
    assert {(e["account"], e["debit"], e["credit"]) for e in posted["entries"]} == {
        (receivable, "3.60", "0.00"), ("unbilled_receivable", "0.00", "3.00"), ("vat_payable:20", "0.00", "0.60")}
    assert len((await admin.get("/transactions"))["data"]) == 4      # two sessions, two invoices
    balance = await admin.get(f"/customers/{dana['customer_id']}/balance")
    assert balance["balances"] == [{"currency": "GBP", "invoiced_outstanding": "3.60", "unbilled": "0.00"}]
    trial = await admin.get("/ledger/trial-balance")
    assert trial["balanced"] is True
    assert trial["totals"] == [{"currency": "GBP", "debits": "11.22", "credits": "11.22"}]
    accounts = {row["account"]: row["balance"] for row in trial["accounts"]}
    assert (accounts["charging_revenue"], accounts["unbilled_receivable"], accounts["vat_payable:20"]) == (
        "5.10", "0.00", "1.02")
