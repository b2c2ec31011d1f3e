"""The operator's dashboard at ``/dashboard/``: this month's revenue, sessions and energy, the peak hours as an
hour × weekday heatmap, the top locations and the charge points offline now, for one organization.

Operators sign in with a credential the API already takes: a user's access token (``cat_…``, from
``POST /api/v1/auth/token``) or an organization's API key (``ck_…``), typed into a form once and then held by
the browser as an HttpOnly cookie for its session (never longer: an API key does not expire by itself). Any
role may read the dashboard, a viewer too; a user picks among their organizations. Signing out forgets the
cookie; it revokes nothing (an API key is a backend's, and the API has no way to end an access token early).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from application.authorization import Actor
from application.dashboard import Dashboard
from application.pagination import PageRequest
from application.reports import WEEKDAYS, Report, ReportName, ReportRequest
from domain.errors import Forbidden, NotFound, Unauthenticated
from domain.ids import is_id
from entrypoints.report_formats import report_svg
from entrypoints.web import templating
from entrypoints.web.cookies import SiteCookie
from entrypoints.web.pages import PageCall, Site, safe_next

if TYPE_CHECKING:
    from entrypoints.containers import Application

PREFIX = "/dashboard"
HOME = PREFIX + "/"
SIGN_IN = PREFIX + "/sign-in"
TEMPLATES = Path(__file__).parent / "templates" / "dashboard"
COOKIE = SiteCookie("charge_operator")
MAX_SECRET = 200
OPERATOR_PREFIXES = ("cat_", "ck_")
MAX_ORGANIZATIONS = 100


class DashboardPages:
    """The dashboard's page handlers over the composition root's use cases."""

    def __init__(self, container: Application) -> None:
        self.use_cases = container.use_cases
        public_url = str(container.config.public_url() or "http://localhost:8000")
        self.site = Site(name="Operator dashboard", prefix=PREFIX, templates=templating.templates(TEMPLATES),
                         credential=COOKIE, sign_in_path=SIGN_IN, authenticate=self._authenticate,
                         public_url=public_url, context=self._context, layout="layout.html")
        self.site.templates.env.globals.update(one_day=timedelta(days=1))

    async def _authenticate(self, secret: str) -> Actor:
        """An operator credential; a driver's or a site owner's token is no way in here (as if unknown)."""
        try:
            actor: Actor = await self.use_cases.authenticate(secret)
        except Forbidden:
            raise Unauthenticated("not an operator credential") from None
        return actor

    async def _context(self, actor: Actor) -> dict[str, Any]:
        me = await self.use_cases.me(actor)
        listed = await self.use_cases.list_my_organizations(actor, PageRequest(limit=MAX_ORGANIZATIONS))
        return {"me": me, "organizations": [organization for organization, _ in listed.items]}

    def routes(self) -> list[Route]:
        r = self.site.route
        return [
            r("/", self.dashboard, name="dashboard"),
            r("/sign-in", self.sign_in_form, signed_in=False, name="dashboardSignIn"),
            r("/sign-in", self.sign_in, methods=("POST",), signed_in=False),
            r("/sign-out", self.sign_out, methods=("POST",), name="dashboardSignOut"),
            r("/peak-hours.svg", self.peak_hours, name="dashboardPeakHours"),
            self.site.not_found_route(),
        ]

    # ------------------------------------------------------------------------------------------ sign-in

    async def sign_in_form(self, page: PageCall) -> Response:
        target = page.request.query_params.get("next", "")
        if page.actor is not None:
            return RedirectResponse(safe_next(target, HOME, PREFIX), status_code=303)
        signed_out = page.request.query_params.get("signed_out") == "1"
        return page.render("sign_in.html", errors={}, next=target,
                           notice="You are signed out." if signed_out else None)

    async def sign_in(self, page: PageCall) -> Response:
        secret = page.form.get("credential", "").strip()
        target = page.form.get("next", "")

        def refused(status: int, message: str) -> Response:
            return page.render("sign_in.html", status=status, errors={"credential": message}, next=target,
                               notice=None)

        if not secret.startswith(OPERATOR_PREFIXES) or len(secret) > MAX_SECRET:
            return refused(422, "Enter an API key (ck_…) or an access token (cat_…)")
        try:
            await self.use_cases.authenticate(secret)
        except Unauthenticated:
            return refused(401, "This key or token does not work: it is unknown, revoked or expired")
        response = page.redirect(safe_next(target, HOME, PREFIX))
        self.site.credential.set(response, secret, secure=page.secure)      # for the browser's session
        return response

    async def sign_out(self, page: PageCall) -> Response:
        return page.sign_out(SIGN_IN + "?signed_out=1")

    # ------------------------------------------------------------------------------------------ the dashboard

    def _organization(self, page: PageCall) -> str | None:
        """The organization asked for (``?organization=``), else the caller's first; None when it has none."""
        wanted = page.request.query_params.get("organization")
        if wanted:
            if not is_id(wanted, "org"):
                raise NotFound("organization")
            return wanted
        organizations = page.context["organizations"]
        return organizations[0].id if organizations else None

    async def dashboard(self, page: PageCall) -> Response:
        organization_id = self._organization(page)
        if organization_id is None:
            return page.render("no_organization.html")
        found: Dashboard = await self.use_cases.operator_dashboard(page.actor, organization_id)
        return page.render("dashboard.html", dashboard=found, revenue=found.revenue.totals,
                           usage=found.usage.totals, window=found.revenue.window,
                           heatmap_text=heatmap_text(found.peak_hours))

    async def peak_hours(self, page: PageCall) -> Response:
        organization_id = self._organization(page)
        if organization_id is None:
            raise NotFound("organization")
        report: Report = await self.use_cases.build_report(page.actor, organization_id, ReportName.PEAK_HOURS,
                                                           ReportRequest())
        return Response(report_svg(report), media_type="image/svg+xml")


def heatmap_text(report: Report) -> str:
    """What the heatmap shows, in words (its image's text alternative)."""
    matrix = report.matrix or ()
    cells = [(count, day, hour) for day, row in enumerate(matrix) for hour, count in enumerate(row)]
    total = sum(count for count, _, _ in cells)
    if not total:
        return "Heatmap of sessions started per hour and weekday this month: no sessions yet."
    count, day, hour = max(cells, key=lambda c: (c[0], -c[1], -c[2]))
    return (f"Heatmap of the {total} sessions started this month per hour and weekday, in each location's local "
            f"time; the busiest hour is {WEEKDAYS[day]} {hour:02d}:00 with {count} session{'s' if count != 1 else ''}.")


def dashboard_routes(container: Application) -> list[Route]:
    return DashboardPages(container).routes()
