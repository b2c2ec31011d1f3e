"""The driver portal's web pages over plain HTTP (SQLite and PostgreSQL), for what a browser test does not show:
forms refused without their CSRF token or from another site, the cookies' attributes, a sign-in link that a
mail scanner's GET does not use up and that works once, the use cases' refusals shown on the form, another
driver's pages as 404s, and signing out ending the portal token. (The browser test is tests/e2e/web.)"""

from __future__ import annotations

import asyncio
import re
import time
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie

import httpx
import pytest

from tests.e2e.rest.billing import JANUARY, price_charge_point, set_seller
from tests.e2e.rest.conftest import MAIL_WAIT_SECONDS
from tests.e2e.rest.network import fresh
from tests.e2e.rest.pages import csrf_token, forged
from tests.fakes import CapturingMailer

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
async def browser(base_url: str):
    """A cookie-keeping HTTP client that does not follow redirects (each answer is looked at)."""
    async with httpx.AsyncClient(base_url=base_url, timeout=20) as client:
        yield client



def _set_cookie(response: httpx.Response, name: str) -> str:
    """The Set-Cookie header that sets ``name`` (as sent, with its attributes)."""
    return next(h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}="))


async def _link(mailer: CapturingMailer, email: str) -> str:
    """The sign-in link mailed to ``email`` (the server's mail relay sends from its outbox on its own time)."""
    deadline = time.monotonic() + MAIL_WAIT_SECONDS
    while time.monotonic() < deadline:
        for message in reversed(mailer.sent):
            if message.to == email and "Sign in" in message.subject:
                return re.search(r"/portal/sign-in/(\S+)", message.text).group(1)
        await asyncio.sleep(0.02)
    raise AssertionError(f"no sign-in link mailed to {email}")


async def _driver(api, network, sessions, name: str, at: datetime) -> dict:
    """A driver of the network with a priced session at ``at``, and the portal token issued to them."""
    admin, headers = network.tokens["admin"], network.headers
    tag = fresh(f"PAGES-{name}")
    email = f"{tag.lower()}@example.com"
    driver = await api.post("/drivers", admin, headers=headers,
                            json={"name": name, "email": email, "id_tags": [tag, tag + "-OLD"]})
    assert driver.status_code == 201, driver.text
    session_id, tx = await sessions.start(network.charge_point_id, tag, meter_wh=0, at=at)
    await sessions.stop(network.charge_point_id, tx, meter_wh=4000, at=at + timedelta(hours=1))
    issued = await api.post(f"/drivers/{driver.json()['id']}/portal-tokens", admin, headers=headers)
    assert issued.status_code == 201, issued.text
    return {"id": driver.json()["id"], "email": email, "session_id": session_id, "token": issued.json()["token"],
            "old_tag": tag + "-OLD"}


async def test_signed_out_pages_send_to_sign_in_and_unknown_ones_are_html_404s(browser):
    assert (await browser.get("/portal/")).headers["location"] == "/portal/sign-in"
    sent = await browser.get("/portal/sessions?from=2026-01-01")
    assert (sent.status_code, sent.headers["location"]) == (
        303, "/portal/sign-in?next=%2Fportal%2Fsessions%3Ffrom%3D2026-01-01")
    missing = await browser.get("/portal/nowhere/at/all")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert "<h1>Not found</h1>" in missing.text
    assert (await browser.get("/static/site.css")).headers["content-type"].startswith("text/css")


async def test_forms_need_their_token_and_their_own_site(browser):
    page = await browser.get("/portal/sign-in")
    assert page.status_code == 200
    cookie = _set_cookie(page, "charge_csrf")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie and "Secure" not in cookie
    for header in ("Content-Security-Policy", "X-Frame-Options", "Referrer-Policy"):
        assert page.headers[header]
    token = csrf_token(page)
    email = {"email": "someone@example.com"}
    refused = [
        await browser.post("/portal/sign-in", data=email),                                      # no token
        await browser.post("/portal/sign-in", data=email | {"csrf_token": forged(token)}),     # not the cookie's
        await browser.post("/portal/sign-in", data=email | {"csrf_token": token},
                           headers={"Origin": "https://evil.example"}),
        await browser.post("/portal/sign-in", data=email | {"csrf_token": token}, headers={"Origin": "null"}),
        await browser.post("/portal/sign-in", data=email | {"csrf_token": token},
                           headers={"Sec-Fetch-Site": "cross-site"}),
    ]
    assert [r.status_code for r in refused] == [403] * 5
    assert all("This form has expired" in r.text for r in refused)
    as_json = await browser.post("/portal/sign-in", json=email | {"csrf_token": token})
    assert as_json.status_code == 415
    huge = await browser.post("/portal/sign-in", data=email | {"csrf_token": token, "x": "y" * 70_000})
    assert huge.status_code == 413
    sent = await browser.post("/portal/sign-in", data=email | {"csrf_token": token},
                              headers={"Origin": str(browser.base_url).rstrip("/")})
    assert sent.status_code == 200 and "Check your email" in sent.text


