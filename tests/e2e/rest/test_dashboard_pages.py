"""The operator dashboard's page over plain HTTP (SQLite and PostgreSQL), for what the browser test does not show:
forms refused without their CSRF token or from another site, which credentials sign in (an API key of any role,
a viewer's too, or a user's access token; never a driver's or a site owner's token), the cookie's attributes,
the figures agreeing with the reports API, another organization's data never appearing (and its dashboard a 404),
a user choosing among their organizations, the heatmap as SVG, and signing out. (Browser: tests/e2e/web.)"""

from __future__ import annotations

import asyncio
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from tests.e2e.rest.billing import price_charge_point
from tests.e2e.rest.network import build_network, fresh
from tests.e2e.rest.pages import csrf_token, forged


@pytest.fixture
async def browser(base_url: str):
    """A cookie-keeping HTTP client that does not follow redirects (each answer is looked at)."""
    async with httpx.AsyncClient(base_url=base_url, timeout=20) as client:
        yield client



def _set_cookie(response: httpx.Response, name: str) -> str:
    return next(h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}="))


async def _sign_in(browser: httpx.AsyncClient, credential: str, **extra: str) -> httpx.Response:
    token = csrf_token(await browser.get("/dashboard/sign-in"))
    return await browser.post("/dashboard/sign-in", data={"credential": credential, "csrf_token": token, **extra})


async def test_signed_out_the_dashboard_asks_to_sign_in_and_its_form_needs_its_token(browser):
    sent = await browser.get("/dashboard/?organization=org_01JD0000000000000000000000")
    assert (sent.status_code, sent.headers["location"]) == (
        303, "/dashboard/sign-in?next=%2Fdashboard%2F%3Forganization%3Dorg_01JD0000000000000000000000")
    assert (await browser.get("/dashboard/peak-hours.svg")).status_code == 303
    missing = await browser.get("/dashboard/nowhere")
    assert missing.status_code == 404 and "<h1>Not found</h1>" in missing.text
    page = await browser.get("/dashboard/sign-in")
    assert page.status_code == 200 and page.headers["Content-Security-Policy"]
    token = csrf_token(page)
    form = {"credential": "ck_" + "a" * 40}
    refused = [
        await browser.post("/dashboard/sign-in", data=form),
        await browser.post("/dashboard/sign-in", data=form | {"csrf_token": forged(token)}),
        await browser.post("/dashboard/sign-in", data=form | {"csrf_token": token},
                           headers={"Origin": "https://evil.example"}),
        await browser.post("/dashboard/sign-in", data=form | {"csrf_token": token},
                           headers={"Sec-Fetch-Site": "cross-site"}),
    ]
    assert [r.status_code for r in refused] == [403] * 4
    assert all("This form has expired" in r.text for r in refused)
    unknown = await browser.post("/dashboard/sign-in", data=form | {"csrf_token": token})
    assert unknown.status_code == 401 and 'aria-invalid="true"' in unknown.text
    assert "charge_operator" not in browser.cookies


async def test_only_operator_credentials_sign_in_and_signing_out_forgets_the_cookie(api, browser, network):
    # A driver's portal token and a site owner's token are no operator's.
    admin = network.tokens["admin"]
    portal = await api.post(f"/drivers/{network.driver_id}/portal-tokens", admin, headers=network.headers)
    email = f"{fresh('owner').lower()}@example.com"
    await api.post("/site-owners/invitations", admin, headers=network.headers, json={"email": email, "name": "P"})
    owner = await api.post(f"/site-owner/accept-invitation/{await api.invitation_token(email)}", None)
    for credential in (portal.json()["token"], owner.json()["token"], "", "hello", "ck_" + "x" * 300):
        answer = await _sign_in(browser, credential)
        assert answer.status_code == 422 and 'id="credential-error"' in answer.text, credential[:8]
        assert "charge_operator" not in browser.cookies

    signed = await _sign_in(browser, network.keys["viewer"], next="/dashboard/?organization=" + network.org_id)
    assert (signed.status_code, signed.headers["location"]) == (303, f"/dashboard/?organization={network.org_id}")
    cookie = _set_cookie(signed, "charge_operator")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age" not in cookie   # the browser's session
    page = await browser.get(signed.headers["location"])
    assert page.status_code == 200 and "(API key, viewer)" in page.text
    assert (await browser.get("/dashboard/sign-in")).headers["location"] == "/dashboard/"
    token = csrf_token(page)
    out = await browser.post("/dashboard/sign-out", data={"csrf_token": token})
    assert out.headers["location"] == "/dashboard/sign-in?signed_out=1"
    assert 'charge_operator=""' in _set_cookie(out, "charge_operator")
    assert (await browser.get("/dashboard/")).status_code == 303
    # It revoked nothing: the key still works on the API.
    assert (await api.get("/locations", network.keys["viewer"])).status_code == 200

    # A cookie that is not an operator's is forgotten, and the page asks to sign in.
    browser.cookies.set("charge_operator", owner.json()["token"])
    again = await browser.get("/dashboard/")
    assert again.status_code == 303 and 'charge_operator=""' in _set_cookie(again, "charge_operator")


