"""A server with no Stripe configuration at all (SQLite and PostgreSQL): bank transfer does everything, Stripe is
refused where it would be chosen, and its webhook endpoint says Stripe is not configured."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from entrypoints.config import Settings
from entrypoints.containers import Application
from entrypoints.server import Server
from tests.e2e.rest.client import Api
from tests.support.databases import SQL_BACKENDS
from tests.support.servers import ServerThread, migrated_database


@pytest.fixture(params=SQL_BACKENDS)
def plain_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    for url in migrated_database(request, tmp_path_factory, "no-stripe"):
        settings = Settings(host="127.0.0.1", http_port=0, database_url=url, argon2_time_cost=1,
                            argon2_memory_kib=8, argon2_parallelism=1,
                            mail_dir=str(tmp_path_factory.mktemp("mail")))
        assert not settings.stripe_secret_key
        thread = ServerThread(Server(settings, Application(config=settings.as_config()), ocpp=False, grpc=False))
        thread.start()
        try:
            yield f"http://127.0.0.1:{thread.server.http_port}"
        finally:
            thread.stop()


async def test_bank_transfer_runs_and_stripe_is_refused(plain_server: str):
    async with httpx.AsyncClient(base_url=plain_server, timeout=20) as client:
        api = Api(client, invitation_token=None)  # type: ignore[arg-type]
        _, _, token = await api.user("No Stripe")
        org_id = await api.organization(token)
        path = f"/organizations/{org_id}/settings"
        current = (await api.get(path, token)).json()
        assert current["payment_provider"] == "bank_transfer"
        refused = await api.put(path, token, json=current | {"payment_provider": "stripe"})
        assert refused.status_code == 422 and [e["field"] for e in refused.json()["errors"]] == ["payment_provider"]
        headers = {"X-Organization-Id": org_id}
        customer = await api.post("/customers", token, headers=headers, json={"name": "Payer",
                                                                               "email": "payer@example.com"})
        mandate = await api.post("/payment-methods", token, headers=headers, json={
            "customer_id": customer.json()["id"], "iban": "GB33BUKB20201555555555"})
        assert mandate.status_code == 201 and mandate.json()["provider"] == "bank_transfer", mandate.text
        webhook = await api.post("/webhooks/stripe", content=json.dumps({"id": "evt_1"}).encode(),
                                 headers={"Stripe-Signature": "t=1,v1=00", "Content-Type": "application/json"})
        assert webhook.status_code == 409 and webhook.headers["content-type"] == "application/problem+json"
        report = await api.get("/reconciliation", token, headers=headers, params={"from": "2026-01-01",
                                                                                  "to": "2026-02-01"})
        assert report.status_code == 200 and report.json()["balanced"] is True
