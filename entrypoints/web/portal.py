"""The driver portal's web pages at ``/portal/``: sign in by magic link, my sessions (with a session's cost and
the "why" of each period), receipts, disputes (filed, followed, withdrawn), invoices and payment methods (listed,
removed, one chosen as the default; a card is added where Stripe.js can take its number, through the API).

The pages call the same use cases as the portal API (``/api/v1/portal``), as the driver the portal-token
cookie stands for; the token is the one a magic link is exchanged for, held by the browser as an HttpOnly
cookie. A sign-in link opens a page with a button, not the session itself: mail scanners that fetch links
would otherwise use up the one-time link before the driver clicks it.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from application.disputes import FileDispute
from application.pagination import PageRequest
from application.portal import LINE_NAMES
from application.portal_access import DriverActor
from application.sessions import NotPriced
from domain.charging import SessionStatus
from domain.errors import Conflict, InvalidInput, NotFound, RateLimited, Unauthenticated
from domain.ids import is_id
from domain.money import Money
from entrypoints.rest.clients import client_address
from entrypoints.rest.inputs import decode_cursor, encode_cursor
from entrypoints.web import templating
from entrypoints.web.cookies import SiteCookie
from entrypoints.web.pages import PageCall, Site, safe_next

if TYPE_CHECKING:
    from entrypoints.containers import Application

PREFIX = "/portal"
SIGN_IN = PREFIX + "/sign-in"
HOME = PREFIX + "/sessions"
TEMPLATES = Path(__file__).parent / "templates" / "portal"
COOKIE = SiteCookie("charge_portal")
PAGE_SIZE = 20
MAX_LINK = 200
AMOUNT = re.compile(r"[0-9]{1,9}(\.[0-9]{1,2})?")
NAV = (("sessions", "My sessions", "/sessions"), ("disputes", "My disputes", "/disputes"),
       ("invoices", "My invoices", "/invoices"), ("payment-methods", "Payment methods", "/payment-methods"))
METHOD_NOTICES = {"default": "This is now your default payment method: your invoices are charged to it.",
                  "removed": "The payment method is removed. It will not be charged again."}


class Portal:
    """The portal's page handlers over the composition root's use cases."""

    def __init__(self, container: Application) -> None:
        self.use_cases = container.use_cases
        self.clock = container.core.clock
        public_url = str(container.config.public_url() or "http://localhost:8000")
        self.site = Site(name="Charging portal", prefix=PREFIX, templates=templating.templates(TEMPLATES),
                         credential=COOKIE, sign_in_path=SIGN_IN, authenticate=self._authenticate,
                         public_url=public_url, context=self._context, layout="layout.html")
        self.site.templates.env.globals.update(line_names=LINE_NAMES, one_day=timedelta(days=1))

    async def _authenticate(self, secret: str) -> DriverActor:
        actor: DriverActor = await self.use_cases.authenticate_driver(secret)
        return actor

    async def _context(self, driver: DriverActor) -> dict[str, Any]:
        me = await self.use_cases.whoami(driver)
        return {"me": me, "nav": NAV}

    def routes(self) -> list[Route]:
        r = self.site.route
        return [
            r("/", self.home, signed_in=False, name="portalHome"),
            r("/sign-in", self.sign_in_form, signed_in=False, name="portalSignIn"),
            r("/sign-in", self.send_link, methods=("POST",), signed_in=False),
            r("/sign-in/{secret}", self.confirm_form, signed_in=False, name="portalSignInLink"),
            r("/sign-in/{secret}", self.confirm, methods=("POST",), signed_in=False),
            r("/sign-out", self.sign_out, methods=("POST",), name="portalSignOut"),
            r("/sessions", self.sessions, name="portalSessions"),
            r("/sessions/{session_id}", self.session, name="portalSession"),
            r("/sessions/{session_id}/receipt", self.receipt, name="portalReceipt"),
            r("/sessions/{session_id}/dispute", self.file_dispute, methods=("POST",), name="portalFileDispute"),
            r("/disputes", self.disputes, name="portalDisputes"),
            r("/disputes/{dispute_id}", self.dispute, name="portalDispute"),
            r("/disputes/{dispute_id}/withdraw", self.withdraw, methods=("POST",), name="portalWithdraw"),
            r("/invoices", self.invoices, name="portalInvoices"),
            r("/invoices/{invoice_id}/pdf", self.invoice_pdf, name="portalInvoicePdf"),
            r("/payment-methods", self.payment_methods, name="portalPaymentMethods"),
            r("/payment-methods/{method_id}/default", self.make_default, methods=("POST",),
              name="portalDefaultPaymentMethod"),
            r("/payment-methods/{method_id}/remove", self.remove_method, methods=("POST",),
              name="portalRemovePaymentMethod"),
            self.site.not_found_route(),
        ]

    # ------------------------------------------------------------------------------------------ sign-in

    async def home(self, page: PageCall) -> Response:
        return RedirectResponse(HOME if page.actor is not None else SIGN_IN, status_code=303)

    async def sign_in_form(self, page: PageCall) -> Response:
        if page.actor is not None:
            return RedirectResponse(safe_next(page.request.query_params.get("next"), HOME, PREFIX), status_code=303)
        signed_out = page.request.query_params.get("signed_out") == "1"
        return page.render("sign_in.html", email="", errors={},
                           notice="You are signed out." if signed_out else None)

    async def send_link(self, page: PageCall) -> Response:
        email = page.form.get("email", "").strip()
        try:
            await self.use_cases.request_magic_link(email, client_address(page.request))
        except InvalidInput as exc:
            return page.render("sign_in.html", status=422, email=email,
                               errors={"email": _message(exc, "email", "Enter your email address, like "
                                                                       "name@example.com")})
        except RateLimited as exc:
            response = page.render("sign_in.html", status=429, email=email, errors={
                "email": "You asked for too many links. Wait a few minutes, then try again."})
            response.headers["Retry-After"] = str(max(1, int(exc.retry_after)))
            return response
        # The same answer whether or not a driver has this email (nothing tells who is one).
        return page.render("link_sent.html", email=email)

    async def confirm_form(self, page: PageCall) -> Response:
        secret = page.ids["secret"]
        if len(secret) > MAX_LINK:
            return page.render("link_invalid.html", status=404)
        return page.render("confirm.html", secret=secret)

    async def confirm(self, page: PageCall) -> Response:
        secret = page.ids["secret"]
        try:
            if len(secret) > MAX_LINK:
                raise Unauthenticated("unknown link")
            issued = await self.use_cases.exchange_magic_link(secret)
        except Unauthenticated:
            return page.render("link_invalid.html", status=401)
        return page.sign_in(issued.secret, issued.token.expires_at, self.clock().now(), HOME)

    async def sign_out(self, page: PageCall) -> Response:
        await self.use_cases.sign_out(page.actor)
        return page.sign_out(SIGN_IN + "?signed_out=1")

    # ------------------------------------------------------------------------------------------ sessions

    async def sessions(self, page: PageCall) -> Response:
        me = page.context["me"]
        params = page.request.query_params
        raw_from, raw_to = params.get("from", ""), params.get("to", "")
        errors: dict[str, str] = {}
        zone = ZoneInfo(me.timezone)
        started_from = _day(raw_from, zone, "from", errors)
        started_to = _day(raw_to, zone, "to", errors)
        if started_to is not None:
            started_to += timedelta(days=1)       # "to 31 January" includes the 31st
        if started_from is not None and started_to is not None and started_to <= started_from:
            errors["to"] = "The end date must be on or after the start date"
        after = None
        if params.get("cursor"):
            try:
                after = decode_cursor(params["cursor"])
            except InvalidInput:
                errors["_"] = "That page of sessions no longer exists: showing the newest."
        if errors:
            started_from = started_to = after = None
        listed = await self.use_cases.my_sessions(page.actor, started_from, started_to,
                                                  PageRequest(limit=PAGE_SIZE, after=after))
        places = await self.use_cases.my_places(page.actor, [s.charge_point_id for s in listed.items])
        more = None
        if listed.next_cursor is not None:
            kept = {k: v for k, v in (("from", raw_from), ("to", raw_to)) if v and not errors}
            more = "?" + urlencode(kept | {"cursor": encode_cursor(listed.next_cursor)})
        return page.render("sessions.html", status=422 if errors else 200, sessions=listed.items, places=places,
                           errors=errors, raw_from=raw_from, raw_to=raw_to, more=more, current="sessions",
                           first=params.get("cursor") is None)

    async def session(self, page: PageCall, errors: dict[str, str] | None = None, form: dict[str, str] | None = None,
                      status: int = 200) -> Response:
        session_id = page.ids["session_id"]
        if not is_id(session_id):
            raise NotFound("session", session_id)
        session = await self.use_cases.my_session(page.actor, session_id)
        places = await self.use_cases.my_places(page.actor, [session.charge_point_id])
        try:
            cost = (await self.use_cases.my_session_cost(page.actor, session_id)).breakdown.to_json()
        except NotPriced:
            cost = None
        disputes = (await self.use_cases.list_my_disputes(page.actor, PageRequest(limit=10),
                                                          session_id=session_id)).items
        active = next((d for d in disputes if not d.status.terminal), None)
        me = page.context["me"]
        return page.render("session.html", status=status, session=session, place=places[session.charge_point_id],
                           cost=cost, disputes=disputes, active=active, errors=errors or {}, form=form or {},
                           completed=session.status is SessionStatus.COMPLETED,
                           currency=session.cost.currency if session.cost else me.currency, current="sessions")

    async def receipt(self, page: PageCall) -> Response:
        session_id = page.ids["session_id"]
        if not is_id(session_id):
            raise NotFound("session", session_id)
        content = await self.use_cases.my_receipt(page.actor, session_id)
        return Response(content, media_type="application/pdf",
                         headers={"Content-Disposition": f'attachment; filename="receipt-{session_id}.pdf"'})

    async def file_dispute(self, page: PageCall) -> Response:
        session_id = page.ids["session_id"]
        if not is_id(session_id):
            raise NotFound("session", session_id)
        form = page.form
        description = form.get("description", "")
        errors: dict[str, str] = {}
        amount = _amount(form.get("expected_cost", ""), errors)
        if not description.strip():
            errors["description"] = "Tell us what is wrong with this charge"
        if errors:
            return await self.session(page, errors, form, status=422)
        session = await self.use_cases.my_session(page.actor, session_id)
        currency = session.cost.currency if session.cost else page.context["me"].currency
        try:
            assert amount is not None
            dispute = await self.use_cases.file_dispute(page.actor, FileDispute(session_id, description,
                                                                                Money(amount, currency)))
        except InvalidInput as exc:
            return await self.session(page, _field_errors(exc), form, status=422)
        except Conflict as exc:
            return await self.session(page, {"_": _sentence(exc.detail)}, form, status=409)
        return page.redirect(f"{PREFIX}/disputes/{dispute.id}?filed=1")

    # ------------------------------------------------------------------------------------------ disputes

    async def disputes(self, page: PageCall) -> Response:
        after = _cursor(page)
        listed = await self.use_cases.list_my_disputes(page.actor, PageRequest(limit=PAGE_SIZE, after=after))
        more = f"?cursor={encode_cursor(listed.next_cursor)}" if listed.next_cursor else None
        return page.render("disputes.html", disputes=listed.items, more=more, current="disputes")

    async def dispute(self, page: PageCall) -> Response:
        dispute_id = page.ids["dispute_id"]
        if not is_id(dispute_id):
            raise NotFound("dispute", dispute_id)
        view = await self.use_cases.get_my_dispute(page.actor, dispute_id)
        params = page.request.query_params
        notice = ("We received your dispute. We have emailed you a copy, and will write when its status changes."
                  if params.get("filed") == "1" else "You withdrew this dispute." if params.get("withdrawn") == "1"
                  else None)
        return page.render("dispute.html", dispute=view.dispute, replies=view.comments, notice=notice,
                           current="disputes")

    async def withdraw(self, page: PageCall) -> Response:
        dispute_id = page.ids["dispute_id"]
        if not is_id(dispute_id):
            raise NotFound("dispute", dispute_id)
        await self.use_cases.withdraw_dispute(page.actor, dispute_id)
        return page.redirect(f"{PREFIX}/disputes/{dispute_id}?withdrawn=1")

    # ------------------------------------------------------------------------------------------ invoices

    async def invoices(self, page: PageCall) -> Response:
        after = _cursor(page)
        listed = await self.use_cases.my_invoices(page.actor, PageRequest(limit=PAGE_SIZE, after=after))
        more = f"?cursor={encode_cursor(listed.next_cursor)}" if listed.next_cursor else None
        return page.render("invoices.html", invoices=listed.items, more=more, current="invoices")

    async def invoice_pdf(self, page: PageCall) -> Response:
        invoice_id = page.ids["invoice_id"]
        if not is_id(invoice_id):
            raise NotFound("invoice", invoice_id)
        invoice, content = await self.use_cases.my_invoice_pdf(page.actor, invoice_id)
        return Response(content, media_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{invoice.number or invoice.id}.pdf"'})


    # ------------------------------------------------------------------------------------------ payment methods

    async def payment_methods(self, page: PageCall, error: str | None = None, status: int = 200) -> Response:
        methods = await self.use_cases.my_payment_methods(page.actor)
        notice = METHOD_NOTICES.get(page.request.query_params.get("done", "")) if error is None else None
        return page.render("payment_methods.html", status=status, methods=methods, notice=notice,
                           errors={"_": error} if error else {}, current="payment-methods")

    async def make_default(self, page: PageCall) -> Response:
        method_id = _method_id(page)
        try:
            await self.use_cases.make_my_payment_method_default(page.actor, method_id)
        except Conflict:        # a card whose holder has not confirmed it yet
            return await self.payment_methods(page, "This card is not confirmed yet: it cannot be the default "
                                                    "until its setup is finished.", status=409)
        return page.redirect(f"{PREFIX}/payment-methods?done=default")

    async def remove_method(self, page: PageCall) -> Response:
        await self.use_cases.remove_my_payment_method(page.actor, _method_id(page))
        return page.redirect(f"{PREFIX}/payment-methods?done=removed")


def _method_id(page: PageCall) -> str:
    method_id = page.ids["method_id"]
    if not is_id(method_id, "pmt"):
        raise NotFound("payment method", method_id)
    return method_id


def _day(raw: str, zone: ZoneInfo, name: str, errors: dict[str, str]) -> datetime | None:
    """A date typed in a date field (``YYYY-MM-DD``), as the start of that day in the organization's zone."""
    if not raw:
        return None
    try:
        return datetime.combine(datetime.strptime(raw, "%Y-%m-%d").date(), time(), zone)
    except ValueError:
        errors[name] = "Enter a date like 2026-01-31"
        return None


