"""The site owners' web pages over plain HTTP (SQLite and PostgreSQL), for what a browser test does not show:
forms refused without their CSRF token or from another site, the cookie's attributes, an invitation link that a
mail scanner's GET does not use up and that works once, signing in again with a site-owner token, operator
credentials refused, the onboarding use cases' refusals shown on their forms, another owner's (or another
organization's) project as a 404, the chart as SVG, and signing out ending the token. (Browser: tests/e2e/web.)"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from http.cookies import SimpleCookie

import httpx
import pytest
from pypdf import PdfReader

from tests.e2e.rest.billing import price_charge_point
from tests.e2e.rest.network import build_network, fresh
from tests.e2e.rest.pages import csrf_token, forged

IBAN = "DE89 3704 0044 0532 0130 00"
PROFILE = {"legal_name": "Parkhaus GmbH", "contact_name": "Petra Park", "phone": "+49 30 123456",
           "address": "Hafenstraße 1", "postal_code": "10115", "city": "Berlin", "country": "DE", "vat_id": ""}


@pytest.fixture
async def browser(base_url: str):
    """A cookie-keeping HTTP client that does not follow redirects (each answer is looked at)."""
    async with httpx.AsyncClient(base_url=base_url, timeout=20) as client:
        yield client



def _set_cookie(response: httpx.Response, name: str) -> str:
    return next(h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}="))


async def _invite(api, network, name: str = "Parkhaus") -> tuple[str, str]:
    """A site owner invited by the network's operator: (site owner id, the invitation token mailed)."""
    email = f"{fresh('owner').lower()}-{network.org_id[-6:].lower()}@example.com"
    invited = await api.post("/site-owners/invitations", network.tokens["admin"], headers=network.headers,
                             json={"email": email, "name": name})
    assert invited.status_code == 201, invited.text
    return invited.json()["id"], await api.invitation_token(email)


async def _project(api, network, site_owner_id: str, name: str, location_ids: list[str], percent: str) -> str:
    created = await api.post("/projects", network.tokens["admin"], headers=network.headers,
                             json={"site_owner_id": site_owner_id, "name": name, "location_ids": location_ids,
                                   "revenue_share_percent": percent, "share_basis": "net_revenue"})
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def test_signed_out_pages_send_to_sign_in_and_forms_need_their_token(browser):
    assert (await browser.get("/site-owner/")).headers["location"] == "/site-owner/sign-in"
    sent = await browser.get("/site-owner/projects")
    assert (sent.status_code, sent.headers["location"]) == (303, "/site-owner/sign-in?next=%2Fsite-owner%2Fprojects")
    missing = await browser.get("/site-owner/nowhere")
    assert missing.status_code == 404 and "<h1>Not found</h1>" in missing.text
    page = await browser.get("/site-owner/sign-in")
    assert page.status_code == 200 and "Invitation or site-owner token" in page.text
    for header in ("Content-Security-Policy", "X-Frame-Options", "Referrer-Policy"):
        assert page.headers[header]
    token = csrf_token(page)
    form = {"token": "csi_" + "a" * 40}
    refused = [
        await browser.post("/site-owner/sign-in", data=form),
        await browser.post("/site-owner/sign-in", data=form | {"csrf_token": forged(token)}),
        await browser.post("/site-owner/sign-in", data=form | {"csrf_token": token},
                           headers={"Origin": "https://evil.example"}),
        await browser.post("/site-owner/sign-in", data=form | {"csrf_token": token},
                           headers={"Sec-Fetch-Site": "cross-site"}),
        await browser.post("/site-owner/sign-out", data={"csrf_token": token}),       # not signed in: no token
    ]
    assert [r.status_code for r in refused] == [403, 403, 403, 403, 303]
    assert all("This form has expired" in r.text for r in refused[:4])
    unknown = await browser.post("/site-owner/sign-in", data=form | {"csrf_token": token})
    assert unknown.status_code == 401 and 'aria-invalid="true"' in unknown.text
    for junk in ("", "x" * 500, "hello"):
        answer = await browser.post("/site-owner/sign-in", data={"token": junk, "csrf_token": token})
        assert answer.status_code == 422 and 'id="token-error"' in answer.text


