"""A site owner's whole road through the running server (SQLite and PostgreSQL), mail by SMTP (aiosmtpd):
invited by the operator → the email's token accepted → completion refused, naming what is missing, until every
stage is done → completed → only their own projects → priced sessions at the project's locations last month →
the operator issues the month's statement → its share is the project's percentage of the month's revenue as the
test computes it from the sessions' own prices → the ledger's site-owner payable is the sum of what was issued."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import httpx
import pytest
from pypdf import PdfReader

from entrypoints.config import Settings
from entrypoints.server import Server
from tests.e2e.rest.billing import price_charge_point
from tests.e2e.rest.client import Api
from tests.e2e.rest.network import LOCATION, Network, Sessions, build_network, fresh
from tests.integration.mail.smtp_server import SmtpServer
from tests.support.servers import ServerThread

PROFILE = {"legal_name": "Parkhaus GmbH", "contact_name": "Petra Park", "phone": "+49 30 123456",
           "address": "Hafenstraße 1", "postal_code": "10115", "city": "Berlin", "country": "DE"}
PAYOUT = {"account_holder": "Parkhaus GmbH", "iban": "DE89 3704 0044 0532 0130 00", "bic": "COBADEFFXXX"}
PERCENT = Decimal("12.5")
CENT = Decimal("0.01")


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def server(database_url: str, smtp: SmtpServer, tmp_path: Path) -> Iterator[ServerThread]:
    settings = Settings(host="127.0.0.1", http_port=0, database_url=database_url, smtp_host="127.0.0.1",
                        smtp_port=smtp.port, mail_poll_seconds=0.05, argon2_time_cost=1, argon2_memory_kib=1024,
                        argon2_parallelism=1, mail_dir=str(tmp_path / "mail"))
    thread = ServerThread(Server(settings, ocpp=False, grpc=False))
    thread.start()
    try:
        yield thread
    finally:
        thread.stop()


@pytest.fixture
async def api(server: ServerThread, smtp: SmtpServer) -> AsyncIterator[Api]:
    async def invitation_token(email: str) -> str:
        mail = await smtp.wait_for(email)
        return re.search(r"Invitation token: (\S+)", mail.get_content()).group(1)

    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.server.http_port}", timeout=20) as client:
        yield Api(client, invitation_token)


def _last_month(now: datetime) -> tuple[str, datetime]:
    """The month before ``now``'s, as ``YYYY-MM``, and its 10th at noon UTC (far from any zone's month edge)."""
    first = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    mid = (first - timedelta(days=1)).replace(day=10, hour=12)
    return mid.strftime("%Y-%m"), mid


async def _charge(api: Api, net: Network, sessions: Sessions, charge_point_id: str, at: datetime,
                  wh: int) -> dict:
    """A session of ``wh`` Wh on the charge point, started at ``at``: the session as the API shows it."""
    session_id, tx = await sessions.start(charge_point_id, net.id_tag, meter_wh=0, at=at)
    await sessions.stop(charge_point_id, tx, meter_wh=wh, at=at + timedelta(minutes=45))
    shown = await api.get(f"/sessions/{session_id}", net.tokens["admin"], headers=net.headers)
    assert shown.status_code == 200 and shown.json()["cost"] is not None, shown.text
    return dict(shown.json())


async def _charge_point_at(api: Api, net: Network, location_id: str) -> str:
    charge_point_id = fresh(f"CP-{net.org_id[-6:]}")
    made = await api.post("/charge-points", net.tokens["admin"], headers=net.headers, json={
        "id": charge_point_id, "location_id": location_id,
        "evses": [{"evse_id": 1, "connectors": [{"connector_id": 1}]}]})
    assert made.status_code == 201, made.text
    await price_charge_point(api, net.tokens["admin"], net.org_id, charge_point_id)
    return charge_point_id


async def _project(api: Api, net: Network, site_owner_id: str, name: str, location_ids: list[str]) -> str:
    made = await api.post("/projects", net.tokens["admin"], headers=net.headers, json={
        "site_owner_id": site_owner_id, "name": name, "location_ids": location_ids,
        "revenue_share_percent": str(PERCENT), "share_basis": "net_revenue"})
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def _missing(problem: httpx.Response) -> set[str]:
    assert problem.status_code == 422, problem.text
    assert problem.headers["content-type"].startswith("application/problem+json")
    return {e["field"] for e in problem.json()["errors"]}


async def test_invited_onboarded_owner_gets_the_share_of_last_months_revenue_and_the_ledger_owes_it(
        api: Api, server: ServerThread, smtp: SmtpServer):
    net = await build_network(api, "Statements")
    admin, headers = net.tokens["admin"], net.headers
    sessions = Sessions(server.server.container.use_cases, server.run)

    # The operator invites the site owner; the token arrives by email.
    email = f"facilities-{net.org_id[-6:].lower()}@parkhaus.example"
    invited = await api.post("/site-owners/invitations", admin, headers=headers,
                             json={"email": email, "name": "Parkhaus Mitte"})
    assert invited.status_code == 201, invited.text
    site_owner_id = invited.json()["id"]
    assert invited.json()["status"] == "invited" and "token" not in invited.json()
    secret = await api.invitation_token(email)
    assert secret.startswith("csi_")

    accepted = await api.post(f"/site-owner/accept-invitation/{secret}")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["site_owner_id"] == site_owner_id
    owner = accepted.json()["token"]
    assert owner.startswith("cso_")
    assert (await api.post(f"/site-owner/accept-invitation/{secret}")).status_code == 401      # once

    # Completion is refused, naming what each stage misses, until every stage is done.
    status = await api.get("/site-owner/onboarding/status", owner)
    assert status.status_code == 200 and status.json()["current_stage"] == "profile"
    everything = _missing(await api.post("/site-owner/onboarding/complete", owner))
    assert everything == {f"{stage['stage']}.{field}" for stage in status.json()["stages"]
                          for field in stage["missing"] if stage["stage"] != "completed"}
    assert {"profile.legal_name", "payout_details.iban", "agreement.agreement_accepted"} <= everything, everything

    assert (await api.put("/site-owner/profile", owner, json=PROFILE)).status_code == 200
    after_profile = _missing(await api.post("/site-owner/onboarding/complete", owner))
    assert not any(f.startswith("profile.") for f in after_profile)
    assert {"payout_details.iban", "agreement.agreement_accepted"} <= after_profile

    assert (await api.put("/site-owner/payout-details", owner, json=PAYOUT)).status_code == 200
    after_payout = _missing(await api.post("/site-owner/onboarding/complete", owner))
    assert after_payout == {"agreement.agreement_accepted"}

    version = (await api.get("/site-owner/onboarding/status", owner)).json()["agreement_version"]
    assert (await api.post("/site-owner/agreement", owner, json={"version": version})).status_code == 200
    done = await api.post("/site-owner/onboarding/complete", owner)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "active" and done.json()["current_stage"] == "completed"
    assert all(stage["done"] and not stage["missing"] for stage in done.json()["stages"])

    # Projects: two of this owner, one of another owner of the same operator.
    second = await api.post("/locations", admin, headers=headers, json=LOCATION | {"name": "Harbour Garage"})
    third = await api.post("/locations", admin, headers=headers, json=LOCATION | {"name": "Not shared"})
    fourth = await api.post("/locations", admin, headers=headers, json=LOCATION | {"name": "Someone else's"})
    [harbour, unshared, others] = [r.json()["id"] for r in (second, third, fourth)]
    await price_charge_point(api, admin, net.org_id, net.charge_point_id)
    at_harbour = await _charge_point_at(api, net, harbour)
    at_unshared = await _charge_point_at(api, net, unshared)
    at_others = await _charge_point_at(api, net, others)

    mine = await _project(api, net, site_owner_id, "Riverside and Harbour", [net.location_id, harbour])
    quiet = await _project(api, net, site_owner_id, "Quiet site", [])
    other_email = f"other-{net.org_id[-6:].lower()}@example.com"
    other = await api.post("/site-owners/invitations", admin, headers=headers,
                           json={"email": other_email, "name": "Another owner"})
    other_id = other.json()["id"]
    theirs = await _project(api, net, other_id, "Someone else's site", [others])

    listed = await api.get("/site-owner/projects", owner)
    assert listed.status_code == 200
    assert {p["id"] for p in listed.json()["data"]} == {mine, quiet}
    assert {p["site_owner_id"] for p in listed.json()["data"]} == {site_owner_id}
    assert (await api.get(f"/site-owner/projects/{theirs}/statements", owner)).status_code == 404

    # Priced sessions last month at the project's locations, and some that are not the project's revenue.
    period, mid = _last_month(datetime.now(UTC))
    charged = [await _charge(api, net, sessions, net.charge_point_id, mid, 10_000),
               await _charge(api, net, sessions, at_harbour, mid + timedelta(hours=2), 7_345),
               await _charge(api, net, sessions, net.charge_point_id, mid + timedelta(days=3), 1_234)]
    elsewhere = await _charge(api, net, sessions, at_unshared, mid + timedelta(hours=1), 20_000)
    other_owners = await _charge(api, net, sessions, at_others, mid + timedelta(hours=3), 5_000)
    this_month = await _charge(api, net, sessions, at_harbour, datetime.now(UTC) - timedelta(minutes=50), 3_000)

    # The share, computed here from the sessions' own prices (net of VAT), is the percentage of their sum.
    revenue = sum((Decimal(s["cost"]["total_excl_vat"]) for s in charged), Decimal(0))
    assert revenue == sum((Decimal(s["energy_kwh"]) * Decimal("0.30") for s in charged), Decimal(0)).quantize(CENT)
    expected_share = (revenue * PERCENT / 100).quantize(CENT, ROUND_HALF_UP)

    assert (await api.post(f"/projects/{mine}/statements", admin, headers=headers,
                           json={"period": datetime.now(UTC).strftime("%Y-%m")})).status_code == 422  # not over
    issued = await api.post(f"/projects/{mine}/statements", admin, headers=headers, json={"period": period})
    assert issued.status_code == 201, issued.text
    statement = issued.json()
    assert statement["status"] == "issued" and statement["period"] == period and statement["id"]
    assert {s["session_id"] for s in statement["sessions"]} == {s["id"] for s in charged}
    for excluded in (elsewhere, other_owners, this_month):
        assert excluded["id"] not in {s["session_id"] for s in statement["sessions"]}
    assert Decimal(statement["revenue"]["amount"]) == revenue
    assert Decimal(statement["energy_kwh"]) == sum((Decimal(s["energy_kwh"]) for s in charged), Decimal(0))
    assert Decimal(statement["share"]["amount"]) == expected_share and statement["share"]["currency"] == "GBP"
    assert statement["revenue_share_percent"] == "12.5"

    again = await api.post(f"/projects/{mine}/statements", admin, headers=headers, json={"period": period})
    assert again.status_code in (200, 201) and again.json()["id"] == statement["id"]     # once per project/month

    # The owner sees the issued statement; another owner's project stays a 404.
    seen = await api.get(f"/site-owner/projects/{mine}/statements", owner, params={"period": period})
    assert seen.status_code == 200 and seen.json()["data"][0]["id"] == statement["id"]
    assert seen.json()["data"][0]["share"] == statement["share"]

    # The same statement as a PDF, for the owner and for the operator; a PDF is of one month; never another's.
    pdf = {"Accept": "application/pdf"}
    for path, token, extra in ((f"/site-owner/projects/{mine}/statements", owner, {}),
                               (f"/projects/{mine}/statements", admin, headers)):
        document = await api.get(path, token, params={"period": period}, headers=pdf | extra)
        assert document.status_code == 200, document.text
        assert document.headers["content-type"] == "application/pdf" and document.content.startswith(b"%PDF-")
        text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(document.content)).pages)
        energy = Decimal(statement["energy_kwh"]).normalize()
        for fact in ("Statements", "Parkhaus GmbH", "Riverside and Harbour", period, "Riverside Car Park",
                     "Harbour Garage", "Sessions 3", f"{energy:f} kWh", f"Revenue (net of VAT) {revenue} GBP",
                     "12.5 % of the net revenue", f"Your share (12.5 %) {expected_share} GBP", "Currency GBP",
                     statement["id"]):
            assert fact in text, (fact, text)
        assert "Not shared" not in text and "Someone else's" not in text
        undated = await api.get(path, token, headers=pdf | extra)
        assert undated.status_code == 422 and undated.json()["errors"][0]["field"] == "period"
    theirs_pdf = await api.get(f"/site-owner/projects/{theirs}/statements", owner, params={"period": period},
                               headers=pdf)
    assert theirs_pdf.status_code == 404 and theirs_pdf.headers["content-type"].startswith("application/problem")

    # Other statements of the month: the empty project's and the other owner's.
    quiet_issued = await api.post(f"/projects/{quiet}/statements", admin, headers=headers, json={"period": period})
    theirs_issued = await api.post(f"/projects/{theirs}/statements", admin, headers=headers, json={"period": period})
    assert quiet_issued.status_code == 201 and Decimal(quiet_issued.json()["share"]["amount"]) == 0
    their_share = (Decimal(other_owners["cost"]["total_excl_vat"]) * PERCENT / 100).quantize(CENT, ROUND_HALF_UP)
    assert Decimal(theirs_issued.json()["share"]["amount"]) == their_share

    # The ledger owes each site owner the sum of the statements issued to them, and balances.
    ledger = await api.get("/ledger/trial-balance", admin, headers=headers)
    assert ledger.status_code == 200, ledger.text
    payable = {a["account"]: Decimal(a["credits"]) - Decimal(a["debits"]) for a in ledger.json()["accounts"]
               if a["account"].startswith("site_owner_payable:")}
    issued_to = {f"site_owner_payable:{site_owner_id}": Decimal(statement["share"]["amount"])
                 + Decimal(quiet_issued.json()["share"]["amount"]),
                 f"site_owner_payable:{other_id}": Decimal(theirs_issued.json()["share"]["amount"])}
    assert payable == issued_to
    shares = [a for a in ledger.json()["accounts"] if a["account"] == "revenue_share"]
    assert [Decimal(a["balance"]) for a in shares] == [sum(issued_to.values())]
    assert ledger.json()["balanced"] is True