async def test_a_sign_in_link_survives_a_scanner_works_once_and_sets_the_portal_cookie(
        api, browser, network, sessions, rest_server):
    mailer: CapturingMailer = rest_server.container.adapters.mailer()
    grace = await _driver(api, network, sessions, "Grace", datetime.now(UTC) - timedelta(days=2))
    token = csrf_token(await browser.get("/portal/sign-in"))
    same = [await browser.post("/portal/sign-in", data={"email": email, "csrf_token": token})
            for email in (grace["email"].upper(), "nobody.at.all@example.com")]
    assert [r.status_code for r in same] == [200, 200]
    assert same[0].text.replace(grace["email"].upper(), "E") == same[1].text.replace("nobody.at.all@example.com", "E")
    bad = await browser.post("/portal/sign-in", data={"email": "not an email", "csrf_token": token})
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text

    secret = await _link(mailer, grace["email"])
    for _ in range(2):                         # a mail scanner opens the link: nothing is used up
        confirm = await browser.get(f"/portal/sign-in/{secret}")
        assert confirm.status_code == 200 and "Finish signing in" in confirm.text
    signed = await browser.post(f"/portal/sign-in/{secret}", data={"csrf_token": token})
    assert (signed.status_code, signed.headers["location"]) == (303, "/portal/sessions")
    cookie = _set_cookie(signed, "charge_portal")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    max_age = int(SimpleCookie(cookie)["charge_portal"]["max-age"])
    assert 29 * 86400 < max_age <= 30 * 86400                   # as long as the portal token
    again = await browser.post(f"/portal/sign-in/{secret}", data={"csrf_token": token})
    assert again.status_code == 401 and "This link does not work" in again.text

    mine = await browser.get("/portal/sessions")
    assert mine.status_code == 200 and grace["session_id"] in mine.text
    # The cookie opens the pages only: the API takes a bearer token (so no other site's form can use it).
    assert (await browser.get("/api/v1/portal/me")).status_code == 401
    portal_token = browser.cookies["charge_portal"]
    assert (await api.get("/portal/me", portal_token)).status_code == 200
    out = await browser.post("/portal/sign-out", data={"csrf_token": token})
    assert out.headers["location"] == "/portal/sign-in?signed_out=1"
    assert (await api.get("/portal/me", portal_token)).status_code == 401          # the token is revoked
    assert (await browser.get("/portal/sessions")).status_code == 303


async def test_pages_show_only_the_drivers_own_and_the_use_cases_refusals_on_the_form(
        api, browser, network, sessions):
    admin = network.tokens["admin"]
    await set_seller(api, admin, network.org_id, dispute_window_days=30)
    await price_charge_point(api, admin, network.org_id, network.charge_point_id)
    grace = await _driver(api, network, sessions, "Grace", datetime.now(UTC) - timedelta(days=2))
    old = await api.post(f"/drivers/{grace['id']}/portal-tokens", admin, headers=network.headers)
    hank = await _driver(api, network, sessions, "Hank", datetime.now(UTC) - timedelta(days=3))
    browser.cookies.set("charge_portal", grace["token"])
    assert (await browser.get("/portal/sign-in")).headers["location"] == "/portal/sessions"   # signed in already
    listed = await browser.get("/portal/sessions")
    token = csrf_token(listed)                                   # the sign-out form carries it
    assert grace["session_id"] in listed.text and hank["session_id"] not in listed.text
    for path in (f"/portal/sessions/{hank['session_id']}", f"/portal/sessions/{hank['session_id']}/receipt",
                 "/portal/sessions/ses_01JD0000000000000000000000", "/portal/sessions/not-an-id",
                 "/portal/disputes/dsp_01JD0000000000000000000000"):
        response = await browser.get(path)
        assert response.status_code == 404, path
        assert hank["id"] not in response.text
    stolen = await browser.post(f"/portal/sessions/{hank['session_id']}/dispute",
                                data={"csrf_token": token, "description": "x", "expected_cost": "1"})
    assert stolen.status_code == 404
    junk_dates = await browser.get("/portal/sessions?from=yesterday&to=2026-02-30")
    assert junk_dates.status_code == 422 and junk_dates.text.count('aria-invalid="true"') == 2
    assert (await browser.get("/portal/sessions?cursor=%%%")).status_code == 422

    mine = f"/portal/sessions/{grace['session_id']}/dispute"
    for expected_cost, message in (("-1", "cannot be negative"), ("1.234", "like 12.50"), ("", "like 12.50")):
        refused = await browser.post(mine, data={"csrf_token": token, "description": "Wrong",
                                                 "expected_cost": expected_cost})
        assert refused.status_code == 422 and message in refused.text, refused.text
    long = await browser.post(mine, data={"csrf_token": token, "description": "x" * 5000, "expected_cost": "1"})
    assert long.status_code == 422 and 'id="description-error"' in long.text
    filed = await browser.post(mine, data={"csrf_token": token, "description": "Too much", "expected_cost": "0.50"})
    assert filed.status_code == 303 and filed.headers["location"].startswith("/portal/disputes/dsp_")
    twice = await browser.post(mine, data={"csrf_token": token, "description": "Again", "expected_cost": "0.50"})
    assert twice.status_code == 409 and "open dispute already" in twice.text

    # Another session, older than the organization's 30-day window: refused, saying why.
    old_session, tx = await sessions.start(network.charge_point_id, grace["old_tag"], meter_wh=0, at=JANUARY)
    await sessions.stop(network.charge_point_id, tx, meter_wh=1000, at=JANUARY + timedelta(hours=1))
    late = await browser.post(f"/portal/sessions/{old_session}/dispute",
                              data={"csrf_token": token, "description": "Old", "expected_cost": "0"})
    assert late.status_code == 422 and "30-day window to dispute this session closed" in late.text

    # Withdrawing: the dispute's page says so and offers nothing more.
    dispute_path = filed.headers["location"].split("?")[0]
    withdrawn = await browser.post(f"{dispute_path}/withdraw", data={"csrf_token": token})
    assert withdrawn.headers["location"] == f"{dispute_path}?withdrawn=1"
    page = await browser.get(withdrawn.headers["location"])
    assert "You withdrew this dispute." in page.text and "Withdraw this dispute" not in page.text
    assert (await browser.post(f"{dispute_path}/withdraw", data={"csrf_token": token})).status_code == 409
    # A revoked or unknown cookie is forgotten, and the pages ask to sign in again.
    browser.cookies.set("charge_portal", old.json()["token"][:-2] + "xx")
    response = await browser.get("/portal/disputes")
    assert response.status_code == 303 and 'charge_portal=""' in _set_cookie(response, "charge_portal")