async def test_an_invitation_link_survives_a_scanner_works_once_and_a_held_token_signs_in_again(
        api, browser, network):
    site_owner_id, secret = await _invite(api, network)
    token = csrf_token(await browser.get("/site-owner/sign-in"))
    for _ in range(2):                           # a mail scanner opens the link: nothing is used up
        confirm = await browser.get(f"/site-owner/accept/{secret}")
        assert confirm.status_code == 200 and "Accept your invitation" in confirm.text
    accepted = await browser.post(f"/site-owner/accept/{secret}", data={"csrf_token": token})
    assert (accepted.status_code, accepted.headers["location"]) == (303, "/site-owner/")
    assert (await browser.get("/site-owner/")).headers["location"] == "/site-owner/onboarding"
    cookie = _set_cookie(accepted, "charge_site_owner")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    assert 29 * 86400 < int(SimpleCookie(cookie)["charge_site_owner"]["max-age"]) <= 30 * 86400
    again = await browser.post(f"/site-owner/accept/{secret}", data={"csrf_token": token})
    assert again.status_code == 401 and "This invitation does not work" in again.text
    owner_token = browser.cookies["charge_site_owner"]
    assert owner_token.startswith("cso_")
    # The cookie opens the pages only; the API takes the token as a bearer.
    assert (await browser.get("/api/v1/site-owner/profile")).status_code == 401
    assert (await api.get("/site-owner/profile", owner_token)).json()["id"] == site_owner_id

    # Another browser signs in with the token the owner holds; operator credentials are no site owner's.
    async with httpx.AsyncClient(base_url=str(browser.base_url), timeout=20) as other:
        form_token = csrf_token(await other.get("/site-owner/sign-in"))
        for operator in (network.tokens["admin"], network.keys["viewer"]):
            refused = await other.post("/site-owner/sign-in", data={"token": operator, "csrf_token": form_token})
            assert refused.status_code == 422 and "not a site owner" in refused.text
            assert "charge_site_owner" not in other.cookies
        signed = await other.post("/site-owner/sign-in", data={"token": owner_token, "csrf_token": form_token,
                                                               "next": "/site-owner/projects"})
        assert (signed.status_code, signed.headers["location"]) == (303, "/site-owner/projects")
        assert (await other.get("/site-owner/projects")).status_code == 200
        evil = await other.post("/site-owner/sign-in", data={"token": owner_token, "csrf_token": form_token,
                                                             "next": "//evil.example/"})
        assert evil.headers["location"] == "/site-owner/"       # no open redirect

    # Signing out revokes the token: the API and the other browser are out too.
    out = await browser.post("/site-owner/sign-out", data={"csrf_token": token})
    assert out.headers["location"] == "/site-owner/sign-in?signed_out=1"
    assert (await api.get("/site-owner/profile", owner_token)).status_code == 401
    assert (await browser.get("/site-owner/onboarding")).status_code == 303
    browser.cookies.set("charge_site_owner", network.keys["admin"])        # an operator's key is no way in
    planted = await browser.get("/site-owner/onboarding")
    assert planted.status_code == 303 and 'charge_site_owner=""' in _set_cookie(planted, "charge_site_owner")


async def test_onboarding_shows_what_is_missing_refuses_bad_input_on_its_form_and_completes(api, browser, network):
    site_owner_id, secret = await _invite(api, network)
    token = csrf_token(await browser.get("/site-owner/sign-in"))
    signed = await browser.post("/site-owner/sign-in", data={"token": secret, "csrf_token": token})
    assert signed.headers["location"] == "/site-owner/"
    page = await browser.get("/site-owner/onboarding")
    assert page.status_code == 200
    assert "missing legal name, contact name" in page.text and "missing account holder, IBAN" in page.text

    early = await browser.post("/site-owner/onboarding/complete", data={"csrf_token": token})
    assert early.status_code == 422
    for text in ("Profile: legal name is missing", "Payout details: IBAN is missing",
                 "Agreement: accepting the agreement is missing", 'href="#agree"', 'href="#legal_name"'):
        assert text in early.text, text

    bad = await browser.post("/site-owner/onboarding/profile", data=PROFILE | {"country": "XX", "csrf_token": token})
    assert bad.status_code == 422 and 'id="country-error"' in bad.text and "Parkhaus GmbH" in bad.text
    saved = await browser.post("/site-owner/onboarding/profile", data=PROFILE | {"csrf_token": token})
    assert saved.headers["location"] == "/site-owner/onboarding?saved=profile"
    bad_iban = await browser.post("/site-owner/onboarding/payout-details", data={
        "account_holder": "Parkhaus GmbH", "iban": "DE00 3704 0044 0532 0130 00", "bic": "", "csrf_token": token})
    assert bad_iban.status_code == 422 and 'id="iban-error"' in bad_iban.text and "check digits" in bad_iban.text
    assert (await browser.post("/site-owner/onboarding/payout-details", data={
        "account_holder": "Parkhaus GmbH", "iban": IBAN, "bic": "", "csrf_token": token})).status_code == 303
    unticked = await browser.post("/site-owner/onboarding/agreement", data={"version": "2025-01", "csrf_token": token})
    assert unticked.status_code == 422 and 'id="agree-error"' in unticked.text
    old = await browser.post("/site-owner/onboarding/agreement",
                             data={"version": "1999-01", "agree": "yes", "csrf_token": token})
    assert old.status_code == 422 and "2025-01" in old.text
    assert (await browser.post("/site-owner/onboarding/agreement",
                               data={"version": "2025-01", "agree": "yes", "csrf_token": token})).status_code == 303
    done = await browser.post("/site-owner/onboarding/complete", data={"csrf_token": token})
    assert done.headers["location"] == "/site-owner/projects?onboarded=1"
    owner = await api.get(f"/site-owners/{site_owner_id}", network.tokens["viewer"], headers=network.headers)
    assert owner.json()["status"] == "active"
    assert owner.json()["profile"]["legal_name"] == "Parkhaus GmbH"
    assert (await browser.get("/site-owner/")).headers["location"] == "/site-owner/projects"