async def test_the_dashboard_shows_this_months_figures_of_one_organization_only(
        api, browser, network, sessions, charge_points):
    admin = network.tokens["admin"]
    await price_charge_point(api, admin, network.org_id, network.charge_point_id)
    now = datetime.now(UTC).replace(microsecond=0)
    at = max(now - timedelta(hours=4), now.replace(day=1, hour=0, minute=0, second=0) + timedelta(hours=1))
    for hour, wh in enumerate((10_000, 4_000)):
        _, tx = await sessions.start(network.charge_point_id, network.id_tag, meter_wh=0, at=at + timedelta(hours=hour))
        await sessions.stop(network.charge_point_id, tx, meter_wh=wh, at=at + timedelta(hours=hour, minutes=30))
    # Another organization with its own location, charge point (offline too) and session: never shown here.
    other = await build_network(api)
    yard = await api.post("/locations", other.tokens["admin"], headers=other.headers,
                          json={"name": "Elsewhere Yard", "address": "2 Other Road", "city": "Leeds",
                                "country": "GB", "timezone": "Europe/London"})
    assert yard.status_code == 201, yard.text
    _, tx = await sessions.start(other.charge_point_id, other.id_tag, meter_wh=0, at=at)
    await sessions.stop(other.charge_point_id, tx, meter_wh=50_000, at=at + timedelta(minutes=30))

    await _sign_in(browser, network.keys["viewer"])
    page = await browser.get("/dashboard/")
    assert page.status_code == 200
    viewer = {"Authorization": f"Bearer {network.keys['viewer']}"}
    usage = (await api.get("/reports/usage", headers=viewer, params={"group_by": "month"})).json()["totals"]
    revenue = (await api.get("/reports/revenue", headers=viewer, params={"group_by": "month"})).json()["totals"]
    assert usage["sessions"] == 2 and Decimal(usage["energy_kwh"]) == Decimal(14)
    figures = re.sub(r"\s+", " ", re.search(r'<dl class="figures".*?</dl>', page.text, re.DOTALL).group(0))
    amount = Decimal(revenue["total_excl_vat"])
    assert f"<dd>£{amount}</dd>" in figures and "<dd>2</dd>" in figures and "<dd>14.00 kWh</dd>" in figures
    assert network.charge_point_id in page.text                  # no OCPP connection here: offline
    assert "Riverside Car Park" in page.text
    assert "Elsewhere Yard" not in page.text
    assert other.charge_point_id not in page.text and other.org_id not in page.text
    for path in (f"/dashboard/?organization={other.org_id}", f"/dashboard/peak-hours.svg?organization={other.org_id}",
                 "/dashboard/?organization=nope"):
        response = await browser.get(path)
        assert response.status_code == 404, path
        assert other.charge_point_id not in response.text

    chart = await browser.get("/dashboard/peak-hours.svg")
    assert chart.status_code == 200 and chart.headers["content-type"].startswith("image/svg+xml")
    svg = ET.fromstring(chart.content)
    assert "Peak hours" in " ".join(svg.itertext())
    alt = re.search(r'<img src="/dashboard/peak-hours\.svg\?organization=[^"]+" alt="([^"]+)"', page.text).group(1)
    assert "the 2 sessions started this month" in alt

    # A user in both organizations picks one; each shows only its own.
    _, user_email, user_token = await api.user("Both")
    used: set[str] = set()
    for net in (network, other):
        invited = await api.post(f"/organizations/{net.org_id}/invitations", net.tokens["admin"],
                                 json={"email": user_email, "role": "viewer"})
        assert invited.status_code == 201, invited.text
        invitation = await api.invitation_token(user_email)
        while invitation in used:                     # the second email may still be on its way
            await asyncio.sleep(0.05)
            invitation = await api.invitation_token(user_email)
        used.add(invitation)
        accepted = await api.post("/organizations/invitations/accept", user_token, json={"token": invitation})
        assert accepted.status_code == 200, accepted.text
    async with httpx.AsyncClient(base_url=str(browser.base_url), timeout=20) as second:
        assert (await _sign_in(second, user_token)).status_code == 303
        theirs = await second.get(f"/dashboard/?organization={other.org_id}")
        assert theirs.status_code == 200
        assert other.charge_point_id in theirs.text and network.charge_point_id not in theirs.text
        assert f'href="/dashboard/?organization={network.org_id}"' in theirs.text        # the other one to pick
        ours = await second.get(f"/dashboard/?organization={network.org_id}")
        assert network.charge_point_id in ours.text and other.charge_point_id not in ours.text
