"""A driver's payment methods in the portal, end to end through the running server (SQLite and PostgreSQL):
cards saved through the operator's Stripe (localstripe; each SetupIntent confirmed as Stripe.js would), the
default chosen and a card removed by the driver, and the finalized invoice then paid with the card the driver
chose; bank mandates where the organization collects by transfer; what is refused and how."""

from __future__ import annotations

from typing import Any

import stripe

from tests.e2e.rest.billing import JANUARY, price_charge_point, run_period, set_seller
from tests.e2e.rest.client import Api
from tests.e2e.rest.network import Network, Sessions, build_network, fresh
from tests.e2e.rest.test_billing import problem
from tests.e2e.rest.test_payments import DECLINES, GOOD, _settled
from tests.support.localstripe_process import LocalStripe

METHODS = "/portal/payment-methods"


async def _driver(api: Api, network: Network, name: str, **fields: Any) -> tuple[str, str]:
    """A driver of the organization signed in to the portal: (their id tag, their portal token)."""
    token, headers = network.tokens["admin"], network.headers
    tag = fresh(f"PM-{network.org_id[-6:]}")
    driver = await api.post("/drivers", token, headers=headers, json={
        "name": name, "email": f"{tag.lower()}@example.com", "id_tags": [tag]} | fields)
    assert driver.status_code == 201, driver.text
    issued = await api.post(f"/drivers/{driver.json()['id']}/portal-tokens", token, headers=headers)
    assert issued.status_code == 201, issued.text
    return tag, issued.json()["token"]


async def _card(api: Api, portal: str, number: str, sdk: stripe.StripeClient) -> dict[str, Any]:
    """What the portal's card form does: start a SetupIntent, then Stripe.js confirms it with the card."""
    started = await api.post(METHODS, portal, json={})
    assert started.status_code == 201, started.text
    method = started.json()
    assert method["status"] == "pending" and method["client_secret"] and not method["default"], method
    card = sdk.v1.payment_methods.create(params={"type": "card", "card": {
        "number": number, "exp_month": 11, "exp_year": 2031, "cvc": "314"}})
    sdk.v1.setup_intents.confirm(method["client_secret"].split("_secret_")[0], params={"payment_method": card.id})
    return dict(method)


async def _listed(api: Api, portal: str) -> dict[str, dict[str, Any]]:
    listed = await api.get(METHODS, portal)
    assert listed.status_code == 200, listed.text
    return {m["id"]: m for m in listed.json()["data"]}


