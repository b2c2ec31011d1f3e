"""The site owners' web pages at ``/site-owner/``: sign in with the invitation (or a site-owner token held
already), onboarding (each stage with what it misses, and its form), my projects, a project's monthly
statements with a revenue chart, and sign-out.

The pages call the same use cases as the site-owner API (``/api/v1/site-owner``), as the site owner the cookie
stands for. The cookie holds the site-owner token accepting the invitation yields (HttpOnly, like the portal's).
Site-owner tokens are issued only by accepting an invitation, so signing in again is either a token the owner
holds (one the API gave them) or a new invitation the operator sends (inviting the same email again sends a
new token to the same site owner). An invitation link opens a page with a button, not the acceptance itself:
mail scanners that fetch links would otherwise use up the one-time invitation.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from application.pagination import PageRequest
from application.projects import ProjectMonths
from application.reports import Chart, Column, Report, ReportName
from application.site_owners import INVITATION_PREFIX, SITE_OWNER_TOKEN_PREFIX, SiteOwnerActor
from domain.errors import Forbidden, InvalidInput, NotFound, Unauthenticated
from domain.ids import is_id
from domain.reports import ReportWindow
from domain.site_owners import SiteOwner, SiteOwnerProfile, SiteOwnerStatus
from domain.site_owners.owners import AGREEMENT_VERSION
from domain.site_owners.statements import Statement, minor
from entrypoints.report_formats import report_svg
from entrypoints.rest.inputs import decode_cursor, encode_cursor
from entrypoints.web import templating
from entrypoints.web.cookies import SiteCookie
from entrypoints.web.pages import PageCall, Site, safe_next

if TYPE_CHECKING:
    from entrypoints.containers import Application

PREFIX = "/site-owner"
HOME = PREFIX + "/"             # onboarding until it is complete, then my projects
SIGN_IN = PREFIX + "/sign-in"
ONBOARDING = PREFIX + "/onboarding"
PROJECTS = PREFIX + "/projects"
TEMPLATES = Path(__file__).parent / "templates" / "site_owner"
COOKIE = SiteCookie("charge_site_owner")
PAGE_SIZE = 20
MAX_SECRET = 200
NAV = (("onboarding", "Onboarding", "/onboarding"), ("projects", "My projects", "/projects"))
PROFILE_FIELDS = (*SiteOwnerProfile.REQUIRED, "vat_id")
PAYOUT_FIELDS = ("account_holder", "iban", "bic")
# Where a stage's missing field is entered on the onboarding page (``stage.field`` → the input's id).
MISSING_AT = {"agreement_accepted": "agree", "onboarding_complete": "complete"}


class SiteOwnerPages:
    """The site owners' page handlers over the composition root's use cases."""

    def __init__(self, container: Application) -> None:
        self.use_cases = container.use_cases
        self.clock = container.core.clock
        public_url = str(container.config.public_url() or "http://localhost:8000")
        self.site = Site(name="Site owners", prefix=PREFIX, templates=templating.templates(TEMPLATES),
                         credential=COOKIE, sign_in_path=SIGN_IN, authenticate=self._authenticate,
                         public_url=public_url, context=self._context, layout="layout.html")
        env = self.site.templates.env
        env.globals.update(agreement_version=AGREEMENT_VERSION)
        env.filters["money"] = _money      # statements' amounts in the currency's minor unit, zero too

    async def _authenticate(self, secret: str) -> SiteOwnerActor:
        """A site-owner token; an operator's or a driver's credential is no way in here (as if unknown)."""
        try:
            actor: SiteOwnerActor = await self.use_cases.authenticate_site_owner(secret)
        except Forbidden:
            raise Unauthenticated("not a site-owner token") from None
        return actor

    async def _context(self, owner: SiteOwnerActor) -> dict[str, Any]:
        me = await self.use_cases.my_site_owner_profile(owner)
        return {"me": me, "nav": NAV}

    def routes(self) -> list[Route]:
        r = self.site.route
        return [
            r("/", self.home, signed_in=False, name="siteOwnerHome"),
            r("/sign-in", self.sign_in_form, signed_in=False, name="siteOwnerSignIn"),
            r("/sign-in", self.sign_in, methods=("POST",), signed_in=False),
            r("/accept/{secret}", self.accept_form, signed_in=False, name="siteOwnerAccept"),
            r("/accept/{secret}", self.accept, methods=("POST",), signed_in=False),
            r("/sign-out", self.sign_out, methods=("POST",), name="siteOwnerSignOut"),
            r("/onboarding", self.onboarding, name="siteOwnerOnboarding"),
            r("/onboarding/profile", self.save_profile, methods=("POST",), name="siteOwnerProfile"),
            r("/onboarding/payout-details", self.save_payout, methods=("POST",), name="siteOwnerPayout"),
            r("/onboarding/agreement", self.accept_agreement, methods=("POST",), name="siteOwnerAgreement"),
            r("/onboarding/complete", self.complete, methods=("POST",), name="siteOwnerComplete"),
            r("/projects", self.projects, name="siteOwnerProjects"),
            r("/projects/{project_id}", self.project, name="siteOwnerProject"),
            r("/projects/{project_id}/revenue.svg", self.chart, name="siteOwnerProjectChart"),
            r("/projects/{project_id}/statement.pdf", self.statement_pdf, name="siteOwnerStatementPdf"),
            self.site.not_found_route(),
        ]

    # ------------------------------------------------------------------------------------------ sign-in

    @staticmethod
    def _start(owner: SiteOwner) -> str:
        return PROJECTS if owner.status is SiteOwnerStatus.ACTIVE else ONBOARDING

    async def home(self, page: PageCall) -> Response:
        to = self._start(page.context["me"]) if page.actor is not None else SIGN_IN
        return RedirectResponse(to, status_code=303)

    async def sign_in_form(self, page: PageCall) -> Response:
        if page.actor is not None:
            default = self._start(page.context["me"])
            return RedirectResponse(safe_next(page.request.query_params.get("next"), default, PREFIX), status_code=303)
        signed_out = page.request.query_params.get("signed_out") == "1"
        return page.render("sign_in.html", errors={}, notice="You are signed out." if signed_out else None,
                           next=page.request.query_params.get("next", ""))

    async def sign_in(self, page: PageCall) -> Response:
        """The invitation token from the email (accepted here, once), or a site-owner token held already."""
        secret = page.form.get("token", "").strip()
        target = page.form.get("next") or None

        def refused(status: int, message: str) -> Response:
            return page.render("sign_in.html", status=status, errors={"token": message}, notice=None,
                               next=target or "")

        if not secret or len(secret) > MAX_SECRET:
            return refused(422, "Enter the invitation token from your email, or your site-owner token")
        try:
            if secret.startswith(INVITATION_PREFIX):
                issued = await self.use_cases.accept_site_owner_invitation(secret)
                return page.sign_in(issued.secret, issued.token.expires_at, self.clock().now(),
                                    safe_next(target, HOME, PREFIX))
            if secret.startswith(SITE_OWNER_TOKEN_PREFIX):
                await self.use_cases.authenticate_site_owner(secret)
                response = page.redirect(safe_next(target, HOME, PREFIX))
                # Its expiry is the token's own: the browser keeps the cookie for its session, the pages check it.
                self.site.credential.set(response, secret, secure=page.secure)
                return response
        except Unauthenticated:
            return refused(401, "This token does not work: it is unknown, expired or used already. Ask your "
                                "operator to invite you again")
        except Forbidden:
            pass
        return refused(422, "This is not a site owner's token: enter the invitation token from your email "
                            f"({INVITATION_PREFIX}…) or a site-owner token ({SITE_OWNER_TOKEN_PREFIX}…)")

    async def accept_form(self, page: PageCall) -> Response:
        secret = page.ids["secret"]
        if len(secret) > MAX_SECRET:
            return page.render("link_invalid.html", status=404)
        return page.render("accept.html", secret=secret)

    async def accept(self, page: PageCall) -> Response:
        secret = page.ids["secret"]
        try:
            issued = await self.use_cases.accept_site_owner_invitation(secret)
        except Unauthenticated:
            return page.render("link_invalid.html", status=401)
        return page.sign_in(issued.secret, issued.token.expires_at, self.clock().now(), HOME)

    async def sign_out(self, page: PageCall) -> Response:
        await self.use_cases.site_owner_sign_out(page.actor)
        return page.sign_out(SIGN_IN + "?signed_out=1")

    # ------------------------------------------------------------------------------------------ onboarding

    async def onboarding(self, page: PageCall, errors: dict[str, str] | None = None,
                         form: dict[str, str] | None = None, status: int = 200, notice: str | None = None) -> Response:
        me: SiteOwner = page.context["me"]
        if notice is None:
            notice = {"profile": "Your profile is saved.", "payout": "Your payout details are saved.",
                      "agreement": "You accepted the hosting agreement.",
                      "complete": "Your onboarding is complete."}.get(page.request.query_params.get("saved", ""))
        values = {name: getattr(me.profile, name) or "" for name in PROFILE_FIELDS}
        values |= {"account_holder": me.payout.account_holder if me.payout else "",
                   "iban": "", "bic": (me.payout.bic or "") if me.payout else ""}
        return page.render("onboarding.html", status=status, stages=me.stages(), values=values | (form or {}),
                           errors=errors or {}, notice=notice, current="onboarding",
                           active=me.status is SiteOwnerStatus.ACTIVE)

    async def save_profile(self, page: PageCall) -> Response:
        values: dict[str, object] = {name: (page.form.get(name, "").strip() or None) for name in PROFILE_FIELDS}
        try:
            await self.use_cases.update_site_owner_profile(page.actor, values)
        except InvalidInput as exc:
            return await self._refused(page, exc)
        return page.redirect(ONBOARDING + "?saved=profile")

    async def save_payout(self, page: PageCall) -> Response:
        form = page.form
        try:
            await self.use_cases.set_site_owner_payout_details(
                page.actor, form.get("account_holder", ""), form.get("iban", ""), form.get("bic", "").strip() or None)
        except InvalidInput as exc:
            return await self._refused(page, exc)
        return page.redirect(ONBOARDING + "?saved=payout")

    async def accept_agreement(self, page: PageCall) -> Response:
        if page.form.get("agree") != "yes":
            return await self.onboarding(page, {"agree": "Tick the box to accept the hosting agreement"},
                                         status=422)
        try:
            await self.use_cases.accept_site_owner_agreement(page.actor, page.form.get("version", ""))
        except InvalidInput as exc:
            return await self._refused(page, exc, {"version": "agree"})
        return page.redirect(ONBOARDING + "?saved=agreement")

    async def complete(self, page: PageCall) -> Response:
        try:
            await self.use_cases.complete_site_owner_onboarding(page.actor)
        except InvalidInput as exc:
            errors: dict[str, str] = {}
            for e in exc.errors:
                stage, _, name = e.field.partition(".")
                errors.setdefault(MISSING_AT.get(name, name), f"{_stage_name(stage)}: {_field_name(name)} is missing")
            return await self.onboarding(page, errors, status=422)
        return page.redirect(PROJECTS + "?onboarded=1")

    async def _refused(self, page: PageCall, exc: InvalidInput, fields: dict[str, str] | None = None) -> Response:
        errors = field_errors(exc, dict.fromkeys([*PROFILE_FIELDS, *PAYOUT_FIELDS], "") | (fields or {}))
        return await self.onboarding(page, errors, form={k: v for k, v in page.form.items() if k != "iban"} |
                                     {"iban": page.form.get("iban", "")}, status=422)

    # ------------------------------------------------------------------------------------------ projects

    async def projects(self, page: PageCall) -> Response:
        after = decoded_cursor(page)
        listed = await self.use_cases.my_projects(page.actor, PageRequest(limit=PAGE_SIZE, after=after))
        more = f"?cursor={encode_cursor(listed.next_cursor)}" if listed.next_cursor else None
        notice = "Your onboarding is complete." if page.request.query_params.get("onboarded") == "1" else None
        return page.render("projects.html", projects=listed.items, more=more, current="projects", notice=notice)

    async def _months(self, page: PageCall) -> ProjectMonths:
        project_id = page.ids["project_id"]
        if not is_id(project_id, "prj"):
            raise NotFound("project", project_id)
        months: ProjectMonths = await self.use_cases.my_project_months(page.actor, project_id)
        return months

    async def project(self, page: PageCall) -> Response:
        months = await self._months(page)
        statements = months.statements
        wanted = page.request.query_params.get("period")
        chosen = next((s for s in statements if s.period.label == wanted), None)
        errors: dict[str, str] = {}
        status = 200
        if wanted and chosen is None:
            try:
                chosen = await self.use_cases.my_statement(page.actor, months.project.id, wanted)
            except InvalidInput as exc:
                errors = {"period": sentence(exc.errors[0].message) if exc.errors else "Enter a month like 2026-01"}
                status = 422
        if chosen is None:
            chosen = statements[-1]
        return page.render("project.html", status=status, project=months.project, statements=statements,
                           chosen=chosen, errors=errors, period=wanted or chosen.period.label, current="projects",
                           chart_text=_chart_text(statements))

    async def statement_pdf(self, page: PageCall) -> Response:
        """The chosen month's statement as a PDF (what the API answers with Accept: application/pdf)."""
        project_id = page.ids["project_id"]
        if not is_id(project_id, "prj"):
            raise NotFound("project", project_id)
        period = page.request.query_params.get("period", "")
        try:
            content = await self.use_cases.my_statement_document(page.actor, project_id, period)
        except InvalidInput:
            return await self.project(page)           # the project's page, the month refused on its field
        return Response(content, media_type="application/pdf", headers={
            "Content-Disposition": f'inline; filename="statement-{project_id}-{period}.pdf"'})

    async def chart(self, page: PageCall) -> Response:
        months = await self._months(page)
        return Response(report_svg(revenue_report(months)), media_type="image/svg+xml")