def _amount(raw: str, errors: dict[str, str]) -> Decimal | None:
    """What the driver thinks the session should have cost: digits with at most two decimals."""
    text = raw.strip().replace(",", "")
    if not AMOUNT.fullmatch(text):
        errors["expected_cost"] = ("The amount cannot be negative" if text.startswith("-")
                                   else "Enter an amount like 12.50")
        return None
    return Decimal(text)


def _cursor(page: PageCall) -> str | None:
    raw = page.request.query_params.get("cursor")
    if not raw:
        return None
    try:
        return decode_cursor(raw)
    except InvalidInput:
        raise NotFound("page") from None


_FIELDS = {"description": "description", "expected_cost.amount": "expected_cost",
           "expected_cost.currency": "expected_cost"}


def _field_errors(exc: InvalidInput) -> dict[str, str]:
    """The use case's refusals, on the form's fields (others, like a closed filing window, above the form)."""
    out: dict[str, str] = {}
    for e in exc.errors:
        out.setdefault(_FIELDS.get(e.field, "_"), _sentence(e.message))
    return out


def _message(exc: InvalidInput, field: str, default: str) -> str:
    return next((_sentence(e.message) for e in exc.errors if e.field == field), default)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def portal_routes(container: Application) -> list[Route]:
    return Portal(container).routes()
