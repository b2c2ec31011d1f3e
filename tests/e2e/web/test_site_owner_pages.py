"""The site owners' web pages in a real browser (Debian's chromium, headless, a 390×844 phone screen), on SQLite
and PostgreSQL: the operator invites Petra (the email goes through a real SMTP server) and puts Riverside in her
project at 12.5 %; she opens the invitation link, accepts, is refused completion while stages miss information
(the page names each), fills her profile (after a refused country), payout details and the agreement, completes
onboarding, finds her project, its months with the revenue chart (an SVG image the browser draws) and the month
her operator's sessions ended in with her share, signs out, and signs in again with the token of a new invitation.
Every page is checked with axe-core (no serious or critical violation) and never scrolls sideways; screenshots
are saved."""

from __future__ import annotations

import asyncio
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

from entrypoints.config import Settings
from entrypoints.server import Server
from tests.e2e.portal.world import operator_world
from tests.e2e.web.browser import assert_accessible, context_options, fits_the_screen
from tests.e2e.web.test_portal_pages import _listening
from tests.integration.mail.smtp_server import SmtpServer

EMAIL = "petra@parkhaus.example"
DRAWN = "() => { const img = document.querySelector('figure.chart img'); return img.complete && img.naturalWidth > 0; }"


async def _check(page, axe_source: str, screens: Path | None = None, name: str = "") -> None:
    await assert_accessible(page, axe_source)
    assert await fits_the_screen(page), f"{page.url} is wider than the phone's screen"
    if screens is not None:
        await page.screenshot(path=str(screens / f"{name}.png"), full_page=True)


async def _invitation(smtp: SmtpServer, count: int) -> str:
    """The token of the ``count``-th invitation mailed to Petra."""
    for _ in range(200):
        mails = [m for m in smtp.messages if m["To"] == EMAIL]
        if len(mails) >= count:
            body = mails[count - 1].get_content()
            return re.search(r"Invitation token: (\S+)", body).group(1)
        await asyncio.sleep(0.05)
    raise AssertionError(f"invitation {count} to {EMAIL} did not arrive")