async def test_a_site_owner_sees_only_their_projects_their_month_and_its_chart(
        api, browser, network, sessions, charge_points):
    admin = network.tokens["admin"]
    await price_charge_point(api, admin, network.org_id, network.charge_point_id)
    mine_id, secret = await _invite(api, network, "Parkhaus")
    theirs_id, _ = await _invite(api, network, "Someone else")
    mine = await _project(api, network, mine_id, "Harbour <garage>", [network.location_id], "12.5")
    theirs = await _project(api, network, theirs_id, "Not yours", [], "50")
    elsewhere = await build_network(api)
    charge_points.online.add(elsewhere.charge_point_id)
    stranger_id, _ = await _invite(api, elsewhere)
    stranger = await _project(api, elsewhere, stranger_id, "Other organization", [], "10")

    # Two priced sessions at the project's location this month (10 kWh and 4 kWh at 30p net).
    now = datetime.now(UTC).replace(microsecond=0)
    at = max(now - timedelta(hours=3), now.replace(day=1, hour=0, minute=0, second=0) + timedelta(hours=1))
    for hour, wh in enumerate((10_000, 4_000)):
        _, tx = await sessions.start(network.charge_point_id, network.id_tag, meter_wh=0, at=at + timedelta(hours=hour))
        await sessions.stop(network.charge_point_id, tx, meter_wh=wh, at=at + timedelta(hours=hour, minutes=30))

    token = csrf_token(await browser.get("/site-owner/sign-in"))
    await browser.post("/site-owner/sign-in", data={"token": secret, "csrf_token": token})
    listed = await browser.get("/site-owner/projects")
    assert listed.status_code == 200
    assert "Harbour &lt;garage&gt;" in listed.text and "<garage>" not in listed.text      # escaped
    assert mine in listed.text and theirs not in listed.text and stranger not in listed.text
    for path in (f"/site-owner/projects/{theirs}", f"/site-owner/projects/{stranger}",
                 f"/site-owner/projects/{theirs}/revenue.svg", "/site-owner/projects/prj_01JD0000000000000000000000",
                 "/site-owner/projects/not-an-id", "/site-owner/projects?cursor=%%%"):
        response = await browser.get(path)
        assert response.status_code == 404, path
        assert "Not yours" not in response.text and "Other organization" not in response.text

    page = await browser.get(f"/site-owner/projects/{mine}")
    assert page.status_code == 200
    owner_token = browser.cookies["charge_site_owner"]
    month = datetime.now(UTC).strftime("%Y-%m")
    stated = (await api.get(f"/site-owner/projects/{mine}/statements", owner_token, params={"period": month}))
    statement = stated.json()["data"][0]
    revenue, share = Decimal(statement["revenue"]["amount"]), Decimal(statement["share"]["amount"])
    assert revenue == Decimal("4.20") and share == (revenue * Decimal("0.125")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert f"£{revenue}" in page.text and f"£{share}" in page.text
    assert page.text.count("<tr>") == 13                              # a header row and 12 months
    assert "£0.00" in page.text and "£0<" not in page.text           # amounts in pence, an empty month too
    refused = await browser.get(f"/site-owner/projects/{mine}?period=2026-13")
    assert refused.status_code == 422 and 'id="period-error"' in refused.text
    older = await browser.get(f"/site-owner/projects/{mine}?period=2001-05")
    assert older.status_code == 200 and "Statement for 2001-05" in older.text

    chart = await browser.get(f"/site-owner/projects/{mine}/revenue.svg")
    assert chart.status_code == 200 and chart.headers["content-type"].startswith("image/svg+xml")
    svg = ET.fromstring(chart.content)
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    text = " ".join(t for t in svg.itertext())
    for fact in ("Monthly revenue of Harbour <garage>", "Your share (GBP)", "Month", month):
        assert fact in text, fact

    # The month's statement as a PDF, linked from the page; never another's; a month that is none is refused.
    link = f"/site-owner/projects/{mine}/statement.pdf?period={month}"
    assert f'href="{link}"' in page.text
    document = await browser.get(link)
    assert document.status_code == 200 and document.headers["content-type"] == "application/pdf"
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(document.content)).pages)
    assert f"Your share (12.5 %) {share} GBP" in text and "Harbour <garage>" in text
    for path in (f"/site-owner/projects/{theirs}/statement.pdf?period={month}",
                 f"/site-owner/projects/{stranger}/statement.pdf?period={month}",
                 f"/site-owner/projects/not-an-id/statement.pdf?period={month}"):
        assert (await browser.get(path)).status_code == 404, path
    bad = await browser.get(f"/site-owner/projects/{mine}/statement.pdf?period=2026-13")
    assert bad.status_code == 422 and 'id="period-error"' in bad.text