def revenue_report(months: ProjectMonths) -> Report:
    """A project's months as a report the reports' chart drawing takes: net revenue and the owner's share per
    month, a line each."""
    statements = months.statements
    currency = statements[-1].currency
    first, last = statements[0].period, statements[-1].period
    columns = (Column("period", "Month"), Column("currency", "Currency"),
               Column("revenue", "Revenue excl. VAT, less credit notes", "currency"),
               Column("share", "Your share", "currency"))
    rows = tuple({"period": s.period.label, "currency": s.currency, "revenue": s.revenue - s.credited,
                  "share": s.share} for s in statements)
    totals = {"currency": currency, "revenue": sum((s.revenue - s.credited for s in statements), Decimal(0)),
              "share": sum((s.share for s in statements), Decimal(0))}
    project = months.project
    return Report(name=ReportName.REVENUE, title=f"Monthly revenue of {project.name}",
                  organization_id=project.organization_id, currency=currency, timezone=months.timezone,
                  window=ReportWindow(first.start, last.end), group_by="month", location_id=None, columns=columns,
                  rows=rows, totals=totals, chart=Chart("line", "period", ("revenue", "share"), f"Amount ({currency})"))


def _chart_text(statements: tuple[Statement, ...]) -> str:
    """What the chart shows, in words (its image's text alternative)."""
    best = max(statements, key=lambda s: s.revenue - s.credited)
    first, last = statements[0].period, statements[-1].period
    return (f"Line chart of net revenue and your share per month from {_month(first.start)} to {_month(last.start)}; "
            f"the highest revenue was in {_month(best.period.start)}. The table below gives every figure.")


