"""Payments end to end through the running server (SQLite and PostgreSQL) against localstripe, a server speaking
Stripe's API: a customer saves a card (its SetupIntent confirmed as Stripe.js would), a finalized invoice is paid
automatically and the ledger shows it; a declining card leaves the invoice open with the reason and a replaced
card pays it; refunds; Stripe's webhooks (real signatures: a replay changes nothing, a bad or stale one is 400);
bank statements and reconciliation with bank transfer, the default that needs no Stripe."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import stripe

from tests.e2e.rest.billing import price_charge_point, run_period, set_seller
from tests.e2e.rest.client import Api
from tests.e2e.rest.conftest import STRIPE_WEBHOOK_SECRET
from tests.e2e.rest.network import Network, Sessions, build_network, fresh
from tests.e2e.rest.test_billing import problem
from tests.support.localstripe_process import LocalStripe

GOOD, DECLINES = "4242424242424242", "4000000000000341"
WAIT_SECONDS = 20.0


def _signed(payload: bytes, secret: str = STRIPE_WEBHOOK_SECRET, at: int | None = None) -> dict[str, str]:
    t = int(time.time()) if at is None else at
    digest = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return {"Stripe-Signature": f"t={t},v1={digest}", "Content-Type": "application/json"}


async def _org(api: Api, provider: str = "stripe") -> Network:
    network = await build_network(api, f"Pay {provider}")
    await set_seller(api, network.tokens["admin"], network.org_id, payment_provider=provider)
    await price_charge_point(api, network.tokens["admin"], network.org_id, network.charge_point_id)
    return network


async def _customer(api: Api, network: Network, name: str) -> tuple[str, str]:
    """A customer and a driver it pays for: (customer id, the driver's tag)."""
    token, headers = network.tokens["admin"], network.headers
    customer = await api.post("/customers", token, headers=headers, json={
        "name": name, "email": f"{name.lower().replace(' ', '.')}@example.com", "invoice_delivery": "none"})
    assert customer.status_code == 201, customer.text
    tag = fresh(f"PAY-{network.org_id[-6:]}")
    driver = await api.post("/drivers", token, headers=headers, json={
        "name": name, "id_tags": [tag], "customer_id": customer.json()["id"]})
    assert driver.status_code == 201, driver.text
    return customer.json()["id"], tag


async def _save_card(api: Api, network: Network, customer_id: str, number: str, sdk: stripe.StripeClient,
                     *, default: bool = False) -> dict[str, Any]:
    """``POST /payment-methods``, then what Stripe.js does with its client secret, then the list shows the card."""
    token, headers = network.tokens["admin"], network.headers
    started = await api.post("/payment-methods", token, headers=headers, json={"customer_id": customer_id})
    assert started.status_code == 201, started.text
    method = started.json()
    assert method["status"] == "pending" and method["client_secret"], method
    setup_intent = method["client_secret"].split("_secret_")[0]
    card = sdk.v1.payment_methods.create(params={"type": "card", "card": {
        "number": number, "exp_month": 11, "exp_year": 2031, "cvc": "314"}})
    sdk.v1.setup_intents.confirm(setup_intent, params={"payment_method": card.id})
    listed = await api.get("/payment-methods", token, headers=headers, params={"customer_id": customer_id})
    assert listed.status_code == 200, listed.text
    (saved,) = [m for m in listed.json()["data"] if m["id"] == method["id"]]
    assert (saved["status"], saved["last4"], saved["exp_month"], saved["exp_year"], saved["brand"]) == (
        "active", number[-4:], 11, 2031, "visa"), saved
    assert saved["client_secret"] is None
    if default:
        chosen = await api.post(f"/payment-methods/{method['id']}/default", token, headers=headers)
        assert chosen.status_code == 200 and chosen.json()["default"], chosen.text
    return dict(saved)


async def _invoice(api: Api, network: Network, sessions: Sessions, tag: str, kwh: int,
                   attempts: int = 1) -> dict[str, Any]:
    """A session of the tag's driver in January, invoiced and finalized by a run; the invoice once collection has
    had its go."""
    token, headers = network.tokens["admin"], network.headers
    from tests.e2e.rest.billing import JANUARY

    session_id, tx = await sessions.start(network.charge_point_id, tag, meter_wh=0, at=JANUARY)
    await sessions.stop(network.charge_point_id, tx, meter_wh=kwh * 1000, at=JANUARY.replace(hour=10))
    run = await run_period(api, token, network.org_id, "2026-01-01", "2026-02-01", finalize=True)
    assert run["status"] == "completed", run
    listed = await api.get("/invoices", token, headers=headers, params={"limit": 100})
    (invoice,) = [i for i in listed.json()["data"] if session_id in {s["session_id"] for s in i["sessions"]}]
    return await _settled(api, network, invoice["id"], attempts)


async def _settled(api: Api, network: Network, invoice_id: str, attempts: int = 1) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        got = await api.get(f"/invoices/{invoice_id}", network.tokens["admin"], headers=network.headers)
        assert got.status_code == 200, got.text
        body = got.json()
        if body["status"] != "open" or body["payment_attempts"] >= attempts:
            return dict(body)
        assert time.monotonic() < deadline, body
        await asyncio.sleep(0.05)


async def _transactions(api: Api, network: Network, invoice_id: str) -> list[dict[str, Any]]:
    got = await api.get("/transactions", network.tokens["admin"], headers=network.headers,
                        params={"invoice_id": invoice_id, "limit": 100})
    assert got.status_code == 200, got.text
    return list(got.json()["data"])


def _entries(transactions: list[dict[str, Any]], kind: str) -> dict[str, tuple[str, str]]:
    (transaction,) = [t for t in transactions if t["source"]["kind"] == kind]
    return {e["account"]: (e["debit"], e["credit"]) for e in transaction["entries"]}


async def test_a_saved_card_pays_a_finalized_invoice_refunds_post_and_cannot_pass_what_was_paid(
        api: Api, sessions: Sessions, localstripe: LocalStripe):
    sdk = stripe.StripeClient(localstripe.secret_key, base_addresses={"api": localstripe.url})
    network = await _org(api)
    customer_id, tag = await _customer(api, network, "Card Holder")
    await _save_card(api, network, customer_id, GOOD, sdk)
    invoice = await _invoice(api, network, sessions, tag, kwh=10)
    assert invoice["status"] == "paid" and invoice["amount_due"] == "0.00" and invoice["total"] == "3.60", invoice
    (payment,) = invoice["payments"]
    assert payment["method"] == "stripe" and payment["provider_reference"].startswith("pi_")
    intent = sdk.v1.payment_intents.retrieve(payment["provider_reference"])
    assert (intent.amount, intent.currency, intent.status) == (360, "gbp", "succeeded")
    assert intent.metadata["invoice_id"] == invoice["id"]
    booked = _entries(await _transactions(api, network, invoice["id"]), "payment")
    assert booked["payment_clearing"] == ("3.60", "0.00") and booked[f"receivable:{customer_id}"] == ("0.00", "3.60")

    token, headers = network.tokens["admin"], network.headers
    refunds = f"/invoices/{invoice['id']}/refunds"
    first = await api.post(refunds, token, headers=headers, json={
        "amount": {"amount": "1.00", "currency": "GBP"}, "reason": "Session interrupted"})
    assert first.status_code == 201, first.text
    assert first.json()["method"] == "stripe" and first.json()["provider_reference"].startswith("re_")
    assert sdk.v1.refunds.retrieve(first.json()["provider_reference"]).amount == 100
    problem(await api.post(refunds, token, headers=headers, json={
        "amount": {"amount": "2.61", "currency": "GBP"}, "reason": "More than is left"}), 422, "amount.amount")
    deadline = time.monotonic() + WAIT_SECONDS
    while not any(t["source"]["kind"] == "refund" for t in await _transactions(api, network, invoice["id"])):
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    assert _entries(await _transactions(api, network, invoice["id"]), "refund")["refunds"] == ("1.00", "0.00")
    after = await _settled(api, network, invoice["id"])
    assert after["amount_refunded"] == "1.00" and after["status"] == "paid"
    balance = await api.get("/ledger/trial-balance", token, headers=headers)
    assert balance.json()["balanced"] is True


async def test_a_declined_card_leaves_the_invoice_open_and_a_replaced_card_pays_it(
        api: Api, sessions: Sessions, localstripe: LocalStripe, rest_server):
    sdk = stripe.StripeClient(localstripe.secret_key, base_addresses={"api": localstripe.url})
    network = await _org(api)
    customer_id, tag = await _customer(api, network, "Declined Holder")
    declining = await _save_card(api, network, customer_id, DECLINES, sdk)
    invoice = await _invoice(api, network, sessions, tag, kwh=20)
    assert invoice["status"] == "open" and invoice["last_payment_error"] == "card_declined", invoice
    assert invoice["payment_attempts"] == 1 and invoice["next_payment_attempt_at"] is not None
    mailer = rest_server.container.adapters.mailer()
    deadline = time.monotonic() + WAIT_SECONDS
    while not any(m.to == "declined.holder@example.com" and invoice["number"] in m.subject for m in mailer.sent):
        assert time.monotonic() < deadline, [m.subject for m in mailer.sent]
        await asyncio.sleep(0.05)
    await _save_card(api, network, customer_id, GOOD, sdk, default=True)     # a new default: tried at once
    paid = await _settled(api, network, invoice["id"], attempts=2)
    assert paid["status"] == "paid" and paid["last_payment_error"] is None and paid["payment_attempts"] == 2, paid
    assert len(paid["payments"]) == 1
    token, headers = network.tokens["admin"], network.headers
    removed = await api.delete(f"/payment-methods/{declining['id']}", token, headers=headers)
    assert removed.status_code == 204 and not removed.content
    listed = await api.get("/payment-methods", token, headers=headers, params={"customer_id": customer_id})
    assert [m["last4"] for m in listed.json()["data"]] == ["4242"]
    problem(await api.delete(f"/payment-methods/{declining['id']}", token, headers=headers), 404)


async def test_stripe_webhooks_are_signed_applied_once_and_a_bad_or_stale_signature_is_400(
        api: Api, sessions: Sessions, localstripe: LocalStripe):
    sdk = stripe.StripeClient(localstripe.secret_key, base_addresses={"api": localstripe.url})
    network = await _org(api)
    customer_id, tag = await _customer(api, network, "Webhook Holder")
    await _save_card(api, network, customer_id, GOOD, sdk)
    invoice = await _invoice(api, network, sessions, tag, kwh=10)
    intent = invoice["payments"][0]["provider_reference"]
    # A refund made in Stripe's dashboard, as Stripe tells us of it.
    payload = json.dumps({"id": f"evt_{intent}_refunded", "object": "event", "type": "charge.refunded",
                          "created": int(time.time()), "data": {"object": {
                              "id": "ch_e2e", "object": "charge", "amount": 360, "amount_refunded": 50,
                              "currency": "gbp", "payment_intent": intent, "refunds": {"object": "list", "data": [
                                  {"id": f"re_{intent}", "amount": 50, "status": "succeeded"}]}}}}).encode()
    first = await api.post("/webhooks/stripe", content=payload, headers=_signed(payload))
    assert first.status_code == 200 and first.json() == {"received": True, "result": "applied"}, first.text
    token, headers = network.tokens["admin"], network.headers
    before = (await api.get(f"/invoices/{invoice['id']}", token, headers=headers)).json()
    assert before["amount_refunded"] == "0.50"
    replay = await api.post("/webhooks/stripe", content=payload, headers=_signed(payload))
    assert replay.status_code == 200 and replay.json()["result"] == "replayed"
    assert (await api.get(f"/invoices/{invoice['id']}", token, headers=headers)).json() == before
    for bad in (_signed(payload, "whsec_not_ours"), _signed(payload, at=int(time.time()) - 301),
                {"Content-Type": "application/json"}):
        problem(await api.post("/webhooks/stripe", content=payload, headers=bad), 400)
    problem(await api.post("/webhooks/stripe", content=payload.replace(b'"amount": 360', b'"amount": 999'),
                           headers=_signed(payload)), 400)
    assert (await api.get(f"/invoices/{invoice['id']}", token, headers=headers)).json() == before
    # A chargeback: recorded as a dispute of the card network, posted.
    dispute = json.dumps({"id": f"evt_{intent}_dispute", "object": "event", "type": "charge.dispute.created",
                          "created": int(time.time()), "data": {"object": {
                              "id": f"dp_{intent}", "object": "dispute", "amount": 310, "currency": "gbp",
                              "payment_intent": intent, "charge": "ch_e2e", "reason": "fraudulent",
                              "status": "needs_response"}}}).encode()
    assert (await api.post("/webhooks/stripe", content=dispute, headers=_signed(dispute))).status_code == 200
    booked = _entries(await _transactions(api, network, invoice["id"]), "dispute")
    assert booked == {"chargebacks": ("3.10", "0.00"), "payment_clearing": ("0.00", "3.10")}


STATEMENT = "date,amount,currency,reference,counterparty,id\r\n{rows}"


async def test_bank_transfer_needs_no_stripe_and_reconciliation_of_the_month_shows_difference_zero(
        api: Api, sessions: Sessions):
    network = await _org(api, provider="bank_transfer")
    token, headers = network.tokens["admin"], network.headers
    customer_id, tag = await _customer(api, network, "Transfer Payer")
    mandate = await api.post("/payment-methods", token, headers=headers, json={
        "customer_id": customer_id, "iban": "DE89 3704 0044 0532 0130 00"})
    assert mandate.status_code == 201 and mandate.json()["status"] == "active" and mandate.json()["default"]
    problem(await api.post("/payment-methods", token, headers=headers, json={
        "customer_id": customer_id, "iban": "DE00370400440532013000"}), 422, "iban")
    invoice = await _invoice(api, network, sessions, tag, kwh=10, attempts=0)     # nothing to attempt
    assert invoice["status"] == "open" and invoice["payment_attempts"] == 0
    other_id, other_tag = await _customer(api, network, "Late Payer")
    await _invoice(api, network, sessions, other_tag, kwh=5, attempts=0)
    rows = (f"2026-02-03,{invoice['total']},GBP,{invoice['payment_reference']},Transfer Payer,STMT-1\r\n"
            "2026-02-04,42.00,GBP,no idea,Somebody,STMT-2\r\n")
    imported = await api.post("/bank-statements", token, headers=headers | {"Content-Type": "text/csv"},
                              content=STATEMENT.format(rows=rows).encode())
    assert imported.status_code == 201, imported.text
    result = imported.json()
    assert [m["invoice_id"] for m in result["matched"]] == [invoice["id"]]
    assert [(u["amount"], u["reference"]) for u in result["unmatched"]] == [("42.00", "no idea")]
    again = await api.post("/bank-statements", token, headers=headers | {"Content-Type": "text/csv"},
                           content=STATEMENT.format(rows=rows).encode())
    assert again.json()["duplicates"] == 2 and again.json()["imported"] == 0
    paid = await _settled(api, network, invoice["id"], attempts=0)
    assert paid["status"] == "paid" and paid["payments"][0]["method"] == "bank_transfer"
    # This month, in which the payment was recorded (the organization's time zone is UTC-near London's).
    today = datetime.now(UTC).date()
    month_start = today.replace(day=1) - timedelta(days=1 if today.day == 1 else 0)
    report = await api.get("/reconciliation", token, headers=headers,
                           params={"from": month_start.isoformat(), "to": (today + timedelta(days=2)).isoformat()})
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["balanced"] is True and body["difference"] == {"GBP": "0.00"}, body
    assert [p["invoice_id"] for p in body["matched_payments"]] == [invoice["id"]]
    assert [u["amount"] for u in body["unmatched_payments"]] == []      # booked in February 2026, not now
    assert [(b["customer_id"], Decimal(b["amount_due"])) for b in body["open_balances"]] == [
        (other_id, Decimal("1.80"))]
    february = await api.get("/reconciliation", token, headers=headers | {"Accept": "text/csv"},
                             params={"from": "2026-02-01", "to": "2026-03-01"})
    assert february.status_code == 200 and february.headers["content-type"].startswith("text/csv")
    lines = february.text.splitlines()
    assert lines[0].startswith("section,id,date") and any(line.startswith("unmatched,") and "42.00" in line
                                                          for line in lines)
    problem(await api.get("/reconciliation", token, headers=headers, params={"from": "2026-02-01",
                                                                           "to": "2026-01-01"}), 422, "to")
