"""The operator dashboard in a real browser (Debian's chromium, headless, a 390×844 phone screen), on SQLite and
PostgreSQL: Voltline's operator (whose drivers charged over real OCPP) signs in with a viewer API key after a
refused one, and sees this month's revenue, sessions and energy as the reports API gives them, the peak-hours
heatmap drawn, Riverside among the top locations and the charge point that went offline; then signs out. Every
page is checked with axe-core (no serious or critical violation) and never scrolls sideways; screenshots are
saved."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import httpx

from entrypoints.config import Settings
from entrypoints.server import Server
from tests.e2e.portal.world import operator_world
from tests.e2e.web.browser import assert_accessible, context_options, fits_the_screen
from tests.e2e.web.test_portal_pages import _listening

DRAWN = "() => { const img = document.querySelector('figure.chart img'); return img.complete && img.naturalWidth > 0; }"


async def _check(page, axe_source: str, screens: Path | None = None, name: str = "") -> None:
    await assert_accessible(page, axe_source)
    assert await fits_the_screen(page), f"{page.url} is wider than the phone's screen"
    if screens is not None:
        await page.screenshot(path=str(screens / f"{name}.png"), full_page=True)


async def test_an_operator_signs_in_with_a_viewer_key_and_reads_this_months_dashboard(database_url, tmp_path,
                                                                                     browser, axe_source):
    sock = _listening()
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = Settings(host="127.0.0.1", http_port=0, ocpp_port=0, database_url=database_url, mail_poll_seconds=0.05,
                        event_sweep_seconds=0.2, argon2_time_cost=1, argon2_memory_kib=1024, argon2_parallelism=1,
                        mail_dir=str(tmp_path / "mail"), public_url=base)
    server = Server(settings, grpc=False, http_socket=sock)
    await server.start()
    screens = tmp_path / "screens"
    screens.mkdir()
    try:
        async with httpx.AsyncClient(base_url=f"{base}/api/v1", timeout=20) as api:
            world = await operator_world(api, f"ws://127.0.0.1:{server.ocpp_port}/ocpp")
            key = await api.post(f"/organizations/{world['org_id']}/api-keys", headers=world["ops"],
                                 json={"name": "wall screen", "role": "viewer"})
            assert key.status_code == 201, key.text
            viewer = key.json()["key"]
            reading = {"Authorization": f"Bearer {viewer}"}
            usage = (await api.get("/reports/usage", headers=reading, params={"group_by": "month"})).json()["totals"]
            revenue = (await api.get("/reports/revenue", headers=reading,
                                     params={"group_by": "month"})).json()["totals"]
            context = await browser.new_context(**context_options())
            page = await context.new_page()

            await page.goto(f"{base}/dashboard/")
            assert page.url == f"{base}/dashboard/sign-in?next=%2Fdashboard%2F"
            await _check(page, axe_source, screens, "01-sign-in")
            await page.get_by_label("API key or access token").fill(viewer[:-3] + "xyz")
            await page.get_by_role("button", name="Sign in").click()
            await page.get_by_role("alert").wait_for()
            assert "does not work" in await page.get_by_role("alert").inner_text()
            await _check(page, axe_source, screens, "02-refused")
            await page.get_by_label("API key or access token").fill(viewer)
            await page.get_by_role("button", name="Sign in").click()
            await page.get_by_role("heading", name="Voltline").wait_for()
            assert page.url == f"{base}/dashboard/"
            cookie = next(c for c in await context.cookies() if c["name"] == "charge_operator")
            assert (cookie["httpOnly"], cookie["sameSite"], cookie["expires"]) == (True, "Lax", -1)   # session

            figures = dict(zip(await page.locator("dl.figures dt").all_inner_texts(),
                               await page.locator("dl.figures dd").all_inner_texts(), strict=True))
            assert figures["Sessions"] == str(usage["sessions"])
            assert figures["Energy"] == f"{Decimal(usage['energy_kwh']):.2f} kWh"
            assert figures["Revenue excl. VAT"] == f"£{Decimal(revenue['total_excl_vat'])}"
            await page.wait_for_function(DRAWN, timeout=30_000)
            heatmap = page.get_by_role("img", name=re.compile("Heatmap of"))
            assert await heatmap.count() == 1
            top = page.locator("table").first
            assert "Riverside" in await top.inner_text()
            offline = await page.get_by_role("table", name="Charge points offline now").inner_text()
            assert "CP-PORTAL" in offline and "Riverside" in offline
            await _check(page, axe_source, screens, "03-dashboard")

            await page.get_by_role("button", name="Sign out").click()
            await page.get_by_text("You are signed out.").wait_for()
            await _check(page, axe_source, screens, "04-signed-out")
            await page.goto(f"{base}/dashboard/")
            assert page.url.startswith(f"{base}/dashboard/sign-in")
            await context.close()
    finally:
        await server.stop()
    saved = sorted(p.name for p in screens.iterdir() if p.stat().st_size > 0)
    assert [name[:2] for name in saved] == ["01", "02", "03", "04"], saved
