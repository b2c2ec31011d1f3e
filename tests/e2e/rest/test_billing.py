"""Billing's bad input through a real server and database (SQLite, PostgreSQL): each answer is a problem naming
the field (or 409 for a state), and changes nothing — no invoice, transaction, customer, driver, setting or
number of a series is added or altered. Then the numbers taken afterwards are still the next ones."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from tests.e2e.rest.billing import (
    billed_session,
    invoice_of,
    open_invoice,
    price_charge_point,
    run_period,
    set_seller,
)
from tests.e2e.rest.client import Api
from tests.e2e.rest.network import Network, Sessions


def problem(response: httpx.Response, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"] and body["code"]
    if field is not None:
        assert field in [e["field"] for e in body["errors"]], body
    return dict(body)


async def everything(api: Api, network: Network) -> dict[str, Any]:
    """What billing has stored for the organization, as its API shows it."""
    token, headers = network.tokens["admin"], network.headers

    async def read(path: str, **params: Any) -> Any:
        response = await api.get(path, token, headers=headers, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    lists = {name: await read(f"/{name}", limit=100) for name in ("invoices", "transactions", "customers", "drivers")}
    return lists | {"trial": await read("/ledger/trial-balance"),
                    "settings": await read(f"/organizations/{network.org_id}/settings")}


async def changes_nothing(api: Api, network: Network, attempt: Callable[[], Awaitable[httpx.Response]],
                          status: int, field: str | None) -> None:
    before = await everything(api, network)
    problem(await attempt(), status, field)
    assert await everything(api, network) == before


async def test_refusals_name_the_field_and_change_nothing(api: Api, network: Network, sessions: Sessions):
    token, headers = network.tokens["admin"], network.headers
    first = await open_invoice(api, token, network.org_id, network.charge_point_id, sessions)   # 3.60 GBP, open
    second_session = await billed_session(api, token, network.org_id, network.charge_point_id, sessions, kwh=5)
    assert (await run_period(api, token, network.org_id, "2026-01-01", "2026-02-01"))["invoices_created"] == 1
    draft = await invoice_of(api, token, network.org_id, second_session)
    assert (first["number"], draft["status"]) == ("INV-000001", "draft")

    async def post(path: str, body: Any = None) -> httpx.Response:
        return await api.post(path, token, headers=headers, json=body)

    invoice = f"/invoices/{first['id']}"
    # A payment in another currency, or of more than is due.
    await changes_nothing(api, network, lambda: post(f"{invoice}/payments", {
        "amount": {"amount": "1.00", "currency": "EUR"}, "date": "2026-02-03"}), 422, "amount.currency")
    await changes_nothing(api, network, lambda: post(f"{invoice}/payments", {
        "amount": {"amount": "3.61", "currency": "GBP"}, "date": "2026-02-03"}), 422, "amount.amount")
    # A credit note above what is left to credit, or naming a line the invoice does not have.
    await changes_nothing(api, network, lambda: post(f"{invoice}/credit-notes", {"reason": "Goodwill",
                                                                              "amount": "3.61"}), 422, "amount")
    await changes_nothing(api, network, lambda: post(f"{invoice}/credit-notes", {
        "reason": "Wrong line", "lines": [{"line": 7, "amount": "1.00"}]}), 422, "lines[0].line")
    # A period whose end is not after its start.
    for end in ("2025-12-31", "2026-01-01"):
        await changes_nothing(api, network, lambda end=end: post("/invoice-runs", {
            "period_start": "2026-01-01", "period_end": end}), 422, "period_end")
    # A driver naming a customer that is not the organization's.
    _, _, stranger = await api.user("Stranger")
    elsewhere = await api.organization(stranger, "Elsewhere")
    foreign = await api.post("/customers", stranger, headers={"X-Organization-Id": elsewhere},
                             json={"name": "Theirs", "email": "theirs@example.com"})
    assert foreign.status_code == 201, foreign.text
    for customer_id in ("cus_01JD0000000000000000000000", foreign.json()["id"]):
        await changes_nothing(api, network, lambda customer_id=customer_id: post("/drivers", {
            "name": "Fleet driver", "customer_id": customer_id}), 422, "customer_id")
    assert (await api.get(f"/customers/{foreign.json()['id']}", token, headers=headers)).status_code == 404
    # Invalid VAT numbers and bank details.
    await changes_nothing(api, network, lambda: post("/customers", {
        "name": "Fleet Co", "email": "ap@fleet.example", "tax_id": "DE136695977"}), 422, "tax_id")
    settings_path = f"/organizations/{network.org_id}/settings"
    current = (await api.get(settings_path, token)).json()
    for field, value in (("vat_id", "GB980780685"), ("iban", "GB34BUKB20201555555555"), ("bic", "BUKB")):
        await changes_nothing(api, network, lambda field=field, value=value: api.put(
            settings_path, token, json=current | {field: value}), 422, field)

    # Finalizing a void invoice: a conflict of state, and its number is not used up.
    voided = await post(f"{invoice}/void")
    assert voided.status_code == 200 and voided.json()["status"] == "void", voided.text
    await changes_nothing(api, network, lambda: post(f"{invoice}/finalize"), 409, None)
    await changes_nothing(api, network, lambda: post(f"{invoice}/payments", {
        "amount": {"amount": "1.00", "currency": "GBP"}, "date": "2026-02-03"}), 409, None)
    finalized = await post(f"/invoices/{draft['id']}/finalize")
    assert finalized.status_code == 200 and finalized.json()["number"] == "INV-000002", finalized.text
    # The refused credit notes took no number either.
    note = await post(f"/invoices/{draft['id']}/credit-notes", {"reason": "Goodwill", "amount": "0.60"})
    assert note.status_code == 201 and note.json()["number"] == "CN-000001", note.text
    trial = (await api.get("/ledger/trial-balance", token, headers=headers)).json()
    assert trial["balanced"] is True


async def test_a_finalization_without_seller_details_is_refused_and_takes_no_number(api: Api, network: Network,
                                                                                     sessions: Sessions):
    token, headers = network.tokens["admin"], network.headers
    await price_charge_point(api, token, network.org_id, network.charge_point_id)
    session_id = await billed_session(api, token, network.org_id, network.charge_point_id, sessions)
    await run_period(api, token, network.org_id, "2026-01-01", "2026-02-01")
    draft = await invoice_of(api, token, network.org_id, session_id)
    before = await everything(api, network)
    refused = await api.post(f"/invoices/{draft['id']}/finalize", token, headers=headers)
    assert "settings.vat_id" in problem(refused, 409)["detail"]
    assert await everything(api, network) == before
    await set_seller(api, token, network.org_id)
    finalized = await api.post(f"/invoices/{draft['id']}/finalize", token, headers=headers)
    assert finalized.status_code == 200 and finalized.json()["number"] == "INV-000001", finalized.text
