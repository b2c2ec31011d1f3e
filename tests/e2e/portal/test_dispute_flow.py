"""Issue 12 end to end, on SQLite and PostgreSQL: a driver charges over real OCPP, signs in to the portal with a
magic link received by a real SMTP server, lists exactly their sessions, downloads a PDF receipt and files a
dispute; the operator sees it with the OCPP messages and the rating's evidence, resolves it as partially
accepted; a credit note and a refund follow, and the customer's balance and the ledger agree."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import httpx
from pypdf import PdfReader

from entrypoints.config import Settings
from entrypoints.server import Server
from tests.e2e.portal.world import charge, eventually
from tests.e2e.rest.billing import SELLER, TARIFF
from tests.integration.mail.smtp_server import SmtpServer


async def test_driver_disputes_a_session_and_the_operator_partially_refunds_it(database_url, tmp_path):
    smtp = SmtpServer().start()
    settings = Settings(host="127.0.0.1", http_port=0, ocpp_port=0, database_url=database_url,
                        smtp_host="127.0.0.1", smtp_port=smtp.port, mail_poll_seconds=0.05, event_sweep_seconds=0.2,
                        argon2_time_cost=1, argon2_memory_kib=1024, argon2_parallelism=1,
                        mail_dir=str(tmp_path / "mail"), public_url="http://portal.example")
    server = Server(settings, grpc=False)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.http_port}/api/v1", timeout=20) as api:
            signed = await api.post("/auth/signup", json={"email": "ops@voltline.example", "password": "correct horse",
                                                          "name": "Ops"})
            assert signed.status_code == 201, signed.text
            token = (await api.post("/auth/token", json={"email": "ops@voltline.example",
                                                         "password": "correct horse"})).json()["access_token"]
            user = {"Authorization": f"Bearer {token}"}
            org = (await api.post("/organizations", headers=user, json={
                "name": "Voltline", "country": "GB", "contact_email": "ops@voltline.example"})).json()["id"]
            ops = {"Authorization": f"Bearer {(await api.post(f'/organizations/{org}/api-keys', headers=user, json={'name': 'ops', 'role': 'admin'})).json()['key']}"}  # noqa: E501
            current = (await api.get(f"/organizations/{org}/settings", headers=ops)).json()
            assert current["dispute_window_days"] == 90
            assert (await api.put(f"/organizations/{org}/settings", headers=ops,
                                  json=current | SELLER)).status_code == 200
            location = (await api.post("/locations", headers=ops, json={
                "name": "Riverside", "address": "1 Riverside Way", "city": "London", "country": "GB",
                "timezone": "Europe/London"})).json()["id"]
            cp = (await api.post("/charge-points", headers=ops,
                                 json={"id": "CP-PORTAL", "location_id": location})).json()
            tariff = (await api.post("/tariffs", headers=ops, json=TARIFF)).json()["id"]
            assert (await api.put("/charge-points/CP-PORTAL/tariff", headers=ops,
                                  json={"tariff_id": tariff})).status_code == 200
            grace = (await api.post("/drivers", headers=ops, json={"name": "Grace", "email": "grace@example.com",
                                                                    "id_tags": ["TAG-GRACE"]})).json()
            await api.post("/drivers", headers=ops, json={"name": "Hank", "email": "hank@example.com",
                                                          "id_tags": ["TAG-HANK"]})
            started = (datetime.now(UTC) - timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
            ocpp_url = f"ws://127.0.0.1:{server.ocpp_port}/ocpp"
            await charge(ocpp_url, cp["id"], "TAG-GRACE", started, 10)
            await charge(ocpp_url, cp["id"], "TAG-HANK", started + timedelta(hours=2), 5)
            sessions = await eventually(lambda: api.get("/sessions", headers=ops),
                                        lambda r: len([s for s in r.json()["data"] if s["cost"]]) == 2)
            grace_session = next(s for s in sessions.json()["data"] if s["driver_id"] == grace["id"])
            assert grace_session["cost"]["total"] == "3.60"

            # Billed: invoiced, finalized, paid by transfer.
            day = started.date()
            run = await api.post("/invoice-runs", headers=ops, json={
                "period_start": day.isoformat(), "period_end": (day + timedelta(days=1)).isoformat(), "finalize": True})
            assert run.status_code == 202, run.text
            invoices = await eventually(lambda: api.get("/invoices", headers=ops),
                                        lambda r: len([i for i in r.json()["data"] if i["status"] == "open"]) == 2)
            invoice = next(i for i in invoices.json()["data"]
                           if grace_session["id"] in {s["session_id"] for s in i["sessions"]})
            paid = await api.post(f"/invoices/{invoice['id']}/payments", headers=ops, json={
                "amount": {"amount": "3.60", "currency": "GBP"}, "date": day.isoformat(), "reference": "T1"})
            assert paid.status_code == 200 and paid.json()["status"] == "paid", paid.text

            # The driver signs in with the link from the email (same answer for an unknown email).
            sent = await api.post("/portal/sign-in", json={"email": "Grace@Example.com"})
            unknown = await api.post("/portal/sign-in", json={"email": "nobody@example.com"})
            assert (sent.status_code, sent.json()) == (unknown.status_code, unknown.json()) == (202, {"status": "sent"})
            mail = await smtp.wait_for_subject("grace@example.com", "Sign in")
            link = re.search(r"http://portal\.example/portal/sign-in/(\S+)", mail.get_content()).group(1)
            exchanged = await api.post("/portal/sign-in/exchange", json={"token": link})
            assert exchanged.status_code == 200, exchanged.text
            driver = {"Authorization": f"Bearer {exchanged.json()['token']}"}
            again = await api.post("/portal/sign-in/exchange", json={"token": link})
            assert again.status_code == 401
            assert not [m for m in smtp.messages if m["To"] == "nobody@example.com"]

            mine = await api.get("/portal/sessions", headers=driver, params={"limit": 100})
            assert mine.status_code == 200, mine.text
            assert [s["id"] for s in mine.json()["data"]] == [grace_session["id"]]
            assert (await api.get("/portal/sessions", headers=driver, params={"limit": 101})).status_code == 422
            breakdown = (await api.get(f"/portal/sessions/{grace_session['id']}/cost-breakdown", headers=driver)).json()
            assert breakdown["total"] == "3.60" and breakdown["periods"][0]["applied"][0]["reason"]
            receipt = await api.get(f"/portal/sessions/{grace_session['id']}/receipt", headers=driver)
            assert receipt.headers["content-type"] == "application/pdf"
            text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(receipt.content)).pages)
            for fact in ("Voltline Ltd", "Riverside", "CP-PORTAL", "10 kWh", "3.60", "Paid", invoice["number"]):
                assert fact in text, (fact, text)

            # The dispute: filed once (a second is a conflict), seen by the operator with its evidence.
            filed = await api.post(f"/portal/sessions/{grace_session['id']}/dispute", headers=driver, json={
                "description": "The car was full after half an hour.",
                "expected_cost": {"amount": "1.80", "currency": "GBP"}})
            assert filed.status_code == 201, filed.text
            dispute = filed.json()
            assert {k: dispute[k] for k in ("session_id", "status", "description", "expected_cost")} == {
                "session_id": grace_session["id"], "status": "open",
                "description": "The car was full after half an hour.",
                "expected_cost": {"amount": "1.80", "currency": "GBP"}}
            twice = await api.post(f"/portal/sessions/{grace_session['id']}/dispute", headers=driver, json={
                "description": "again", "expected_cost": {"amount": "1.80", "currency": "GBP"}})
            assert twice.status_code == 409
            assert (await api.get("/disputes", headers=driver)).status_code == 403      # not an operator's

            listed = (await api.get("/disputes", headers=ops, params={"status": "open"})).json()["data"]
            assert [d["id"] for d in listed] == [dispute["id"]]
            seen = (await api.get(f"/disputes/{dispute['id']}", headers=ops)).json()
            evidence = seen["evidence"]
            actions = [(m["direction"], m["action"]) for m in evidence["ocpp_messages"]]
            assert actions == [("in", "StartTransaction"), ("out", "StartTransaction"), ("in", "MeterValues"),
                               ("out", "MeterValues"), ("in", "StopTransaction"), ("out", "StopTransaction")]
            assert '"meterStop":110000' in evidence["ocpp_messages"][4]["message"].replace(" ", "")
            assert evidence["tariff"]["id"] == tariff and evidence["tariff"]["version"] == 1
            assert evidence["cost_breakdown"]["periods"][0]["applied"][0]["reason"]
            assert len(evidence["meter_samples"]) == 1 and evidence["invoice"]["id"] == invoice["id"]
            assert evidence["payments"] == [{"amount": "3.60", "currency": "GBP"}]
            assert {t["source"]["kind"] for t in evidence["ledger"]} == {"session", "invoice", "payment"}

            reply = await api.post(f"/disputes/{dispute['id']}/comments", headers=ops,
                                   json={"body": "We are checking the meter data.", "visibility": "public"})
            assert reply.status_code == 201, reply.text
            resolved = await api.post(f"/disputes/{dispute['id']}/resolve", headers=ops, json={
                "outcome": "partially_accepted", "refund_amount": {"amount": "1.00", "currency": "GBP"},
                "note": "The charger kept billing idle time; we refund part of it."})
            assert resolved.status_code == 200, resolved.text
            assert (resolved.json()["status"], resolved.json()["outcome"]) == ("resolved", "partially_accepted")
            settlement = resolved.json()["settlement"]
            assert (settlement["credit_note_number"], settlement["credited"]) == ("CN-000001", "1.00")

            refunded = await eventually(lambda: api.get(f"/portal/disputes/{dispute['id']}", headers=driver),
                                        lambda r: r.json()["settlement"]["status"] == "refunded")
            body = refunded.json()
            assert body["settlement"]["refund_amount"] == "1.00"
            assert body["settlement"]["refund_provider"] == "bank_transfer"
            assert [c["body"] for c in body["replies"]] == ["We are checking the meter data."]

            # The books: receivable back to nothing, the bank 1.00 lighter, everything balanced.
            balance = (await api.get(f"/customers/{invoice['customer_id']}/balance", headers=ops)).json()
            assert balance["balances"] == [{"currency": "GBP", "invoiced_outstanding": "0.00", "unbilled": "0.00"}]
            trial = (await api.get("/ledger/trial-balance", headers=ops)).json()
            accounts = {row["account"]: row["balance"] for row in trial["accounts"]}
            assert trial["balanced"] is True and accounts["bank"] == "2.60"
            kinds = sorted(t["source"]["kind"] for t in (await api.get(
                "/transactions", headers=ops, params={"invoice_id": invoice["id"]})).json()["data"])
            assert kinds == ["credit_note", "invoice", "payment", "refund"]
            mine = (await api.get(f"/portal/invoices/{invoice['id']}", headers=driver)).json()
            assert (mine["credited"], mine["credit_note_ids"]) == ("1.00", [settlement["credit_note_id"]])
            note_pdf = await api.get(f"/portal/invoices/{settlement['credit_note_id']}/pdf", headers=driver)
            assert note_pdf.headers["content-type"] == "application/pdf" and note_pdf.content.startswith(b"%PDF-")

            decided = await smtp.wait_for_subject("grace@example.com", "was decided")
            assert "partially accepted" in decided.get_content()
    finally:
        await server.stop()
        smtp.stop()