async def test_the_payment_methods_page_lists_the_drivers_own_makes_one_default_and_removes_one(
        api, browser, network, sessions):
    admin = network.tokens["admin"]
    await set_seller(api, admin, network.org_id)                       # collects by bank transfer
    grace = await _driver(api, network, sessions, "Grace", datetime.now(UTC) - timedelta(days=2))
    hank = await _driver(api, network, sessions, "Hank", datetime.now(UTC) - timedelta(days=3))
    added = []
    for who, iban in ((grace, "DE89370400440532013000"), (grace, "GB33BUKB20201555555555"),
                      (hank, "DE89370400440532013000")):
        method = await api.post("/portal/payment-methods", who["token"], json={"iban": iban})
        assert method.status_code == 201, method.text
        added.append(method.json()["id"])
    first, second, hanks = added
    browser.cookies.set("charge_portal", grace["token"])
    page = await browser.get("/portal/payment-methods")
    assert page.status_code == 200 and 'aria-current="page"' in page.text
    token = csrf_token(page)
    assert page.text.count('action="/portal/payment-methods/') == 3        # the default has no "make default"
    assert f"{second}/default" in page.text and f"{first}/default" not in page.text and hanks not in page.text

    assert (await browser.post(f"/portal/payment-methods/{second}/default", data={"x": "1"})).status_code == 403
    chosen = await browser.post(f"/portal/payment-methods/{second}/default", data={"csrf_token": token})
    assert (chosen.status_code, chosen.headers["location"]) == (303, "/portal/payment-methods?done=default")
    shown = await browser.get(chosen.headers["location"])
    assert "This is now your default payment method" in shown.text and f"{first}/default" in shown.text
    removed = await browser.post(f"/portal/payment-methods/{first}/remove", data={"csrf_token": token})
    assert removed.headers["location"] == "/portal/payment-methods?done=removed"
    listed = (await api.get("/portal/payment-methods", grace["token"])).json()["data"]
    assert [(m["id"], m["default"]) for m in listed] == [(second, True)]

    # Hank's method, one removed already, one that cannot exist: 404 pages, and Hank's stays as it was.
    for path in (f"{hanks}/default", f"{hanks}/remove", f"{first}/remove", "not-an-id/remove",
                 "cus_01JD0000000000000000000000/default"):
        response = await browser.post(f"/portal/payment-methods/{path}", data={"csrf_token": token})
        assert response.status_code == 404, path
        assert hank["id"] not in response.text
    theirs = (await api.get("/portal/payment-methods", hank["token"])).json()["data"]
    assert [(m["id"], m["default"], m["status"]) for m in theirs] == [(hanks, True, "active")]

    # A card whose holder has not confirmed it (Stripe): not a default yet, said on the page.
    await set_seller(api, admin, network.org_id, payment_provider="stripe")
    pending = await api.post("/portal/payment-methods", grace["token"], json={})
    assert pending.status_code == 201 and pending.json()["status"] == "pending", pending.text
    page = await browser.get("/portal/payment-methods")
    assert "Being set up" in page.text and f"{pending.json()['id']}/default" not in page.text
    refused = await browser.post(f"/portal/payment-methods/{pending.json()['id']}/default",
                                 data={"csrf_token": token})
    assert refused.status_code == 409 and "not confirmed yet" in refused.text
    gone = await browser.post(f"/portal/payment-methods/{pending.json()['id']}/remove", data={"csrf_token": token})
    assert gone.status_code == 303