async def test_a_driver_saves_cards_chooses_the_default_removes_one_and_the_invoice_is_paid_with_their_choice(
        api: Api, sessions: Sessions, localstripe: LocalStripe):
    sdk = stripe.StripeClient(localstripe.secret_key, base_addresses={"api": localstripe.url})
    network = await build_network(api, "Portal cards")
    admin, headers = network.tokens["admin"], network.headers
    await set_seller(api, admin, network.org_id, payment_provider="stripe")
    await price_charge_point(api, admin, network.org_id, network.charge_point_id)
    tag, portal = await _driver(api, network, "Card Driver")
    assert await _listed(api, portal) == {}

    declining = await _card(api, portal, DECLINES, sdk)
    listed = await _listed(api, portal)        # the list asks Stripe about the card being set up: now active
    assert (listed[declining["id"]]["status"], listed[declining["id"]]["last4"], listed[declining["id"]]["default"],
            listed[declining["id"]]["client_secret"]) == ("active", "0341", True, None)
    good = await _card(api, portal, GOOD, sdk)
    assert (await _listed(api, portal))[good["id"]]["status"] == "active"
    pending = await api.post(METHODS, portal, json={})
    assert pending.status_code == 201, pending.text
    problem(await api.post(f"{METHODS}/{pending.json()['id']}/default", portal), 409)   # not confirmed yet
    chosen = await api.post(f"{METHODS}/{good['id']}/default", portal)
    assert chosen.status_code == 200 and chosen.json()["default"] and chosen.json()["last4"] == "4242", chosen.text
    removed = await api.delete(f"{METHODS}/{declining['id']}", portal)
    assert removed.status_code == 204, removed.text
    problem(await api.delete(f"{METHODS}/{declining['id']}", portal), 404)
    listed = await _listed(api, portal)
    assert {i: (m["status"], m["default"]) for i, m in listed.items()} == {
        good["id"]: ("active", True), pending.json()["id"]: ("pending", False)}

    # The operator sees the same methods on the driver's own customer account.
    customer_id = chosen.json()["customer_id"]
    operator = await api.get("/payment-methods", admin, headers=headers, params={"customer_id": customer_id})
    assert operator.status_code == 200, operator.text
    assert {m["id"]: m["default"] for m in operator.json()["data"]} == {good["id"]: True, pending.json()["id"]: False}

    # The driver's session of January, invoiced and finalized: collected from the card they chose.
    session_id, tx = await sessions.start(network.charge_point_id, tag, meter_wh=0, at=JANUARY)
    await sessions.stop(network.charge_point_id, tx, meter_wh=10_000, at=JANUARY.replace(hour=10))
    run = await run_period(api, admin, network.org_id, "2026-01-01", "2026-02-01", finalize=True)
    assert run["status"] == "completed", run
    (invoice,) = (await api.get("/portal/invoices", portal)).json()["data"]
    assert invoice["customer_id"] == customer_id and session_id in {s["session_id"] for s in invoice["sessions"]}
    paid = await _settled(api, network, invoice["id"])
    assert paid["status"] == "paid" and paid["total"] == "3.60", paid
    (payment,) = paid["payments"]
    intent = sdk.v1.payment_intents.retrieve(payment["provider_reference"])
    assert sdk.v1.payment_methods.retrieve(intent.payment_method).card.last4 == "4242"
    assert (await api.get(f"/portal/invoices/{invoice['id']}", portal)).json()["status"] == "paid"


async def test_bank_mandates_are_active_at_once_and_refusals_name_what_is_wrong(api: Api, network: Network):
    await set_seller(api, network.tokens["admin"], network.org_id)         # collects by bank transfer
    _, portal = await _driver(api, network, "Transfer Driver")
    first = await api.post(METHODS, portal, json={"iban": "DE89 3704 0044 0532 0130 00", "holder": "T. Driver"})
    assert first.status_code == 201, first.text
    assert (first.json()["status"], first.json()["default"], first.json()["kind"]) == ("active", True, "sepa_mandate")
    second = await api.post(METHODS, portal, json={"iban": "GB33BUKB20201555555555"})
    assert second.status_code == 201 and not second.json()["default"], second.text
    problem(await api.post(METHODS, portal, json={"iban": "DE00370400440532013000"}), 422, "iban")
    problem(await api.post(METHODS, portal, json={"iban": 42}), 422, "iban")
    problem(await api.post(METHODS, portal, json={"customer_id": "cus_01JD0000000000000000000000"}), 422,
            "customer_id")                                     # the account is the driver's own: not a field
    chosen = await api.post(f"{METHODS}/{second.json()['id']}/default", portal)
    assert chosen.status_code == 200 and chosen.json()["default"], chosen.text
    assert {i: m["default"] for i, m in (await _listed(api, portal)).items()} == {
        first.json()["id"]: False, second.json()["id"]: True}
    problem(await api.post(f"{METHODS}/pmt_01JD0000000000000000000000/default", portal), 404)
    problem(await api.delete(f"{METHODS}/not-an-id", portal), 404)
    # An operator credential is no driver; no credential at all is a 401.
    problem(await api.get(METHODS, network.keys["admin"]), 403)
    problem(await api.get(METHODS, None), 401)

    # A driver whose charging is billed to a customer the operator manages (a company) adds none.
    company = await api.post("/customers", network.tokens["admin"], headers=network.headers, json={
        "name": "Acme Ltd", "email": "ap@acme.example", "invoice_delivery": "none"})
    assert company.status_code == 201, company.text
    _, employee = await _driver(api, network, "Company Driver", customer_id=company.json()["id"])
    problem(await api.post(METHODS, employee, json={"iban": "GB33BUKB20201555555555"}), 409)
    assert await _listed(api, employee) == {}
