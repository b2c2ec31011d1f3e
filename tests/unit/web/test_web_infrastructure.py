"""The shared web-page machinery (entrypoints/web) on its own and through the app over in-memory adapters:
cookies Secure and ``__Host-`` behind TLS, the CSRF checks, where a sign-in may lead, and the display filters."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
import pytest
from starlette.requests import Request

from entrypoints.rest.app import create_app
from entrypoints.web import csrf, templating
from entrypoints.web.cookies import served_over_tls
from entrypoints.web.pages import safe_next
from tests.unit.rest.conftest import build_container


def _request(headers: dict[str, str], scheme: str = "http") -> Request:
    return Request({"type": "http", "method": "POST", "scheme": scheme, "server": ("charge.test", 80),
                    "path": "/portal/sign-in", "query_string": b"", "root_path": "",
                    "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]})


async def test_behind_tls_the_cookies_are_secure_and_host_only():
    container = build_container(public_url="https://charge.example")
    transport = httpx.ASGITransport(app=create_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://charge.test") as client:
        page = await client.get("/portal/sign-in")
    [cookie] = page.headers.get_list("set-cookie")
    assert cookie.startswith("__Host-charge_csrf=")
    assert all(part in cookie for part in ("HttpOnly", "Secure", "Path=/", "SameSite=lax"))
    assert "Domain" not in cookie


def test_tls_is_seen_at_the_door_or_in_the_public_url():
    assert served_over_tls(_request({}, "https"), "http://localhost:8000")
    assert served_over_tls(_request({}), "HTTPS://charge.example")
    assert not served_over_tls(_request({}), "http://localhost:8000")


@pytest.mark.parametrize(("headers", "refused"), [
    ({}, False),                                                   # no browser headers: the token decides
    ({"Origin": "http://charge.test"}, False),                     # the request's own origin
    ({"Origin": "https://charge.example"}, False),                 # the public URL's (behind a proxy)
    ({"Origin": "HTTPS://Charge.Example"}, False),
    ({"Sec-Fetch-Site": "same-origin"}, False),
    ({"Origin": "https://charge.example.evil"}, True),
    ({"Origin": "http://charge.test:8080"}, True),
    ({"Origin": "null"}, True),                                    # a sandboxed frame
    ({"Sec-Fetch-Site": "cross-site"}, True),
    ({"Origin": "http://charge.test", "Sec-Fetch-Site": "cross-site"}, True),
])
def test_a_form_from_another_site_is_refused(headers, refused):
    request = _request(headers)
    if refused:
        with pytest.raises(csrf.CsrfRefused):
            csrf.check_origin(request, "https://charge.example")
    else:
        csrf.check_origin(request, "https://charge.example")


def test_the_forms_token_must_be_the_cookies():
    token = csrf.new_token()
    assert len(token) >= 40 and token != csrf.new_token()
    csrf.check_token(token, {"csrf_token": token})
    for cookie, form in ((token, {}), (token, {"csrf_token": ""}), (None, {"csrf_token": token}),
                         ("", {"csrf_token": ""}), (token, {"csrf_token": token + "x"})):
        with pytest.raises(csrf.CsrfRefused):
            csrf.check_token(cookie, form)


@pytest.mark.parametrize(("target", "expected"), [
    ("/portal/sessions?from=2026-01-01", "/portal/sessions?from=2026-01-01"),
    (None, "/portal/sessions"), ("", "/portal/sessions"),
    ("https://evil.example/portal/x", "/portal/sessions"), ("//evil.example/portal/", "/portal/sessions"),
    ("/portal", "/portal/sessions"), ("/api/v1/portal/me", "/portal/sessions"),
    ("/portal/\\evil.example", "/portal/sessions"),
])
def test_a_sign_in_leads_only_to_a_page_of_the_site(target, expected):
    assert safe_next(target, "/portal/sessions", "/portal") == expected


def test_filters_show_money_energy_durations_and_local_times():
    assert templating.money(Decimal("3.60"), "GBP") == "£3.60"
    assert templating.money(Decimal("-1.20"), "EUR") == "-€1.20"
    assert templating.money("1234.5", "CHF") == "1,234.5 CHF"
    assert templating.money(None, "GBP") == "—"
    assert templating.kwh(Decimal("10.0004")) == "10.00 kWh"
    assert templating.hours(Decimal("1.0833333")) == "1 h 05 min"
    assert templating.hours("0.5") == "30 min"
    summer = datetime(2026, 7, 1, 9, 30, tzinfo=UTC)
    assert templating.local(summer, "Europe/London") == "1 Jul 2026, 10:30"
    assert templating.local("2026-01-15T23:30:00Z", "Asia/Tokyo", "date") == "16 Jan 2026"
    assert templating.local(summer, "America/New_York", "time") == "05:30"
    assert templating.day(date(2026, 2, 1)) == "1 Feb 2026"
    assert templating.words("partially_accepted") == "partially accepted"


def test_templates_escape_what_they_show():
    env = templating.environment()
    assert env.from_string("{{ x }}").render(x="<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
