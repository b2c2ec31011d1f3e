"""The driver portal's web pages in a real browser (Debian's chromium, headless, a 390×844 phone screen), on
SQLite and PostgreSQL: Grace signs in through the link a real SMTP server received, sees exactly her session
in a table, opens its breakdown and the "why", downloads its receipt, files a dispute (after a refused amount)
and follows it (the operator's public reply shows), finds her invoice's PDF, chooses her default payment method
and removes another, and signs out. Every page is
checked with axe-core (no serious or critical violation) and never scrolls sideways; screenshots are saved."""

from __future__ import annotations

import io
import re
import socket
from pathlib import Path

import httpx
from pypdf import PdfReader

from entrypoints.config import Settings
from entrypoints.server import Server
from tests.e2e.portal.world import operator_world
from tests.e2e.web.browser import assert_accessible, context_options, fits_the_screen
from tests.integration.mail.smtp_server import SmtpServer


def _listening() -> socket.socket:
    """The HTTP socket, bound before the server starts, so that its public URL (in the emailed link) is known."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.setblocking(False)
    return sock


async def _check(page, axe_source: str, screens: Path | None = None, name: str = "") -> None:
    await assert_accessible(page, axe_source)
    assert await fits_the_screen(page), f"{page.url} is wider than the phone's screen"
    if screens is not None:
        await page.screenshot(path=str(screens / f"{name}.png"), full_page=True)


async def test_a_driver_signs_in_sees_her_sessions_downloads_a_receipt_and_files_a_dispute(
        database_url, tmp_path, browser, axe_source):
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
            session, invoice = world["grace_session"], world["grace_invoice"]
            context = await browser.new_context(**context_options())
            page = await context.new_page()

            # Signed out, the portal sends her to the sign-in page; she asks for a link.
            await page.goto(f"{base}/portal/")
            assert page.url == f"{base}/portal/sign-in"
            await _check(page, axe_source, screens, "01-sign-in")
            await page.get_by_label("Email address").fill("not an email")
            await page.get_by_role("button", name="Email me a sign-in link").click()
            await page.get_by_role("alert").wait_for()
            assert "email" in (await page.get_by_role("alert").inner_text()).lower()
            await _check(page, axe_source, screens, "02-sign-in-refused")
            await page.get_by_label("Email address").fill("Grace@Example.com")
            await page.get_by_role("button", name="Email me a sign-in link").click()
            await page.get_by_role("heading", name="Check your email").wait_for()
            await _check(page, axe_source)

            # The link from the email opens a confirmation page; the button signs her in.
            mail = await smtp.wait_for_subject("grace@example.com", "Sign in")
            link = re.search(re.escape(base) + r"/portal/sign-in/\S+", mail.get_content()).group(0)
            await page.goto(link)
            await _check(page, axe_source, screens, "03-confirm")
            await page.get_by_role("button", name="Sign in").click()
            await page.get_by_role("heading", name="My sessions").wait_for()
            assert page.url == f"{base}/portal/sessions"
            cookie = next(c for c in await context.cookies() if c["name"] == "charge_portal")
            assert (cookie["httpOnly"], cookie["sameSite"], cookie["secure"]) == (True, "Lax", False)
            assert cookie["expires"] > 0          # until the portal token expires, not the browser's session

            # Exactly her session, with its place, energy and cost.
            rows = page.locator("table tbody tr")
            assert await rows.count() == 1
            cells = [text.strip() for text in await rows.first.locator("td").all_inner_texts()]
            assert cells[1:] == ["Riverside, London", "10.00 kWh", "£3.60"]
            await _check(page, axe_source, screens, "04-sessions")

            # Its page: the breakdown, the "why", the receipt.
            await rows.first.get_by_role("link").click()
            await page.get_by_role("heading", name="Why it cost this").wait_for()
            assert page.url == f"{base}/portal/sessions/{session['id']}"
            assert "£3.60" in await page.locator("dl.summary").first.inner_text()
            assert await page.locator("ol.why li").count() >= 1
            assert "element 1" in await page.locator("ol.why").inner_text()
            await _check(page, axe_source, screens, "05-session")
            async with page.expect_download() as downloading:
                await page.get_by_role("link", name="Download the receipt (PDF)").click()
            download = await downloading.value
            assert download.suggested_filename == f"receipt-{session['id']}.pdf"
            pdf = Path(await download.path()).read_bytes()
            text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
            for fact in ("Voltline Ltd", "Riverside", "CP-PORTAL", "3.60", invoice["number"]):
                assert fact in text, (fact, text)

            # A dispute: an amount that is no amount is refused, naming the field; then it is filed.
            await page.get_by_label("What is wrong with this charge?").fill("The car was full after half an hour.")
            await page.get_by_label("What should it have cost, in GBP?").fill("about two pounds")
            await page.get_by_role("button", name="File a dispute").click()
            await page.get_by_role("alert").wait_for()
            assert "Enter an amount like 12.50" in await page.get_by_role("alert").inner_text()
            assert await page.get_by_label("What should it have cost, in GBP?").get_attribute("aria-invalid") == "true"
            assert await page.get_by_label("What is wrong with this charge?").input_value() == \
                "The car was full after half an hour."
            await _check(page, axe_source, screens, "06-dispute-refused")
            await page.get_by_label("What should it have cost, in GBP?").fill("1.80")
            await page.get_by_role("button", name="File a dispute").click()
            await page.get_by_role("status").wait_for()
            assert "We received your dispute" in await page.get_by_role("status").inner_text()
            dispute_id = page.url.split("/portal/disputes/")[1].split("?")[0]
            summary = await page.locator("dl.summary").inner_text()
            assert "open" in summary and "£1.80" in summary and "£3.60" in summary
            await _check(page, axe_source, screens, "07-dispute")

            # The operator sees it and answers in public; she reads the reply on her dispute's page.
            ops = world["ops"]
            seen = await api.get("/disputes", headers=ops, params={"session_id": session["id"]})
            assert [d["id"] for d in seen.json()["data"]] == [dispute_id]
            reply = await api.post(f"/disputes/{dispute_id}/comments", headers=ops,
                                   json={"body": "We are checking the meter data.", "visibility": "public"})
            assert reply.status_code == 201, reply.text
            await api.post(f"/disputes/{dispute_id}/comments", headers=ops,
                           json={"body": "Internal: meter looks fine", "visibility": "internal"})
            await page.get_by_role("navigation", name="Portal").get_by_role("link", name="My disputes").click()
            await page.get_by_role("heading", name="My disputes").wait_for()
            rows = page.locator("table tbody tr")
            assert await rows.count() == 1
            assert "under review" in await rows.first.inner_text()
            await _check(page, axe_source, screens, "08-disputes")
            await rows.first.get_by_role("link").first.click()
            await page.get_by_role("heading", name="Replies").wait_for()
            replies = await page.locator("article.reply").all_inner_texts()
            assert len(replies) == 1 and "We are checking the meter data." in replies[0]
            assert "Internal" not in await page.content()

            # Her invoice, with its PDF.
            await page.get_by_role("link", name="My invoices").click()
            await page.get_by_role("heading", name="My invoices").wait_for()
            rows = page.locator("table tbody tr")
            assert await rows.count() == 1
            assert invoice["number"] in await rows.first.inner_text()
            await _check(page, axe_source, screens, "09-invoices")
            async with page.expect_download() as downloading:
                await rows.first.get_by_role("link", name=re.compile("PDF")).click()
            assert Path(await (await downloading.value).path()).read_bytes().startswith(b"%PDF-")

            # Her payment methods (two bank accounts saved through the API with her portal token): she makes the
            # second the default and removes the first.
            portal_token = next(c["value"] for c in await context.cookies() if c["name"] == "charge_portal")
            for iban in ("DE89370400440532013000", "GB33BUKB20201555555555"):
                added = await api.post("/portal/payment-methods", json={"iban": iban},
                                       headers={"Authorization": f"Bearer {portal_token}"})
                assert added.status_code == 201, added.text
            await page.get_by_role("link", name="Payment methods").click()
            await page.get_by_role("heading", name="Payment methods").wait_for()
            rows = page.locator("table tbody tr")
            assert await rows.count() == 2 and "Default" in await rows.first.inner_text()
            await _check(page, axe_source, screens, "10-payment-methods")
            await rows.nth(1).get_by_role("button", name=re.compile("Make default")).click()
            await page.get_by_text("This is now your default payment method").wait_for()
            await rows.first.get_by_role("button", name=re.compile("Remove")).click()
            await page.get_by_text("The payment method is removed.").wait_for()
            assert await rows.count() == 1 and "Default" in await rows.first.inner_text()
            await _check(page, axe_source)

            # Hank's session is not hers to see; signing out ends the portal token.
            response = await page.goto(f"{base}/portal/sessions/{world['hank_session']['id']}")
            assert response.status == 404
            await _check(page, axe_source)
            await page.goto(f"{base}/portal/sessions")
            await page.get_by_role("button", name="Sign out").click()
            await page.get_by_text("You are signed out.").wait_for()
            await page.goto(f"{base}/portal/sessions")
            assert page.url.startswith(f"{base}/portal/sign-in")
            await context.close()
    finally:
        await server.stop()
        smtp.stop()
    saved = sorted(p.name for p in screens.iterdir() if p.stat().st_size > 0)
    assert [name[:2] for name in saved] == [f"{i:02d}" for i in range(1, 11)], saved