def _money(amount: Decimal | None, currency: str | None) -> str:
    if amount is None or currency is None:
        return templating.money(amount, currency)
    return templating.money(minor(Decimal(amount), currency), currency)


def decoded_cursor(page: PageCall) -> str | None:
    raw = page.request.query_params.get("cursor")
    if not raw:
        return None
    try:
        return decode_cursor(raw)
    except InvalidInput:
        raise NotFound("page") from None


def field_errors(exc: InvalidInput, fields: dict[str, str]) -> dict[str, str]:
    """The use case's refusals on the form's inputs (``fields``: a field's name → its input's id, "" for the
    same), others above the form."""
    out: dict[str, str] = {}
    for e in exc.errors:
        at = fields.get(e.field)
        out.setdefault(at or (e.field if at == "" else "_"), sentence(e.message))
    return out


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _month(day: date) -> str:
    return f"{day:%B %Y}"


def _stage_name(stage: str) -> str:
    return {"profile": "Profile", "payout_details": "Payout details", "agreement": "Agreement"}.get(stage, stage)


def _field_name(name: str) -> str:
    return {"agreement_accepted": "accepting the agreement", "iban": "IBAN", "vat_id": "VAT id"}.get(
        name, name.replace("_", " "))


def site_owner_routes(container: Application) -> list[Route]:
    return SiteOwnerPages(container).routes()