async def test_a_site_owner_accepts_onboards_and_follows_her_projects_revenue(database_url, tmp_path, browser,
                                                                             axe_source):
    smtp = SmtpServer().start()
    sock = _listening()
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = Settings(host="127.0.0.1", http_port=0, ocpp_port=0, database_url=database_url, smtp_host="127.0.0.1",
                        smtp_port=smtp.port, mail_poll_seconds=0.05, event_sweep_seconds=0.2, argon2_time_cost=1,
                        argon2_memory_kib=1024, argon2_parallelism=1, mail_dir=str(tmp_path / "mail"),
                        public_url=base)
    server = Server(settings, grpc=False, http_socket=sock)
    await server.start()
    screens = tmp_path / "screens"
    screens.mkdir()
    try:
        async with httpx.AsyncClient(base_url=f"{base}/api/v1", timeout=20) as api:
            world = await operator_world(api, f"ws://127.0.0.1:{server.ocpp_port}/ocpp")
            ops = world["ops"]
            invited = await api.post("/site-owners/invitations", headers=ops, json={"email": EMAIL, "name": "Petra"})
            assert invited.status_code == 201, invited.text
            [location_id] = [x["id"] for x in (await api.get("/locations", headers=ops)).json()["data"]]
            project = await api.post("/projects", headers=ops, json={
                "site_owner_id": invited.json()["id"], "name": "Riverside car park", "location_ids": [location_id],
                "revenue_share_percent": "12.5", "share_basis": "net_revenue"})
            assert project.status_code == 201, project.text
            project_id = project.json()["id"]
            context = await browser.new_context(**context_options())
            page = await context.new_page()

            # The link in the email opens a page with a button (a mail scanner's visit accepts nothing).
            secret = await _invitation(smtp, 1)
            mail = next(m for m in smtp.messages if m["To"] == EMAIL).get_content()
            link = re.search(re.escape(base) + r"/site-owner/accept/\S+", mail).group(0)
            await page.goto(link)
            assert secret in link
            await _check(page, axe_source, screens, "01-accept")
            await page.get_by_role("button", name="Accept and sign in").click()
            await page.get_by_role("heading", name="Onboarding", exact=True).wait_for()
            assert page.url == f"{base}/site-owner/onboarding"
            cookie = next(c for c in await context.cookies() if c["name"] == "charge_site_owner")
            assert (cookie["httpOnly"], cookie["sameSite"], cookie["secure"]) == (True, "Lax", False)
            steps = await page.get_by_role("list", name="Onboarding steps").inner_text()
            assert "missing legal name" in steps and "missing account holder, IBAN" in steps
            await _check(page, axe_source, screens, "02-onboarding")

            # Completing too early is refused, naming what is missing, each linked to its field.
            await page.get_by_role("button", name="Complete onboarding").click()
            await page.get_by_role("alert").wait_for()
            summary = await page.get_by_role("alert").inner_text()
            assert "Profile: legal name is missing" in summary and "Payout details: IBAN is missing" in summary
            await _check(page, axe_source, screens, "03-refused")

            # The profile: a country that is none is refused on its field, the rest kept.
            for label, value in (("Legal name", "Parkhaus GmbH"), ("Contact name", "Petra Park"),
                                 ("Phone", "+49 30 123456"), ("Address", "Hafenstraße 1"), ("Postal code", "10115"),
                                 ("City", "Berlin"), ("Country", "XX")):
                await page.get_by_label(label, exact=True).fill(value)
            await page.get_by_role("button", name="Save profile").click()
            await page.get_by_role("alert").wait_for()
            assert await page.get_by_label("Country", exact=True).get_attribute("aria-invalid") == "true"
            assert await page.get_by_label("Legal name").input_value() == "Parkhaus GmbH"
            await _check(page, axe_source)
            await page.get_by_label("Country", exact=True).fill("DE")
            await page.get_by_role("button", name="Save profile").click()
            await page.get_by_text("Your profile is saved.").wait_for()
            await page.get_by_label("Account holder").fill("Parkhaus GmbH")
            await page.get_by_label("IBAN").fill("DE89 3704 0044 0532 0130 00")
            await page.get_by_role("button", name="Save payout details").click()
            await page.get_by_text("Your payout details are saved.").wait_for()
            await page.get_by_label(re.compile("I accept the hosting agreement")).check()
            await page.get_by_role("button", name="Accept the agreement").click()
            await page.get_by_text("You accepted the hosting agreement.").wait_for()
            steps = await page.get_by_role("list", name="Onboarding steps").inner_text()
            assert steps.count("done") == 3, steps
            await _check(page, axe_source, screens, "04-stages-done")
            await page.get_by_role("button", name="Complete onboarding").click()

            # Her projects: exactly hers.
            await page.get_by_role("heading", name="My projects").wait_for()
            assert page.url == f"{base}/site-owner/projects?onboarded=1"
            rows = page.locator("table tbody tr")
            assert await rows.count() == 1
            cells = [t.strip() for t in await rows.first.locator("td").all_inner_texts()]
            assert cells == ["Riverside car park", "1", "12.5 %", "net revenue"]
            await _check(page, axe_source, screens, "05-projects")

            # The project: 12 months, a chart the browser draws, and the month the sessions ended in.
            await rows.first.get_by_role("link").click()
            await page.get_by_role("heading", name="Monthly revenue").wait_for()
            chart = page.get_by_role("img", name=re.compile("Line chart of net revenue"))
            await chart.wait_for()
            # Drawn (matplotlib's first chart in a process takes a while): an SVG the browser could decode.
            await page.wait_for_function(DRAWN, timeout=30_000)
            assert await page.locator("table tbody tr").count() == 12
            month = world["started"].astimezone(ZoneInfo("Europe/London")).strftime("%Y-%m")
            await page.get_by_role("link", name=month).click()
            await page.get_by_role("heading", name=f"Statement for {month}").wait_for()
            statement = await page.locator("dl.summary").inner_text()
            # Grace's 10 kWh and Hank's 5 kWh at 30p net: £4.50, of which 12.5 % is hers.
            share = (Decimal("4.50") * Decimal("0.125")).quantize(Decimal("0.01"), ROUND_HALF_UP)
            assert "£4.50" in statement and f"£{share}" in statement, statement
            assert "15.00 kWh" in statement
            await page.wait_for_function(DRAWN, timeout=30_000)
            await _check(page, axe_source, screens, "06-project")

            # Signing out ends the token; a new invitation's token, typed in, signs her in again.
            await page.get_by_role("button", name="Sign out").click()
            await page.get_by_text("You are signed out.").wait_for()
            await page.goto(f"{base}/site-owner/projects/{project_id}")
            assert page.url.startswith(f"{base}/site-owner/sign-in?next=")
            await page.get_by_label("Invitation or site-owner token").fill(secret)     # used already
            await page.get_by_role("button", name="Sign in").click()
            await page.get_by_role("alert").wait_for()
            assert "Ask your operator to invite you again" in await page.get_by_role("alert").inner_text()
            await _check(page, axe_source, screens, "07-sign-in-refused")
            again = await api.post("/site-owners/invitations", headers=ops, json={"email": EMAIL, "name": "Petra"})
            assert again.json()["id"] == invited.json()["id"]
            await page.get_by_label("Invitation or site-owner token").fill(await _invitation(smtp, 2))
            await page.get_by_role("button", name="Sign in").click()
            await page.get_by_role("heading", name="Riverside car park").wait_for()     # where she was going
            assert page.url == f"{base}/site-owner/projects/{project_id}"
            await context.close()
    finally:
        await server.stop()
        smtp.stop()
    saved = sorted(p.name for p in screens.iterdir() if p.stat().st_size > 0)
    assert [name[:2] for name in saved] == [f"{i:02d}" for i in range(1, 8)], saved
