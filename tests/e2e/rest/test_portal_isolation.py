"""The driver portal's isolation, through the real server (SQLite and PostgreSQL): a driver reaches their own
sessions, receipts, disputes, invoices and payment methods and nothing else — another driver's of the same
organization, or another organization's, answer 404 on every portal endpoint; a portal token opens no operator
endpoint, and no operator credential acts as a driver."""

from __future__ import annotations

from datetime import timedelta

from domain.ids import new_id
from entrypoints.rest.inputs import PATH_IDS
from entrypoints.rest.routes import ENDPOINTS
from tests.e2e.rest.billing import JANUARY, price_charge_point, run_period, set_seller
from tests.e2e.rest.network import Network, build_network, fresh

IBAN = "DE89370400440532013000"


async def _driver_world(api, network: Network, sessions, name: str) -> dict:
    """A driver of ``network``'s organization with a billed, invoiced session, a dispute and a portal token."""
    admin, headers = network.tokens["admin"], network.headers
    tag = fresh(f"PORTAL-{name}")
    driver = await api.post("/drivers", admin, headers=headers,
                            json={"name": name, "email": f"{tag.lower()}@example.com", "id_tags": [tag]})
    assert driver.status_code == 201, driver.text
    session_id, tx = await sessions.start(network.charge_point_id, tag, meter_wh=0, at=JANUARY)
    await sessions.stop(network.charge_point_id, tx, meter_wh=5000, at=JANUARY + timedelta(hours=1))
    issued = await api.post(f"/drivers/{driver.json()['id']}/portal-tokens", admin, headers=headers)
    assert issued.status_code == 201, issued.text
    # A bank mandate (the organizations collect by bank transfer): active, and the default, at once.
    method = await api.post("/portal/payment-methods", issued.json()["token"], json={"iban": IBAN, "holder": name})
    assert method.status_code == 201 and method.json()["default"], method.text
    return {"driver_id": driver.json()["id"], "session_id": session_id, "token": issued.json()["token"],
            "method_id": method.json()["id"]}


async def _invoice_and_dispute(api, network: Network, world: dict) -> None:
    run = await run_period(api, network.tokens["admin"], network.org_id, "2026-01-01", "2026-02-01", finalize=True)
    assert run["status"] == "completed", run
    invoices = (await api.get("/portal/invoices", world["token"])).json()["data"]
    world["invoice_id"] = invoices[0]["id"]
    # The window is long enough for a January session to be disputed whenever this runs.
    filed = await api.post(f"/portal/sessions/{world['session_id']}/dispute", world["token"], json={
        "description": "Too much", "expected_cost": {"amount": "0.50", "currency": "GBP"}})
    assert filed.status_code == 201, filed.text
    world["dispute_id"] = filed.json()["id"]


def _portal_reads(w: dict) -> list[tuple[str, str, dict | None]]:
    s, d, i, m = w["session_id"], w["dispute_id"], w["invoice_id"], w["method_id"]
    return [("GET", f"/portal/sessions/{s}", None), ("GET", f"/portal/sessions/{s}/cost-breakdown", None),
            ("GET", f"/portal/sessions/{s}/receipt", None), ("GET", f"/portal/disputes/{d}", None),
            ("GET", f"/portal/invoices/{i}", None), ("GET", f"/portal/invoices/{i}/pdf", None),
            ("POST", f"/portal/payment-methods/{m}/default", None), ("DELETE", f"/portal/payment-methods/{m}", None),
            ("POST", f"/portal/sessions/{s}/dispute", {"description": "x",
                                                       "expected_cost": {"amount": "0.10", "currency": "GBP"}}),
            ("POST", f"/portal/disputes/{d}/withdraw", None)]


async def test_a_driver_reaches_only_their_own_through_every_portal_endpoint(api, network, sessions):
    for net in (network,):
        await set_seller(api, net.tokens["admin"], net.org_id, dispute_window_days=3650)
        await price_charge_point(api, net.tokens["admin"], net.org_id, net.charge_point_id)
    other = await build_network(api, "Other")
    await set_seller(api, other.tokens["admin"], other.org_id, dispute_window_days=3650)
    await price_charge_point(api, other.tokens["admin"], other.org_id, other.charge_point_id)
    grace = await _driver_world(api, network, sessions, "Grace")
    hank = await _driver_world(api, network, sessions, "Hank")
    stranger = await _driver_world(api, other, sessions, "Stranger")
    for world, net in ((grace, network), (hank, network), (stranger, other)):
        await _invoice_and_dispute(api, net, world)
    portal_paths = {e.path for e in ENDPOINTS if e.portal}
    covered = {path for _, path, _ in _portal_reads(grace)}
    # me, sessions, disputes, invoices, payment methods
    assert len(portal_paths) == len({p for p in portal_paths if "{" in p}) + 5

    for theirs in (hank, stranger):
        for method, path, body in _portal_reads(theirs):
            response = await api.request(method, path, grace["token"], json=body)
            assert response.status_code == 404, (method, path, response.text)
            assert theirs["driver_id"] not in response.text
    for world in (grace, hank, stranger):       # each lists their own method, untouched by the others' tries
        listed = (await api.get("/portal/payment-methods", world["token"])).json()["data"]
        assert [(m["id"], m["default"], m["status"]) for m in listed] == [(world["method_id"], True, "active")]
    # Her own answer (the dispute last: withdrawing it is the last thing her token does here).
    for method, path, body in _portal_reads(grace):
        response = await api.request(method, path, grace["token"], json=body)
        # She has a dispute open on the session already; removing her method answers no content.
        expected = 409 if path.endswith("/dispute") else 204 if method == "DELETE" else 200
        assert response.status_code == expected, (method, path, response.text)
    assert (await api.get("/portal/payment-methods", grace["token"])).json()["data"] == []
    assert len(covered) == len({p for p in portal_paths if "{" in p})
    for path, key in (("/portal/sessions", "session_id"), ("/portal/disputes", "dispute_id"),
                      ("/portal/invoices", "invoice_id")):
        listed = (await api.get(path, grace["token"], params={"limit": 100})).json()["data"]
        assert [x["id"] for x in listed] == [grace[key]], path
    me = (await api.get("/portal/me", grace["token"])).json()
    assert (me["id"], me["organization_id"]) == (grace["driver_id"], network.org_id)

    # A portal token opens no operator endpoint; no operator credential is a driver.
    ids = {name: (network.org_id if name == "org_id" else (f"{prefix}_{new_id('x')[2:]}" if prefix else "CP-1"))
           for name, (prefix, _) in PATH_IDS.items()}
    for endpoint in ENDPOINTS:
        if endpoint.public:
            continue
        path = endpoint.path.removeprefix("/api/v1").format(**ids)
        if endpoint.portal:
            for credential in (network.tokens["admin"], network.keys["admin"]):
                response = await api.request(endpoint.method, path, credential, json={})
                assert response.status_code == 403, (endpoint.method, path, response.text)
        else:
            response = await api.request(endpoint.method, path, grace["token"], headers=network.headers, json={})
            assert response.status_code in (401, 403), (endpoint.method, path, response.text)
